//! Inline suppressions: comments that silence findings where they are written.
//!
//! - `# plimsoll ignore=DF002,latest-tag -- reason` on the line above an instruction covers the
//!   whole instruction (all its lines and heredocs); above a compose key it covers that key and
//!   its subtree; inside a multi-line instruction it covers that instruction.
//! - `# plimsoll ignore-file=… -- reason` anywhere covers the whole file.
//! - hadolint's `# hadolint ignore=DL3008` (line above), `# hadolint stage ignore=…` (to the end
//!   of the stage) and `# hadolint global ignore=…` (file), with spaces around `=` and `,` as
//!   hadolint allows, are honoured through each rule's `related` ids (`hadolint:DL3008`), so a
//!   migrating repository keeps its exceptions. hadolint codes with no plimsoll equivalent are
//!   skipped.
//! - BuildKit's build-check settings: the `# check=skip=A,B` parser directive (file), `skip=all`
//!   (every rule with a `buildkit:` id), and a `# check=skip=…` comment directly above an
//!   instruction (that instruction, as BuildKit reads it since Dockerfile 1.9), through
//!   `buildkit:<CheckName>` ids; check names are case-sensitive, as in BuildKit.
//!   `# check=error=true` makes those rules' findings errors (see [`BuildkitChecks`]).
//!
//! Rules are named by code, name, category, code prefix or `all` (as in `--select`). Comment
//! lines may sit between a directive and what it covers; a blank line ends the directive's reach.
//! The engine applies suppressions, then reports what they did wrong as `unused-suppression`.

use crate::linter::diagnostic::{Applicability, Edit, Finding, Fix};
use crate::linter::rule::RuleRef;
use crate::linter::rules::{self, UNUSED_SUPPRESSION};
use crate::linter::selection::{self, Settings};
use crate::linter::shellcheck;
use crate::syntax::dockerfile::Dockerfile;
use crate::syntax::span::Span;
use crate::syntax::yaml::{Node, Value, YamlFile};

/// Who wrote the directive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Plimsoll,
    Hadolint,
    /// BuildKit's `# check=skip=…`.
    Buildkit,
}

/// How far a directive reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// The instruction or key that follows (or the instruction the comment sits in).
    Next,
    /// From the comment to the end of the stage the next instruction belongs to.
    Stage,
    /// The whole file.
    File,
}

/// One rule reference in a directive.
#[derive(Clone, Debug)]
pub struct CodeRef {
    pub text: String,
    pub span: Span,
    /// The rules it names (empty: unknown, or a hadolint code without an equivalent).
    pub rules: Vec<RuleRef>,
    /// It names ShellCheck codes (`SC2086`, `SC`): `rules` holds the `shellcheck` family.
    pub shellcheck: bool,
}

