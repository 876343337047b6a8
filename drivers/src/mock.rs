//! A paused clock for tests: time moves only when told, or jumps to the next timer when every
//! task is idle.
//!
//! [`MockClock`] is a [`Clock`]: pair it with a [`WheelDriver`] (or use [`MockDriver`], which
//! does that for you). It is a cheap `Clone` handle to shared state, so a runtime can keep one
//! copy to steer time while the driver owns another.
//!
//! # For runtime authors (`start_paused = true`)
//!
//! Build the runtime's driver as `WheelDriver::new(clock.clone())` (or over an
//! `Arc<dyn Clock>`), and in the worker that is about to park with every task idle:
//!
//! ```
//! # use std::sync::Arc;
//! # use weft_core::time::driver::WheelDriver;
//! # use weft_drivers::mock::MockClock;
//! # let clock = MockClock::new();
//! # let time = Arc::new(WheelDriver::new(clock.clone()));
//! let deadline = time.next_deadline();
//! if clock.auto_advance_to(deadline) {
//!     time.advance(clock.now_ticks());     // fire what is due; do not block
//! } else {
//!     // really park (no timer pending, or auto-advance is off)
//! }
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use weft_core::time::driver::{self, CurrentGuard, Handle, WheelDriver};
use weft_core::time::{duration_to_ticks_saturating, Clock, Instant};

#[derive(Debug)]
struct Inner {
    now: AtomicU64,
    auto_advance: AtomicBool,
}

/// A clock that only moves when told to (see the [module docs](self)).
///
/// ```
/// use weft_core::time::{Clock, Duration, TICK_HZ};
/// use weft_drivers::mock::MockClock;
///
/// let clock = MockClock::new();
/// assert_eq!(clock.now(), 0);
/// clock.advance(Duration::from_secs(2));
/// assert_eq!(clock.now(), 2 * TICK_HZ);
/// ```
#[derive(Debug, Clone)]
pub struct MockClock {
    inner: Arc<Inner>,
}

impl Default for MockClock {
    fn default() -> Self {
        MockClock::new()
    }
}

impl MockClock {
    /// A clock at tick 0 with auto-advance on.
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::new();
    /// assert!(clock.is_auto_advance());
    /// ```
    pub fn new() -> MockClock {
        MockClock::starting_at(0)
    }

    /// A clock at `ticks` with auto-advance on.
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::starting_at(100);
    /// assert_eq!(clock.now_ticks(), 100);
    /// ```
    pub fn starting_at(ticks: u64) -> MockClock {
        MockClock {
            inner: Arc::new(Inner {
                now: AtomicU64::new(ticks),
                auto_advance: AtomicBool::new(true),
            }),
        }
    }

    /// The current tick.
    ///
    /// ```
    /// assert_eq!(weft_drivers::mock::MockClock::new().now_ticks(), 0);
    /// ```
    pub fn now_ticks(&self) -> u64 {
        self.inner.now.load(Ordering::SeqCst)
    }

    /// The current time as an [`Instant`].
    ///
    /// ```
    /// use weft_core::time::Instant;
    /// assert_eq!(weft_drivers::mock::MockClock::new().instant(), Instant::MIN);
    /// ```
    pub fn instant(&self) -> Instant {
        Instant::from_ticks(self.now_ticks())
    }

    /// Moves time forward by `d` (rounded up to ticks, saturating).
    ///
    /// ```
    /// use weft_core::time::{Duration, TICK_HZ};
    /// let clock = weft_drivers::mock::MockClock::new();
    /// clock.advance(Duration::from_millis(1));
    /// assert_eq!(clock.now_ticks(), TICK_HZ / 1000);
    /// ```
    pub fn advance(&self, d: Duration) {
        self.advance_ticks(duration_to_ticks_saturating(d));
    }

    /// Moves time forward by `ticks` (saturating).
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::new();
    /// clock.advance_ticks(5);
    /// assert_eq!(clock.now_ticks(), 5);
    /// ```
    pub fn advance_ticks(&self, ticks: u64) {
        let _ = self
            .inner
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(ticks))
            });
    }

    /// Moves time forward to `ticks` (no effect if already there or later: time never goes
    /// back).
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::new();
    /// clock.advance_to(9);
    /// clock.advance_to(3);
    /// assert_eq!(clock.now_ticks(), 9);
    /// ```
    pub fn advance_to(&self, ticks: u64) {
        self.inner.now.fetch_max(ticks, Ordering::SeqCst);
    }

    /// Turns auto-advance on or off.
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::new();
    /// clock.set_auto_advance(false);
    /// assert!(!clock.auto_advance_to(Some(10)));
    /// assert_eq!(clock.now_ticks(), 0);
    /// ```
    pub fn set_auto_advance(&self, on: bool) {
        self.inner.auto_advance.store(on, Ordering::SeqCst);
    }

    /// Whether auto-advance is on.
    ///
    /// ```
    /// assert!(weft_drivers::mock::MockClock::new().is_auto_advance());
    /// ```
    pub fn is_auto_advance(&self) -> bool {
        self.inner.auto_advance.load(Ordering::SeqCst)
    }

    /// The hook a runtime calls when it is about to park with every task idle, passing its
    /// driver's `next_deadline()`. With auto-advance on and a timer pending, time jumps to that
    /// deadline (if it is in the future) and this returns `true`: the runtime should then call
    /// the driver's `advance(now)` instead of blocking. Returns `false` (time unchanged) when
    /// auto-advance is off or no timer is pending: the runtime should really park.
    ///
    /// ```
    /// let clock = weft_drivers::mock::MockClock::new();
    /// assert!(clock.auto_advance_to(Some(500)));
    /// assert_eq!(clock.now_ticks(), 500);
    /// assert!(!clock.auto_advance_to(None));
    /// ```
    pub fn auto_advance_to(&self, next_deadline: Option<u64>) -> bool {
        match next_deadline {
            Some(d) if self.is_auto_advance() => {
                self.advance_to(d);
                true
            }
            _ => false,
        }
    }
}

