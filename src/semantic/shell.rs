//! The shell in force for each instruction (SHELL inherited through `FROM <stage>`, the
//! Windows default `cmd`), and what counts as a POSIX shell.
//!
//! Two questions about a shell are asked, and they differ on purpose:
//! - [`ShellInForce::is_posix`] (an allow-list, [`is_posix_shell`]): the shell is known to
//!   understand `sh` syntax. Rules that judge how a script fails (`pipe-without-pipefail`,
//!   `heredoc-without-set-e`) stay quiet on any other shell, and on the default shell of a
//!   Windows image.
//! - [`ShellInForce::may_be_posix`] (a deny-list, [`is_powershell_or_cmd`]): only PowerShell
//!   and cmd are known not to be `sh`. The rules that read the commands a RUN runs (through
//!   `run_commands`) keep reading under any other shell (`fish`, an unknown wrapper) and under
//!   a Windows image's default shell, as they always have.

use crate::syntax::dockerfile::{BaseKind, Command, Dockerfile, Instruction};
use crate::syntax::span::Spanned;

use super::stages::windows_stages;

/// The words of a SHELL instruction that sets a shell. An empty SHELL (invalid JSON, already a
/// parse error) leaves the shell in force unchanged.
pub fn shell_words(instruction: &Instruction) -> Option<&[Spanned<String>]> {
    match &instruction.command {
        Command::Shell(words) if !words.is_empty() => Some(words.as_slice()),
        _ => None,
    }
}

/// The program name of a SHELL's first word: `["/bin/bash", "-c"]` → `bash`.
pub fn shell_program(words: &[Spanned<String>]) -> &str {
    let first = words.first().map_or("", |w| w.value.as_str());
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
    base.strip_suffix(".exe").unwrap_or(base)
}

/// The `sh`-like programs a command line or a `#!` line names when it runs a script (`sh -c`,
/// `curl … | bash`, `#!/usr/bin/env bash`).
pub const SH_FAMILY: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh"];

/// Whether `program` is one of [`SH_FAMILY`].
pub fn is_sh_family(program: &str) -> bool {
    SH_FAMILY.contains(&program)
}

/// Whether a SHELL program (as [`shell_program`] names it) is known to understand POSIX `sh`
/// syntax: the allow-list, [`SH_FAMILY`] plus `mksh` and `busybox`, which are written as a
/// SHELL but not looked for on command lines.
pub fn is_posix_shell(program: &str) -> bool {
    is_sh_family(program) || matches!(program, "mksh" | "busybox")
}

/// Whether a SHELL's program is PowerShell or cmd (any case, any path, `.exe` or not): the
/// deny-list.
pub fn is_powershell_or_cmd(words: &[Spanned<String>]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let program = first.value.to_ascii_lowercase();
    let name = program.rsplit(['/', '\\']).next().unwrap_or(&program);
    name.starts_with("powershell") || name.starts_with("pwsh") || name.starts_with("cmd")
}

/// The shell an instruction runs under.
#[derive(Clone, Copy, Debug)]
pub struct ShellInForce<'a> {
    /// The words of the SHELL in force; `None` for the default shell.
    pub words: Option<&'a [Spanned<String>]>,
    /// The stage is built (through `FROM <stage>`) on a Windows image, whose default is `cmd`.
    pub windows: bool,
}

impl<'a> ShellInForce<'a> {
    /// Known to understand `sh` syntax (see the module comment).
    pub fn is_posix(&self) -> bool {
        match self.words {
            Some(words) => is_posix_shell(shell_program(words)),
            None => !self.windows,
        }
    }

    /// Not known to be PowerShell or cmd (see the module comment).
    pub fn may_be_posix(&self) -> bool {
        self.words.is_none_or(|words| !is_powershell_or_cmd(words))
    }
}

/// The shell in force at every instruction of a file, computed in one pass (a stage's base
/// comes before it): walking the chain back from every RUN made a file with many RUNs or a long
/// chain of stages quadratic.
pub struct Shells<'a> {
    /// Per instruction, the SHELL in force (after the instruction itself, for a SHELL).
    at: Vec<Option<&'a [Spanned<String>]>>,
    /// Per stage, whether it is built on a Windows image.
    windows: Vec<bool>,
}

impl<'a> Shells<'a> {
    pub fn new(dockerfile: &'a Dockerfile) -> Self {
        let count = dockerfile.stages.len();
        let windows = windows_stages(dockerfile);
        // The SHELL in force at the end of each stage.
        let mut at_end: Vec<Option<&'a [Spanned<String>]>> = Vec::with_capacity(count);
        let mut at = vec![None; dockerfile.instructions.len()];
        for stage in &dockerfile.stages {
            let mut shell = match &stage.base.kind {
                BaseKind::Stage { index } if *index < stage.index => {
                    at_end.get(*index).copied().flatten()
                }
                _ => None,
            };
            for index in stage.instructions.clone() {
                let Some(instruction) = dockerfile.instructions.get(index) else {
                    break;
                };
                if let Some(words) = shell_words(instruction) {
                    shell = Some(words);
                }
                if let Some(slot) = at.get_mut(index) {
                    *slot = shell;
                }
            }
            at_end.push(shell);
        }
        Self { at, windows }
    }

    /// The shell the instruction at `index` (into `Dockerfile::instructions`) runs under; the
    /// default shell for instructions outside any stage.
    pub fn at(&self, dockerfile: &Dockerfile, index: usize) -> ShellInForce<'a> {
        let windows = dockerfile
            .instructions
            .get(index)
            .and_then(|instruction| instruction.stage)
            .and_then(|stage| self.windows.get(stage))
            .copied()
            .unwrap_or(false);
        ShellInForce {
            words: self.at.get(index).copied().flatten(),
            windows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_is_inherited_through_from_stage_and_windows_by_base() {
        let text = "FROM mcr.microsoft.com/windows/servercore AS win\nRUN dir\n\
                    FROM alpine AS a\nSHELL [\"pwsh\", \"-c\"]\nFROM a\nRUN ls\n\
                    FROM alpine\nSHELL [\"/bin/fish\", \"-c\"]\nRUN ls\n";
        let dockerfile = crate::syntax::dockerfile::parse(text);
        let shells = Shells::new(&dockerfile);
        let win = shells.at(&dockerfile, 1);
        assert!(win.windows && !win.is_posix() && win.may_be_posix());
        let inherited = shells.at(&dockerfile, 5);
        assert!(!inherited.windows && !inherited.is_posix() && !inherited.may_be_posix());
        let fish = shells.at(&dockerfile, 8);
        assert!(!fish.is_posix() && fish.may_be_posix());
    }
}
