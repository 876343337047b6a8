//! Time drivers: the [`TimeDriver`] trait, the wheel-owning [`WheelDriver`], and how `sleep`
//! finds the driver to use ([`current`]).
//!
//! # The trait
//!
//! [`TimeDriver`] has the shape of `embassy_time_driver::Driver`: [`now`](TimeDriver::now) in
//! ticks of [`TICK_HZ`](super::TICK_HZ), monotonic and infallible, and
//! [`schedule_wake(at, &Waker)`](TimeDriver::schedule_wake). Any embassy HAL driver therefore
//! maps onto it one to one (`weft-drivers` has the adapter). A driver may additionally expose a
//! [`TimerQueue`] through [`timer_queue`](TimeDriver::timer_queue): then weft's `Sleep` links
//! the timer entry it carries inside itself into that queue's wheel (O(1), no allocation, exact
//! cancellation on drop) instead of calling `schedule_wake`.
//!
//! # Finding the driver
//!
//! [`current()`] returns a [`Handle`] (a `&'static` or `Arc` reference to a driver):
//!
//! 1. with `std`, the driver installed on *this thread* by [`set_current`] (a runtime does this on
//!    each of its worker threads and inside `block_on`; the returned guard restores the previous
//!    one);
//! 2. otherwise the process-wide driver registered once with [`set_global`] or the
//!    [`time_driver!`](crate::time_driver) macro (bare metal);
//! 3. otherwise it panics: "no time driver: call sleep inside a weft runtime or register one
//!    with weft_core::time_driver!".
//!
//! `sleep`, `timeout` and `interval` capture the handle when they are created (the deadline is
//! computed from its clock), so a `Sleep` keeps working, and is cancelled on the right queue,
//! even if it is later polled or dropped on another thread.
//!
//! # For runtime authors: a per-runtime wheel driver
//!
//! ```
//! use std::sync::Arc;
//! use std::task::Waker;
//! use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock};
//!
//! # struct MyClock; impl Clock for MyClock { fn now(&self) -> u64 { 0 } }
//! // 1. One driver per runtime: a clock plus a lock-protected timer wheel.
//! let time = Arc::new(WheelDriver::new(MyClock));
//! // 2. Wake the parked thread when an earlier deadline appears (any waker with token semantics).
//! # let unpark_waker = Waker::noop().clone();
//! time.set_unpark(Some(unpark_waker));
//! // 3. On every worker thread (and in block_on): make it the current driver.
//! let _guard = driver::set_current(Handle::from_arc(time.clone()));
//! // 4. In the worker that parks:
//! let deadline: Option<u64> = time.next_deadline();   // park timeout = deadline - now
//! // ... park until `deadline` (or until unparked) ...
//! let _woken = time.advance(time.now());              // fires due timers, wakes their tasks
//! # let _ = deadline;
//! ```
//!
//! Notes for the parking worker:
//!
//! * park timeout: `weft_drivers::clock::StdClock::duration_until(deadline)`, or for any clock
//!   [`ticks_to_duration_ceil`](super::ticks_to_duration_ceil)`(deadline.saturating_sub(now))`
//!   (rounded up: waking early would only mean parking again);
//! * `next_deadline()` may be earlier than any timer's deadline: it is the tick at which the
//!   wheel must move far timers to a finer level. `advance` then fires nothing; the worker
//!   parks again with the new `next_deadline()`. A timer always fires at its exact tick if the
//!   driver wakes at every reported deadline;
//! * `advance` wakes tasks (outside the timer lock), so call it where waking is allowed: for a
//!   runtime, after the worker has returned from the park and before it looks for work;
//! * [`WheelDriver::turn`] is `advance(now())`; `weft_drivers::mock::MockClock` is the paused
//!   clock (its docs show the `auto_advance_to` hook for `start_paused`);
//! * the unpark waker is kept until replaced: `set_unpark(None)` at shutdown if it holds the
//!   runtime alive.

use core::fmt;
use core::future::IntoFuture;
use core::task::Waker;
use core::time::Duration;

#[cfg(feature = "alloc")]
use alloc::sync::Arc;

use super::queue::TimerQueue;
use super::{Instant, Sleep, Timeout};

/// A source of time and wakeups, with the shape of `embassy_time_driver::Driver`.
///
/// Implement `now` and `schedule_wake` for a hardware timer (as for embassy), or use
/// [`WheelDriver`], which implements this trait with a [`TimerQueue`] for any [`Clock`].
///
/// ```
/// use core::task::Waker;
/// use weft_core::time::TimeDriver;
///
/// /// A driver for a board with a free-running counter and one compare interrupt.
/// struct Board;
/// impl TimeDriver for Board {
///     fn now(&self) -> u64 { 0 /* read the counter */ }
///     fn schedule_wake(&self, _at: u64, waker: &Waker) {
///         // store the waker in a queue, arm the compare register for the earliest deadline;
///         // here: wake at once (a spurious wakeup, the future re-checks the time).
///         waker.wake_by_ref();
///     }
/// }
/// assert_eq!(Board.now(), 0);
/// assert!(Board.timer_queue().is_none());
/// ```
pub trait TimeDriver: Send + Sync {
    /// The current time in ticks of [`TICK_HZ`](super::TICK_HZ). Must be monotonic, must not
    /// overflow in the device's lifetime, and must never fail (return 0 before the hardware is
    /// initialised).
    fn now(&self) -> u64;

