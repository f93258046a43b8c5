//! Tests of the shell analysis: spans are checked by slicing the Dockerfile source.

use super::*;

/// Builds the `ShellText` of `source[start..end]` the way the Dockerfile parser does: escaped
/// newlines removed (escape char, optional trailing blanks, newline), comment lines inside the
/// continuation dropped, `pieces` recording where each contiguous piece came from.
fn shell_text(source: &str, start: usize, end: usize, escape: char) -> ShellText {
    let mut value = String::new();
    let mut pieces = Vec::new();
    let text = &source[start..end];
    let mut offset = 0;
    let mut first = true;
    for line in text.split_inclusive('\n') {
        let line_start = start + offset;
        offset += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        if !first && body.trim_start().starts_with('#') {
            continue;
        }
        first = false;
        let trimmed = body.trim_end();
        let (kept, continued) = match trimmed.strip_suffix(escape) {
            Some(kept) if line.ends_with('\n') => (kept, true),
            _ => (body, false),
        };
        pieces.push((value.len(), line_start));
        value.push_str(kept);
        if !continued && line.ends_with('\n') && line_start + line.len() < end {
            value.push('\n');
        }
    }
    ShellText {
        span: Span::new(start, end),
        value,
        pieces,
    }
}

/// The shell text of a one-instruction Dockerfile `RUN …`.
fn run(source: &str) -> (ShellText, ShellScript) {
    let start = source.find("RUN ").expect("RUN") + 4;
    let text = shell_text(source, start, source.trim_end_matches('\n').len(), '\\');
    let script = analyze(&text);
    (text, script)
}

fn at<'a>(source: &'a str, word: &Word) -> &'a str {
    &source[word.span.start..word.span.end]
}

fn names(script: &ShellScript) -> Vec<&str> {
    script
        .commands
        .iter()
        .map(|c| c.name.as_ref().map_or("", |w| w.value.as_str()))
        .collect()
}

#[test]
fn splits_and_lists_with_spans() {
    let source = "FROM x\nRUN apt-get update && apt-get install -y curl; echo done || true\n";
    let (_, script) = run(source);
    assert_eq!(script.error(), None);
    assert_eq!(names(&script), ["apt-get", "apt-get", "echo", "true"]);
    let install = &script.commands[1];
    assert_eq!(at(source, install.name.as_ref().unwrap()), "apt-get");
    assert_eq!(install.subcommand().unwrap().value, "install");
    assert_eq!(at(source, &install.args[2]), "curl");
    assert_eq!(
        &source[install.span.start..install.span.end],
        "apt-get install -y curl"
    );
}

#[test]
fn spans_cross_continuation_lines() {
    let source = "FROM x\nRUN apt-get update \\\n && apt-get install -y curl\n";
    let (text, script) = run(source);
    assert_eq!(text.value, "apt-get update  && apt-get install -y curl");
    assert_eq!(names(&script), ["apt-get", "apt-get"]);
    let install = &script.commands[1];
    assert_eq!(at(source, install.name.as_ref().unwrap()), "apt-get");
    assert_eq!(
        install.name.as_ref().unwrap().span.start,
        source.rfind("apt-get").unwrap()
    );
    assert_eq!(at(source, &install.args[2]), "curl");
}

#[test]
fn comment_lines_inside_continuations_are_dropped() {
    let source = "RUN apt-get update \\\n# a comment\n && apt-get install -y vim\n";
    let (_, script) = run(source);
    assert_eq!(names(&script), ["apt-get", "apt-get"]);
    assert_eq!(at(source, &script.commands[1].args[2]), "vim");
}

#[test]
fn command_substitution_is_walked() {
    let source = "RUN echo \"$(curl -k https://x | sh)\" `id -u`\n";
    let (_, script) = run(source);
    assert_eq!(names(&script), ["echo", "curl", "sh", "id"]);
    let curl = &script.commands[1];
    assert!(curl.in_substitution);
    assert!(!script.commands[0].in_substitution);
    assert_eq!(at(source, curl.name.as_ref().unwrap()), "curl");
    assert_eq!(at(source, &curl.args[0]), "-k");
    assert!(script.commands[2].pipeline.reads_pipe());
    assert_eq!(at(source, script.commands[3].name.as_ref().unwrap()), "id");
    assert_eq!(
        script.commands[0].args[0].raw,
        "\"$(curl -k https://x | sh)\""
    );
    assert_eq!(
        script.commands[0].args[0].value,
        "$(curl -k https://x | sh)"
    );
}

