//! [`Instant`]: a point on the time driver's tick timeline.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};
use core::time::Duration;

use super::tick::{duration_to_ticks_ceil, ticks_to_duration};

/// A measurement of the current time driver's monotonic clock, in ticks of [`TICK_HZ`].
///
/// Unlike `std::time::Instant` it is a plain tick count, so it works without an operating system,
/// can be built from a raw driver value ([`Instant::from_ticks`]) and has well defined
/// [`MIN`](Instant::MIN)/[`MAX`](Instant::MAX). Arithmetic with a [`Duration`] rounds the
/// duration **up** to whole ticks, so `now + d` is never earlier than `d` from now.
///
/// Checked (`checked_add`, `checked_sub`, `checked_duration_since`) and saturating
/// (`saturating_add`, `saturating_sub`, `saturating_duration_since`) forms are provided; the
/// operators `+`/`-` with a `Duration` panic on overflow like integer arithmetic, and
/// `Instant - Instant` saturates to zero like `std::time::Instant` does.
///
/// ```
/// use weft_core::time::{Instant, Duration, TICK_HZ};
/// let start = Instant::from_ticks(10 * TICK_HZ);
/// let later = start + Duration::from_secs(2);
/// assert_eq!(later - start, Duration::from_secs(2));
/// assert_eq!(start - later, Duration::ZERO); // saturates
/// assert_eq!(Instant::MAX.checked_add(Duration::from_secs(1)), None);
/// ```
///
/// [`TICK_HZ`]: super::TICK_HZ
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    ticks: u64,
}

impl Instant {
    /// The earliest representable instant (tick 0).
    ///
    /// ```
    /// use weft_core::time::Instant;
    /// assert_eq!(Instant::MIN.as_ticks(), 0);
    /// ```
    pub const MIN: Instant = Instant { ticks: 0 };