impl CodeRef {
    /// Whether this reference names the rule of `finding`.
    fn covers(&self, origin: Origin, finding: &Finding) -> bool {
        self.rules.iter().any(|rule| rule.code() == finding.code)
            || origin != Origin::Buildkit
                && shellcheck::is_code(&finding.code)
                && (self.shellcheck || origin == Origin::Plimsoll)
                && selection::matches_shellcheck_code(&self.text, &finding.code)
    }
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Directive {
    /// The comment, from `#` to the end of the line.
    pub span: Span,
    pub origin: Origin,
    /// `None` for a file-wide directive, else what it covers (`Some(None)`: nothing follows).
    pub scope: Option<Option<Span>>,
    pub codes: Vec<CodeRef>,
    pub reason: Option<String>,
    /// A comment that starts with `plimsoll` but is not a directive (for the report).
    pub malformed: bool,
}

impl Directive {
    fn covers(&self, offset: usize) -> bool {
        match self.scope {
            None => true,
            Some(Some(span)) => span.start <= offset && offset <= span.end,
            Some(None) => false,
        }
    }
}

/// Read one comment's text (after `#`); `at` is the byte offset of that text in the file.
/// BuildKit's `check=` comments are read in Dockerfiles only (`dockerfile`).
fn parse_comment(
    text: &str,
    at: usize,
    span: Span,
    dockerfile: bool,
) -> Option<(Directive, Reach)> {
    let body = text.trim_start();
    let (origin, rest, reach) = if let Some(rest) = word(body, "plimsoll") {
        let rest_trim = rest.trim_start();
        if let Some(codes) = rest_trim.strip_prefix("ignore-file=") {
            (Origin::Plimsoll, codes, Reach::File)
        } else if let Some(codes) = rest_trim.strip_prefix("ignore=") {
            (Origin::Plimsoll, codes, Reach::Next)
        } else {
            return Some((
                Directive {
                    span,
                    origin: Origin::Plimsoll,
                    scope: None,
                    codes: Vec::new(),
                    reason: None,
                    malformed: true,
                },
                Reach::File,
            ));
        }
    } else if let Some(rest) = word(body, "hadolint") {
        // hadolint's grammar: `hadolint [global|stage] ignore = A , B`, spaces optional
        // around `=` and `,` (src/Hadolint/Pragma.hs).
        let rest = rest.trim_start();
        let (reach, rest) = if let Some(r) = word(rest, "global") {
            (Reach::File, r.trim_start())
        } else if let Some(r) = word(rest, "stage") {
            (Reach::Stage, r.trim_start())
        } else {
            (Reach::Next, rest)
        };
        let codes = rest
            .strip_prefix("ignore")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))?;
        (Origin::Hadolint, codes, reach)
    } else if dockerfile {
        let value = check_value(body)?;
        let skip = buildkit_skip(value)?;
        let codes_at = at + offset_in(text, skip);
        let directive = buildkit_directive(skip, codes_at, span);
        return Some((directive, Reach::Next));
    } else {
        return None;
    };
    // Offsets: `rest` is a suffix of `text`.
    let codes_at = at + (text.len() - rest.len());
    let (list, reason) = match rest.find("--") {
        Some(dash) => {
            let reason = rest.get(dash + 2..).unwrap_or("").trim();
            (
                rest.get(..dash).unwrap_or(""),
                (!reason.is_empty()).then(|| reason.to_string()),
            )
        }
        None => (rest, None),
    };
    // hadolint reads a `#` after the codes as a comment of its own.
    let list = match origin {
        Origin::Hadolint => list.split('#').next().unwrap_or(""),
        _ => list,
    };
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in list.split(',') {
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        let code = piece.trim();
        // hadolint stops at the first space; so does a reason written without `--`.
        let code = code.split_whitespace().next().unwrap_or("");
        if code.is_empty() {
            continue;
        }
        let names_shellcheck = origin != Origin::Buildkit
            && (shellcheck::is_code(code) || code.eq_ignore_ascii_case("SC"));
        let rules = match origin {
            _ if names_shellcheck => vec![RuleRef::Builtin(&rules::SHELLCHECK)],
            Origin::Plimsoll => rules::all()
                .iter()
                .map(|&rule| RuleRef::Builtin(rule))
                .filter(|rule| selection::matches_selector(rule, code))
                .collect(),
            Origin::Buildkit => buildkit_rules(code),
            Origin::Hadolint => {
                let id = format!("hadolint:{code}");
                rules::all()
                    .iter()
                    .filter(|rule| rule.related.iter().any(|r| r.eq_ignore_ascii_case(&id)))
                    .map(|&rule| RuleRef::Builtin(rule))
                    .collect()
            }
        };
        codes.push(CodeRef {
            text: code.to_string(),
            span: Span::new(codes_at + start, codes_at + start + code.len()),
            rules,
            shellcheck: names_shellcheck,
        });
    }
    Some((
        Directive {
            span,
            origin,
            scope: None,
            codes,
            reason,
            malformed: false,
        },
        reach,
    ))
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// The value of a `check=…` comment (`body` starts after `#` and blanks), cut at its first
/// space as BuildKit cuts a check comment above an instruction.
fn check_value(body: &str) -> Option<&str> {
    let rest = body.get(..5).filter(|w| w.eq_ignore_ascii_case("check"))?;
    let rest = body[rest.len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    Some(rest.split([' ', '\t']).next().unwrap_or(""))
}

/// The `skip=` list of a BuildKit check setting (`skip=A,B;error=true`), as a suffix of
/// `value`; `None` when it has no `skip` or is not one BuildKit accepts.
fn buildkit_skip(value: &str) -> Option<&str> {
    let mut skip = None;
    for part in value.splitn(3, ';') {
        let (key, v) = part.split_once('=')?;
        match key.trim() {
            "skip" => skip = Some(v),
            "error" => {
                parse_bool(v.trim())?;
            }
            "experimental" => {}
            _ => return None,
        }
    }
    skip
}

/// Go's `strconv.ParseBool`, which BuildKit reads `error=` with.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The rules a BuildKit check name stands for (`all`: every rule with a `buildkit:` check id).
fn buildkit_rules(name: &str) -> Vec<RuleRef> {
    rules::all()
        .iter()
        .filter(|rule| {
            rule.related
                .iter()
                .any(|id| match id.strip_prefix("buildkit:") {
                    // `buildkit:parse` is the parser refusing the file, not a check.
                    Some(check) if name == "all" => check != "parse",
                    Some(check) => check == name,
                    None => false,
                })
        })
        .map(|&rule| RuleRef::Builtin(rule))
        .collect()
}

/// A directive from a `skip=` list that starts at byte `at` (empty names are skipped).
fn buildkit_directive(list: &str, at: usize, span: Span) -> Directive {
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in list.split(',') {
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        let name = piece.trim();
        if name.is_empty() {
            continue;
        }
        codes.push(CodeRef {
            text: name.to_string(),
            span: Span::new(at + start, at + start + name.len()),
            rules: buildkit_rules(name),
            shellcheck: false,
        });
    }
    Directive {
        span,
        origin: Origin::Buildkit,
        scope: None,
        codes,
        reason: None,
        malformed: false,
    }
}

/// BuildKit's `# check=` parser directive at the top of a Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct BuildkitChecks {
    /// `skip=…`: a file-wide suppression of the rules the named checks map to.
    pub skip: Option<Directive>,
    /// `error=true`: the findings of every rule with a BuildKit check id are errors (BuildKit
    /// fails the build on them).
    pub error: bool,
}

