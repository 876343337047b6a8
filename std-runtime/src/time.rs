//! Time: `sleep`, `timeout`, `interval`, `Instant` — weft-core's, driven by the runtime.
//!
//! Everything in weft-core's `time` module is re-exported here unchanged: the same `sleep`
//! works on a microcontroller and on this runtime. The runtime adds the functions that act on
//! *its* clock: [`pause`], [`resume`] and [`advance`], for tests (see also
//! [`Builder::start_paused`](crate::runtime::Builder::start_paused)).
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
//! rt.block_on(async {
//!     let start = weft::time::Instant::now();
//!     weft::time::sleep(Duration::from_secs(3600)).await; // instant: the clock auto-advances
//!     assert!(start.elapsed() >= Duration::from_secs(3600));
//! });
//! ```

use core::pin::Pin;
use core::task::{Context, Poll};

use crate::runtime::context;
pub use weft_core::time::*;
// `Interval` on std is the boxed, `Unpin` wrapper below; the core's pinned one stays reachable.
pub use weft_core::time::Interval as PinnedInterval;

/// A stream of ticks every `period`, the first one immediately — as in tokio, `tick` takes
/// `&mut self`.
///
/// On std the interval is boxed once at creation so it is `Unpin` and can live in a struct or
/// a `select!` loop without pinning; weft-core's allocation-free, pinned version is
/// [`PinnedInterval`] (what `interval` returns on bare metal).
///
/// ```
/// use std::time::Duration;
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut ticks = weft::time::interval(Duration::from_millis(10));
///     let first = ticks.tick().await;
///     let third = { ticks.tick().await; ticks.tick().await };
///     assert_eq!(third - first, Duration::from_millis(20));
/// });
/// ```
///
/// # Panics
/// If `period` is zero, or outside a runtime (no time driver).
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    Interval(Box::pin(weft_core::time::interval(period)))
}

/// Like [`interval`], with the first tick at `start`.
///
/// ```
/// use std::time::Duration;
/// use weft::time::Instant;
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now() + Duration::from_secs(1);
///     let mut ticks = weft::time::interval_at(start, Duration::from_secs(1));
///     assert_eq!(ticks.tick().await, start);
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    Interval(Box::pin(weft_core::time::interval_at(start, period)))
}

/// Ticks at a fixed period (see [`interval`]). Implements `futures_core::Stream`.
#[derive(Debug)]
pub struct Interval(Pin<Box<PinnedInterval>>);

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    ///
    /// See [`interval`] for an example.
    pub async fn tick(&mut self) -> Instant {
        self.0.as_mut().tick().await
    }

    /// Polls for the next tick.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut ticks = weft::time::interval(Duration::from_secs(1));
    ///     std::future::poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        self.0.as_mut().poll_tick(cx)
    }

    /// Restarts the period from now: the next tick is one `period` away.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut ticks = weft::time::interval(Duration::from_secs(1));
    ///     ticks.reset();
    ///     assert!(ticks.next_tick() > weft::time::Instant::now());
    /// });
    /// ```
    pub fn reset(&mut self) {
        self.0.as_mut().reset()
    }

    /// The instant of the next tick.
    ///
    /// See [`Interval::reset`] for an example.
    pub fn next_tick(&self) -> Instant {
        self.0.next_tick()
    }

    /// The period.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     assert_eq!(weft::time::interval(Duration::from_secs(2)).period(), Duration::from_secs(2));
    /// });
    /// ```
    pub fn period(&self) -> Duration {
        self.0.period()
    }

    /// What happens to ticks that were missed because the task was late.
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::time::MissedTickBehavior;
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut ticks = weft::time::interval(Duration::from_secs(1));
    ///     ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    ///     assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// });
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.0.missed_tick_behavior()
    }

    /// Sets the missed-tick behaviour (see [`MissedTickBehavior`]).
    ///
    /// See [`Interval::missed_tick_behavior`] for an example.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.0.as_mut().set_missed_tick_behavior(behavior)
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.0.as_mut().poll_next(cx)
    }
}

fn with_clock<R>(what: &str, f: impl FnOnce(&crate::runtime::time::TimeDriver) -> R) -> R {
    context::with_current(|h| match h.and_then(|h| h.driver().time()) {
        Some(t) => f(t),
        None => panic!(
            "`weft::time::{what}` called outside a weft runtime: call it from inside `block_on` \
             or a task"
        ),
    })
}

/// Freezes the current runtime's clock: from now on time moves only through [`advance`], or
/// by jumping to the next timer when the runtime is idle.
///
/// # Panics
/// Outside a runtime, and on the multi-thread flavor (as `Builder::start_paused` does).
///
/// ```
/// use std::time::Duration;
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     weft::time::pause();
///     let t = weft::time::Instant::now();
///     assert_eq!(weft::time::Instant::now(), t);
///     weft::time::resume();
/// });
/// ```
#[track_caller]
pub fn pause() {
    let multi_thread = context::with_current(|h| {
        h.is_some_and(|h| h.flavor() == crate::runtime::RuntimeFlavor::MultiThread)
    });
    assert!(
        !multi_thread,
        "`weft::time::pause` needs the current-thread flavor: with several workers, an idle \
         worker would jump the paused clock to the next timer while another worker is still \
         running a task. Use `Builder::new_current_thread()` (or `#[weft::test]`, which is \
         current-thread by default)"
    );
    with_clock("pause", |t| t.clock().pause())
}

/// Lets the current runtime's clock run again.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async { weft::time::resume() });
/// ```
#[track_caller]
pub fn resume() {
    with_clock("resume", |t| t.clock().resume())
}

/// Moves the current runtime's clock forward by `duration`, fires the timers that became due,
/// and yields so the woken tasks can run.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// use std::time::Duration;
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let t = weft::time::Instant::now();
///     weft::time::advance(Duration::from_secs(5)).await;
///     assert_eq!(t.elapsed(), Duration::from_secs(5));
/// });
/// ```
pub async fn advance(duration: Duration) {
    with_clock("advance", |t| {
        t.clock().advance(duration);
        t.advance(weft_core::time::Clock::now(t.clock()));
    });
    weft_core::task::yield_now().await;
}
