use std::process::ExitCode;

// mimalloc instead of glibc's malloc: parsing and checking thousands of small files is
// allocation-heavy, and mimalloc cut a whole-corpus run by about a fifth (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    plimsoll::cli::main()
}