    /// Wakes `waker` at tick `at` or later (if `at` is in the past, soon). The driver may wake
    /// it earlier; the future re-checks [`now`](Self::now).
    fn schedule_wake(&self, at: u64, waker: &Waker);

    /// The queue this driver keeps intrusive timers in, if it has one. `Sleep` links its own
    /// entry into it (no allocation) instead of calling `schedule_wake`. Default: `None`.
    fn timer_queue(&self) -> Option<&TimerQueue> {
        None
    }
}

/// A monotonic tick counter, the part of a driver that reads the time.
///
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use weft_core::time::Clock;
///
/// struct Counter(AtomicU64);
/// impl Clock for Counter {
///     fn now(&self) -> u64 { self.0.load(Ordering::Relaxed) }
/// }
/// assert_eq!(Counter(AtomicU64::new(3)).now(), 3);
/// ```
pub trait Clock: Send + Sync {
    /// The current time in ticks of [`TICK_HZ`](super::TICK_HZ) (monotonic, infallible).
    fn now(&self) -> u64;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> u64 {
        (**self).now()
    }
}

#[cfg(feature = "alloc")]
impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> u64 {
        (**self).now()
    }
}

#[cfg(feature = "alloc")]
impl<C: Clock + ?Sized> Clock for alloc::boxed::Box<C> {
    fn now(&self) -> u64 {
        (**self).now()
    }
}

/// A [`TimeDriver`] made of a [`Clock`] and a [`TimerQueue`]: the driver a runtime (or a
/// bare-metal executor) owns and drives.
///
/// Someone must call [`advance`](Self::advance) when time passes: the parked worker after its
/// park returns (park timeout from [`next_deadline`](Self::next_deadline)), or an alarm
/// interrupt. See the [module docs](self) for the full recipe.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use std::future::Future;
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, TICK_HZ};
///
/// struct Manual(AtomicU64);
/// impl Clock for Manual { fn now(&self) -> u64 { self.0.load(Ordering::Relaxed) } }
///
/// let time = Arc::new(WheelDriver::new(Manual(AtomicU64::new(0))));
/// let handle = Handle::from_arc(time.clone());
/// let mut sleep = pin!(handle.sleep(Duration::from_secs(1)));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(sleep.as_mut().poll(&mut cx).is_pending());
/// // The deadline, or an earlier tick at which the wheel moves the timer to a finer level.
/// assert!(time.next_deadline().unwrap() <= TICK_HZ);
///
/// time.clock().0.store(TICK_HZ, Ordering::Relaxed);
/// assert_eq!(time.turn(), 1);
/// assert_eq!(sleep.as_mut().poll(&mut cx), Poll::Ready(()));
/// ```
pub struct WheelDriver<C: ?Sized> {
    queue: TimerQueue,
    clock: C,
}

impl<C> WheelDriver<C> {
    /// A driver reading `clock`, with an empty wheel (usable in a `static`).
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// assert_eq!(TIME.next_deadline(), None);
    /// ```
    #[cfg(not(loom))]
    pub const fn new(clock: C) -> Self {
        WheelDriver {
            queue: TimerQueue::new(),
            clock,
        }
    }

    /// A driver reading `clock`, with an empty wheel.
    #[cfg(loom)]
    pub fn new(clock: C) -> Self {
        WheelDriver {
            queue: TimerQueue::new(),
            clock,
        }
    }
}

impl<C: Clock + ?Sized> WheelDriver<C> {
    /// The clock.
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Seven;
    /// impl Clock for Seven { fn now(&self) -> u64 { 7 } }
    /// assert_eq!(WheelDriver::new(Seven).clock().now(), 7);
    /// ```
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The timer queue.
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// assert!(WheelDriver::new(Zero).queue().is_empty());
    /// ```
    pub fn queue(&self) -> &TimerQueue {
        &self.queue
    }

    /// The current time of the clock, in ticks.
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Seven;
    /// impl Clock for Seven { fn now(&self) -> u64 { 7 } }
    /// assert_eq!(WheelDriver::new(Seven).now(), 7);
    /// ```
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The tick until which the driver may sleep, `None` if no timer is pending
    /// (see [`TimerQueue::next_deadline`]).
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// assert_eq!(WheelDriver::new(Zero).next_deadline(), None);
    /// ```
    pub fn next_deadline(&self) -> Option<u64> {
        self.queue.next_deadline()
    }

