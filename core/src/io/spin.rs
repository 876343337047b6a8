//! A tiny test-and-test-and-set spin lock guarding one [`ScheduledIo`](super::ScheduledIo)'s
//! waiter list.
//!
//! Why a spin lock: the core has neither `std::sync::Mutex` nor an allocator, and a
//! `critical_section::Mutex` is one global lock on hosts (it would serialise every socket of
//! the process). The sections guarded here are a handful of pointer writes and a waker clone,
//! so contention is short; each cell has its own lock, so two sockets never contend.
//! Access goes through a closure so the same code runs under loom, whose cells have no
//! reference-returning accessors.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `value` to one thread at a time, so sharing the lock
// is sound whenever `T` may be sent between threads.
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: owning the lock owns the `T`.
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> SpinLock<T> {
    #[cfg(not(loom))]
    pub(crate) const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access to the value.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.acquire();
        struct Unlock<'a>(&'a AtomicBool);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                release(self.0);
            }
        }
        let _unlock = Unlock(&self.locked);
        // SAFETY: `acquire` set `locked`, so no other thread is inside `with` until `_unlock`
        // clears it (also on unwind); the reference does not escape the closure.
        self.value.with_mut(|p| f(unsafe { &mut *p }))
    }

    fn acquire(&self) {
        loop {
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
            while self.locked.load(Ordering::Relaxed) {
                relax();
            }
        }
    }
}

#[cfg(not(loom))]
#[inline(always)]
fn release(locked: &AtomicBool) {
    locked.store(false, Ordering::Release);
}

/// Under loom the unlock is a swap: loom 0.7 can let a later read-modify-write (our acquire
/// CAS) read a value older than a plain store, reporting a lock that is never released.
/// A swap is the same operation for the memory model.
#[cfg(loom)]
fn release(locked: &AtomicBool) {
    locked.swap(false, Ordering::Release);
}

#[cfg(not(loom))]
#[inline(always)]
fn relax() {
    core::hint::spin_loop();
}

#[cfg(loom)]
fn relax() {
    loom::thread::yield_now();
}