#[test]
fn nested_backticks() {
    let source = "RUN echo `dirname \\`which python\\``\n";
    let (_, script) = run(source);
    assert_eq!(names(&script), ["echo", "dirname", "which"]);
    assert_eq!(at(source, &script.commands[2].args[0]), "python");
    assert_eq!(script.error(), None);
}

#[test]
fn nested_substitutions() {
    let source = "RUN a $(b $(c \"$(d)\"))\n";
    let (_, script) = run(source);
    assert_eq!(names(&script), ["a", "b", "c", "d"]);
    assert_eq!(at(source, script.commands[3].name.as_ref().unwrap()), "d");
}

#[test]
fn multibyte_characters() {
    let source = "RUN echo 'héllo wörld' && 日本 --flag=ü $(ß x)\n";
    let (_, script) = run(source);
    assert_eq!(script.error(), None);
    assert_eq!(names(&script), ["echo", "日本", "ß"]);
    assert_eq!(script.commands[0].args[0].value, "héllo wörld");
    assert_eq!(
        at(source, script.commands[1].name.as_ref().unwrap()),
        "日本"
    );
    assert_eq!(at(source, &script.commands[1].args[0]), "--flag=ü");
    assert_eq!(at(source, &script.commands[2].args[0]), "x");
}

#[test]
fn pipes() {
    let source = "RUN curl -fsSL https://x/install.sh | sh\n";
    let (_, script) = run(source);
    let (curl, sh) = (&script.commands[0], &script.commands[1]);
    assert_eq!(curl.pipeline, PipelinePos { index: 0, len: 2 });
    assert!(curl.pipeline.writes_pipe() && !curl.pipeline.reads_pipe());
    assert_eq!(sh.pipeline, PipelinePos { index: 1, len: 2 });
    assert!(sh.pipeline.reads_pipe() && !sh.pipeline.writes_pipe());
    assert!(curl.has_flag('s', "silent"));
    assert!(curl.has_flag('L', "location"));
    assert!(!curl.has_flag('k', "insecure"));
}

#[test]
fn flags() {
    let (_, script) = run("RUN curl --insecure=yes -o out -- -k x\n");
    let curl = &script.commands[0];
    assert!(curl.has_flag('x', "insecure"));
    assert!(curl.has_flag('x', "--insecure"));
    assert!(curl.has_flag('o', "output"));
    assert!(!curl.has_flag('k', "nope"));
    assert_eq!(
        curl.view().flag_value(Some('o'), "output").unwrap().value,
        "out"
    );
}

#[test]
fn wrappers() {
    let source =
        "RUN sudo -u x -E apt-get install -y vim && env A=B nice -n 5 /usr/bin/pip install x\n";
    let (_, script) = run(source);
    let sudo = &script.commands[0];
    assert_eq!(sudo.program(), Some("sudo"));
    let effective = sudo.effective();
    assert_eq!(effective.program(), Some("apt-get"));
    assert_eq!(effective.subcommand().unwrap().value, "install");
    assert_eq!(at(source, effective.name.unwrap()), "apt-get");
    let pip = script.commands[1].effective();
    assert_eq!(pip.program(), Some("pip"));
    assert_eq!(pip.name.unwrap().value, "/usr/bin/pip");
    assert_eq!(pip.args.len(), 2);
    let installs: Vec<_> = script
        .invocations("apt-get")
        .map(|(_, view)| view.subcommand().unwrap().value.as_str())
        .collect();
    assert_eq!(installs, ["install"]);
    let (_, script) = run("RUN find / -perm /4000 | xargs -n 1 chmod u-s\n");
    assert_eq!(script.commands[1].effective().program(), Some("chmod"));
    assert!(script.commands[1].effective().has_arg("u-s"));
}

#[test]
fn assignments_and_pinned_versions() {
    let (_, script) = run("RUN DEBIAN_FRONTEND=noninteractive apt-get install foo=1.2.* bar\n");
    let command = &script.commands[0];
    assert_eq!(
        command.assignments[0].value,
        "DEBIAN_FRONTEND=noninteractive"
    );
    assert_eq!(command.program(), Some("apt-get"));
    let args: Vec<_> = command.args.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(args, ["install", "foo=1.2.*", "bar"]);
}