impl BuildkitChecks {
    /// Read the `check` parser directive of `dockerfile` (none, or one BuildKit would refuse:
    /// nothing).
    pub fn of(dockerfile: &Dockerfile) -> BuildkitChecks {
        let Some(directive) = dockerfile
            .directives
            .iter()
            .find(|d| d.name.value == "check")
        else {
            return BuildkitChecks::default();
        };
        let value = directive.value.value.as_str();
        let mut checks = BuildkitChecks::default();
        let mut part_at = directive.value.span.start;
        for part in value.splitn(3, ';') {
            let Some((key, v)) = part.split_once('=') else {
                return BuildkitChecks::default();
            };
            let value_at = part_at + key.len() + 1;
            part_at += part.len() + 1;
            match key.trim() {
                "skip" => {
                    checks.skip = Some(buildkit_directive(v, value_at, directive.span));
                }
                "error" => match parse_bool(v.trim()) {
                    Some(error) => checks.error = error,
                    None => return BuildkitChecks::default(),
                },
                "experimental" => {}
                _ => return BuildkitChecks::default(),
            }
        }
        checks
    }

    /// Whether `error=true` makes this rule's findings errors.
    pub fn escalates(&self, code: &str) -> bool {
        self.error
            && rules::all().iter().any(|rule| {
                rule.code == code
                    && rule
                        .related
                        .iter()
                        .any(|id| id.strip_prefix("buildkit:").is_some_and(|c| c != "parse"))
            })
    }
}

/// `text` after the word `name` followed by a space or the end (`plimsoll ignore=…`).
fn word<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let rest = text
        .get(..name.len())
        .filter(|w| w.eq_ignore_ascii_case(name))?;
    let rest = &text[rest.len()..];
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(rest)
}

