//! Running third-party parser code that may panic on hostile input, without the panic ending the
//! run or printing a backtrace: the panic is caught and reported as "no answer".

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs [`quietly`]: the panic hook stays silent for it.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Install, once per process, a panic hook that stays silent for panics raised inside
/// [`quietly`] and hands every other panic to the hook that was there before.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Run `f`, returning `None` if it panics. The panic is not printed. For code the project does
/// not own (brush-parser's tokenizer unwraps on some inputs): a finding the parser cannot give is
/// better than a run that dies.
pub(super) fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    install_hook();
    let was_quiet = QUIET.with(|quiet| quiet.replace(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(was_quiet));
    outcome.ok()
}

#[cfg(test)]
mod tests {
    use super::quietly;

    #[test]
    fn a_panic_becomes_none_and_a_value_passes_through() {
        assert_eq!(quietly(|| 7), Some(7));
        assert_eq!(quietly(|| -> u8 { panic!("parser bug") }), None);
        // The flag is reset: a later panic outside `quietly` is not silenced.
        assert!(!super::QUIET.with(std::cell::Cell::get));
    }
}
