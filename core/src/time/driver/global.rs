//! The process-wide driver, registered once.
//!
//! Registration happens under a critical section (rare, and needs no compare-and-swap, so it
//! works on thumbv6m); reads are a single `Acquire` load. This uses `portable_atomic` directly
//! rather than `crate::loom`: it is set-once configuration, not a concurrent algorithm.

use core::cell::UnsafeCell;
use core::fmt;

use portable_atomic::{AtomicBool, Ordering};

use super::TimeDriver;

struct Global {
    set: AtomicBool,
    driver: UnsafeCell<Option<&'static dyn TimeDriver>>,
}

// SAFETY: `driver` is written once, inside a critical section, before `set` is stored with
// `Release`; it is read only after `set` was loaded `true` with `Acquire`, and never written
// again.
unsafe impl Sync for Global {}

static GLOBAL: Global = Global {
    set: AtomicBool::new(false),
    driver: UnsafeCell::new(None),
};

/// Registers the process-wide time driver, used where no thread-local driver is set (bare
/// metal, or std code outside any runtime). Can be done once.
///
/// ```
/// use weft_core::time::{driver::{self, WheelDriver}, Clock};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
///
/// driver::set_global(&TIME).unwrap();
/// assert!(driver::set_global(&TIME).is_err());
/// assert!(driver::try_current().is_some());
/// ```
pub fn set_global(driver: &'static dyn TimeDriver) -> Result<(), SetGlobalError> {
    critical_section::with(|_| {
        if GLOBAL.set.load(Ordering::Acquire) {
            return Err(SetGlobalError(()));
        }
        // SAFETY: inside the critical section and before `set` is true, nobody else reads or
        // writes `driver`.
        unsafe { *GLOBAL.driver.get() = Some(driver) };
        GLOBAL.set.store(true, Ordering::Release);
        Ok(())
    })
}

pub(super) fn get() -> Option<&'static dyn TimeDriver> {
    if GLOBAL.set.load(Ordering::Acquire) {
        // SAFETY: `set` is true, so `driver` was written before and is never written again.
        unsafe { *GLOBAL.driver.get() }
    } else {
        None
    }
}

/// The error of [`set_global`]: a global driver was already registered.
///
/// ```
/// use weft_core::time::driver::SetGlobalError;
/// fn explain(e: SetGlobalError) -> String { e.to_string() }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetGlobalError(());

impl fmt::Display for SetGlobalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a global time driver is already registered")
    }
}

impl core::error::Error for SetGlobalError {}
