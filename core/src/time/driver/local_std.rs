//! The per-thread current driver (with `std`).

use core::cell::RefCell;
use core::fmt;
use core::marker::PhantomData;

use super::{Handle, TimeDriver};

std::thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

pub(super) fn current() -> Option<Handle> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|h| h.clone()))
        .ok()
        .flatten()
}

/// Calls `f` with the thread's driver, if there is one.
pub(super) fn with<R>(f: impl FnOnce(&dyn TimeDriver) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| {
            let h = c.try_borrow().ok()?;
            h.as_ref().map(|h| f(h.driver()))
        })
        .ok()
        .flatten()
}

/// Makes `handle` the current time driver of this thread until the returned guard is dropped,
/// which restores the previous one. A runtime calls this on each worker thread and in
/// `block_on`; guards must be dropped in reverse order of creation.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
///
/// assert!(driver::try_current().is_none());
/// {
///     let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
///     assert!(driver::try_current().is_some());
/// }
/// assert!(driver::try_current().is_none());
/// ```
pub fn set_current(handle: Handle) -> CurrentGuard {
    let prev = CURRENT.with(|c| c.borrow_mut().replace(handle));
    CurrentGuard {
        prev,
        _not_send: PhantomData,
    }
}

/// Restores the previous current driver when dropped (returned by [`set_current`]).
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
/// drop(guard);
/// assert!(driver::try_current().is_none());
/// ```
#[must_use = "the driver is current only while the guard lives"]
pub struct CurrentGuard {
    prev: Option<Handle>,
    /// The guard restores a thread-local: it must be dropped on the thread that made it.
    _not_send: PhantomData<*const ()>,
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = prev;
            }
        });
    }
}

impl fmt::Debug for CurrentGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurrentGuard").finish_non_exhaustive()
    }
}
