//! A quick verdict for the commonest RUN scripts: plain commands joined by `&&`, `||`, `|`,
//! `;` and newlines, with quoted words, `$NAME`/`${NAME}` expansions and `>` redirections.
//! Such a script is valid shell, so brush-parser (most of the cost of analysing a RUN) need
//! not be asked. Anything else (compound commands, reserved words, substitutions, `<`,
//! brackets, comments, a `${…}` with more than a default value) gets no quick verdict and goes
//! to brush-parser as before.
//!
//! The recognizer is deliberately narrow: it says "valid" only where brush-parser agrees, and
//! a debug build checks that on every script it accepts (see `validate` in the parent module),
//! so the test suite and the corpus sweep double as a differential test.

/// Words that are reserved in command position (or open a construct) somewhere in POSIX sh or
/// bash. A script holding one of them unquoted is left to brush-parser wherever it stands.
const RESERVED: &[&[u8]] = &[
    b"if",
    b"then",
    b"else",
    b"elif",
    b"fi",
    b"do",
    b"done",
    b"case",
    b"esac",
    b"for",
    b"while",
    b"until",
    b"in",
    b"select",
    b"function",
    b"time",
    b"coproc",
    b"{",
    b"}",
    b"!",
    b"[[",
    b"]]",
];

/// `true` when `text` is certainly valid shell by the narrow grammar of the module's comment;
/// `false` means "not known", never "invalid".
pub(super) fn obviously_valid(text: &str) -> bool {
    let mut scan = Plain {
        bytes: text.as_bytes(),
        at: 0,
    };
    scan.script().is_some()
}

