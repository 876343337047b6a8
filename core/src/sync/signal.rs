//! Signal: hand a value from an interrupt handler or another thread to one waiting task.
//!
//! The state is one of `Empty`, `Waiting(waker)` or `Signaled(value)` behind a [`Lock`]
//! (a critical section without `std`, so [`Signal::signal`] is safe to call from an interrupt
//! handler). `signal` overwrites an unconsumed value (the latest one wins, like a register) and
//! wakes the waiter; [`Signal::wait`] takes the value. Only one task is meant to wait at a time:
//! if a second task polls `wait`, the first one's waker is replaced, and it is woken so that it
//! polls again and re-registers (both still complete, one per value). The value stays in the
//! signal until a `wait` returns it, so dropping a pending `wait` loses nothing.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use super::lock::Lock;

/// A single-slot, overwrite-on-send notification carrying a value.
///
/// ```
/// # use weft_core::sync::__doc_block_on as block_on;
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

enum State<T> {
    Empty,
    Waiting(Waker),
    Signaled(T),
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
                state: Lock::new(State::Empty),
            }
        }
    }

    /// Stores `value` (replacing an unconsumed one) and wakes the waiting task.
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
        let old = self
            .state
            .with(|s| core::mem::replace(s, State::Signaled(value)));
        match old {
            State::Waiting(w) => w.wake(),
            // An overwritten value is dropped here, outside the lock.
            State::Signaled(_) | State::Empty => {}
        }
    }

    /// Clears an unconsumed value (a waiting task keeps waiting).
    ///
    /// ```
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(1);
    /// s.reset();
    /// assert!(!s.signaled());
    /// ```
    pub fn reset(&self) {
        let old = self.state.with(|s| match s {
            State::Signaled(_) => core::mem::replace(s, State::Empty),
            _ => State::Empty,
        });
        drop(old);
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
        self.state.with(|s| match s {
            State::Signaled(_) => match core::mem::replace(s, State::Empty) {
                State::Signaled(v) => Some(v),
                _ => unreachable!(),
            },
            _ => None,
        })
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
        self.state.with(|s| matches!(s, State::Signaled(_)))
    }

    /// Waits for a value and takes it. Cancellation-safe: the value stays in the signal until
    /// the returned future completes.
    ///
    /// ```
    /// # use weft_core::sync::__doc_block_on as block_on;
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// s.signal(3);
    /// assert_eq!(block_on(s.wait()), 3);
    /// ```
    pub fn wait(&self) -> Wait<'_, T> {
        Wait { signal: self }
    }

    /// Polls for the value: takes it if stored, otherwise registers the waker.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use weft_core::sync::Signal;
    /// let s = Signal::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(s.poll_wait(&mut cx).is_pending());
    /// s.signal(1);
    /// assert!(s.poll_wait(&mut cx).is_ready());
    /// ```
    pub fn poll_wait(&self, cx: &mut Context<'_>) -> Poll<T> {
        let (ready, displaced) = self.state.with(|s| match s {
            State::Signaled(_) => match core::mem::replace(s, State::Empty) {
                State::Signaled(v) => (Some(v), None),
                _ => unreachable!(),
            },
            State::Waiting(w) if w.will_wake(cx.waker()) => (None, None),
            State::Waiting(_) => match core::mem::replace(s, State::Waiting(cx.waker().clone())) {
                State::Waiting(old) => (None, Some(old)),
                _ => unreachable!(),
            },
            State::Empty => {
                *s = State::Waiting(cx.waker().clone());
                (None, None)
            }
        });
        if let Some(w) = displaced {
            w.wake();
        }
        match ready {
            Some(v) => Poll::Ready(v),
            None => Poll::Pending,
        }
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
/// # use weft_core::sync::__doc_block_on as block_on;
/// use weft_core::sync::{Signal, Wait};
/// let s = Signal::new();
/// s.signal(5u8);
/// let fut: Wait<'_, u8> = s.wait();
/// assert_eq!(block_on(fut), 5);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Wait<'a, T> {
    signal: &'a Signal<T>,
}

impl<T> Future for Wait<'_, T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.signal.poll_wait(cx)
    }
}

impl<T> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait").finish_non_exhaustive()
    }
}
