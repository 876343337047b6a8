//! The timer queue's lock on targets without `std`: a `critical_section::Mutex`, which is also
//! safe against interrupt handlers (an ISR may fire the wheel or drop a timer).

use core::cell::RefCell;

pub(crate) struct Lock<T> {
    inner: critical_section::Mutex<RefCell<T>>,
}

impl<T> Lock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Lock {
            inner: critical_section::Mutex::new(RefCell::new(value)),
        }
    }

    /// Runs `f` with exclusive access. `f` must not re-enter this lock.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        critical_section::with(|cs| f(&mut self.inner.borrow_ref_mut(cs)))
    }
}