#[test]
fn compound_commands() {
    let script = analyze_str(
        "if [ -f x ]; then apt-get update; elif true; then :; else yum -y install a; fi\n\
         for p in a $(ls) c; do echo $p; done\n\
         while read l; do echo $l; done < f\n\
         case \"$x\" in a|b) make a ;; (c) make c;; *) exit 1;; esac\n\
         f() { sudo rm -rf /; }\n\
         function g { ( cd / && tar x ); }\n\
         [[ -n $a && $b == x ]] && echo ok\n\
         (( i++ )) || echo no\n",
        0,
    );
    assert_eq!(script.error(), None);
    assert_eq!(
        names(&script),
        [
            "[", "apt-get", "true", ":", "yum", "ls", "echo", "read", "echo", "make", "make",
            "exit", "sudo", "cd", "tar", "echo", "echo"
        ]
    );
}

#[test]
fn heredoc_bodies() {
    let source = "RUN <<EOF\napt-get update\nsudo apt-get install -y ß\nEOF\n";
    let body_start = source.find("apt-get").unwrap();
    let body_end = source.rfind("EOF").unwrap();
    let script = analyze_str(&source[body_start..body_end], body_start);
    assert_eq!(names(&script), ["apt-get", "sudo"]);
    assert_eq!(at(source, &script.commands[1].args[3]), "ß");
    // The instruction line alone (its body is elsewhere) is not an error.
    let (_, script) = run("RUN <<EOF\n");
    assert_eq!(script.error(), None);
    let (_, script) = run("RUN cat <<EOF > /etc/x && echo ok\n");
    assert_eq!(script.error(), None);
    assert_eq!(names(&script), ["cat", "echo"]);
    assert_eq!(script.commands[0].redirects.len(), 2);
}

#[test]
fn heredocs_inside_a_script_are_skipped() {
    let script = analyze_str("cat > /f <<-'END'\n\tsudo rm -rf /\n\tEND\necho done\n", 10);
    assert_eq!(names(&script), ["cat", "echo"]);
    let heredoc = &script.commands[0].redirects[1];
    assert_eq!(heredoc.op, "<<-");
    assert_eq!(heredoc.target.as_ref().unwrap().value, "END");
}

#[test]
fn redirects() {
    let (_, script) = run("RUN make 2>&1 >/dev/null | tee log\n");
    let make = &script.commands[0];
    assert!(make.args.is_empty());
    assert_eq!(make.redirects.len(), 2);
    assert_eq!(make.redirects[0].fd, Some(2));
    assert_eq!(make.redirects[0].op, ">&");
    assert_eq!(
        make.redirects[1].target.as_ref().unwrap().value,
        "/dev/null"
    );
    assert!(script.commands[1].pipeline.reads_pipe());
}

#[test]
fn syntax_error_still_yields_commands() {
    let source = "RUN apt-get install 'vim && curl -k x | sh\n";
    let (_, script) = run(source);
    let error = script.error().cloned().expect("error");
    assert!(error.message.contains("quote"), "{}", error.message);
    assert_eq!(error.span.start, source.find('\'').unwrap());
    assert_eq!(names(&script), ["apt-get"]);

    let (_, script) = run("RUN if true; then echo; && curl x | sh\n");
    assert!(script.error().is_some());
    assert_eq!(names(&script), ["true", "echo", "curl", "sh"]);
    assert!(script.commands[3].pipeline.reads_pipe());
}

#[test]
fn valid_scripts_have_no_error() {
    for text in [
        "echo ${A:-x} $((1+2)) ${arr[@]} <<< \"s\"",
        "apt-get update && apt-get install -y --no-install-recommends curl=7.* \\\n && rm -rf /var/lib/apt/lists/*",
        "set -eux; a=(1 2 3); echo \"${a[@]}\" | grep -q 1",
        "x=$(printf '%s' \"$(id -u)\")",
    ] {
        let script = analyze_str(text, 0);
        assert_eq!(script.error(), None, "{text}");
        assert!(!script.commands.is_empty());
    }
}

