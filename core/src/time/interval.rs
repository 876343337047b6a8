//! [`Interval`], [`interval`], [`interval_at`] and [`MissedTickBehavior`].

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_core::Stream;

use super::driver::{current, Handle};
use super::tick::{duration_to_ticks_ceil, duration_to_ticks_saturating, ticks_to_duration};
use super::{Instant, Sleep};

/// How late a tick may complete before it counts as missed: the time between the timer firing
/// and the task running. 5 ms, as tokio uses, so scheduling latency on a busy runtime does not
/// shift a `Delay` interval or skip a tick, while a task that really fell behind (or a paused
/// clock that jumped) is caught.
const LATE_THRESHOLD: Duration = Duration::from_millis(5);

/// What an [`Interval`] does when a tick is completed late (more than 5 ms after its deadline:
/// the task was busy, or the clock jumped).
///
/// With period `p`, ticks scheduled at `0, p, 2p, ...` and a tick at `0` observed at time
/// `now = 2.5p`:
///
/// | behaviour | following ticks          |
/// |-----------|--------------------------|
/// | `Burst`   | `p`, `2p` (at once), `3p`, `4p`, ... |
/// | `Delay`   | `3.5p`, `4.5p`, ...      |
/// | `Skip`    | `3p`, `4p`, ...          |
///
/// ```
/// use weft_core::time::MissedTickBehavior;
/// assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Catch up: fire the missed ticks as fast as possible, keeping the original schedule.
    #[default]
    Burst,
    /// Restart the schedule: the next tick is one period after the late one was observed.
    Delay,
    /// Drop the missed ticks: the next tick is the next one of the original schedule that is
    /// not in the past.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline after the tick scheduled at `timeout` was observed at `now`.
    fn next_timeout(self, timeout: Instant, now: Instant, period: u64) -> Instant {
        let on_time = timeout.checked_add_ticks(period).unwrap_or(Instant::MAX);
        let late = now.as_ticks().saturating_sub(timeout.as_ticks());
        if late <= duration_to_ticks_saturating(LATE_THRESHOLD) {
            return on_time;
        }
        match self {
            MissedTickBehavior::Burst => on_time,
            MissedTickBehavior::Delay => now.checked_add_ticks(period).unwrap_or(Instant::MAX),
            MissedTickBehavior::Skip => {
                let into_period = late % period;
                if into_period == 0 {
                    now
                } else {
                    now.checked_add_ticks(period - into_period)
                        .unwrap_or(Instant::MAX)
                }
            }
        }
    }
}

/// A stream of ticks every `period`, the first one immediately.
///
/// # Panics
///
/// If `period` is zero, or if there is no time driver.
///
/// ```
/// use std::{pin::pin, sync::Arc, task::{Context, Poll, Waker}};
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, interval, Clock, Duration, Instant};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
///
/// let mut ticks = pin!(interval(Duration::from_secs(1)));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert_eq!(ticks.as_mut().poll_tick(&mut cx), Poll::Ready(Instant::from_ticks(0)));
/// assert!(ticks.as_mut().poll_tick(&mut cx).is_pending()); // next one in a second
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    let handle = current();
    let start = handle.now();
    Interval::new(handle, start, period)
}

/// A stream of ticks every `period`, the first one at `start`.
///
/// # Panics
///
/// If `period` is zero, or if there is no time driver.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, interval_at, Clock, Duration, Instant};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
/// let ticks = interval_at(Instant::from_ticks(500), Duration::from_secs(1));
/// assert_eq!(ticks.period(), Duration::from_secs(1));
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    Interval::new(current(), start, period)
}

/// Ticks at a fixed period; created by [`interval`] and [`interval_at`]. Also a
/// [`Stream`] of the scheduled tick instants.
///
/// Like [`Sleep`], which it contains, an `Interval` is `!Unpin` so that it needs no allocation
/// on any target: pin it (`core::pin::pin!`, or `Box::pin` to keep it in a struct) and call
/// `tick` through `as_mut()`. Dropping a [`tick`](Self::tick) future before it completes loses
/// no tick.
///
/// ```
/// use std::{pin::pin, sync::Arc, task::{Context, Poll, Waker}};
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, MissedTickBehavior};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let time = Arc::new(WheelDriver::new(Zero));
/// let handle = Handle::from_arc(time.clone());
/// let mut iv = pin!(weft_core::time::Interval::new(handle, Instant::from_ticks(10), Duration::from_micros(10)));
/// iv.as_mut().set_missed_tick_behavior(MissedTickBehavior::Skip);
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(iv.as_mut().poll_tick(&mut cx).is_pending());
/// time.advance(10);
/// assert!(iv.as_mut().poll_tick(&mut cx).is_ready());
/// ```
pub struct Interval {
    delay: Sleep,
    /// In ticks, at least 1.
    period: u64,
    missed: MissedTickBehavior,
}