impl Clock for MockClock {
    fn now(&self) -> u64 {
        self.now_ticks()
    }
}

/// A [`WheelDriver`] over a [`MockClock`], with helpers that move time *and* fire the timers
/// that became due. For tests that drive futures by hand.
///
/// ```
/// use std::{future::Future, pin::pin, task::{Context, Poll, Waker}};
/// use weft_core::time::Duration;
/// use weft_drivers::mock::MockDriver;
///
/// let time = MockDriver::new();
/// let mut sleep = pin!(time.handle().sleep(Duration::from_secs(5)));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(sleep.as_mut().poll(&mut cx).is_pending());
/// assert_eq!(time.advance(Duration::from_secs(4)), 0);
/// assert_eq!(time.advance(Duration::from_secs(1)), 1);
/// assert_eq!(sleep.as_mut().poll(&mut cx), Poll::Ready(()));
/// ```
#[derive(Debug, Clone)]
pub struct MockDriver {
    clock: MockClock,
    driver: Arc<WheelDriver<MockClock>>,
}

impl Default for MockDriver {
    fn default() -> Self {
        MockDriver::new()
    }
}

impl MockDriver {
    /// A driver at tick 0.
    ///
    /// ```
    /// assert_eq!(weft_drivers::mock::MockDriver::new().clock().now_ticks(), 0);
    /// ```
    pub fn new() -> MockDriver {
        let clock = MockClock::new();
        MockDriver {
            driver: Arc::new(WheelDriver::new(clock.clone())),
            clock,
        }
    }

    /// The clock.
    ///
    /// ```
    /// let time = weft_drivers::mock::MockDriver::new();
    /// time.clock().advance_ticks(3);
    /// assert_eq!(time.clock().now_ticks(), 3);
    /// ```
    pub fn clock(&self) -> &MockClock {
        &self.clock
    }

    /// The wheel driver.
    ///
    /// ```
    /// assert_eq!(weft_drivers::mock::MockDriver::new().driver().next_deadline(), None);
    /// ```
    pub fn driver(&self) -> &Arc<WheelDriver<MockClock>> {
        &self.driver
    }

    /// A handle to the driver.
    ///
    /// ```
    /// assert_eq!(weft_drivers::mock::MockDriver::new().handle().now().as_ticks(), 0);
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::from_arc(self.driver.clone())
    }

    /// Makes this driver current on the calling thread until the guard is dropped, so `sleep`,
    /// `timeout` and `Instant::now` use it.
    ///
    /// ```
    /// let time = weft_drivers::mock::MockDriver::new();
    /// let _guard = time.enter();
    /// assert_eq!(weft_core::time::Instant::now().as_ticks(), 0);
    /// ```
    pub fn enter(&self) -> CurrentGuard {
        driver::set_current(self.handle())
    }

    /// Moves time forward by `d` and fires the timers now due; returns how many wakers were
    /// woken.
    ///
    /// ```
    /// use weft_core::time::Duration;
    /// assert_eq!(weft_drivers::mock::MockDriver::new().advance(Duration::from_secs(1)), 0);
    /// ```
    pub fn advance(&self, d: Duration) -> usize {
        self.clock.advance(d);
        self.driver.advance(self.clock.now_ticks())
    }

    /// Jumps to the next time at which a timer fires (if later than now) and fires the timers
    /// due there; returns the new time, or `None` (time unchanged) if no timer is pending.
    /// Intermediate points at which the wheel only cascades far timers are passed through.
    ///
    /// ```
    /// use weft_core::time::{Duration, Instant};
    /// let time = weft_drivers::mock::MockDriver::new();
    /// assert_eq!(time.advance_to_next(), None);
    /// let mut s = std::pin::pin!(time.handle().sleep(Duration::from_micros(70)));
    /// let _ = std::future::Future::poll(s.as_mut(), &mut std::task::Context::from_waker(std::task::Waker::noop()));
    /// assert_eq!(time.advance_to_next(), Some(Instant::MIN + Duration::from_micros(70)));
    /// assert!(s.is_elapsed());
    /// ```
    pub fn advance_to_next(&self) -> Option<Instant> {
        loop {
            let deadline = self.driver.next_deadline()?;
            self.clock.advance_to(deadline);
            if self.driver.advance(self.clock.now_ticks()) > 0 {
                break;
            }
        }
        Some(self.clock.instant())
    }
}
