//! `select!`'s start-branch generator with `std`: one xorshift state per thread, so threads do
//! not share a cache line. Each thread's seed is the next value of a global Weyl counter, mixed.

use super::{mix32, WEYL_STEP};
use core::cell::Cell;
use portable_atomic::{AtomicU32, Ordering};

/// Hands out distinct seeds to threads. Not a synchronisation point, only entropy, so it uses
/// `portable_atomic` directly (a loom atomic cannot live in a `static`).
static SEEDS: AtomicU32 = AtomicU32::new(0);

std::thread_local! {
    static STATE: Cell<u32> = Cell::new(fresh_seed());
}

fn fresh_seed() -> u32 {
    // `| 1`: xorshift's state must never be zero.
    mix32(SEEDS.fetch_add(WEYL_STEP, Ordering::Relaxed)) | 1
}

/// The next number of this thread's xorshift32 sequence.
pub(super) fn next_u32() -> u32 {
    STATE
        .try_with(|state| {
            let mut x = state.get();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            state.set(x);
            x
        })
        // The thread-local is being destroyed (a select! in a TLS destructor): any seed will do.
        .unwrap_or_else(|_| fresh_seed())
}