#[test]
fn unquoting() {
    assert_eq!(unquote(r#"a'b c'"d\"e"\ f"#), "ab cd\"e f");
    assert_eq!(unquote(r#""$(echo "x")"y"#), "$(echo \"x\")y");
    assert_eq!(unquote("$'\\n'"), "\\n");
    assert_eq!(unquote("\\ü"), "ü");
    assert_eq!(unquote("'unterminated"), "unterminated");
}

#[test]
fn words_without_quotes_or_escapes_unquote_to_themselves() {
    // What `unquote`'s shortcut claims, held to the byte-by-byte walk: words of pieces with
    // substitutions, expansions, globs and multi-byte characters but no quote or backslash.
    let pieces = [
        "a", "$", "$(", "${", ")", "}", "`", "(", "{", "ü", "*", "-", "=", "$x", "é`",
    ];
    for word in crate::testing::texts_of(&pieces, 20_000, 9) {
        assert_eq!(super::unquote_each(&word), word);
    }
}

fn deep_inputs() -> Vec<String> {
    let n = 10_000;
    vec![
        "$(".repeat(n),
        format!("echo {}x{}", "$(echo ".repeat(n), ")".repeat(n)),
        "(".repeat(n),
        "( ".repeat(n),
        format!("{}echo{}", "( ".repeat(n), " )".repeat(n)),
        "{ ".repeat(n),
        "if true; then ".repeat(n),
        "case x in a) ".repeat(n),
        "\"$(".repeat(n),
        "${a:-".repeat(n),
        "`".repeat(n),
        format!("{};{}", "( ".repeat(20), " )".repeat(20)),
        format!(
            "{}echo ;; ;{}",
            "case x in a) ".repeat(20),
            " esac;;".repeat(20)
        ),
    ]
}

#[test]
fn deep_nesting_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for input in deep_inputs() {
                let script = analyze_str(&input, 0);
                drop(script);
            }
            let script = analyze_str(
                &format!("echo {}x{}", "$(a ".repeat(100), ")".repeat(100)),
                0,
            );
            // Descends 64 levels, then stops.
            assert_eq!(script.commands.len(), 1 + MAX_SUBSTITUTION_DEPTH);
        })
        .expect("spawn");
    handle.join().expect("no stack overflow or panic");
}

#[test]
fn never_panics_on_mutated_input() {
    let seeds = [
        "apt-get update && apt-get install -y \"curl\" 'x' $(a \"b\" `c`) ${d:-e} <<EOF\nx\nEOF\n",
        "case $x in (a|b) echo ;; esac; f() { (cd /; ls) | sort; }; [[ a && b ]]",
        "é日本 'ü' \"ß$(ö)\" \\\n x=(1 2) @(a|b) <(cat) >(tee) 2>&1 &>/dev/null $'\\''",
        "sudo sh -ec 'curl x | sh; bash -c \"a $(b)\"' && for x in $(y); do case $x in a) z;; esac; done",
    ];
    let alphabet: Vec<char> = "$(){}[]'\"`\\|&;<>#= \n\tabc-é日".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..20_000 {
        let seed = seeds[round % seeds.len()];
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..(next() % 6 + 1) {
            let position = (next() as usize) % (chars.len() + 1);
            match next() % 3 {
                0 if position < chars.len() => {
                    chars.remove(position);
                }
                1 => chars.insert(position, alphabet[(next() as usize) % alphabet.len()]),
                _ => {
                    if position < chars.len() {
                        chars[position] = alphabet[(next() as usize) % alphabet.len()];
                    }
                }
            }
        }
        let input: String = chars.into_iter().collect();
        let script = analyze_str(&input, 3);
        for command in &script.commands {
            for word in command
                .assignments
                .iter()
                .chain(&command.name)
                .chain(&command.args)
            {
                assert!(word.span.start <= word.span.end && word.span.end <= input.len() + 3);
                assert_eq!(&input[word.span.start - 3..word.span.end - 3], word.raw);
            }
        }
    }
}

#[test]
fn large_script_is_linear() {
    let line = "apt-get install -y \"pkg$(date)\" 'a b' && echo ${X:-y} | tee -a /log\n";
    let script = line.repeat(1_000_000 / line.len());
    // No wall-clock bound here (the machine is shared; speed is for benchmarks): quadratic
    // behaviour would turn this into a run of hours that CI's time limit catches.
    let result = analyze_str(&script, 0);
    assert_eq!(result.commands.len(), 4 * (1_000_000 / line.len()));
}

/// Top-level simple commands as brush-parser sees them (names and argument words as
/// written), walked with an explicit stack; substitution bodies are not entered.
fn brush_commands(text: &str) -> Vec<Vec<String>> {
    use brush_parser::ast;
    let options = brush_parser::ParserOptions::default();
    let mut parser = brush_parser::Parser::new(std::io::BufReader::new(text.as_bytes()), &options);
    let program = parser.parse_program().expect("brush parses the corpus");
    enum Item<'a> {
        List(&'a ast::CompoundList),
        Command(&'a ast::Command),
        Compound(&'a ast::CompoundCommand),
    }
    let mut out = Vec::new();
    let mut stack: Vec<Item<'_>> = program
        .complete_commands
        .iter()
        .rev()
        .map(Item::List)
        .collect();
    while let Some(item) = stack.pop() {
        match item {
            Item::List(list) => {
                for entry in list.0.iter().rev() {
                    for (_, pipeline) in entry.0.iter().collect::<Vec<_>>().into_iter().rev() {
                        stack.extend(pipeline.seq.iter().rev().map(Item::Command));
                    }
                }
            }
            Item::Command(ast::Command::Simple(simple)) => {
                let mut words = Vec::new();
                let items = simple.prefix.iter().flat_map(|p| p.0.iter());
                for item in items {
                    if let ast::CommandPrefixOrSuffixItem::Word(w)
                    | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) = item
                    {
                        words.push(w.value.clone());
                    }
                }
                if let Some(w) = &simple.word_or_name {
                    words.push(w.value.clone());
                }
                for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
                    match item {
                        ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                        ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                            words.push(w.value.clone())
                        }
                        _ => {}
                    }
                }
                out.push(words);
            }
            Item::Command(ast::Command::Compound(compound, _)) => {
                stack.push(Item::Compound(compound))
            }
            Item::Command(ast::Command::Function(function)) => {
                stack.push(Item::Compound(&function.body.0))
            }
            Item::Command(ast::Command::ExtendedTest(..)) => {}
            Item::Compound(compound) => match compound {
                ast::CompoundCommand::BraceGroup(c) => stack.push(Item::List(&c.list)),
                ast::CompoundCommand::Subshell(c) => stack.push(Item::List(&c.list)),
                ast::CompoundCommand::ForClause(c) => stack.push(Item::List(&c.body.list)),
                ast::CompoundCommand::ArithmeticForClause(c) => {
                    stack.push(Item::List(&c.body.list))
                }
                ast::CompoundCommand::WhileClause(c) | ast::CompoundCommand::UntilClause(c) => {
                    stack.push(Item::List(&c.1.list));
                    stack.push(Item::List(&c.0));
                }
                ast::CompoundCommand::IfClause(c) => {
                    for clause in c.elses.iter().flatten().rev() {
                        stack.push(Item::List(&clause.body));
                        if let Some(condition) = &clause.condition {
                            stack.push(Item::List(condition));
                        }
                    }
                    stack.push(Item::List(&c.then));
                    stack.push(Item::List(&c.condition));
                }
                ast::CompoundCommand::CaseClause(c) => {
                    for case in c.cases.iter().rev() {
                        if let Some(list) = &case.cmd {
                            stack.push(Item::List(list));
                        }
                    }
                }
                ast::CompoundCommand::Coprocess(c) => stack.push(Item::Command(&c.body)),
                ast::CompoundCommand::Arithmetic(_) => {}
            },
        }
    }
    out
}