/// The offset of the first non-comment line after `offset`'s line, if only comment lines lie
/// between (a blank line or the end of the text ends the search).
fn next_content_line(text: &str, offset: usize) -> Option<usize> {
    let mut at = text.get(offset..)?.find('\n')? + offset + 1;
    loop {
        let line_end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
        let line = text.get(at..line_end)?.trim();
        if line.is_empty() {
            return None;
        }
        if !line.starts_with('#') {
            let indent = text.get(at..line_end)?.len() - text.get(at..line_end)?.trim_start().len();
            return Some(at + indent);
        }
        if line_end >= text.len() {
            return None;
        }
        at = line_end + 1;
    }
}

/// The directives of a Dockerfile, with what each covers (the `# check=skip=` parser
/// directive among them).
pub fn dockerfile_directives(text: &str, dockerfile: &Dockerfile) -> Vec<Directive> {
    let mut out: Vec<Directive> = BuildkitChecks::of(dockerfile).skip.into_iter().collect();
    for comment in &dockerfile.comments {
        let Some((mut directive, reach)) =
            parse_comment(&comment.text, comment.span.start + 1, comment.span, true)
        else {
            continue;
        };
        if reach != Reach::File {
            let inside = dockerfile.instructions.iter().position(|i| {
                i.span.start <= comment.span.start && comment.span.start < i.span.end
            });
            let covered = inside.or_else(|| {
                let next = next_content_line(text, comment.span.start)?;
                dockerfile
                    .instructions
                    .iter()
                    .position(|i| i.span.start == next)
            });
            let scope = covered.and_then(|index| {
                let instruction = dockerfile.instructions.get(index)?;
                if reach == Reach::Next {
                    return Some(instruction.span);
                }
                // To the last instruction of the stage the covered instruction belongs to
                // (instructions before the first FROM: up to that FROM).
                let last = dockerfile
                    .stages
                    .iter()
                    .find(|stage| stage.instructions.contains(&index))
                    .map_or_else(
                        || dockerfile.stages.first().map_or(index, |s| s.from),
                        |stage| stage.instructions.end.saturating_sub(1),
                    );
                let end = dockerfile
                    .instructions
                    .get(last)
                    .map_or(instruction.span.end, |i| i.span.end);
                Some(Span::new(
                    instruction.span.start,
                    end.max(instruction.span.end),
                ))
            });
            directive.scope = Some(scope);
        }
        out.push(directive);
    }
    out
}

/// The directives of a compose file (whole-line comments only), with what each covers.
pub fn compose_directives(text: &str, yaml: &YamlFile) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut targets: Option<Vec<(usize, Span)>> = None;
    let mut scalars: Option<Vec<Span>> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        let hash = start + (line.len() - trimmed.len());
        // A `#` line inside a block or multi-line quoted scalar is text, not a comment.
        let scalars = scalars.get_or_insert_with(|| multi_line_scalars(text, yaml));
        if scalars
            .iter()
            .any(|span| span.start < hash && hash < span.end)
        {
            continue;
        }
        let content = trimmed.trim_end_matches(['\n', '\r']);
        let span = Span::new(hash, hash + content.len());
        let Some((mut directive, reach)) = parse_comment(&content[1..], hash + 1, span, false)
        else {
            continue;
        };
        if reach != Reach::File {
            let targets = targets.get_or_insert_with(|| yaml_targets(yaml));
            let scope = next_content_line(text, hash).and_then(|next| {
                let next_line_end = text
                    .get(next..)
                    .and_then(|t| t.find('\n'))
                    .map_or(text.len(), |i| next + i);
                targets
                    .iter()
                    .filter(|(s, _)| *s >= next && *s < next_line_end)
                    .min_by_key(|(s, span)| (*s, std::cmp::Reverse(span.end)))
                    .map(|(_, span)| *span)
                    .map(|span| {
                        // A sequence item (`- image: x`) is covered from its dash.
                        Span::new(next.min(span.start), span.end)
                    })
            });
            directive.scope = Some(scope);
        }
        out.push(directive);
    }
    out
}

