//! [`Sleep`], [`sleep`] and [`sleep_until`].

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};
use core::time::Duration;

use super::driver::{current, Handle};
use super::wheel::TimerEntry;
use super::Instant;

/// Waits until `duration` has elapsed on the current time driver.
///
/// The deadline is taken when `sleep` is called, rounded up to whole ticks (never early);
/// `Duration::MAX` and other overflowing durations sleep until [`Instant::MAX`] (forever, in
/// practice).
///
/// # Panics
///
/// If there is no time driver (see [`driver::current`](super::driver::current)).
///
/// ```
/// use std::{future::Future, pin::pin, sync::Arc, task::{Context, Waker}};
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, sleep, Clock, Duration};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let time = Arc::new(WheelDriver::new(Zero));
/// let _guard = driver::set_current(Handle::from_arc(time.clone()));
///
/// let mut s = pin!(sleep(Duration::from_millis(10)));
/// assert!(s.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
/// assert_eq!(time.queue().len(), 1);
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    current().sleep(duration)
}

/// Waits until `deadline` on the current time driver. A deadline that has passed completes at
/// the driver's next turn.
///
/// # Panics
///
/// If there is no time driver.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::time::{driver::{self, Handle, WheelDriver}, sleep_until, Clock, Instant};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let _guard = driver::set_current(Handle::from_arc(Arc::new(WheelDriver::new(Zero))));
/// assert_eq!(sleep_until(Instant::from_ticks(99)).deadline(), Instant::from_ticks(99));
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    current().sleep_until(deadline)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Not registered with the driver.
    Idle,
    /// Linked into the driver's queue (intrusive) or woken through `schedule_wake`.
    Registered,
    /// The deadline was reached; every further poll is `Ready`.
    Elapsed,
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// With a driver that has a [`TimerQueue`](super::TimerQueue) (every weft runtime, any
/// [`WheelDriver`](super::driver::WheelDriver)), the `Sleep` carries its wheel entry inside
/// itself: the first poll links it in O(1) without allocating, later polls only refresh the
/// waker, and dropping the `Sleep` unlinks it (safe while another thread fires the wheel). With
/// a plain embassy-style driver it calls `schedule_wake` on each pending poll.
///
/// It is `!Unpin` (the wheel points into it): pin it with `core::pin::pin!` or `Box::pin` to
/// poll it by hand or to `select!` on `&mut`.
///
/// ```
/// use std::{future::Future, pin::pin, sync::Arc, task::{Context, Poll, Waker}};
/// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Duration, Instant};
///
/// struct Zero;
/// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
/// let time = Arc::new(WheelDriver::new(Zero));
/// let handle = Handle::from_arc(time.clone());
/// let mut cx = Context::from_waker(Waker::noop());
///
/// let mut s = pin!(handle.sleep_until(Instant::from_ticks(10)));
/// assert!(s.as_mut().poll(&mut cx).is_pending());
/// s.as_mut().reset(Instant::from_ticks(20));      // moves the timer
/// assert_eq!(time.next_deadline(), Some(20));
/// time.advance(20);
/// assert_eq!(s.as_mut().poll(&mut cx), Poll::Ready(()));
/// assert!(s.is_elapsed());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    handle: Handle,
    deadline: Instant,
    state: State,
    entry: TimerEntry,
}

impl Sleep {
    pub(crate) fn new(handle: Handle, deadline: Instant) -> Sleep {
        Sleep {
            handle,
            deadline,
            state: State::Idle,
            entry: TimerEntry::new(deadline.as_ticks()),
        }
    }

