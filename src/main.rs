//! The `plimsoll` binary: the command line, or the Rego worker when started as one.

use std::process::ExitCode;

// mimalloc instead of glibc's malloc: parsing and checking thousands of small files is
// allocation-heavy, and mimalloc cut a whole-corpus run by about a fifth (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A child of this binary that evaluates Rego policies (src/policies/rego/sandbox.rs).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|arg| arg == plimsoll::policies::rego::sandbox::WORKER_ARG)
    {
        return plimsoll::policies::rego::worker::serve();
    }
    plimsoll::policies::rego::sandbox::enable();
    plimsoll::surfaces::cli::main()
}
