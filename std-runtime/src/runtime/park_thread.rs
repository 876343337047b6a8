//! Parking a thread on a condvar: the fallback driver and the `block_on` waiter.
//!
//! # Design
//!
//! A three-state word (`EMPTY`, `PARKED`, `NOTIFIED`) in front of a mutex and condvar, the
//! classic "sticky notification" parker: an `unpark` that arrives before `park` is remembered
//! in `NOTIFIED` and makes the next `park` return at once, so a waker that fires between "I saw
//! no work" and "I went to sleep" is never lost. `park` consumes the notification.
//!
//! The waiter only sleeps on the condvar after moving `EMPTY -> PARKED` *while holding the
//! mutex*; the unparker swaps in `NOTIFIED` and, if it saw `PARKED`, takes the mutex before
//! signalling. The mutex orders the two, so the signal cannot fall between the waiter's state
//! change and its `wait`. Spurious condvar wake-ups loop back into `wait`.
use std::task::{RawWaker, RawWakerVTable, Waker};
use std::time::Duration;

use crate::loom::lock;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// A thread parker. Clones share the same notification.
#[derive(Clone)]
pub struct ParkThread {
    inner: Arc<Inner>,
}

/// The notifying half of a [`ParkThread`].
#[derive(Clone)]
pub struct UnparkThread {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ParkThread {
    /// A parker with no pending notification.
    pub fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    /// The notifying half.
    pub fn unpark_handle(&self) -> UnparkThread {
        UnparkThread {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until notified (returns at once if a notification is pending).
    pub fn park(&self) {
        self.inner.park(None);
    }

    /// Blocks until notified or until `d` elapses; `true` if a notification was consumed.
    pub fn park_timeout(&self, d: Duration) -> bool {
        self.inner.park(Some(d))
    }
}

impl Default for ParkThread {
    fn default() -> Self {
        Self::new()
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) -> bool {
        // Fast path: consume a pending notification.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return true;
        }
        if timeout == Some(Duration::ZERO) {
            return false;
        }
        let mut guard = lock(&self.mutex);
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Notified while we took the lock.
                let old = self.state.swap(EMPTY, SeqCst);
                debug_assert_eq!(old, NOTIFIED);
                return true;
            }
            Err(actual) => panic!("inconsistent park state {actual}"),
        }
        match timeout {
            None => loop {
                guard = match self.condvar.wait(guard) {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                if self
                    .state
                    .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                    .is_ok()
                {
                    return true;
                }
                // Spurious wake-up: wait again.
            },
            Some(d) => {
                let (_g, _) = match self.condvar.wait_timeout(guard, d) {
                    Ok(r) => r,
                    Err(p) => p.into_inner(),
                };
                // Timed out, notified or spurious: in every case leave the parked state and
                // consume a notification if one arrived.
                self.state.swap(EMPTY, SeqCst) == NOTIFIED
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock orders us after the waiter's `wait` began (see module docs).
                drop(lock(&self.mutex));
                self.condvar.notify_one();
            }
            actual => panic!("inconsistent park state {actual}"),
        }
    }
}

impl UnparkThread {
    /// Wakes the parked thread, or makes its next `park` return at once.
    pub fn unpark(&self) {
        self.inner.unpark()
    }

    /// A [`Waker`] that unparks this thread.
    pub fn into_waker(self) -> Waker {
        let raw = Arc::into_raw(self.inner) as *const ();
        // SAFETY: `raw` came from `Arc::into_raw` of an `Arc<Inner>`; the vtable below treats it
        // as such, keeping the counts balanced.
        unsafe { Waker::from_raw(RawWaker::new(raw, &WAKER_VTABLE)) }
    }
}

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

unsafe fn waker_clone(p: *const ()) -> RawWaker {
    // SAFETY: `p` is an `Arc<Inner>` raw pointer owned by the waker being cloned; we add one
    // count for the new waker.
    unsafe { Arc::increment_strong_count(p as *const Inner) };
    RawWaker::new(p, &WAKER_VTABLE)
}

unsafe fn waker_wake(p: *const ()) {
    // SAFETY: consumes the count owned by this waker.
    let inner = unsafe { Arc::from_raw(p as *const Inner) };
    inner.unpark();
}

unsafe fn waker_wake_by_ref(p: *const ()) {
    // SAFETY: the waker owns a count, so the pointee is alive for the duration of the call.
    let inner = unsafe { &*(p as *const Inner) };
    inner.unpark();
}

unsafe fn waker_drop(p: *const ()) {
    // SAFETY: gives back the count owned by this waker.
    drop(unsafe { Arc::from_raw(p as *const Inner) });
}

impl std::fmt::Debug for ParkThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParkThread").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for UnparkThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnparkThread").finish_non_exhaustive()
    }
}