/// The spans of scalars written over several lines, in the first document.
fn multi_line_scalars(text: &str, yaml: &YamlFile) -> Vec<Span> {
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = yaml.documents.iter().take(1).collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Mapping(entries) => {
                stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value]));
            }
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Scalar(_) => {
                if node.origin.is_none() && node.span.text(text).contains('\n') {
                    out.push(node.span);
                }
            }
        }
    }
    out
}

/// Every mapping entry (key start, key to end of value) and sequence item (start, span) in the
/// first document, iteratively; nodes copied in by aliases or merges are skipped.
fn yaml_targets(yaml: &YamlFile) -> Vec<(usize, Span)> {
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = yaml.documents.iter().take(1).collect();
    while let Some(node) = stack.pop() {
        if node.origin.is_some() {
            continue;
        }
        match &node.value {
            Value::Mapping(entries) => {
                for entry in entries.iter() {
                    if entry.key.origin.is_some() {
                        continue;
                    }
                    out.push((entry.key.span.start, entry.key.span.cover(entry.value.span)));
                    stack.push(&entry.value);
                }
            }
            Value::Sequence(items) => {
                for item in items {
                    if item.origin.is_none() {
                        out.push((item.span.start, item.span));
                    }
                    stack.push(item);
                }
            }
            Value::Scalar(_) => {}
        }
    }
    out
}

