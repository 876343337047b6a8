//! Adapter: an `embassy-time-driver` implementation (an embassy HAL's time driver) used as
//! weft's time driver, with no glue code.
//!
//! A HAL registers its driver with `embassy_time_driver::time_driver_impl!`, which links the
//! functions `embassy_time_driver::now()` and `schedule_wake()` to it. [`EmbassyDriver`] is a
//! weft [`TimeDriver`] that calls those functions, so the program only has to install it:
//!
//! ```ignore
//! weft_drivers::embassy::install().unwrap(); // first thing in main
//! // now weft_core::time::sleep / timeout / interval use the HAL's timer
//! ```
//!
//! If embassy's tick rate (its `tick-hz-*` feature) differs from weft's [`TICK_HZ`], times are
//! converted: `now` rounds down and wake-up times round up, so a timer never fires early. The
//! HAL's driver keeps the timers (its own queue), so `Sleep` uses `schedule_wake` here rather
//! than weft's wheel.

use core::task::Waker;

pub use embassy_time_driver;
use weft_core::time::driver::{set_global, Handle, SetGlobalError};
use weft_core::time::{TimeDriver, TICK_HZ};

/// embassy's tick rate.
const EMBASSY_HZ: u64 = embassy_time_driver::TICK_HZ;

/// weft's [`TimeDriver`] on top of the linked embassy time driver.
///
/// ```no_run
/// use weft_core::time::TimeDriver;
/// use weft_drivers::embassy::EmbassyDriver;
/// // (in a program where a HAL provides the embassy driver)
/// let _ticks = EmbassyDriver.now();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbassyDriver;

/// The one instance, for [`set_global`] or [`Handle::from_static`].
///
/// ```no_run
/// weft_core::time::driver::set_global(&weft_drivers::embassy::EMBASSY_DRIVER).unwrap();
/// ```
pub static EMBASSY_DRIVER: EmbassyDriver = EmbassyDriver;

impl TimeDriver for EmbassyDriver {
    #[inline]
    fn now(&self) -> u64 {
        from_embassy_ticks(embassy_time_driver::now())
    }

    #[inline]
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        embassy_time_driver::schedule_wake(to_embassy_ticks(at), waker)
    }
}

/// Registers [`EMBASSY_DRIVER`] as weft's global time driver.
///
/// ```no_run
/// weft_drivers::embassy::install().expect("a time driver was already installed");
/// ```
#[inline]
pub fn install() -> Result<(), SetGlobalError> {
    set_global(&EMBASSY_DRIVER)
}

/// A handle to [`EMBASSY_DRIVER`] (to create timers on it without installing it globally).
///
/// ```no_run
/// use weft_core::time::Duration;
/// let _sleep = weft_drivers::embassy::handle().sleep(Duration::from_millis(5));
/// ```
#[inline]
pub fn handle() -> Handle {
    Handle::from_static(&EMBASSY_DRIVER)
}

/// embassy ticks → weft ticks, rounding down.
///
/// ```
/// use weft_drivers::embassy::from_embassy_ticks;
/// assert_eq!(from_embassy_ticks(0), 0);
/// ```
pub const fn from_embassy_ticks(t: u64) -> u64 {
    if EMBASSY_HZ == TICK_HZ {
        t
    } else {
        let v = t as u128 * TICK_HZ as u128 / EMBASSY_HZ as u128;
        if v > u64::MAX as u128 {
            u64::MAX
        } else {
            v as u64
        }
    }
}

/// weft ticks → embassy ticks, rounding up (a wake-up is never early).
///
/// ```
/// use weft_drivers::embassy::{from_embassy_ticks, to_embassy_ticks};
/// assert!(from_embassy_ticks(to_embassy_ticks(12_345)) >= 12_345);
/// ```
pub const fn to_embassy_ticks(t: u64) -> u64 {
    if EMBASSY_HZ == TICK_HZ {
        t
    } else {
        let v = (t as u128 * EMBASSY_HZ as u128).div_ceil(TICK_HZ as u128);
        if v > u64::MAX as u128 {
            u64::MAX
        } else {
            v as u64
        }
    }
}