struct Plain<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Plain<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// The whole script; `None` as soon as something is outside the grammar.
    fn script(&mut self) -> Option<()> {
        // Whether the current command has a word or redirection yet.
        let mut in_command = false;
        // Whether it has its name: a first word that is neither an assignment nor holds a
        // redirection. The words after it are arguments, where no word is reserved
        // (`dnf install time`).
        let mut named = false;
        // After `&&`, `||` or `|`: another command must follow (newlines may come first).
        let mut need_command = false;
        loop {
            self.blanks();
            let Some(byte) = self.peek(0) else { break };
            match byte {
                b'\n' => {
                    self.at += 1;
                    in_command = false;
                    named = false;
                }
                b';' => {
                    if !in_command || need_command || self.peek(1) == Some(b';') {
                        return None;
                    }
                    self.at += 1;
                    in_command = false;
                    named = false;
                }
                b'&' | b'|' => {
                    let doubled = self.peek(1) == Some(byte);
                    let pipe_and = byte == b'|' && self.peek(1) == Some(b'&');
                    if !in_command || (byte == b'&' && !doubled) || pipe_and {
                        return None;
                    }
                    self.at += if doubled { 2 } else { 1 };
                    in_command = false;
                    named = false;
                    need_command = true;
                }
                b'>' => {
                    self.redirection()?;
                    in_command = true;
                    need_command = false;
                }
                _ => {
                    let start = self.at;
                    self.word(named)?;
                    let written = &self.bytes[start..self.at];
                    named |= !in_command && !written.iter().any(|b| matches!(b, b'=' | b'>'));
                    in_command = true;
                    need_command = false;
                }
            }
        }
        (!need_command).then_some(())
    }

    /// Spaces, tabs and line continuations.
    fn blanks(&mut self) {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(b' ' | b'\t'), _) => self.at += 1,
                (Some(b'\\'), Some(b'\n')) => self.at += 2,
                _ => return,
            }
        }
    }

    /// `>`, `>>` or `>&` (after the digits of a file descriptor, which the word scanner
    /// leaves), then the target word.
    fn redirection(&mut self) -> Option<()> {
        self.at += 1;
        match self.peek(0) {
            Some(b'>' | b'&') => self.at += 1,
            Some(b'|') => return None,
            _ => {}
        }
        self.blanks();
        match self.peek(0) {
            Some(b'>' | b'<' | b'&' | b'|' | b';' | b'\n') | None => None,
            Some(_) => self.word(false),
        }
    }

    /// One word: unquoted characters, `'…'`, `"…"`, `\x` and expansions. A word of digits
    /// directly before `>` is a file descriptor: the redirection follows. An `argument` (a word
    /// after the command's name) may be spelled like a reserved word.
    fn word(&mut self, argument: bool) -> Option<()> {
        let start = self.at;
        let mut quoted = false;
        while let Some(byte) = self.peek(0) {
            match byte {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' => break,
                b'>' => {
                    let written = &self.bytes[start..self.at];
                    if !written.is_empty() && written.iter().all(u8::is_ascii_digit) {
                        return self.redirection();
                    }
                    break;
                }
                b'\'' => {
                    let close = self.bytes[self.at + 1..].iter().position(|&b| b == b'\'')?;
                    self.at += close + 2;
                    quoted = true;
                }
                b'"' => {
                    self.double_quoted()?;
                    quoted = true;
                }
                b'\\' => {
                    // `\` and a newline is a line continuation, gone before words are read.
                    // Other escapes only of characters that start nothing.
                    let escaped = self.peek(1)?;
                    if escaped != b'\n' {
                        let plain = escaped.is_ascii_alphanumeric()
                            || matches!(
                                escaped,
                                b' ' | b'\t'
                                    | b'.'
                                    | b'-'
                                    | b'_'
                                    | b'/'
                                    | b'='
                                    | b':'
                                    | b','
                                    | b'@'
                                    | b'%'
                                    | b'+'
                                    | b'*'
                                    | b'?'
                                    | b'~'
                            );
                        if !plain {
                            return None;
                        }
                        quoted = true;
                    }
                    self.at += 2;
                }
                b'$' => self.dollar(false)?,
                b'#' if self.at == start => return None,
                b'<' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b'`' | b'!' => return None,
                _ => self.at += 1,
            }
        }
        let written = &self.bytes[start..self.at];
        if quoted || argument {
            return Some(());
        }
        let reserved = if written.contains(&b'\n') {
            let joined: Vec<u8> = written
                .split(|&b| b == b'\n')
                .flat_map(|line| line.strip_suffix(b"\\").unwrap_or(line))
                .copied()
                .collect();
            RESERVED.contains(&joined.as_slice())
        } else {
            RESERVED.contains(&written)
        };
        (!reserved).then_some(())
    }

    /// `"…"` with `\x` escapes and the expansions [`Plain::dollar`] knows.
    fn double_quoted(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            match self.peek(0)? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.peek(1)?;
                    self.at += 2;
                }
                b'$' => self.dollar(true)?,
                b'`' => return None,
                _ => self.at += 1,
            }
        }
    }

    /// `$NAME`, `$1`, `$?` and the other one-character parameters, `${NAME}`, and
    /// `${NAME:-word}` (or `-`, `:=`, `=`, `:+`, `+`) with a word of plain characters; a `$`
    /// before anything else is a literal `$`. `$(`, `$'`, `$"` and other braces are not known.
    fn dollar(&mut self, in_double_quotes: bool) -> Option<()> {
        self.expansion()?;
        // brush-parser reads what follows `$$` as if the `$` were free (`$$'…'` as `$'…'`,
        // `$${` as `${`): no quick verdict for a quote or brace straight after an expansion.
        match self.peek(0) {
            Some(b'\'' | b'{' | b'(') => None,
            Some(b'"') if !in_double_quotes => None,
            _ => Some(()),
        }
    }

    fn expansion(&mut self) -> Option<()> {
        self.at += 1;
        match self.peek(0) {
            Some(b'(' | b'\'' | b'"') => None,
            Some(b'{') => {
                self.at += 1;
                let name_start = self.at;
                while self
                    .peek(0)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.at += 1;
                }
                let name = &self.bytes[name_start..self.at];
                if name.is_empty() || name[0].is_ascii_digit() {
                    return None;
                }
                if self.peek(0) == Some(b':') {
                    self.at += 1;
                }
                match self.peek(0)? {
                    b'}' => {
                        self.at += 1;
                        return Some(());
                    }
                    b'-' | b'=' | b'+' => self.at += 1,
                    _ => return None,
                }
                loop {
                    match self.peek(0)? {
                        b'}' => {
                            self.at += 1;
                            return Some(());
                        }
                        b if b.is_ascii_alphanumeric()
                            || matches!(b, b'_' | b'-' | b'.' | b'/' | b':' | b',' | b'@') =>
                        {
                            self.at += 1;
                        }
                        _ => return None,
                    }
                }
            }
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
                while self
                    .peek(0)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.at += 1;
                }
                Some(())
            }
            Some(b)
                if b.is_ascii_digit() || matches!(b, b'?' | b'$' | b'@' | b'*' | b'#' | b'-') =>
            {
                self.at += 1;
                Some(())
            }
            // A `$` that starts nothing, at the end of a word; anything else after it (`$!`,
            // a line continuation before a quote) is left to brush-parser.
            None | Some(b' ' | b'\t' | b'\n') => Some(()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::obviously_valid;
    use proptest::prelude::*;

    /// Pieces of scripts, valid and broken, for the generated differential test.
    const PIECES: &[&str] = &[
        "echo", "a", "x=1", "'q t'", "\"d $X\"", "\"\\\"\"", "${Y:-z}", "${Y}", "$1", "$", "$?",
        "&&", "||", "|", ";", ";;", "&", "\n", " ", " ", " ", ">", ">>", "2>&1", ">&", "\\\n",
        "\\", "#", "x#y", "=", "in", "if", "fi", "${", "}", "-", "\"", "'", "*", "~/a", "é",
        "done", "esac", "time", "then", "\\'", "$'", "2", "0>", "${Y:+", "\t",
    ];

    /// Cases per property: 2,000 by default, more with `PLIMSOLL_PLAIN_CASES` (a long search).
    fn cases() -> u32 {
        std::env::var("PLIMSOLL_PLAIN_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(2000)
    }

    /// Words and the separators between them, for scripts that are mostly well formed.
    const WORDS: &[&str] = &[
        "echo",
        "a-b",
        "x=1",
        "'q t'",
        "\"d $X\"",
        "${Y:-z}",
        "$1",
        "$$",
        "2>&1",
        ">/dev/null",
        "\\ ",
        "in",
        "done",
        "\"$$\"",
        "a\\\nb",
        "#x",
        "x#",
        "~",
        "*.txt",
        "-y",
        "'$'",
        "\"'\"",
    ];
    const SEPARATORS: &[&str] = &[
        " ", " ", " ", " && ", " || ", " | ", "; ", "\n", " \\\n ", ";\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// The same on scripts that are mostly well formed, where the recognizer says "valid"
        /// often.
        #[test]
        fn accepted_commands_are_valid_for_brush_parser(
            parts in proptest::collection::vec(
                (proptest::sample::select(WORDS), proptest::sample::select(SEPARATORS)),
                1..10,
            )
        ) {
            let mut text: String = parts.iter().map(|(w, s)| format!("{w}{s}")).collect();
            text.push('\n');
            if obviously_valid(&text) {
                prop_assert_eq!(super::super::brush_verdict(&text), None, "{:?}", text);
            }
        }

        /// Whatever the quick recognizer accepts, brush-parser accepts too.
        #[test]
        fn accepted_scripts_are_valid_for_brush_parser(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..14)
        ) {
            let mut text = pieces.concat();
            text.push('\n');
            if obviously_valid(&text) {
                prop_assert_eq!(super::super::brush_verdict(&text), None, "{:?}", text);
            }
        }
    }

    #[test]
    fn plain_scripts_are_recognised() {
        for text in [
            "apt-get update && apt-get install -y --no-install-recommends curl=7.88.* \\\n && rm -rf /var/lib/apt/lists/*\n",
            "set -eux; \\\n apt-get update; \\\n apt-get install -y wget\n",
            "curl -fsSL https://x/setup | bash - && echo \"done: $HOME ${PATH} ${V:-1.2.3}\"\n",
            "make -j4 >/dev/null 2>&1 || true\n",
            "echo 'a # b' >> /etc/x; echo x#y\n",
            "A=1 B=\"two words\" env\n",
            "cmd1 &&\n  cmd2 |\n  cmd3\n",
            "echo $1 $? $$ $@ $* $# $- $\n",
            "dnf install -y time coproc in fi done && echo then\n",
            "",
        ] {
            assert!(obviously_valid(text), "{text:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_brush_parser() {
        for text in [
            "if true; then echo; fi\n",
            "echo $(date)\n",
            "echo `date`\n",
            "(cd /x && make)\n",
            "{ echo a; }\n",
            "cat <<EOF\n",
            "cat < /etc/x\n",
            "[ -f x ] && echo\n",
            "echo a # comment\n",
            "&& echo\n",
            "echo &&\n",
            "echo ;;\n",
            "; echo\n",
            "echo & echo\n",
            "echo |& cat\n",
            "echo 'unclosed\n",
            "echo \"unclosed\n",
            "echo \\",
            "echo > \n",
            "echo ${a[0]}\n",
            "echo ${#a}\n",
            "echo ${a%.*}\n",
            "! grep x\n",
            "for x in a; do echo; done\n",
            "time make\n",
            "echo a && time make\n",
            "X=1 time make\n",
            ">log time make\n",
            "2>log time make\n",
            "echo a | done\n",
            "echo $'x'\n",
            "echo >| x\n",
        ] {
            assert!(!obviously_valid(text), "{text:?}");
        }
    }
}
