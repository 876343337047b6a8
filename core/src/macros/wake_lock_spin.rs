//! The wake-set slot lock with `std`: a spin lock on one atomic flag per slot.
//!
//! Critical sections are a few instructions (see the [wake set docs](super)), so waiting
//! threads spin instead of sleeping; `critical-section` on std would be one mutex for the whole
//! process. Not for interrupt handlers: see `wake_lock_cs.rs`.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

/// A value behind a spin lock.
#[derive(Debug)]
pub(super) struct SlotLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached inside `with`, while `locked` is held, so at most one thread
// accesses it at a time; `T: Send` because it is handed from thread to thread.
unsafe impl<T: Send> Sync for SlotLock<T> {}

impl<T> SlotLock<T> {
    crate::maybe_const_fn! {
        pub(super) fn new(value: T) -> Self {
            SlotLock {
                locked: AtomicBool::new(false),
                value: UnsafeCell::new(value),
            }
        }
    }

    /// Runs `f` with exclusive access to the value.
    #[inline]
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // Wait with plain loads so the cache line is not bounced by failing CASes.
            let mut spins = 0u32;
            while self.locked.load(Ordering::Relaxed) {
                spin(&mut spins);
            }
        }
        // Unlocks on return and on unwind (a panicking `Waker::clone`).
        let _unlock = Unlock(&self.locked);
        // SAFETY: `locked` is held (set by the successful CAS above, cleared only by `_unlock`),
        // so no other reference to the value exists while `f` runs.
        self.value.with_mut(|value| f(unsafe { &mut *value }))
    }
}

struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // Release: the writes made under the lock happen before the next lock's Acquire.
        self.0.store(false, Ordering::Release);
    }
}

/// Spins this many times before yielding the thread: far more than a critical section of a
/// few instructions takes, so a yield only happens when the holder was descheduled, and then
/// the waiter should let it run rather than burn its time slice.
#[cfg(not(loom))]
const SPINS_BEFORE_YIELD: u32 = 100;

#[cfg(not(loom))]
#[inline]
fn spin(spins: &mut u32) {
    if *spins < SPINS_BEFORE_YIELD {
        *spins += 1;
        core::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// loom explores a spin loop forever unless it yields.
#[cfg(loom)]
fn spin(_: &mut u32) {
    loom::thread::yield_now();
}