/// Drop the findings the directives suppress, then add the `unused-suppression` findings
/// (when that rule is enabled).
/// (when that rule is enabled). `shellcheck_ran`: ShellCheck checked the file, so a suppression
/// of its codes that hid nothing is unused (otherwise nothing can be said of it).
pub fn apply(
    findings: &mut Vec<Finding>,
    directives: &[Directive],
    settings: &Settings,
    text: &str,
    shellcheck_ran: bool,
) {
    if directives.is_empty() {
        return;
    }
    // Codes of policy rules are only known to the settings (the directives were read without
    // them): resolve the references no built-in rule matched.
    let with_policies: Vec<Directive>;
    let directives = if settings.policies().is_empty() {
        directives
    } else {
        with_policies = directives
            .iter()
            .cloned()
            .map(|mut directive| {
                if directive.origin == Origin::Plimsoll {
                    for code in directive.codes.iter_mut().filter(|c| c.rules.is_empty()) {
                        code.rules = settings
                            .policies()
                            .iter()
                            .filter(|rule| selection::matches_selector(rule, &code.text))
                            .cloned()
                            .collect();
                    }
                }
                directive
            })
            .collect();
        &with_policies
    };
    // uses[d][c]: how many findings code `c` of directive `d` suppressed.
    let mut uses: Vec<Vec<usize>> = directives.iter().map(|d| vec![0; d.codes.len()]).collect();
    findings.retain(|finding| {
        let mut suppressed = false;
        for (d, directive) in directives.iter().enumerate() {
            if !directive.covers(finding.span.start) {
                continue;
            }
            for (c, code) in directive.codes.iter().enumerate() {
                if code.covers(directive.origin, finding) {
                    uses[d][c] += 1;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    if !settings.is_enabled(&UNUSED_SUPPRESSION) {
        return;
    }
    let check_hadolint = settings.options_for(&UNUSED_SUPPRESSION).bool("hadolint");
    let check_buildkit = settings.options_for(&UNUSED_SUPPRESSION).bool("buildkit");
    let mut reports = Vec::new();
    for (d, directive) in directives.iter().enumerate() {
        if directive.malformed {
            reports.push(UNUSED_SUPPRESSION.finding(
                directive.span,
                "comment starts with `plimsoll` but is not a directive; write \
                 `# plimsoll ignore=RULE -- reason` or `# plimsoll ignore-file=RULE -- reason`",
            ));
            continue;
        }
        if settings.strict && directive.reason.is_none() {
            let mut finding = UNUSED_SUPPRESSION.finding(
                directive.span,
                "suppression without a reason (`strict: true` requires one)",
            );
            finding.with_help(match directive.origin {
                Origin::Plimsoll => "add the reason after ` -- `",
                Origin::Hadolint | Origin::Buildkit => {
                    "write it as `# plimsoll ignore=RULE -- reason` to give the reason"
                }
            });
            reports.push(finding);
        }
        if directive.codes.is_empty() {
            reports.push(UNUSED_SUPPRESSION.finding(directive.span, "suppression names no rule"));
            continue;
        }
        if directive.scope == Some(None) && directive.origin == Origin::Plimsoll {
            let mut finding = UNUSED_SUPPRESSION.finding(
                directive.span,
                "suppression covers nothing: no instruction or key follows it",
            );
            finding.with_help(
                "put it on the line directly above the instruction or key (no blank line between), \
                 or use `ignore-file=`",
            );
            reports.push(finding);
            continue;
        }
        for (c, code) in directive.codes.iter().enumerate() {
            if code.rules.is_empty() {
                if directive.origin == Origin::Plimsoll {
                    let mut message = selection::unknown_selector(&code.text);
                    message.insert_str(0, "suppression of an ");
                    reports.push(UNUSED_SUPPRESSION.finding(code.span, message));
                }
                continue;
            }
            if directive.origin == Origin::Hadolint && !check_hadolint
                || directive.origin == Origin::Buildkit && !check_buildkit
            {
                continue;
            }
            let enabled = code.rules.iter().any(|rule| {
                settings.is_enabled(rule)
                    && (rule.code() != rules::SHELLCHECK.code || shellcheck_ran)
            }) && (!shellcheck::is_code(&code.text)
                || settings.shellcheck_code_enabled(&code.text));
            if uses[d][c] == 0 && enabled {
                let mut finding = UNUSED_SUPPRESSION.finding(
                    code.span,
                    format!("unused suppression: no `{}` finding here", code.text),
                );
                finding.with_help("remove it, the problem it hid is gone");
                if directive.origin == Origin::Plimsoll {
                    let unused = |c: usize| {
                        let code = &directive.codes[c];
                        uses[d][c] == 0 && code.rules.iter().any(|rule| settings.is_enabled(rule))
                    };
                    let whole = (0..directive.codes.len()).all(unused);
                    let (span, message) = if whole {
                        (
                            comment_removal(text, directive.span),
                            "remove the unused suppression".to_string(),
                        )
                    } else {
                        (
                            code_removal(&directive.codes, c),
                            format!("remove `{}` from the suppression", code.text),
                        )
                    };
                    if let Some(span) = span {
                        // Safe: it suppresses nothing, so no finding changes.
                        finding.with_fix(Fix {
                            message,
                            applicability: Applicability::Safe,
                            edits: vec![Edit {
                                span,
                                replacement: String::new(),
                            }],
                        });
                    }
                }
                reports.push(finding);
            }
        }
    }
    // `ignore-file=unused-suppression` silences these too.
    reports.retain(|report| {
        !directives.iter().any(|d| {
            d.scope.is_none()
                && d.codes
                    .iter()
                    .any(|c| c.rules.iter().any(|r| r.code() == report.code))
        })
    });
    findings.extend(reports);
}

/// The text to delete to remove a whole comment: its line with the line break when nothing
/// else is written on it, else the comment with the blanks before it.
fn comment_removal(text: &str, comment: Span) -> Option<Span> {
    let line_start = text.get(..comment.start)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..comment.start)?;
    if before.trim().is_empty() {
        let rest = text.get(comment.end..)?;
        let end = rest.find('\n').map_or(text.len(), |i| comment.end + i + 1);
        return Some(Span::new(line_start, end));
    }
    let start = comment.start - (before.len() - before.trim_end().len());
    Some(Span::new(start, comment.end))
}

/// The text to delete to remove code `c` from a list of several: up to the next code, or for
/// the last one from the end of the one before.
fn code_removal(codes: &[CodeRef], c: usize) -> Option<Span> {
    let code = codes.get(c)?;
    match (
        codes.get(c + 1),
        c.checked_sub(1).and_then(|p| codes.get(p)),
    ) {
        (Some(next), _) => Some(Span::new(code.span.start, next.span.start)),
        (None, Some(previous)) => Some(Span::new(previous.span.end, code.span.end)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_with_spans_and_reasons() {
        let text = " plimsoll ignore=DF002, latest-tag -- pinned upstream";
        let (directive, file_wide) = parse_comment(text, 1, Span::new(0, 54), true).unwrap();
        assert_eq!(file_wide, Reach::Next);
        assert_eq!(directive.origin, Origin::Plimsoll);
        assert_eq!(directive.reason.as_deref(), Some("pinned upstream"));
        let codes: Vec<_> = directive.codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(codes, ["DF002", "latest-tag"]);
        let full = format!("#{text}");
        for code in &directive.codes {
            assert_eq!(code.span.text(&full), code.text);
            assert_eq!(code.rules.len(), 1);
        }
    }

    #[test]
    fn hadolint_pragmas_map_through_related_ids() {
        let (directive, file_wide) = parse_comment(
            " hadolint global ignore=DL3007,DL9999",
            1,
            Span::default(),
            true,
        )
        .unwrap();
        assert_eq!(file_wide, Reach::File);
        assert_eq!(directive.origin, Origin::Hadolint);
        assert_eq!(directive.codes[0].rules[0].name(), "latest-tag");
        assert!(directive.codes[1].rules.is_empty());
        assert!(parse_comment(" hadolint shell=bash", 1, Span::default(), true).is_none());
        assert!(parse_comment(" just a comment", 1, Span::default(), true).is_none());
        let (malformed, _) = parse_comment(" plimsoll ignroe=x", 1, Span::default(), true).unwrap();
        assert!(malformed.malformed);
    }

    #[test]
    fn hadolint_pragmas_take_spaces_stage_scope_and_trailing_comments() {
        let text = " hadolint stage ignore = DL3007 , DL3006 # why";
        let (directive, reach) = parse_comment(text, 1, Span::default(), true).unwrap();
        assert_eq!(reach, Reach::Stage);
        let codes: Vec<_> = directive.codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(codes, ["DL3007", "DL3006"]);
        let full = format!("#{text}");
        assert_eq!(directive.codes[1].span.text(&full), "DL3006");
        assert!(parse_comment(" hadolint ignoreDL3007", 1, Span::default(), true).is_none());
    }

    #[test]
    fn buildkit_check_comments_map_check_names_case_sensitively() {
        let text = " check=skip=JSONArgsRecommended,jsonargsrecommended;error=true";
        let (directive, reach) = parse_comment(text, 1, Span::default(), true).unwrap();
        assert_eq!((directive.origin, reach), (Origin::Buildkit, Reach::Next));
        assert_eq!(directive.codes[0].rules[0].name(), "json-args-recommended");
        assert!(directive.codes[1].rules.is_empty());
        let full = format!("#{text}");
        assert_eq!(directive.codes[0].span.text(&full), "JSONArgsRecommended");
        // Not read in compose files; not a setting BuildKit accepts.
        assert!(parse_comment(text, 1, Span::default(), false).is_none());
        assert!(parse_comment(" check=skip=A;colour=red", 1, Span::default(), true).is_none());
        assert!(parse_comment(" check=error=true", 1, Span::default(), true).is_none());
        // `all` is every rule with a BuildKit check id, not the parse error.
        let all = buildkit_rules("all");
        assert!(all.iter().any(|r| r.name() == "undefined-variable"));
        assert!(all.iter().all(|r| r.name() != "parse-error"));
    }

    #[test]
    fn hash_lines_inside_block_scalars_are_not_comments() {
        let text = "services:\n  web:\n    command: |\n      # plimsoll ignroe=x\n      run\n    # plimsoll ignore=DC002\n    image: a:latest\n";
        let yaml = crate::syntax::yaml::parse(text);
        let directives = compose_directives(text, &yaml);
        assert_eq!(directives.len(), 1);
        assert!(!directives[0].malformed);
        let scope = directives[0].scope.unwrap().unwrap();
        assert_eq!(scope.text(text), "image: a:latest");
    }

    #[test]
    fn next_content_line_skips_comments_not_blank_lines() {
        let text = "# a\n# b\n  FROM x\n# c\n\nRUN y\n";
        assert_eq!(next_content_line(text, 0), Some(10));
        assert_eq!(next_content_line(text, 17), None);
    }
}
