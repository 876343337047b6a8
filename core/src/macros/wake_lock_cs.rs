//! The wake-set slot lock without `std`: a critical section.
//!
//! A branch waker may be woken from an interrupt handler. If that handler interrupted code that
//! held a spin lock on the same slot, it would spin forever; a critical section masks the
//! interrupt (or, on a multi-core target, is the platform's global lock) for the few
//! instructions the lock is held. The `RefCell` turns a re-entrant use of one slot (a
//! `Waker::clone` that wakes a branch waker of the same join future; no real waker does that)
//! into a panic instead of two aliasing `&mut`.

use core::cell::RefCell;

/// A value behind a critical section.
#[derive(Debug)]
pub(super) struct SlotLock<T>(critical_section::Mutex<RefCell<T>>);

impl<T> SlotLock<T> {
    pub(super) const fn new(value: T) -> Self {
        SlotLock(critical_section::Mutex::new(RefCell::new(value)))
    }

    /// Runs `f` with exclusive access to the value.
    #[inline]
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        critical_section::with(|cs| f(&mut self.0.borrow_ref_mut(cs)))
    }
}
