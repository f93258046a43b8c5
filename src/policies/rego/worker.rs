//! The worker side of the policy sandbox ([`super::sandbox`]): `plimsoll __rego-worker` limits
//! its own address space, compiles the policy directory it is sent, then answers evaluation
//! and test requests, one JSON line each, until its stdin closes.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use super::eval::evaluate;
use super::sandbox::{Load, MEMORY_BUDGET, Reply, Request};
use super::{RegoSet, RegoTest};

/// Serve requests on stdin/stdout until stdin closes.
pub fn serve() -> ExitCode {
    limit_self();
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut lines = stdin.lines();
    let Some(Ok(first)) = lines.next() else {
        return ExitCode::FAILURE;
    };
    let Ok(load) = serde_json::from_str::<Load>(&first) else {
        return ExitCode::FAILURE;
    };
    let set = RegoSet::compile(&load.dir, load.files);
    if answer(&mut stdout, &Reply::Ready).is_err() {
        return ExitCode::FAILURE;
    }
    for line in lines {
        let Ok(line) = line else {
            break;
        };
        let Ok(request) = serde_json::from_str::<Request>(&line) else {
            return ExitCode::FAILURE;
        };
        let reply = match request {
            Request::Eval {
                package,
                results,
                exception,
                input,
            } => Reply::Eval(
                set.with_engine(|engine| evaluate(engine, &package, &results, exception, input))
                    .unwrap_or_else(|| Err("the policy directory does not compile".to_string())),
            ),
            Request::Test { package, name } => Reply::Test(set.run_test_here(&RegoTest {
                path: set.dir.clone(),
                line: 0,
                package,
                name,
            })),
        };
        if answer(&mut stdout, &reply).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn answer(out: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    let line = serde_json::to_string(reply).map_err(std::io::Error::other)?;
    writeln!(out, "{line}")?;
    out.flush()
}

/// At most [`MEMORY_BUDGET`] of address space (an allocation past it fails, and the worker
/// aborts), and no core file when it does.
#[cfg(unix)]
fn limit_self() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    // Never above a limit already in force (a lower one is kept).
    let budget = getrlimit(Resource::As)
        .maximum
        .map_or(MEMORY_BUDGET, |hard| hard.min(MEMORY_BUDGET));
    let _ = setrlimit(
        Resource::As,
        Rlimit {
            current: Some(budget),
            maximum: Some(budget),
        },
    );
}

/// No address-space limit outside Unix (the parent's deadline still holds).
#[cfg(not(unix))]
fn limit_self() {}
