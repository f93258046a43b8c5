//! DF076 world-writable-path: `chmod 777 /usr/local/bin/tool`, `chmod -R a+w /opt/app`,
//! `chmod 666 /etc/sudoers` or `COPY --chmod=777 … /usr/…`: a system path every user of the
//! container may change. A sticky shared directory (`chmod 1777 /tmp`) is the exception.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;
use crate::syntax::span::Span;

use super::run_commands::{is_dynamic, run_commands};

pub static WORLD_WRITABLE_PATH: Rule = Rule {
    code: "DF076",
    name: "world-writable-path",
    summary: "A system path is made writable by every user (`chmod 777`, `chmod a+w`) without the \
              sticky bit",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "tally:world-writable-state-path-workaround",
        "nist-800-190:3.1.2",
        "cwe:732",
    ],
    docs: include_str!("world_writable_path.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Where a world-writable file lets any process of the container change what others run or
/// trust: the system tree. Application directories (`/app`, `/var/www/html`, `/data`) are left
/// out: many images make them writable on purpose for an arbitrary run-time uid.
const SYSTEM_PREFIXES: &[&str] = &[
    "/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/root", "/run",
    "/sbin", "/tmp", "/usr", "/var/lib", "/var/run", "/var/tmp",
];

/// Whether `path` (as written, quotes removed) lies in the system tree; `/` itself too.
fn is_system_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return true; // `/`
    }
    SYSTEM_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// What a mode gives others: (write for others, sticky bit). `None` when the mode is not
/// understood. A symbolic mode with no `who` (`+w`) goes through the umask, which keeps
/// others' write bit off, so it does not count.
fn others_write(mode: &str) -> Option<(bool, bool)> {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let digit = |from_end: usize| {
            mode.len()
                .checked_sub(from_end)
                .and_then(|at| mode.as_bytes().get(at))
                .map_or(0, |b| b - b'0')
        };
        return Some((digit(1) & 2 != 0, digit(4) & 1 != 0));
    }
    let (mut write, mut sticky) = (false, false);
    for clause in mode.split(',') {
        let op_at = clause.find(['+', '=', '-'])?;
        let (who, rest) = clause.split_at(op_at);
        if !who.bytes().all(|b| b"ugoa".contains(&b)) {
            return None;
        }
        if rest.starts_with('-') {
            continue;
        }
        // `o+w-x`: only the permissions up to the next `-` are added.
        let added = rest.get(1..).unwrap_or("").split('-').next().unwrap_or("");
        let others = who.contains('o') || who.contains('a');
        write |= others && added.contains('w');
        sticky |= added.contains('t');
    }
    Some((write, sticky))
}

const HELP: &str = "give the path to the user that writes it (`chown app:app PATH` and a mode \
                    such as 755), or share it through a group (`chmod 775`); a directory every \
                    user writes keeps the sticky bit (`chmod 1777`)";

fn message(written_mode: &str, path: &str) -> String {
    let path = crate::syntax::excerpt::excerpt(path);
    let tmp = path.trim_end_matches('/');
    if tmp == "/tmp" || tmp == "/var/tmp" {
        format!(
            "`{written_mode}` makes `{path}` writable by every user and drops its sticky bit, so \
             any process may delete or replace the files of another"
        )
    } else {
        format!(
            "`{written_mode}` makes `{path}` writable by every user of the container, who can then \
             change what other processes run or read there"
        )
    }
}

