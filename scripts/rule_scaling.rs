//! Catches a built-in rule whose work grows faster than its input (issue 13): every rule runs
//! alone on generated inputs of size N and 4N (many RUNs, many stages, many ARGs, a long
//! continuation, a long heredoc, many compose services, a long environment list), and the CPU
//! time of the rule itself, the file already parsed and its shell analyses done, is compared.
//! A linear rule takes about 4 times as long on 4N; a quadratic one 16 times. Fails (exit 1)
//! when a rule's ratio is over [`MAX_RATIO`] on an input where it does measurable work.
//!
//! Not a test: a benchmark-style check for CI (`scripts/rule-scaling.sh`), which runs it with the
//! debug profile. CPU time of this thread comes from `/proc/thread-self/schedstat` (nanoseconds,
//! unaffected by other processes on the machine); elsewhere wall time is used.
//!
//! Usage: rule_scaling [--scale S] [--rule CODE]… (S multiplies every N; default 1).

// The table is this program's output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use plimsoll::linter::engine::Settings;
use plimsoll::linter::project::NoWorkspace;
use plimsoll::linter::rule::{
    Check, ComposeContext, DockerfileContext, Emitter, Rule, ShellCache, Target,
};
use plimsoll::linter::rules;
use plimsoll::syntax::compose;
use plimsoll::syntax::dockerfile::{self, Dockerfile};
use plimsoll::syntax::source::{FileKind, SourceFile};

/// Fail when t(4N) / t(N) is over this: linear is 4, quadratic 16; the margin absorbs caches,
/// allocator effects and the odd disturbance.
const MAX_RATIO: f64 = 10.0;

/// Below this time at 4N a ratio is noise, and a rule this fast is no danger anyway.
const MIN_MEASURED: Duration = Duration::from_millis(20);

/// CPU time a measurement of a rule that does measurable work adds up (over several runs when
/// one is shorter), so that a clock ticking every few milliseconds still gives a precise mean.
const PRECISE: Duration = Duration::from_millis(60);

/// The most runs one measurement makes.
const MAX_RUNS: u32 = 200;

/// One generated input: a name, its kind, and its text for a size `n`.
struct Input {
    name: &'static str,
    kind: FileKind,
    /// Size of the small input at scale 1.
    n: usize,
    generate: fn(usize) -> String,
}

const INPUTS: &[Input] = &[
    Input {
        name: "runs",
        kind: FileKind::Dockerfile,
        n: 4500,
        generate: many_runs,
    },
    Input {
        name: "instructions",
        kind: FileKind::Dockerfile,
        n: 900,
        generate: every_instruction,
    },
    Input {
        name: "stages",
        kind: FileKind::Dockerfile,
        n: 1200,
        generate: many_stages,
    },
    Input {
        name: "bases",
        kind: FileKind::Dockerfile,
        n: 1200,
        generate: many_bases,
    },
    Input {
        name: "args",
        kind: FileKind::Dockerfile,
        n: 2400,
        generate: many_args,
    },
    Input {
        name: "continuation",
        kind: FileKind::Dockerfile,
        n: 4500,
        generate: long_continuation,
    },
    Input {
        name: "heredoc",
        kind: FileKind::Dockerfile,
        n: 4500,
        generate: long_heredoc,
    },
    Input {
        name: "services",
        kind: FileKind::Compose,
        n: 900,
        generate: many_services,
    },
    Input {
        name: "environment",
        kind: FileKind::Compose,
        n: 4500,
        generate: long_environment,
    },
];

/// RUNs of every shape the RUN rules look at: pipes, package managers, downloads, `cd`.
fn many_runs(n: usize) -> String {
    let mut text = String::from("FROM debian:12\nSHELL [\"/bin/sh\", \"-c\"]\n");
    let shapes = [
        "RUN curl -fsSL https://example.com/i.sh | sh",
        "RUN apt-get update && apt-get install -y curl wget | tee /log",
        "RUN --mount=type=cache,target=/root/.cache pip install requests",
        "RUN cd /tmp && wget https://example.com/x.tgz && tar xzf x.tgz",
        "RUN echo \"$HOME\" | sha256sum -c && set -o pipefail && ls | wc -l",
        "RUN npm install && yarn add left-pad && apk add --no-cache git",
    ];
    for i in 0..n {
        text.push_str(shapes[i % shapes.len()]);
        text.push_str(&format!(" && echo {i}\n"));
    }
    text
}