#[test]
fn agrees_with_brush_parser_on_a_corpus() {
    let corpus = [
        "apt-get update && apt-get install -y --no-install-recommends ca-certificates curl=7.88.* \\\n && rm -rf /var/lib/apt/lists/*",
        "set -eux; \\\n savedAptMark=\"$(apt-mark showmanual)\"; \\\n apt-get update; \\\n apt-get install -y --no-install-recommends wget; \\\n rm -rf /var/lib/apt/lists/*",
        "curl -fsSL https://deb.nodesource.com/setup_18.x | bash - && apt-get install -y nodejs",
        "wget -qO- https://x/y.tar.gz | tar xz -C /usr/local --strip-components=1",
        "if [ \"$TARGETARCH\" = \"arm64\" ]; then ARCH=aarch64; else ARCH=x86_64; fi && echo $ARCH",
        "for f in /etc/a /etc/b; do chmod 0644 \"$f\"; done",
        "case \"$(uname -m)\" in x86_64) A=amd64 ;; aarch64|arm64) A=arm64 ;; *) echo unsupported; exit 1 ;; esac; echo $A",
        "groupadd -r app && useradd -r -g app -d /home/app -s /sbin/nologin app && chown -R app:app /app",
        "pip install --no-cache-dir -r requirements.txt && python -m compileall .",
        "cd /tmp && (./configure --prefix=/usr && make -j\"$(nproc)\" && make install) && rm -rf /tmp/*",
        "{ echo a; echo b; } > /etc/x && cat /etc/x",
        "while read -r line; do echo \"$line\"; done < /etc/passwd",
        "DEBIAN_FRONTEND=noninteractive apt-get -y install tzdata && ln -fs /usr/share/zoneinfo/UTC /etc/localtime",
        "echo 'deb http://x stable main' > /etc/apt/sources.list.d/x.list && apt-key adv --keyserver hkp://k --recv-keys ABC",
        "npm ci --only=production && npm cache clean --force 2>&1 | tee /log || true",
        "export PATH=/opt/bin:$PATH; mkdir -p /opt/bin && ln -s /usr/bin/python3 /opt/bin/python",
        "test -f /x || { echo missing >&2; exit 1; }",
        "f() { echo \"$1\"; }; f hi; ! grep -q x /etc/y",
        "[[ -d /x ]] && rm -r /x; (( 1 + 2 )); echo done",
        "until curl -sf http://localhost/; do sleep 1; done",
        "echo \"a # not a comment\" # a comment\necho next",
        "tar -C / -xf x.tar && rm x.tar # clean up",
    ];
    for text in corpus {
        let script = analyze_str(text, 0);
        assert_eq!(script.error(), None, "{text}");
        let ours: Vec<Vec<String>> = script
            .commands
            .iter()
            .filter(|command| !command.in_substitution)
            .map(|command| {
                command
                    .assignments
                    .iter()
                    .chain(&command.name)
                    .chain(&command.args)
                    .map(|word| word.raw.clone())
                    .collect()
            })
            .collect();
        assert_eq!(ours, brush_commands(text), "{text}");
    }
}

