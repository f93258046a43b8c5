//! DF025 setuid-bit-set: `chmod u+s`, `chmod 4755`, `install -m 2755` or `COPY --chmod=4755`
//! gives a file the setuid or setgid bit.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;
use crate::syntax::span::Span;

use super::run_commands::{is_dynamic, run_commands};

pub static SETUID_BIT_SET: Rule = Rule {
    code: "DF025",
    name: "setuid-bit-set",
    summary: "A file gets the setuid or setgid bit (`chmod u+s`, `chmod 4755`, `--chmod=2755`)",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "dockle:CIS-DI-0008",
        "cis:4.8",
        "nist-800-190:3.1.2",
        "cwe:250",
    ],
    docs: include_str!("setuid_bit_set.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Which special bits a mode sets: (setuid, setgid).
fn special_bits(mode: &str) -> (bool, bool) {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        // The special digit comes before the last three (owner, group, other).
        let digit = mode
            .len()
            .checked_sub(4)
            .and_then(|at| mode.as_bytes().get(at))
            .map_or(0, |b| b - b'0');
        return (digit & 4 != 0, digit & 2 != 0);
    }
    let (mut setuid, mut setgid) = (false, false);
    for clause in mode.split(',') {
        let Some(op_at) = clause.find(['+', '=']) else {
            continue;
        };
        let (who, rest) = clause.split_at(op_at);
        if !who.bytes().all(|b| b"ugoa".contains(&b)) {
            continue;
        }
        // `u+s,g-s`: only the permissions up to the next `-` are added.
        let added = rest.get(1..).unwrap_or("").split('-').next().unwrap_or("");
        if !added.contains('s') {
            continue;
        }
        let everyone = who.is_empty() || who.contains('a');
        setuid |= everyone || who.contains('u');
        setgid |= everyone || who.contains('g');
    }
    (setuid, setgid)
}

/// Setgid alone is left out: on a directory (`chmod g+s /shared`, `install -d -m 2775`) it only
/// makes new files inherit the group, the common use in images, and the mode does not say
/// whether the target is a directory.
fn describe(mode: &str) -> Option<&'static str> {
    match special_bits(mode) {
        (true, true) => Some("the setuid and setgid bits"),
        (true, false) => Some("the setuid bit"),
        (false, _) => None,
    }
}

const HELP: &str = "do not ship setuid/setgid binaries; grant the one capability the program \
                    needs (`setcap cap_net_bind_service=+ep`), or run it as the right user";

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let mut report = |span: Span, written: &str, mode: &str| {
        if let Some(bits) = describe(mode) {
            out.report(span, format!("`{written}` sets {bits}"))
                .with_help(HELP);
        }
    };
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if !matches!(instruction.command, Command::Copy(_) | Command::Add(_)) {
            continue;
        }
        if let Some(flag) = instruction.flag("chmod")
            && let Some(value) = &flag.value
        {
            report(flag.span, &format!("--chmod={}", value.value), &value.value);
        }
    }
    for command in run_commands(context) {
        let view = command.effective();
        let mode = match view.program() {
            // The mode is the first operand (`chmod -R u+s dir`).
            Some("chmod") => view.args.iter().find(|word| !word.value.starts_with('-')),
            Some("install") => view.flag_value(Some('m'), "mode"),
            _ => None,
        };
        let Some(mode) = mode else {
            continue;
        };
        if is_dynamic(mode) {
            continue;
        }
        let value = mode.value.strip_prefix("--mode=").unwrap_or(&mode.value);
        let written = match view.program() {
            Some("install") => format!("install -m {value}"),
            _ => format!("chmod {value}"),
        };
        report(mode.span, &written, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(special_bits("4755"), (true, false));
        assert_eq!(special_bits("02755"), (false, true));
        assert_eq!(special_bits("6755"), (true, true));
        assert_eq!(special_bits("1777"), (false, false));
        assert_eq!(special_bits("755"), (false, false));
        assert_eq!(special_bits("u+s"), (true, false));
        assert_eq!(special_bits("g+rws"), (false, true));
        assert_eq!(special_bits("+s"), (true, true));
        assert_eq!(special_bits("a-s"), (false, false));
        assert_eq!(special_bits("u-s,g+x"), (false, false));
        assert_eq!(special_bits("o+rx"), (false, false));
        assert_eq!(special_bits("u=rwxs,go=rx"), (true, false));
    }
}