/// Every kind of instruction, repeated.
fn every_instruction(n: usize) -> String {
    let mut text =
        String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM $BASE AS base\n");
    for i in 0..n {
        text.push_str(&format!(
            "ENV V{i}=x PATH=/usr/local/bin:$PATH\nARG A{i}=y\nLABEL org.example.l{i}=\"v $A{i}\"\n\
             COPY --chown=1:1 src{i} /app/{i}/\nADD https://example.com/f{i}.tgz /tmp/\n\
             WORKDIR app{i}\nUSER u{i}\nEXPOSE {}\nVOLUME /data{i}\nSTOPSIGNAL SIGTERM\n\
             HEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD [\"run\", \"{i}\"]\n\
             ENTRYPOINT run {i}\nONBUILD RUN echo {i} | cat\nMAINTAINER me{i}\n\
             RUN echo $V{i} $A{i} $U{i}\n",
            1000 + i % 60000
        ));
    }
    text
}

/// A chain of stages, each built on the previous one, copying from it and using its ARGs; a
/// misspelled `--from` in each.
fn many_stages(n: usize) -> String {
    let mut text = String::from("ARG TAG=3.20\nFROM alpine:$TAG AS s0\nUSER app\n");
    for i in 1..n {
        // One long chain (rules that walk back through `FROM <stage>` from every stage are
        // quadratic on it), with a fresh base now and then.
        let base = if i % 1000 == 999 {
            "alpine:3.20".to_string()
        } else {
            format!("s{}", i - 1)
        };
        text.push_str(&format!(
            "FROM {base} AS s{i}\nARG TAG\nENV STAGE{i}=$TAG\nCOPY --from=s{} /out /in{i}\n\
             COPY --from=nosuch{i} /x /y\nRUN echo $STAGE{i} $STAGE{} | cat\nSHELL [\"/bin/bash\", \"-c\"]\n",
            i - 1,
            i - 1
        ));
    }
    text
}

/// Independent stages on untagged images, some named like an image.
fn many_bases(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "FROM debian AS b{i}\nRUN apt-get update\nFROM b{i}x\nUSER root\n"
        ));
    }
    text
}

/// Global ARGs built from one another, then stages that use them, some misspelled.
fn many_args(n: usize) -> String {
    let mut text = String::from("ARG A0=v\n");
    for i in 1..n {
        text.push_str(&format!("ARG A{i}=${{A{}}}-{i}\n", i - 1));
    }
    text.push_str("FROM alpine:${A0}\n");
    for i in 0..n {
        text.push_str(&format!(
            "ARG LOCAL_NAME{i}=x\nENV E{i}=$A{i} F{i}=$LOCAL_NAMX{i} G{i}=${{LOCAL_NAME{i}}}\n"
        ));
    }
    text
}

/// One RUN continued over `n` lines, with pipes and comments inside; then one and-or list of
/// `n` pipelines whose failure a final `||` handles (each pipeline looks ahead for it).
fn long_continuation(n: usize) -> String {
    let mut text = String::from("FROM alpine:3.20\nRUN set -e \\\n");
    for i in 0..n {
        text.push_str(&format!(
            "    && curl -s https://example.com/{i} | tar x \\\n"
        ));
        if i % 10 == 0 {
            text.push_str("# a comment inside\n");
        }
    }
    text.push_str("    && true\nRUN true \\\n");
    for i in 0..n {
        text.push_str(&format!("    && ls /{i} | sort \\\n"));
    }
    text.push_str("    || true\n");
    text
}

/// One RUN heredoc of `n` lines.
fn long_heredoc(n: usize) -> String {
    let mut text = String::from("FROM alpine:3.20\nRUN <<EOF\n");
    for i in 0..n {
        text.push_str(&format!("apk add pkg{i} | tee /log\ncd /d{i}\n"));
    }
    text.push_str("EOF\n");
    text
}