#[test]
fn unclosed_compound_commands_beyond_brush_limits() {
    // Too deep for brush-parser: the scanner reports the innermost unclosed construct.
    let text = format!("{}echo", "while true; do ".repeat(10));
    let script = analyze_str(&text, 100);
    let error = script.error().cloned().expect("error");
    assert_eq!(error.span.start, 100 + text.rfind("while").unwrap());
    let closed = format!(
        "{}echo{}",
        "while true; do ".repeat(10),
        "; done".repeat(10)
    );
    assert_eq!(analyze_str(&closed, 0).error(), None);
    // Shallow: brush-parser reports it.
    assert!(analyze_str("if true; then echo", 0).error().is_some());
}

#[test]
fn heredoc_interpreters() {
    assert!(analyze_str("<<EOF", 0).runs_heredoc_as_shell("EOF"));
    assert!(analyze_str("sudo bash -e <<-'END'", 0).runs_heredoc_as_shell("END"));
    assert!(!analyze_str("python3 <<EOF", 0).runs_heredoc_as_shell("EOF"));
    assert!(!analyze_str("cat <<EOF > /f", 0).runs_heredoc_as_shell("EOF"));
    assert!(!analyze_str("<<EOF", 0).runs_heredoc_as_shell("OTHER"));
}

#[test]
fn shells_reading_their_script_from_stdin() {
    let shell = |text: &str| {
        let script = analyze_str(text, 0);
        script
            .commands
            .iter()
            .find(|c| !c.redirects.is_empty())
            .and_then(|c| c.stdin_script_shell().map(str::to_string))
    };
    assert_eq!(shell("bash <<EOF").as_deref(), Some("bash"));
    assert_eq!(shell("/bin/sh -e <<-'END'").as_deref(), Some("sh"));
    assert_eq!(shell("bash -euo pipefail <<EOF").as_deref(), Some("bash"));
    assert_eq!(shell("bash -o pipefail -x <<EOF").as_deref(), Some("bash"));
    assert_eq!(shell("sudo -u app dash <<EOF").as_deref(), Some("dash"));
    assert_eq!(shell("env A=1 ksh --norc <<EOF").as_deref(), Some("ksh"));
    assert_eq!(shell("sh -s -- one two <<EOF").as_deref(), Some("sh"));
    assert_eq!(shell("bash - <<EOF").as_deref(), Some("bash"));
    // The redirection may come first (hadolint's issue 1137).
    assert_eq!(shell("<<EOF bash -ex").as_deref(), Some("bash"));
    // A script string or a script file: the heredoc is only their input.
    assert_eq!(shell("bash -c 'read x' <<EOF"), None);
    assert_eq!(shell("bash -ec 'read x' <<EOF"), None);
    assert_eq!(shell("bash install.sh <<EOF"), None);
    assert_eq!(shell("bash -- install.sh <<EOF"), None);
    assert_eq!(shell("python3 <<EOF"), None);
    assert_eq!(shell("cat <<EOF > /run.sh"), None);
}