/// Whether a mode takes others' write access away (`chmod 440`, `chmod o-w`): a later one on
/// the same path undoes an earlier `chmod 666` (`chmod 666 /etc/sudoers && echo … >>
/// /etc/sudoers && chmod 440 /etc/sudoers`).
fn restores(mode: &str) -> bool {
    if mode.bytes().all(|b| b.is_ascii_digit()) {
        return matches!(others_write(mode), Some((false, _)));
    }
    mode.split(',').any(|clause| {
        clause.split_once('-').is_some_and(|(who, perms)| {
            (who.is_empty() || who.contains('o') || who.contains('a')) && perms.contains('w')
        }) || clause.split_once('=').is_some_and(|(who, perms)| {
            (who.contains('o') || who.contains('a')) && !perms.contains('w')
        })
    })
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let (Command::Copy(copy) | Command::Add(copy)) = &instruction.command else {
            continue;
        };
        let (Some(flag), Some(destination)) = (instruction.flag("chmod"), &copy.destination) else {
            continue;
        };
        let Some(value) = &flag.value else { continue };
        let dest = destination.value.trim_end_matches('/');
        // Files copied into a scratch directory are scratch.
        let scratch = ["/tmp", "/var/tmp"]
            .iter()
            .any(|tmp| dest == *tmp || dest.starts_with(&format!("{tmp}/")));
        if matches!(others_write(&value.value), Some((true, false)))
            && is_system_path(&destination.value)
            && !scratch
        {
            out.report(
                flag.span,
                format!(
                    "`--chmod={}` makes what is copied to `{}` writable by every user of the \
                     container, who can then change what other processes run or read there",
                    value.value,
                    crate::syntax::excerpt::excerpt(&destination.value)
                ),
            )
            .with_help(HELP);
        }
    }
    // Every mode change in order: (path, span, how it was written, makes world-writable).
    let mut changes: Vec<(String, Span, String, bool)> = Vec::new();
    for command in run_commands(context) {
        let view = command.effective();
        let (mode, paths): (_, Vec<_>) = match view.program() {
            // `chmod [-R] MODE PATH…`: the mode is the first operand.
            Some("chmod") => {
                let mut operands = view.args.iter().filter(|w| !w.value.starts_with('-'));
                let mode = operands.next();
                (mode, operands.collect())
            }
            // `mkdir -m MODE PATH…`, `install -d -m MODE PATH…` (files: the last operand).
            Some("mkdir" | "install") => {
                let mode = view.flag_value(Some('m'), "mode");
                let skip_value = mode.map(|m| m.span);
                let operands: Vec<_> = view
                    .args
                    .iter()
                    .filter(|w| !w.value.starts_with('-') && Some(w.span) != skip_value)
                    .collect();
                let paths = match view.program() {
                    Some("install") if !view.has_flag('d', "directory") => {
                        operands.last().copied().into_iter().collect()
                    }
                    _ => operands,
                };
                (mode, paths)
            }
            _ => continue,
        };
        let Some(mode) = mode.filter(|mode| !is_dynamic(mode)) else {
            continue;
        };
        let value = mode.value.strip_prefix("--mode=").unwrap_or(&mode.value);
        let opens = matches!(others_write(value), Some((true, false)));
        if !opens && !restores(value) {
            continue;
        }
        let written_mode = match view.program() {
            Some("chmod") | None => format!("chmod {value}"),
            Some(other) => format!("{other} -m {value}"),
        };
        for path in paths.into_iter().filter(|path| !is_dynamic(path)) {
            changes.push((path.value.clone(), path.span, written_mode.clone(), opens));
        }
    }
    for (at, (path, span, written_mode, opens)) in changes.iter().enumerate() {
        let undone = changes
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .any(|(later, _, _, later_opens)| later == path && !later_opens);
        if *opens && !undone && is_system_path(path) {
            out.report(*span, message(written_mode, path))
                .with_help(HELP);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(others_write("777"), Some((true, false)));
        assert_eq!(others_write("0666"), Some((true, false)));
        assert_eq!(others_write("1777"), Some((true, true)));
        assert_eq!(others_write("775"), Some((false, false)));
        assert_eq!(others_write("a+w"), Some((true, false)));
        assert_eq!(others_write("a+xwr"), Some((true, false)));
        assert_eq!(others_write("o+w,+t"), Some((true, true)));
        assert_eq!(others_write("+w"), Some((false, false)));
        assert_eq!(others_write("go-w"), Some((false, false)));
        assert_eq!(others_write("u=rwx,o=rwx"), Some((true, false)));
        assert_eq!(others_write("$MODE"), None);
        assert!(restores("440") && restores("o-w") && restores("go=rx") && restores("-w"));
        assert!(!restores("777") && !restores("u+x") && !restores("1777"));
    }

    #[test]
    fn system_paths() {
        for path in [
            "/",
            "/etc/sudoers",
            "/usr/share/dotnet",
            "/tmp",
            "/tmp/x/",
            "/var/lib/mpd",
        ] {
            assert!(is_system_path(path), "{path}");
        }
        for path in [
            "/app",
            "/var/www/html",
            "/etcetera",
            "/data",
            "wp-content",
            "/transmission",
        ] {
            assert!(!is_system_path(path), "{path}");
        }
    }
}