    /// Fires every timer due at `now`, waking the tasks (see [`TimerQueue::advance`]).
    /// Returns the number of wakers woken.
    ///
    /// ```
    /// use core::task::Waker;
    /// use weft_core::time::{driver::WheelDriver, Clock, TimeDriver};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// let time = WheelDriver::new(Zero);
    /// time.schedule_wake(5, Waker::noop());
    /// assert_eq!(time.advance(5), 1);
    /// ```
    pub fn advance(&self, now: u64) -> usize {
        self.queue.advance(now)
    }

    /// Fires every pending timer and refuses new ones (see [`TimerQueue::shutdown`]); for a
    /// runtime that shuts down.
    ///
    /// ```
    /// use core::task::Waker;
    /// use weft_core::time::{driver::WheelDriver, Clock, TimeDriver};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// let time = WheelDriver::new(Zero);
    /// time.schedule_wake(5, Waker::noop());
    /// assert_eq!(time.shutdown(), 1);
    /// ```
    pub fn shutdown(&self) -> usize {
        self.queue.shutdown()
    }

    /// `advance(self.now())`.
    ///
    /// ```
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// assert_eq!(WheelDriver::new(Zero).turn(), 0);
    /// ```
    pub fn turn(&self) -> usize {
        self.queue.advance(self.clock.now())
    }

    /// Sets the waker woken when a new earliest deadline is registered (see
    /// [`TimerQueue::set_unpark`]).
    ///
    /// ```
    /// use core::task::Waker;
    /// use weft_core::time::{driver::WheelDriver, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// WheelDriver::new(Zero).set_unpark(Some(Waker::noop().clone()));
    /// ```
    pub fn set_unpark(&self, waker: Option<Waker>) {
        self.queue.set_unpark(waker)
    }
}

impl<C: Clock + ?Sized> TimeDriver for WheelDriver<C> {
    fn now(&self) -> u64 {
        self.clock.now()
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        self.queue.schedule_wake(at, waker)
    }

    fn timer_queue(&self) -> Option<&TimerQueue> {
        Some(&self.queue)
    }
}

impl<C: ?Sized> fmt::Debug for WheelDriver<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WheelDriver")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

/// A reference to a time driver: `&'static` (bare metal, a global) or `Arc` (a runtime's
/// driver, feature `alloc`). Cheap to clone. Timers created through a handle stay bound to
/// that driver.
///
/// ```
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
/// let handle = Handle::from_static(&TIME);
/// assert_eq!(handle.now().as_ticks(), 0);
/// ```
#[derive(Clone)]
pub struct Handle {
    inner: HandleInner,
}

#[derive(Clone)]
enum HandleInner {
    Static(&'static dyn TimeDriver),
    #[cfg(feature = "alloc")]
    Shared(Arc<dyn TimeDriver>),
}

impl Handle {
    /// A handle to a driver that lives forever.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let _ = Handle::from_static(&TIME);
    /// ```
    pub const fn from_static(driver: &'static dyn TimeDriver) -> Handle {
        Handle {
            inner: HandleInner::Static(driver),
        }
    }

    /// A handle sharing ownership of a driver (a runtime's).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// let time = Arc::new(WheelDriver::new(Zero));
    /// let handle = Handle::from_arc(time.clone());
    /// assert!(handle.driver().timer_queue().is_some());
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_arc(driver: Arc<dyn TimeDriver>) -> Handle {
        Handle {
            inner: HandleInner::Shared(driver),
        }
    }

    /// The driver.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock};
    /// struct Nine;
    /// impl Clock for Nine { fn now(&self) -> u64 { 9 } }
    /// static TIME: WheelDriver<Nine> = WheelDriver::new(Nine);
    /// assert_eq!(Handle::from_static(&TIME).driver().now(), 9);
    /// ```
    pub fn driver(&self) -> &dyn TimeDriver {
        match &self.inner {
            HandleInner::Static(d) => *d,
            #[cfg(feature = "alloc")]
            HandleInner::Shared(d) => &**d,
        }
    }

    /// The driver's current time.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock};
    /// struct Nine;
    /// impl Clock for Nine { fn now(&self) -> u64 { 9 } }
    /// static TIME: WheelDriver<Nine> = WheelDriver::new(Nine);
    /// assert_eq!(Handle::from_static(&TIME).now().as_ticks(), 9);
    /// ```
    pub fn now(&self) -> Instant {
        Instant::from_ticks(self.driver().now())
    }

