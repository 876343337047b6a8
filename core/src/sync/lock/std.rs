//! `Lock` on hosts with `std`: a `std::sync::Mutex`.
//!
//! The std mutex is futex-based: uncontended lock/unlock is one atomic each, and a contended
//! thread sleeps instead of spinning, which matters on an oversubscribed server. Poisoning is
//! ignored: the sections run by the primitives only move values and wakers and leave the state
//! consistent at every step, so a panic inside one (e.g. from a `Waker::clone`) cannot leave
//! a half-updated state behind.

/// A mutual-exclusion lock around the state of one primitive; see [`super`].
#[derive(Debug)]
pub(crate) struct Lock<T>(std::sync::Mutex<T>);

impl<T> Lock<T> {
    /// Creates an unlocked lock.
    pub(crate) const fn new(value: T) -> Self {
        Lock(std::sync::Mutex::new(value))
    }

    /// Runs `f` with exclusive access to the state.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}