impl Interval {
    /// An interval on a given driver, first tick at `start` (what [`interval_at`] does with the
    /// current driver).
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let iv = Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_millis(1));
    /// assert_eq!(iv.period(), Duration::from_millis(1));
    /// ```
    pub fn new(handle: Handle, start: Instant, period: Duration) -> Interval {
        assert!(!period.is_zero(), "`interval` period must be non-zero");
        let period = duration_to_ticks_ceil(period).unwrap_or(u64::MAX).max(1);
        Interval {
            delay: handle.sleep_until(start),
            period,
            missed: MissedTickBehavior::default(),
        }
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut Sleep>, u64, &mut MissedTickBehavior) {
        // SAFETY: `delay` is structurally pinned and never moved out; the other fields are
        // plain data.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let delay = unsafe { Pin::new_unchecked(&mut this.delay) };
        (delay, this.period, &mut this.missed)
    }

    /// Polls for the next tick; returns the instant it was *scheduled* for.
    ///
    /// ```
    /// use std::{pin::pin, task::{Context, Poll, Waker}};
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(1)));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(iv.as_mut().poll_tick(&mut cx), Poll::Ready(Instant::MIN));
    /// ```
    pub fn poll_tick(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        let (mut delay, period, missed) = self.project();
        if delay.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let timeout = delay.deadline();
        let now = delay.handle().now();
        let next = missed.next_timeout(timeout, now, period);
        delay.reset(next);
        Poll::Ready(timeout)
    }

    /// Waits for the next tick; returns the instant it was scheduled for.
    ///
    /// ```
    /// use std::{future::Future, pin::pin, task::{Context, Poll, Waker}};
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(1)));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(pin!(iv.as_mut().tick()).poll(&mut cx), Poll::Ready(Instant::MIN));
    /// ```
    pub fn tick(self: Pin<&mut Self>) -> Tick<'_> {
        Tick { interval: self }
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_micros(100)));
    /// iv.as_mut().reset();
    /// assert_eq!(iv.next_tick(), Instant::MIN + Duration::from_micros(100));
    /// ```
    pub fn reset(self: Pin<&mut Self>) {
        let (delay, period, _) = self.project();
        let next = delay
            .handle()
            .now()
            .checked_add_ticks(period)
            .unwrap_or(Instant::MAX);
        delay.reset(next);
    }

    /// Makes the next tick complete immediately; the schedule continues from now.
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::from_ticks(9), Duration::from_secs(1)));
    /// iv.as_mut().reset_immediately();
    /// assert_eq!(iv.next_tick(), Instant::MIN);
    /// ```
    pub fn reset_immediately(self: Pin<&mut Self>) {
        let (delay, _, _) = self.project();
        let now = delay.handle().now();
        delay.reset(now);
    }

    /// Schedules the next tick at `deadline`; the schedule continues from there.
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(1)));
    /// iv.as_mut().reset_at(Instant::from_ticks(77));
    /// assert_eq!(iv.next_tick(), Instant::from_ticks(77));
    /// ```
    pub fn reset_at(self: Pin<&mut Self>, deadline: Instant) {
        let (delay, _, _) = self.project();
        delay.reset(deadline);
    }

    /// The instant the next tick is scheduled for.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let iv = Interval::new(Handle::from_static(&TIME), Instant::from_ticks(3), Duration::from_secs(1));
    /// assert_eq!(iv.next_tick(), Instant::from_ticks(3));
    /// ```
    pub fn next_tick(&self) -> Instant {
        self.delay.deadline()
    }

    /// The period (rounded up to whole ticks).
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let iv = Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(2));
    /// assert_eq!(iv.period(), Duration::from_secs(2));
    /// ```
    pub fn period(&self) -> Duration {
        ticks_to_duration(self.period)
    }

    /// The current [`MissedTickBehavior`] (default `Burst`).
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval, MissedTickBehavior};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let iv = Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(2));
    /// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// Sets the [`MissedTickBehavior`].
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval, MissedTickBehavior};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(2)));
    /// iv.as_mut().set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(self: Pin<&mut Self>, behavior: MissedTickBehavior) {
        *self.project().2 = behavior;
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.poll_tick(cx).map(Some)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("next_tick", &self.delay.deadline())
            .field("period_ticks", &self.period)
            .field("missed_tick_behavior", &self.missed)
            .finish()
    }
}

/// The future returned by [`Interval::tick`].
///
/// ```
/// use std::{future::Future, pin::pin, task::{Context, Waker}};
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant, Interval};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
/// let mut iv = pin!(Interval::new(Handle::from_static(&TIME), Instant::MIN, Duration::from_secs(1)));
/// let tick = iv.as_mut().tick();
/// assert!(pin!(tick).poll(&mut Context::from_waker(Waker::noop())).is_ready());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Tick<'a> {
    interval: Pin<&'a mut Interval>,
}

impl Future for Tick<'_> {
    type Output = Instant;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        self.interval.as_mut().poll_tick(cx)
    }
}

impl fmt::Debug for Tick<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tick")
            .field("interval", &self.interval)
            .finish()
    }
}