    /// The latest representable instant (tick `u64::MAX`); used as "never" by saturating
    /// arithmetic, e.g. `sleep(Duration::MAX)`.
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration};
    /// assert_eq!(Instant::MIN.saturating_add(Duration::MAX), Instant::MAX);
    /// ```
    pub const MAX: Instant = Instant { ticks: u64::MAX };

    /// The current time of the [current driver](super::driver::current).
    ///
    /// # Panics
    ///
    /// If no time driver is installed (see [`driver::current`](super::driver::current)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock, Instant};
    ///
    /// struct Fixed;
    /// impl Clock for Fixed { fn now(&self) -> u64 { 42 } }
    ///
    /// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Fixed))));
    /// assert_eq!(Instant::now().as_ticks(), 42);
    /// ```
    pub fn now() -> Instant {
        Instant::from_ticks(super::driver::with_current(|d| d.now()))
    }

    /// The instant `ticks` ticks after the driver's epoch.
    ///
    /// ```
    /// use weft_core::time::Instant;
    /// assert_eq!(Instant::from_ticks(7).as_ticks(), 7);
    /// ```
    pub const fn from_ticks(ticks: u64) -> Instant {
        Instant { ticks }
    }

    /// The tick count of this instant.
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration, TICK_HZ};
    /// assert_eq!((Instant::MIN + Duration::from_secs(1)).as_ticks(), TICK_HZ);
    /// ```
    pub const fn as_ticks(self) -> u64 {
        self.ticks
    }

    /// `self + d`, or `None` on overflow.
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration};
    /// assert!(Instant::MIN.checked_add(Duration::from_secs(1)).is_some());
    /// assert_eq!(Instant::MAX.checked_add(Duration::from_nanos(1)), None);
    /// ```
    pub const fn checked_add(self, d: Duration) -> Option<Instant> {
        match duration_to_ticks_ceil(d) {
            Some(t) => match self.ticks.checked_add(t) {
                Some(ticks) => Some(Instant { ticks }),
                None => None,
            },
            None => None,
        }
    }

    /// `self - d`, or `None` if that is before [`Instant::MIN`].
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration, TICK_HZ};
    /// let i = Instant::from_ticks(TICK_HZ);
    /// assert_eq!(i.checked_sub(Duration::from_secs(1)), Some(Instant::MIN));
    /// assert_eq!(i.checked_sub(Duration::from_secs(2)), None);
    /// ```
    pub const fn checked_sub(self, d: Duration) -> Option<Instant> {
        match duration_to_ticks_ceil(d) {
            Some(t) => match self.ticks.checked_sub(t) {
                Some(ticks) => Some(Instant { ticks }),
                None => None,
            },
            None => None,
        }
    }

    /// `self + d`, clamped to [`Instant::MAX`].
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration};
    /// assert_eq!(Instant::MAX.saturating_add(Duration::from_secs(1)), Instant::MAX);
    /// ```
    pub const fn saturating_add(self, d: Duration) -> Instant {
        match self.checked_add(d) {
            Some(i) => i,
            None => Instant::MAX,
        }
    }

    /// `self - d`, clamped to [`Instant::MIN`].
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration};
    /// assert_eq!(Instant::from_ticks(1).saturating_sub(Duration::from_secs(1)), Instant::MIN);
    /// ```
    pub const fn saturating_sub(self, d: Duration) -> Instant {
        match self.checked_sub(d) {
            Some(i) => i,
            None => Instant::MIN,
        }
    }

    /// `self + ticks`, or `None` on overflow.
    ///
    /// ```
    /// use weft_core::time::Instant;
    /// assert_eq!(Instant::from_ticks(1).checked_add_ticks(2), Some(Instant::from_ticks(3)));
    /// ```
    pub const fn checked_add_ticks(self, ticks: u64) -> Option<Instant> {
        match self.ticks.checked_add(ticks) {
            Some(ticks) => Some(Instant { ticks }),
            None => None,
        }
    }

    /// The time from `earlier` to `self`, or `None` if `earlier` is later than `self`.
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration, TICK_HZ};
    /// let a = Instant::from_ticks(TICK_HZ);
    /// let b = Instant::from_ticks(3 * TICK_HZ);
    /// assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(2)));
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub const fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        match self.ticks.checked_sub(earlier.ticks) {
            Some(t) => Some(ticks_to_duration(t)),
            None => None,
        }
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later than `self`.
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration};
    /// assert_eq!(Instant::MIN.saturating_duration_since(Instant::MAX), Duration::ZERO);
    /// ```
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        ticks_to_duration(self.ticks.saturating_sub(earlier.ticks))
    }

    /// Same as [`saturating_duration_since`](Self::saturating_duration_since) (the behaviour of
    /// `std::time::Instant::duration_since` since Rust 1.60).
    ///
    /// ```
    /// use weft_core::time::{Instant, Duration, TICK_HZ};
    /// assert_eq!(Instant::from_ticks(TICK_HZ).duration_since(Instant::MIN), Duration::from_secs(1));
    /// ```
    pub const fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time elapsed since `self` according to the current driver.
    ///
    /// # Panics
    ///
    /// If no time driver is installed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock, Instant, Duration, TICK_HZ};
    ///
    /// struct Fixed;
    /// impl Clock for Fixed { fn now(&self) -> u64 { 5 * TICK_HZ } }
    /// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Fixed))));
    /// assert_eq!(Instant::from_ticks(TICK_HZ).elapsed(), Duration::from_secs(4));
    /// ```
    pub fn elapsed(self) -> Duration {
        Instant::now().saturating_duration_since(self)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On overflow; use [`Instant::checked_add`] or [`Instant::saturating_add`] to avoid it.
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d).expect(
            "overflow when adding a duration to an Instant; use checked_add or saturating_add",
        )
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On underflow; use [`Instant::checked_sub`] or [`Instant::saturating_sub`] to avoid it.
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d).expect(
            "overflow when subtracting a duration from an Instant; use checked_sub or saturating_sub",
        )
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// Saturates to zero when `other` is later, like `std::time::Instant`.
    fn sub(self, other: Instant) -> Duration {
        self.saturating_duration_since(other)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant({} ticks)", self.ticks)
    }
}