#[test]
fn adversarial_megabyte_inputs_stay_linear() {
    let size = 1 << 20;
    let fill = |unit: &str| unit.repeat(size / unit.len());
    let inputs = [
        fill("$("),
        fill("\"$("),
        fill("'"),
        fill("("),
        fill("{ "),
        fill("`"),
        fill("case x in a) "),
        fill("<<E "),
        fill("a\\"),
        fill("x=(\n"),
        fill("${"),
        fill("$((("),
        fill("[[ ( "),
    ];
    // Behaviour only: every hostile input comes back with valid spans. Speed is measured in
    // benchmarks, not here; an exponential regression would exceed CI's time limit.
    for input in &inputs {
        let script = analyze_str(input, 0);
        for command in &script.commands {
            assert!(command.span.end <= input.len(), "{}", &input[..8]);
        }
    }
}

#[test]
fn shell_c_strings_are_analysed() {
    let source = "RUN sudo bash -ec 'curl -k https://x | sh' && sh -c \"apt-get install -y vim\" && sh x.sh\n";
    let (_, script) = run(source);
    assert_eq!(
        names(&script),
        ["sudo", "curl", "sh", "sh", "apt-get", "sh"]
    );
    let curl = &script.commands[1];
    assert!(curl.in_shell_string && !curl.in_substitution);
    assert_eq!(at(source, curl.name.as_ref().unwrap()), "curl");
    assert_eq!(at(source, &curl.args[0]), "-k");
    assert!(script.commands[2].pipeline.reads_pipe());
    let apt = &script.commands[4];
    assert!(apt.in_shell_string);
    assert_eq!(at(source, &apt.args[2]), "vim");
    assert!(!script.commands[5].in_shell_string);
    // Escapes inside the string would shift offsets: not analysed.
    let (_, script) = run("RUN sh -c \"echo \\\"x\\\"\"\n");
    assert_eq!(names(&script), ["sh"]);
    // A broken string does not make the RUN itself an error.
    let (_, script) = run("RUN sh -c 'echo \"unterminated'\n");
    assert_eq!(script.error(), None);
}

#[test]
fn empty_commands_around_operators() {
    for (text, message) in [
        ("apt-get update && ", "after `&&`"),
        ("a && && b", "before `&&`"),
        ("&& b", "before `&&`"),
        ("a | ; b", "before `;`"),
        ("a ||", "after `||`"),
        ("( && a )", "before `&&`"),
    ] {
        let script = analyze_str(text, 0);
        let error = script.error().cloned().expect(text);
        assert!(error.message.contains(message), "{text}: {}", error.message);
    }
    for text in [
        "a &&\n b",
        "a |\n\n b",
        "a & b &",
        "a; b;",
        "(a) && b",
        "(( x )) || y",
        "case x in a|b) c;; esac",
        "[[ a && b ]] || c",
        "f() { a; }; f",
        "if a; then b; fi && c",
        "a\n\nb",
    ] {
        assert_eq!(analyze_str(text, 0).error(), None, "{text}");
    }
    // The broken line still yields its commands.
    let source = "RUN apt-get update && \\\n  \n";
    let (_, script) = run(source);
    assert_eq!(names(&script), ["apt-get"]);
    let error = script.error().cloned().expect("error");
    assert_eq!(&source[error.span.start..error.span.end], "&&");
}