    /// A [`Sleep`] of `duration` on this driver (like [`sleep`](super::sleep), without needing
    /// a current driver).
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, TICK_HZ};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let sleep = Handle::from_static(&TIME).sleep(Duration::from_secs(1));
    /// assert_eq!(sleep.deadline().as_ticks(), TICK_HZ);
    /// ```
    pub fn sleep(&self, duration: Duration) -> Sleep {
        let deadline = self.now().saturating_add(duration);
        Sleep::new(self.clone(), deadline)
    }

    /// A [`Sleep`] until `deadline` on this driver.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let sleep = Handle::from_static(&TIME).sleep_until(Instant::from_ticks(5));
    /// assert_eq!(sleep.deadline(), Instant::from_ticks(5));
    /// ```
    pub fn sleep_until(&self, deadline: Instant) -> Sleep {
        Sleep::new(self.clone(), deadline)
    }

    /// A [`Timeout`] of `duration` on this driver.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let _t = Handle::from_static(&TIME).timeout(Duration::from_secs(1), async { 1 });
    /// ```
    pub fn timeout<F: IntoFuture>(&self, duration: Duration, future: F) -> Timeout<F::IntoFuture> {
        Timeout::new(future.into_future(), self.sleep(duration))
    }

    /// A [`Timeout`] at `deadline` on this driver.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let _t = Handle::from_static(&TIME).timeout_at(Instant::from_ticks(9), async { 1 });
    /// ```
    pub fn timeout_at<F: IntoFuture>(
        &self,
        deadline: Instant,
        future: F,
    ) -> Timeout<F::IntoFuture> {
        Timeout::new(future.into_future(), self.sleep_until(deadline))
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            HandleInner::Static(_) => "static",
            #[cfg(feature = "alloc")]
            HandleInner::Shared(_) => "shared",
        };
        f.debug_struct("Handle")
            .field("kind", &kind)
            .field("intrusive", &self.driver().timer_queue().is_some())
            .finish()
    }
}

#[cold]
#[track_caller]
fn no_driver() -> ! {
    panic!("no time driver: call sleep inside a weft runtime or register one with weft_core::time_driver!")
}

/// The driver `sleep` would use here, if any (see the [module docs](self) for the lookup order).
///
/// ```
/// // No runtime and no global driver in this doctest:
/// assert!(weft_core::time::driver::try_current().is_none());
/// ```
pub fn try_current() -> Option<Handle> {
    if let Some(h) = local::current() {
        return Some(h);
    }
    global::get().map(Handle::from_static)
}

/// The driver `sleep` uses here: the thread's current driver (std), else the global one.
///
/// # Panics
///
/// "no time driver: call sleep inside a weft runtime or register one with
/// weft_core::time_driver!" when there is neither.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock};
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
/// assert_eq!(driver::current().now().as_ticks(), 0);
/// ```
#[track_caller]
pub fn current() -> Handle {
    match try_current() {
        Some(h) => h,
        None => no_driver(),
    }
}

/// Runs `f` with the current driver without cloning its handle (what `Instant::now` uses).
///
/// # Panics
///
/// Like [`current`] when there is no driver.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, Clock};
/// struct Four;
/// impl Clock for Four { fn now(&self) -> u64 { 4 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Four))));
/// assert_eq!(driver::with_current(|d| d.now()), 4);
/// ```
#[track_caller]
pub fn with_current<R>(f: impl FnOnce(&dyn TimeDriver) -> R) -> R {
    let mut f = Some(f);
    if let Some(r) = local::with(|d| (f.take().expect("called once"))(d)) {
        return r;
    }
    match (global::get(), f) {
        (Some(d), Some(f)) => f(d),
        _ => no_driver(),
    }
}

#[cfg(feature = "std")]
pub use local::{set_current, CurrentGuard};

#[cfg_attr(feature = "std", path = "driver/local_std.rs")]
#[cfg_attr(not(feature = "std"), path = "driver/local_none.rs")]
mod local;

mod global;

pub use global::{set_global, SetGlobalError};

/// Registers a `static` as the process-wide time driver (for targets without a runtime).
///
/// Use it in statement position (typically first thing in `main`): it declares the static and
/// registers it with [`set_global`], panicking if a global driver is already registered.
///
/// ```
/// use weft_core::time::{driver::WheelDriver, Clock, Instant};
///
/// struct Ticks;
/// impl Clock for Ticks { fn now(&self) -> u64 { 1234 } }
///
/// weft_core::time_driver!(static TIME: WheelDriver<Ticks> = WheelDriver::new(Ticks));
/// assert_eq!(Instant::now().as_ticks(), 1234);
/// ```
#[macro_export]
macro_rules! time_driver {
    (static $name:ident : $ty:ty = $init:expr) => {
        static $name: $ty = $init;
        if $crate::time::driver::set_global(&$name).is_err() {
            ::core::panic!("weft_core::time_driver!: a global time driver is already registered");
        }
    };
}
