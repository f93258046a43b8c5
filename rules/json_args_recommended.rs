//! DF051 json-args-recommended: CMD or ENTRYPOINT in shell form, so the program does not get
//! the container's signals.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::{effective_stage_instructions, windows_stages};
use crate::syntax::dockerfile::{Command, ShellOrExec, ShellText};
use crate::syntax::excerpt::excerpt;

pub static JSON_ARGS_RECOMMENDED: Rule = Rule {
    code: "DF051",
    name: "json-args-recommended",
    summary: "CMD or ENTRYPOINT uses the shell form; the exec (JSON) form passes signals to the program",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3025",
        "buildkit:JSONArgsRecommended",
        "kics:b86987e1",
        "semgrep:prefer-json-notation",
    ],
    docs: include_str!("json_args_recommended.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// The JSON form of shell text made only of plain words, where no shell feature is lost.
fn as_json(text: &ShellText) -> Option<String> {
    let value = text.value.trim();
    let plain = value.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\t' | b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'@' | b'+' | b'%'
            )
    });
    if !plain || value.is_empty() {
        return None;
    }
    let words: Vec<String> = value
        .split_whitespace()
        .map(|word| format!("\"{word}\""))
        .collect();
    Some(format!("[{}]", words.join(", ")))
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let windows = windows_stages(dockerfile);
    for stage in &dockerfile.stages {
        // A Windows image runs the shell form under `cmd /S /C`, and stops its programs with
        // console events, not POSIX signals: the advice does not apply there.
        if windows.get(stage.index).copied().unwrap_or(false) {
            continue;
        }
        // A SHELL instruction says the shell form is deliberate (and which shell runs it): set
        // once one is seen, rather than looking back from every CMD (quadratic).
        let mut shell_set = false;
        for instruction in
            effective_stage_instructions(dockerfile, stage).map(|run| run.instruction)
        {
            let (keyword, form) = match &instruction.command {
                Command::Cmd(form) => ("CMD", form),
                Command::Entrypoint(form) => ("ENTRYPOINT", form),
                Command::Shell(_) => {
                    shell_set = true;
                    continue;
                }
                _ => continue,
            };
            let ShellOrExec::Shell(text) = form else {
                continue;
            };
            // `CMD exec program …` replaces the shell, so the program gets the signals.
            let execs = text.value.trim_start().starts_with("exec ");
            if shell_set || execs || text.value.trim().is_empty() {
                continue;
            }
            let finding = out.report(
                text.span,
                format!(
                    "{keyword} in shell form runs under `/bin/sh -c`, so the program does not receive stop signals"
                ),
            );
            finding.with_help(format!(
                "use the JSON form, `{keyword} [\"program\", \"arg\"]`; for shell features, `{keyword} [\"sh\", \"-c\", \"exec …\"]`"
            ));
            if let Some(json) = as_json(text) {
                finding.with_fix(Fix {
                    message: format!("write `{keyword} {}`", excerpt(&json)),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: text.span,
                        replacement: json,
                    }],
                });
            }
        }
    }
}
