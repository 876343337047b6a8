//! The timer queue's lock with `std`: a `std::sync::Mutex` per queue.
//!
//! `critical-section`'s std implementation is one process-wide lock; a server with several
//! runtimes and many workers registering timers would serialise on it, so each queue gets its
//! own mutex instead (no interrupt handlers exist on std to require a critical section).

pub(crate) struct Lock<T> {
    inner: std::sync::Mutex<T>,
}

impl<T> Lock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Lock {
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Runs `f` with exclusive access. `f` must not re-enter this lock.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // The queue's invariants hold between statements that can panic (wakers are never
        // invoked under the lock), so a poisoned lock is still consistent.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}
