//! [`Timeout`], [`timeout`] and [`timeout_at`].

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use super::driver::current;
use super::{Instant, Sleep};

/// Requires `future` to complete within `duration`.
///
/// The future is polled first, so one that is already ready returns its value even with a zero
/// duration. When the deadline passes first, the future is **dropped at once** (not when the
/// `Timeout` is dropped) and [`Elapsed`] is returned.
///
/// # Panics
///
/// If there is no time driver.
///
/// ```
/// use std::{future::Future, pin::pin, sync::Arc, task::{Context, Poll, Waker}};
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, timeout, Clock, Duration};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
///
/// let mut t = pin!(timeout(Duration::ZERO, async { 7 }));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert_eq!(t.as_mut().poll(&mut cx), Poll::Ready(Ok(7)));
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    current().timeout(duration, future)
}

/// Requires `future` to complete before `deadline` (see [`timeout`]).
///
/// # Panics
///
/// If there is no time driver.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, timeout_at, Clock, Instant};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
/// let t = timeout_at(Instant::from_ticks(50), async {});
/// assert_eq!(t.deadline(), Instant::from_ticks(50));
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    current().timeout_at(deadline, future)
}

/// The error of a [`Timeout`] whose deadline passed first.
///
/// ```
/// use weft_core::time::Elapsed;
/// fn describe(e: Elapsed) -> String { e.to_string() } // "deadline has elapsed"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl core::error::Error for Elapsed {}

#[cfg(feature = "std")]
impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}

/// The future returned by [`timeout`] and [`timeout_at`]: `Ok(output)` if the inner future
/// finished first, `Err(Elapsed)` if the deadline did (the inner future is then dropped
/// immediately).
///
/// ```
/// use std::{future::Future, pin::pin, sync::Arc, task::{Context, Poll, Waker}};
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let time = Arc::new(WheelDriver::new(Zero));
/// let handle = Handle::from_arc(time.clone());
/// let mut t = pin!(handle.timeout(Duration::from_micros(5), std::future::pending::<()>()));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(t.as_mut().poll(&mut cx).is_pending());
/// time.advance(u64::MAX);
/// assert!(matches!(t.as_mut().poll(&mut cx), Poll::Ready(Err(_))));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Timeout<F> {
    /// `None` once the future completed or was dropped on expiry.
    value: Option<F>,
    delay: Sleep,
}

impl<F> Timeout<F> {
    pub(crate) fn new(value: F, delay: Sleep) -> Self {
        Timeout {
            value: Some(value),
            delay,
        }
    }

    /// The deadline.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let t = Handle::from_static(&TIME).timeout_at(Instant::from_ticks(4), async {});
    /// assert_eq!(t.deadline(), Instant::from_ticks(4));
    /// ```
    pub fn deadline(&self) -> Instant {
        self.delay.deadline()
    }

    /// The inner future, unless it already completed or was dropped on expiry.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let t = Handle::from_static(&TIME).timeout(Duration::from_secs(1), async {});
    /// assert!(t.get_ref().is_some());
    /// ```
    pub fn get_ref(&self) -> Option<&F> {
        self.value.as_ref()
    }

    /// Takes the inner future back (if it has not completed or been dropped).
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let t = Handle::from_static(&TIME).timeout(Duration::from_secs(1), std::future::ready(3));
    /// assert!(t.into_inner().is_some());
    /// ```
    pub fn into_inner(self) -> Option<F> {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of both fields: neither is moved out while pinned; `value`
        // is only dropped in place (`Pin::set`).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let mut value = unsafe { Pin::new_unchecked(&mut this.value) };
        let Some(fut) = value.as_mut().as_pin_mut() else {
            panic!("`Timeout` polled after completion");
        };
        if let Poll::Ready(out) = fut.poll(cx) {
            value.set(None);
            return Poll::Ready(Ok(out));
        }
        // SAFETY: see above.
        let delay = unsafe { Pin::new_unchecked(&mut this.delay) };
        match delay.poll(cx) {
            Poll::Ready(()) => {
                value.set(None);
                Poll::Ready(Err(Elapsed(())))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("delay", &self.delay)
            .field("done", &self.value.is_none())
            .finish()
    }
}