    /// The instant this sleep completes at.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let s = Handle::from_static(&TIME).sleep_until(Instant::from_ticks(3));
    /// assert_eq!(s.deadline(), Instant::from_ticks(3));
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The driver this sleep belongs to.
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let s = Handle::from_static(&TIME).sleep_until(Instant::from_ticks(3));
    /// assert_eq!(s.handle().now(), Instant::from_ticks(0));
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Whether the deadline has been reached (the next poll returns `Ready`).
    ///
    /// ```
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// assert!(!Handle::from_static(&TIME).sleep_until(Instant::from_ticks(3)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        match self.state {
            State::Elapsed => true,
            _ if self.entry.has_fired() => true,
            _ if self.handle.driver().timer_queue().is_none() => {
                self.handle.driver().now() >= self.deadline.as_ticks()
            }
            _ => false,
        }
    }

    /// Moves the deadline (earlier or later), even after the sleep completed. If the sleep was
    /// registered, it stays registered with the same waker, so a task waiting on it wakes at the
    /// new deadline. (With a driver that has no timer queue, such as an embassy HAL's, the new
    /// deadline is passed to `schedule_wake` with the waker of the last poll; the wake-up
    /// scheduled for the old deadline may still come, and is then a spurious poll.)
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft_core::time::{driver::{Handle, WheelDriver}, Clock, Instant};
    /// struct Zero;
    /// impl Clock for Zero { fn now(&self) -> u64 { 0 } }
    /// static TIME: WheelDriver<Zero> = WheelDriver::new(Zero);
    /// let mut s = pin!(Handle::from_static(&TIME).sleep_until(Instant::from_ticks(3)));
    /// s.as_mut().reset(Instant::from_ticks(8));
    /// assert_eq!(s.deadline(), Instant::from_ticks(8));
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        // SAFETY: `entry` is never moved out of the pinned `Sleep`; it is re-pinned below.
        let this = unsafe { self.get_unchecked_mut() };
        let queue = this.handle.driver().timer_queue();
        let mut rearm = None;
        let was_registered = this.state == State::Registered;
        if was_registered {
            if let Some(q) = queue {
                // SAFETY: the entry was only ever linked into this queue.
                rearm = unsafe { q.cancel(NonNull::from(&this.entry)) };
            }
        }
        this.deadline = deadline;
        this.state = State::Idle;
        // SAFETY: the entry lives inside the pinned `Sleep`; this is a re-borrow, not a move.
        unsafe { Pin::new_unchecked(&mut this.entry) }.set_deadline(deadline.as_ticks());
        if queue.is_none() && was_registered {
            // A plain driver cannot move the wake-up it was given: ask for one at the new
            // deadline too (or wake now if that is already reached), with the last waker.
            // SAFETY: re-borrow of the pinned entry; it is never linked (no queue).
            if let Some(waker) = unsafe { Pin::new_unchecked(&mut this.entry) }.kept_waker() {
                let driver = this.handle.driver();
                if driver.now() >= deadline.as_ticks() {
                    waker.wake();
                } else {
                    driver.schedule_wake(deadline.as_ticks(), &waker);
                    this.state = State::Registered;
                }
            }
        }
        if let (Some(q), Some(waker)) = (queue, rearm) {
            // SAFETY: pinned entry, linked only into this queue, cancelled in `Drop`.
            match unsafe { q.register(NonNull::from(&this.entry), &waker) } {
                Poll::Pending => this.state = State::Registered,
                Poll::Ready(()) => {
                    this.state = State::Elapsed;
                    waker.wake();
                }
            }
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `entry` is never moved out of the pinned `Sleep`.
        let this = unsafe { self.get_unchecked_mut() };
        match this.state {
            State::Elapsed => return Poll::Ready(()),
            State::Registered if this.entry.has_fired() => {
                this.state = State::Elapsed;
                return Poll::Ready(());
            }
            _ => {}
        }
        let driver = this.handle.driver();
        // A deadline already reached by the clock completes without touching the queue (the
        // wheel may lag behind the clock until the driver's next turn).
        if this.state == State::Idle && driver.now() >= this.deadline.as_ticks() {
            this.state = State::Elapsed;
            return Poll::Ready(());
        }
        match driver.timer_queue() {
            Some(queue) => {
                // SAFETY: the entry is pinned (inside the pinned `Sleep`), is only ever linked
                // into this queue (the handle never changes), is cancelled in `Drop` and in
                // `reset` before it changes, and the handle keeps the queue alive.
                let poll = unsafe { queue.register(NonNull::from(&this.entry), cx.waker()) };
                if poll.is_pending() {
                    this.state = State::Registered;
                    return Poll::Pending;
                }
            }
            None => {
                let at = this.deadline.as_ticks();
                if driver.now() < at {
                    // Kept for `reset`, which must re-schedule with it.
                    // SAFETY: re-borrow of the pinned entry; it is never linked (no queue).
                    unsafe { Pin::new_unchecked(&mut this.entry) }.keep_waker(cx.waker());
                    driver.schedule_wake(at, cx.waker());
                    this.state = State::Registered;
                    return Poll::Pending;
                }
            }
        }
        this.state = State::Elapsed;
        Poll::Ready(())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.state == State::Registered && !self.entry.has_fired() {
            if let Some(queue) = self.handle.driver().timer_queue() {
                // SAFETY: the entry was only ever linked into this queue; after this call the
                // wheel holds no pointer to it, so it may be freed.
                let waker = unsafe { queue.cancel(NonNull::from(&self.entry)) };
                drop(waker);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("state", &self.state)
            .finish()
    }
}
