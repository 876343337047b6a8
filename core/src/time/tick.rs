//! The tick rate of weft's clock, chosen at build time, and conversions between ticks and
//! [`Duration`].
//!
//! See [`TICK_HZ`] for how the rate is chosen.

use core::time::Duration;

#[cfg(any(
    all(feature = "tick-hz-1_000", feature = "tick-hz-32_768"),
    all(feature = "tick-hz-1_000", feature = "tick-hz-1_000_000"),
    all(feature = "tick-hz-1_000", feature = "tick-hz-1_000_000_000"),
    all(feature = "tick-hz-32_768", feature = "tick-hz-1_000_000"),
    all(feature = "tick-hz-32_768", feature = "tick-hz-1_000_000_000"),
    all(feature = "tick-hz-1_000_000", feature = "tick-hz-1_000_000_000"),
))]
compile_error!("weft-core: more than one `tick-hz-*` feature is enabled; enable exactly one (or none for 1 MHz)");

#[cfg(feature = "tick-hz-1_000")]
const RATE: u64 = 1_000;
#[cfg(feature = "tick-hz-32_768")]
const RATE: u64 = 32_768;
#[cfg(feature = "tick-hz-1_000_000_000")]
const RATE: u64 = 1_000_000_000;
#[cfg(not(any(
    feature = "tick-hz-1_000",
    feature = "tick-hz-32_768",
    feature = "tick-hz-1_000_000_000"
)))]
const RATE: u64 = 1_000_000;

/// Ticks per second of weft's clock.
///
/// # Choosing the tick rate
///
/// Time drivers count in *ticks*. How long a tick is, is decided when `weft-core` is built, by
/// enabling at most one of its cargo features:
///
/// | feature                 | `TICK_HZ`       | one tick | wheel range before overflow epochs |
/// |-------------------------|-----------------|----------|------------------------------------|
/// | `tick-hz-1_000`         | 1 000           | 1 ms     | 2.2 years                          |
/// | `tick-hz-32_768`        | 32 768          | ~30.5 µs | 24 days                            |
/// | *(none)* or `tick-hz-1_000_000` | 1 000 000 | 1 µs  | 19 hours                           |
/// | `tick-hz-1_000_000_000` | 1 000 000 000   | 1 ns     | 68 seconds                         |
///
/// 1 MHz is the default, as in the embedded ecosystem (`embassy-time-driver` also defaults to
/// 1 MHz, so a HAL's driver plugs in without conversion). Pick a rate whose period your hardware
/// timer can count exactly: a 32.768 kHz RTC wants `tick-hz-32_768`. Enable the feature from the
/// final binary (`weft-core = { features = ["tick-hz-32_768"] }`); cargo unifies features, so two
/// crates choosing different rates is a build error rather than a silent mismatch.
///
/// # Rounding
///
/// A [`Duration`] becomes ticks rounded **up** ([`duration_to_ticks_ceil`]), so a sleep never
/// ends early; ticks become a [`Duration`] rounded **down** ([`ticks_to_duration`]), so an
/// elapsed time is never overstated. With the three decimal rates both directions are exact
/// for whole ticks.
///
/// ```
/// use weft_core::time::TICK_HZ;
/// assert!([1_000, 32_768, 1_000_000, 1_000_000_000].contains(&TICK_HZ));
/// ```
pub const TICK_HZ: u64 = RATE;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Converts a duration to ticks, rounding up; `None` if it does not fit in a `u64`.
///
/// ```
/// use weft_core::time::{duration_to_ticks_ceil, TICK_HZ};
/// use core::time::Duration;
/// assert_eq!(duration_to_ticks_ceil(Duration::from_secs(2)), Some(2 * TICK_HZ));
/// assert_eq!(duration_to_ticks_ceil(Duration::ZERO), Some(0));
/// assert_eq!(duration_to_ticks_ceil(Duration::MAX), None);
/// ```
pub const fn duration_to_ticks_ceil(d: Duration) -> Option<u64> {
    let Some(whole) = d.as_secs().checked_mul(TICK_HZ) else {
        return None;
    };
    // subsec_nanos < 1e9 and TICK_HZ <= 1e9, so the product is < 1e18 and fits in a u64.
    let frac = (d.subsec_nanos() as u64 * TICK_HZ).div_ceil(NANOS_PER_SEC);
    whole.checked_add(frac)
}

/// Converts a duration to ticks, rounding up and saturating at `u64::MAX`.
///
/// ```
/// use weft_core::time::{duration_to_ticks_saturating, TICK_HZ};
/// use core::time::Duration;
/// assert_eq!(duration_to_ticks_saturating(Duration::from_secs(1)), TICK_HZ);
/// assert_eq!(duration_to_ticks_saturating(Duration::MAX), u64::MAX);
/// ```
pub const fn duration_to_ticks_saturating(d: Duration) -> u64 {
    match duration_to_ticks_ceil(d) {
        Some(t) => t,
        None => u64::MAX,
    }
}

/// Converts a duration to ticks, rounding **down** and saturating at `u64::MAX`: what a clock's
/// `now()` should use (a clock that rounds up runs ahead of real time and fires timers up to a
/// tick early).
///
/// ```
/// use weft_core::time::{duration_to_ticks_floor, TICK_HZ};
/// use core::time::Duration;
/// assert_eq!(duration_to_ticks_floor(Duration::from_secs(1)), TICK_HZ);
/// assert_eq!(duration_to_ticks_floor(Duration::from_nanos(1)), u64::from(TICK_HZ == 1_000_000_000));
/// assert_eq!(duration_to_ticks_floor(Duration::MAX), u64::MAX);
/// ```
pub const fn duration_to_ticks_floor(d: Duration) -> u64 {
    let whole = d.as_secs().saturating_mul(TICK_HZ);
    // subsec_nanos < 1e9 and TICK_HZ <= 1e9: the product fits in a u64.
    let frac = d.subsec_nanos() as u64 * TICK_HZ / NANOS_PER_SEC;
    whole.saturating_add(frac)
}

/// Converts ticks to a duration, rounding down to whole nanoseconds.
///
/// ```
/// use weft_core::time::{ticks_to_duration, TICK_HZ};
/// use core::time::Duration;
/// assert_eq!(ticks_to_duration(3 * TICK_HZ), Duration::from_secs(3));
/// ```
pub const fn ticks_to_duration(ticks: u64) -> Duration {
    let secs = ticks / TICK_HZ;
    // rem < TICK_HZ <= 1e9, so rem * 1e9 < 1e18 fits.
    let nanos = (ticks % TICK_HZ) * NANOS_PER_SEC / TICK_HZ;
    Duration::new(secs, nanos as u32)
}

/// Converts ticks to a duration, rounding up to whole nanoseconds (for park timeouts: waking a
/// nanosecond late is harmless, waking early means parking again).
///
/// ```
/// use weft_core::time::{ticks_to_duration_ceil, TICK_HZ};
/// use core::time::Duration;
/// assert_eq!(ticks_to_duration_ceil(TICK_HZ / 2), Duration::from_millis(500));
/// ```
pub const fn ticks_to_duration_ceil(ticks: u64) -> Duration {
    let secs = ticks / TICK_HZ;
    let nanos = ((ticks % TICK_HZ) * NANOS_PER_SEC).div_ceil(TICK_HZ);
    if nanos >= NANOS_PER_SEC {
        Duration::new(secs + 1, 0)
    } else {
        Duration::new(secs, nanos as u32)
    }
}
