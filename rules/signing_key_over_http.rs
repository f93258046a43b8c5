//! DF077 signing-key-over-http: a package signing key downloaded over plain `http://` and
//! imported (`curl http://…/key | apt-key add -`, `rpm --import http://…`, a key file saved
//! from an `http://` URL then given to `gpg --import`).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::shell::{CommandView, SimpleCommand, Word};
use crate::syntax::span::Span;

use super::run_commands::{is_dynamic, run_commands};

pub static SIGNING_KEY_OVER_HTTP: Rule = Rule {
    code: "DF077",
    name: "signing-key-over-http",
    summary: "A package signing key is downloaded over plain HTTP and imported",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["nist-800-190:3.1.5", "cwe:494", "cwe:319"],
    docs: include_str!("signing_key_over_http.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "download the key over `https://` and check its fingerprint \
                    (`gpg --show-keys key.asc`), or receive it by its full fingerprint \
                    (`gpg --recv-keys <40 hex digits>`)";

const FETCHERS: &[&str] = &["curl", "wget"];

/// Flags of the import commands whose value is the next word (not a key source).
const VALUE_FLAGS: &[&str] = &[
    "-o",
    "--output",
    "--keyring",
    "--homedir",
    "--keyserver",
    "--root",
    "--dbpath",
    "--trustdb-name",
];

fn is_http(word: &Word) -> bool {
    word.value
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

/// How a command imports a key, for the message, and the words it reads the key from (URLs
/// or files; empty: standard input).
fn key_import<'a>(view: &CommandView<'a>) -> Option<(&'static str, Vec<&'a Word>)> {
    let program = view.program()?;
    // Operands: not flags, not the value of a flag that takes one (`gpg --dearmor -o out`).
    let operands = || {
        let mut after_value_flag = false;
        view.args.iter().filter(move |w| {
            let flag = w.value.starts_with('-') && w.value != "-";
            let is_value = after_value_flag;
            after_value_flag = VALUE_FLAGS.contains(&w.value.as_str());
            !flag && !is_value && w.value != "-"
        })
    };
    match program {
        "apt-key" => match view.subcommand()?.value.as_str() {
            "add" => Some(("apt-key add", operands().skip(1).collect())),
            "adv" => {
                let url = view.flag_value(None, "fetch-keys");
                url.map(|url| ("apt-key adv --fetch-keys", vec![url]))
            }
            _ => None,
        },
        "rpm" if view.has_long_flag("import") => Some(("rpm --import", operands().collect())),
        "gpg" | "gpg2" => {
            if let Some(url) = view.flag_value(None, "fetch-keys") {
                return Some(("gpg --fetch-keys", vec![url]));
            }
            if view.has_long_flag("import") {
                return Some(("gpg --import", operands().collect()));
            }
            view.has_long_flag("dearmor")
                .then(|| ("gpg --dearmor", operands().collect()))
        }
        _ => None,
    }
}

/// The `http://` URL a fetcher downloads, and the file it writes (`None`: standard output or
/// a name derived from the URL).
fn download(command: &SimpleCommand) -> Option<(&Word, Option<&str>)> {
    let view = command.effective();
    if !view.program().is_some_and(|p| FETCHERS.contains(&p)) {
        return None;
    }
    let url = view.args.iter().find(|w| is_http(w))?;
    let output = match view.program() {
        Some("curl") => view.flag_value(Some('o'), "output"),
        _ => view.flag_value(Some('O'), "output-document"),
    }
    .filter(|w| !is_dynamic(w))
    .map(|w| {
        w.value
            .rsplit_once('=')
            .map_or(w.value.as_str(), |(_, v)| v)
    });
    let output = output.or_else(|| {
        // `wget URL` and `curl -O URL` save under the URL's last path segment.
        let by_name = view.program() == Some("wget") || view.has_short_flag('O');
        by_name
            .then(|| url.value.rsplit('/').next())
            .flatten()
            .filter(|name| !name.is_empty())
    });
    Some((url, output))
}

/// The instruction a command belongs to (by its first word), to pair a download with an
/// import of the same RUN.
fn instruction_of(context: &DockerfileContext<'_>, command: &SimpleCommand) -> Option<usize> {
    let at = command.name.as_ref()?.span.start;
    context
        .dockerfile
        .instructions
        .iter()
        .position(|i| i.span.start <= at && at < i.span.end)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An edit that turns the `http` of `url` into `https`, when the word starts with the scheme in
/// the source (after an opening quote, if any).
fn to_https(source: &str, url: &Word) -> Option<Edit> {
    let written = url.span.text(source);
    let offset = usize::from(written.starts_with(['"', '\'']));
    let scheme = written.get(offset..offset + 7)?;
    scheme.eq_ignore_ascii_case("http://").then(|| Edit {
        span: Span::new(url.span.start + offset, url.span.start + offset + 4),
        replacement: "https".into(),
    })
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let commands = run_commands(context);
    let source = context.source.text.as_str();
    let mut report = |url: &Word, how: &str, import: Span| {
        let fix = to_https(source, url).map(|edit| Fix {
            message: "download the key over `https://`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        });
        let finding = out
            .report(
                url.span,
                format!(
                    "the signing key `{}` is downloaded over plain HTTP and imported with `{how}`: \
                 anyone on the network path can substitute their own key, and every package \
                 it signs is then trusted",
                    crate::syntax::excerpt::excerpt(&url.value)
                ),
            )
            .with_label(import, "imported here")
            .with_help(HELP);
        if let Some(fix) = fix {
            finding.with_fix(fix);
        }
    };
    for (position, command) in commands.iter().enumerate() {
        let view = command.effective();
        let Some((how, sources)) = key_import(&view) else {
            continue;
        };
        let import = view.name.map_or(Span::default(), |name| name.span);
        // The key named by URL.
        for url in sources.iter().filter(|w| is_http(w)) {
            report(url, how, import);
        }
        // Piped from a download: the nearest earlier member of the same pipeline.
        if sources.is_empty() && command.pipeline.reads_pipe() {
            let piped = commands
                .get(..position)
                .unwrap_or_default()
                .iter()
                .rev()
                .take(command.pipeline.index)
                .find(|earlier| earlier.pipeline.len == command.pipeline.len)
                .and_then(|earlier| download(earlier));
            if let Some((url, _)) = piped {
                report(url, how, import);
            }
            continue;
        }
        // A file saved from an `http://` URL earlier in the same RUN.
        let here = instruction_of(context, command);
        for file in sources.iter().filter(|w| !is_http(w) && !is_dynamic(w)) {
            let saved = commands
                .get(..position)
                .unwrap_or_default()
                .iter()
                .rev()
                .filter(|earlier| instruction_of(context, earlier) == here)
                .filter_map(|earlier| download(earlier))
                .find(|(_, output)| {
                    output.is_some_and(|output| {
                        output == file.value || file_name(output) == file_name(&file.value)
                    })
                });
            if let Some((url, _)) = saved {
                report(url, how, import);
            }
        }
    }
}
