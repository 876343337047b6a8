//! `select!`'s start-branch generator without `std`: one global Weyl counter advanced with
//! `fetch_add` (no compare-and-swap loop, so it also works where portable-atomic emulates RMW
//! with a critical section) and mixed into well-distributed bits.

use super::{mix32, WEYL_STEP};
use portable_atomic::{AtomicU32, Ordering};

/// Not a synchronisation point, only entropy, so it uses `portable_atomic` directly (a loom
/// atomic cannot live in a `static`).
static STATE: AtomicU32 = AtomicU32::new(0x2545_f491);

/// The next pseudo-random number.
pub(super) fn next_u32() -> u32 {
    mix32(STATE.fetch_add(WEYL_STEP, Ordering::Relaxed))
}
