//! `Lock` without `std`: a `critical_section::Mutex`.
//!
//! On a microcontroller the critical section masks interrupts, so a primitive can be used from
//! an interrupt handler and from tasks alike (the handler cannot preempt a task in the middle of
//! a section). The sections are short (a few pointer updates and at most one `Waker` take), and
//! wakers are always woken after the section ends.

use core::cell::RefCell;

/// A mutual-exclusion lock around the state of one primitive; see [`super`].
#[derive(Debug)]
pub(crate) struct Lock<T>(critical_section::Mutex<RefCell<T>>);

impl<T> Lock<T> {
    /// Creates an unlocked lock.
    pub(crate) const fn new(value: T) -> Self {
        Lock(critical_section::Mutex::new(RefCell::new(value)))
    }

    /// Runs `f` with exclusive access to the state.
    ///
    /// A nested call on the same lock (which would be a bug in this module) panics through
    /// `RefCell` instead of corrupting the state.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        critical_section::with(|cs| f(&mut self.0.borrow_ref_mut(cs)))
    }
}