/// Services depending on each other, publishing ports, sharing volumes and names.
fn many_services(n: usize) -> String {
    let mut text = String::from("services:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  s{i}:\n    image: registry.example.com/app{i}:latest\n    container_name: c{}\n\
             \x20   ports:\n      - \"{}:80\"\n      - 22\n    volumes:\n      - shared:/data\n\
             \x20     - /var/run/docker.sock:/var/run/docker.sock\n    depends_on:\n      - s{}\n\
             \x20   environment:\n      PASSWORD: hunter{i}\n    privileged: true\n\
             \x20   network_mode: host\n    networks: [n{i}]\n    cap_add: [SYS_ADMIN]\n\
             \x20   build:\n      context: ./s{i}\n      args:\n        TOKEN: t{i}\n",
            i / 2,
            8000 + i % 1000,
            i.saturating_sub(1)
        ));
    }
    text.push_str("volumes:\n  shared: {}\n");
    text
}

/// One service with a long environment, port and volume list.
fn long_environment(n: usize) -> String {
    let mut text = String::from("services:\n  app:\n    image: app:1\n    environment:\n");
    for i in 0..n {
        text.push_str(&format!("      VAR_{i}: \"${{VAR_{i}:-value}}\"\n"));
    }
    text.push_str("    ports:\n");
    for i in 0..n {
        text.push_str(&format!(
            "      - \"{}:{}\"\n",
            1024 + i % 60000,
            80 + i % 1000
        ));
    }
    text
}

/// CPU time of this thread so far (wall time where the kernel does not say).
fn cpu_now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_else(|| START.get_or_init(Instant::now).elapsed())
}

/// A parsed input, ready for rules to run on.
enum Parsed {
    Dockerfile(SourceFile, Dockerfile, ShellCache),
    Compose(SourceFile, compose::ComposeFile),
}

fn parse(kind: FileKind, text: String) -> Parsed {
    let source = SourceFile::new("input", text, kind);
    match kind {
        FileKind::Dockerfile => {
            let dockerfile = dockerfile::parse(&source.text);
            let shells = ShellCache::new(dockerfile.instructions.len());
            // Every RUN's shell analysis up front, so no rule pays for the others.
            let run_commands = std::sync::OnceLock::new();
            let warm = DockerfileContext {
                source: &source,
                dockerfile: &dockerfile,
                options: &plimsoll::linter::rule::RuleOptions::EMPTY,
                shells: &shells,
                run_commands: &run_commands,
                non_root_images: &plimsoll::semantic::NonRootImages::default(),
                workspace: &plimsoll::linter::project::NoWorkspace,
            };
            for index in 0..dockerfile.instructions.len() {
                warm.shell(index);
                warm.heredoc_shells(index);
            }
            Parsed::Dockerfile(source, dockerfile, shells)
        }
        FileKind::Compose => {
            let compose = compose::parse(&source.text);
            Parsed::Compose(source, compose)
        }
    }
}

/// The CPU time one run of `rule` takes on `parsed`, averaged over as many runs as make
/// `at_least` in all (the clock may tick only every few milliseconds), at most [`MAX_RUNS`];
/// `None` when the rule does not apply to that kind of file.
fn time_rule(rule: &'static Rule, parsed: &Parsed, at_least: Duration) -> Option<Duration> {
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    let options = settings.options_for(rule);
    let mut total = Duration::ZERO;
    let mut runs = 0;
    while runs == 0 || (total < at_least && runs < MAX_RUNS) {
        runs += 1;
        let rule_ref = plimsoll::linter::rule::RuleRef::Builtin(rule);
        let mut emitter = Emitter::new(&rule_ref);
        let started = cpu_now();
        match (rule.check, parsed) {
            (Check::Dockerfile(check), Parsed::Dockerfile(source, dockerfile, shells)) => {
                let run_commands = std::sync::OnceLock::new();
                let context = DockerfileContext {
                    source,
                    dockerfile,
                    options,
                    shells,
                    run_commands: &run_commands,
                    non_root_images: &settings.non_root_images,
                    workspace: &plimsoll::linter::project::NoWorkspace,
                };
                check(&context, &mut emitter);
            }
            (Check::Compose(check), Parsed::Compose(source, compose)) => {
                let context = ComposeContext {
                    source,
                    compose,
                    options,
                    workspace: &NoWorkspace,
                    project: None,
                    non_root_images: &settings.non_root_images,
                };
                check(&context, &mut emitter);
            }
            _ => return None,
        }
        total += cpu_now().saturating_sub(started);
        std::hint::black_box(emitter.into_findings());
    }
    Some(total / runs)
}

