//! Signal: hand a value from an interrupt handler or another thread to a waiting task.
//!
//! The state is an `Option<T>` slot plus an intrusive FIFO [`WaitList`] of waiting [`Wait`]
//! futures, behind a [`Lock`] (a critical section without `std`, so [`Signal::signal`] is safe
//! to call from an interrupt handler). `signal` overwrites an unconsumed value (the latest one
//! wins, like a hardware register) and wakes the first waiter; a `wait` takes the value.
//! Usually one task waits; if several do, each value goes to one of them. Waiters are woken in
//! FIFO order, but the value is not reserved for the woken one: a `wait` polled in between
//! (a newcomer) may take it first, as with a condition variable, and the woken waiter then
//! waits again at the back. Use an [`mpsc`](super::mpsc) channel when every value must reach
//! the waiters in strict FIFO order.
//!
//! Cancellation: the value stays in the signal until a `wait` returns it. A `Wait` that was
//! woken but is dropped before it took the value passes the wake-up to the next waiter, so the
//! value is not stranded.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::lock::Lock;
use super::wait_list::{WaitList, Waiter};

/// A single-slot, overwrite-on-send notification carrying a value.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::Signal;
///
/// static BUTTON: Signal<u32> = Signal::new();
/// // In an interrupt handler (or another thread):
/// std::thread::spawn(|| BUTTON.signal(7));
/// // In a task:
/// assert_eq!(block_on(BUTTON.wait()), 7);
/// ```
pub struct Signal<T> {
    state: Lock<State<T>>,
}

struct State<T> {
    value: Option<T>,
    /// Node data: whether a `signal` woke this waiter.
    waiters: WaitList<bool>,
}

impl<T> Signal<T> {
    super::loom_const_fn! {
        /// Creates an empty signal; usable in a `static`.
        ///
        /// ```
        /// use weft_core::sync::Signal;
        /// static S: Signal<()> = Signal::new();
        /// assert!(!S.signaled());
        /// ```
        pub fn new() -> Self {
            Signal {
                state: Lock::new(State {
                    value: None,
                    waiters: WaitList::new(),
                }),
            }
        }
    }

    /// Stores `value` (replacing an unconsumed one) and wakes the first waiting task.
    ///
    /// Safe to call from an interrupt handler on targets without `std`.
    ///
    /// ```
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(1);
    /// s.signal(2); // overwrites
    /// assert_eq!(s.try_take(), Some(2));
    /// ```
    pub fn signal(&self, value: T) {
        let (old, waker) = self.state.with(|s| {
            let old = s.value.replace(value);
            (old, wake_first(&mut s.waiters))
        });
        // An overwritten value is dropped outside the lock.
        drop(old);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Clears an unconsumed value (waiting tasks keep waiting).
    ///
    /// ```
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(1);
    /// s.reset();
    /// assert!(!s.signaled());
    /// ```
    pub fn reset(&self) {
        drop(self.try_take());
    }

    /// Takes the value if one is stored, without waiting.
    ///
    /// ```
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// assert_eq!(s.try_take(), None);
    /// s.signal('x');
    /// assert_eq!(s.try_take(), Some('x'));
    /// ```
    pub fn try_take(&self) -> Option<T> {
        self.state.with(|s| s.value.take())
    }

    /// Whether a value is stored.
    ///
    /// ```
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(());
    /// assert!(s.signaled());
    /// ```
    pub fn signaled(&self) -> bool {
        self.state.with(|s| s.value.is_some())
    }

    /// Waits for a value and takes it. Cancellation-safe: the value stays in the signal until
    /// the returned future completes.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(3);
    /// assert_eq!(block_on(s.wait()), 3);
    /// ```
    pub fn wait(&self) -> Wait<'_, T> {
        Wait {
            signal: self,
            waiter: Waiter::new(false),
        }
    }
}

/// Pops the first waiter, marks it woken and returns its waker.
fn wake_first(waiters: &mut WaitList<bool>) -> Option<core::task::Waker> {
    let w = waiters.pop_front()?;
    // SAFETY: `w` was linked, hence valid; the caller holds the lock (it has `&mut` to the
    // list, which lives inside the lock).
    unsafe {
        w.as_ref().with(|n| {
            n.data = true;
            n.waker.take()
        })
    }
}

impl<T> Default for Signal<T> {
    fn default() -> Self {
        Signal::new()
    }
}

impl<T> fmt::Debug for Signal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("signaled", &self.signaled())
            .finish()
    }
}

/// The future returned by [`Signal::wait`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::{Signal, Wait};
/// let s = Signal::new();
/// s.signal(5u8);
/// let fut: Wait<'_, u8> = s.wait();
/// assert_eq!(block_on(fut), 5);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Wait<'a, T> {
    signal: &'a Signal<T>,
    waiter: Waiter<bool>,
}

impl<T> Future for Wait<'_, T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let value = this.signal.state.with(|s| {
            let value = s.value.take();
            // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
            unsafe {
                if value.is_some() {
                    s.waiters.remove(waiter.as_ptr());
                } else {
                    let linked = waiter.with(|n| {
                        n.data = false;
                        n.set_waker(cx.waker());
                        n.is_queued()
                    });
                    if !linked {
                        s.waiters.push_back(waiter.as_ptr());
                    }
                }
            }
            value
        });
        match value {
            Some(v) => Poll::Ready(v),
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Wait<'_, T> {
    fn drop(&mut self) {
        let ptr = self.waiter.as_ptr();
        let waiter = &self.waiter;
        let waker = self.signal.state.with(|s| {
            // SAFETY: lock held; the waiter is only ever linked into this list.
            let linked = unsafe { s.waiters.remove(ptr) };
            // SAFETY: lock held.
            let woken = unsafe { waiter.with(|n| n.data) };
            // Woken for a value we will never take: pass the wake-up on.
            (!linked && woken && s.value.is_some())
                .then(|| wake_first(&mut s.waiters))
                .flatten()
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait").finish_non_exhaustive()
    }
}