#[test]
fn remembered_syntax_verdicts_match_fresh_ones() {
    // The second call of each pair is answered from the cache; offsets are converted against
    // the text of each call, so a multi-byte prefix still lands on the right byte.
    for text in [
        "echo ok && ls",
        "echo 'unterminated",
        "é; if true; then",
        "for x in; do",
    ] {
        let fresh = brush_verdict(&format!("{text}\n"));
        let first = validate(text, &[]);
        let second = validate(text, &[]);
        assert_eq!(first, second, "{text}");
        assert_eq!(first.is_some(), fresh.is_some(), "{text}");
        if let Some((offset, _)) = first {
            assert!(text.is_char_boundary(offset), "{text}: {offset}");
        }
    }
    // The open heredoc's synthetic terminator is part of the key.
    assert!(validate("cat <<EOF", &["EOF".to_owned()]).is_none());
    assert!(validate("cat <<EOF", &["EOF".to_owned()]).is_none());
}

fn exec_words(text: &str) -> Vec<Word> {
    // The JSON strings of a one-line exec form without escapes, with spans inside the quotes.
    let mut words = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('"') {
        let close = rest[open + 1..].find('"').unwrap() + open + 1;
        let value = rest[open + 1..close].to_owned();
        let span = Span::new(offset + open + 1, offset + close);
        words.push(Word {
            span,
            raw: value.clone(),
            value,
        });
        offset += close + 1;
        rest = &text[offset..];
    }
    words
}

#[test]
fn exec_form_is_one_command_and_its_shell_script() {
    let text = r#"RUN ["apt-get", "install", "-y", "curl"]"#;
    let script = analyze_exec(exec_words(text));
    assert_eq!(script.commands.len(), 1);
    let command = &script.commands[0];
    assert_eq!(command.program(), Some("apt-get"));
    assert_eq!(
        command.span.text(text),
        r#"apt-get", "install", "-y", "curl"#
    );
    assert_eq!(command.args.len(), 3);

    let text = r#"RUN ["bash", "-o", "pipefail", "-ec", "curl -fsSL x | tar x && make"]"#;
    let script = analyze_exec(exec_words(text));
    let names: Vec<_> = script
        .commands
        .iter()
        .map(|c| c.program().unwrap_or(""))
        .collect();
    assert_eq!(names, ["bash", "curl", "tar", "make"]);
    assert_eq!(script.commands[1].pipeline.len, 2);
    assert_eq!(script.commands[2].span.text(text), "tar x");
    assert!(!script.commands[1].in_shell_string);

    // Not a shell, or no `-c`: the words are data.
    for text in [
        r#"RUN ["python3", "-c", "a | b"]"#,
        r#"RUN ["sh", "script.sh"]"#,
    ] {
        assert_eq!(analyze_exec(exec_words(text)).commands.len(), 1, "{text}");
    }
    assert_eq!(analyze_exec(Vec::new()), ShellScript::default());
}

#[test]
fn the_remembered_effective_command_is_the_one_worked_out() {
    let words = |view: CommandView<'_>| {
        let name = view.name.map(|w| w.value.clone());
        let args: Vec<String> = view.args.iter().map(|w| w.value.clone()).collect();
        (name, args)
    };
    for text in [
        "apt-get install -y curl",
        "sudo -u app env A=1 nice -n 5 pip install x",
        "sudo",
        "env -i",
        "sudo -u app",
        "A=1",
        "> out",
        "/usr/bin/sudo -- xargs -n 1 rm",
        "nohup time command -p ls -l",
    ] {
        let script = analyze_str(text, 0);
        for command in &script.commands {
            let worked_out = words(command.unwrapped());
            assert_eq!(words(command.effective()), worked_out, "{text}");
            assert_eq!(
                words(command.effective()),
                worked_out,
                "{text} (remembered)"
            );
        }
    }
}