fn applies(rule: &Rule, kind: FileKind) -> bool {
    matches!(
        (rule.target, kind),
        (Target::Dockerfile, FileKind::Dockerfile)
            | (Target::Compose, FileKind::Compose)
            | (Target::Any, _)
    )
}

fn main() {
    let mut scale = 1.0f64;
    let mut only: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => scale = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0),
            "--rule" => only.extend(args.next()),
            _ => {
                eprintln!("usage: rule_scaling [--scale S] [--rule CODE]…");
                std::process::exit(2);
            }
        }
    }
    let selected: Vec<&'static Rule> = rules::all()
        .iter()
        .copied()
        .filter(|rule| only.is_empty() || only.iter().any(|c| c.eq_ignore_ascii_case(rule.code)))
        .filter(|rule| matches!(rule.check, Check::Dockerfile(_) | Check::Compose(_)))
        .collect();
    // Per rule: its worst input (highest ratio among measurable ones, else slowest).
    let mut worst: Vec<Option<(&str, Duration, Duration, f64)>> = vec![None; selected.len()];
    let mut failed = Vec::new();
    for input in INPUTS {
        let n = ((input.n as f64 * scale).round() as usize).max(1);
        let started = Instant::now();
        let small = parse(input.kind, (input.generate)(n));
        let large = parse(input.kind, (input.generate)(4 * n));
        eprintln!(
            "{}: N={n}, parsed in {:.1} s",
            input.name,
            started.elapsed().as_secs_f64()
        );
        for (rule, worst) in selected.iter().zip(worst.iter_mut()) {
            if !applies(rule, input.kind) {
                continue;
            }
            // One run on 4N says whether the rule does measurable work at all; only then are
            // both sizes measured precisely (and once more when the ratio looks too high).
            let Some(mut t4) = time_rule(rule, &large, Duration::ZERO) else {
                continue;
            };
            let ratio = |t1: Duration, t4: Duration| t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
            let precise = if t4 >= MIN_MEASURED {
                PRECISE
            } else {
                Duration::ZERO
            };
            let mut t1 = time_rule(rule, &small, precise).unwrap_or_default();
            if t4 >= MIN_MEASURED && ratio(t1, t4) > MAX_RATIO {
                t4 = time_rule(rule, &large, PRECISE).unwrap_or(t4);
                t1 = time_rule(rule, &small, PRECISE).unwrap_or(t1);
            }
            let r = ratio(t1, t4);
            if t4 >= MIN_MEASURED {
                eprintln!("  {} {:.1} ms {:.1} ms {r:.1}", rule.code, ms(t1), ms(t4));
            }
            let measurable = t4 >= MIN_MEASURED;
            if measurable && r > MAX_RATIO {
                failed.push(format!(
                    "{} {} on `{}`: {:.1} ms at N={n}, {:.1} ms at 4N, ratio {r:.1}",
                    rule.code,
                    rule.name,
                    input.name,
                    ms(t1),
                    ms(t4)
                ));
            }
            let score = |t4: Duration, r: f64, measurable: bool| {
                if measurable {
                    1e6 + r
                } else {
                    t4.as_secs_f64()
                }
            };
            let replace = worst.is_none_or(|(_, _, w4, wr)| {
                score(t4, r, measurable) > score(w4, wr, w4 >= MIN_MEASURED)
            });
            if replace {
                *worst = Some((input.name, t1, t4, r));
            }
        }
    }
    println!("| rule | worst input | t(N) ms | t(4N) ms | ratio |");
    println!("|---|---|---:|---:|---:|");
    for (rule, worst) in selected.iter().zip(&worst) {
        if let Some((input, t1, t4, r)) = worst {
            let shown = if *t4 >= MIN_MEASURED {
                format!("{r:.1}")
            } else {
                format!("({r:.1}, under {} ms)", MIN_MEASURED.as_millis())
            };
            println!(
                "| {} {} | {input} | {:.1} | {:.1} | {shown} |",
                rule.code,
                rule.name,
                ms(*t1),
                ms(*t4)
            );
        }
    }
    if failed.is_empty() {
        println!("\nno rule grows faster than linearly (ratio limit {MAX_RATIO})");
    } else {
        println!("\nsuper-linear rules (t(4N)/t(N) over {MAX_RATIO}):");
        for line in &failed {
            println!("- {line}");
        }
        std::process::exit(1);
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
