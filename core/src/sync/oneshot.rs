//! A channel for sending a single value, e.g. the reply to a request.
//!
//! ## Storage
//!
//! * [`Channel`] holds the state inline and is `const`-constructible, so it can sit in a
//!   `static` or on the stack with no allocator: [`Channel::split`] borrows it and returns a
//!   [`Sender`] and a [`Receiver`] tied to its lifetime. Once both are dropped, the channel can
//!   be split again (a static request/reply slot is reusable).
//! * [`channel`] (feature `alloc`) puts the same state in an `Arc` and returns
//!   `BorrowedSender<'static, T>` / `BorrowedReceiver<'static, T>`.
//!
//! ## Algorithm
//!
//! The state (the value slot, whether each side is alive, whether the receiver closed, and one
//! waker per side) sits behind one `Lock`. `send` stores the value and wakes the receiver;
//! dropping the sender without sending wakes the receiver, which then sees no value and no
//! sender and returns [`RecvError`] ("canceled"). Dropping the receiver closes the channel
//! (a later `send` hands the value back) and wakes a task waiting in [`Sender::closed`].
//! The receiver takes the value only when it returns it, so awaiting the receiver is
//! cancellation-safe: a dropped `&mut receiver` future leaves the value in place.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use super::lock::Lock;
use super::shared::Shared;

/// The error returned by a [`Receiver`] whose [`Sender`] was dropped without sending.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::oneshot;
/// let ch = oneshot::Channel::<u8>::new();
/// let (tx, rx) = ch.split();
/// drop(tx);
/// let err: oneshot::RecvError = block_on(rx).unwrap_err();
/// assert_eq!(err.to_string(), "channel closed: the oneshot sender was dropped without sending (canceled)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

/// Another name for [`RecvError`], as in `futures::channel::oneshot::Canceled`.
pub type Canceled = RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed: the oneshot sender was dropped without sending (canceled)")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RecvError {}

/// The error returned by [`Receiver::try_recv`].
///
/// ```
/// use weft_core::sync::oneshot::{self, TryRecvError};
/// let ch = oneshot::Channel::<u8>::new();
/// let (tx, mut rx) = ch.split();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value yet; the sender is still alive.
    Empty,
    /// The sender was dropped without sending, or the value was already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Closed => f.write_str("channel closed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TryRecvError {}

struct State<T> {
    value: Option<T>,
    tx_alive: bool,
    rx_alive: bool,
    /// No more values accepted (receiver dropped or `close()` called).
    closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

/// The shared state of a oneshot channel (inline in [`Channel`] or in an `Arc`).
pub(crate) struct Inner<T> {
    state: Lock<State<T>>,
}

impl<T> Inner<T> {
    super::loom_const_fn! {
        fn new(alive: bool) -> Self {
            Inner {
                state: Lock::new(State {
                    value: None,
                    tx_alive: alive,
                    rx_alive: alive,
                    closed: false,
                    rx_waker: None,
                    tx_waker: None,
                }),
            }
        }
    }
}

/// Storage for a oneshot channel that needs no allocator; see the [module docs](self).
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::oneshot;
///
/// static REPLY: oneshot::Channel<u32> = oneshot::Channel::new();
/// let (tx, rx) = REPLY.split();
/// std::thread::spawn(move || tx.send(42).unwrap());
/// assert_eq!(block_on(rx), Ok(42));
/// ```
pub struct Channel<T> {
    inner: Inner<T>,
}

impl<T> Channel<T> {
    super::loom_const_fn! {
        /// Creates an unused channel; usable in a `static`.
        ///
        /// ```
        /// use weft_core::sync::oneshot;
        /// static CH: oneshot::Channel<()> = oneshot::Channel::new();
        /// let (_tx, _rx) = CH.split();
        /// ```
        pub fn new() -> Self {
            Channel {
                inner: Inner::new(false),
            }
        }
    }

    /// Returns the sender and receiver of this channel, or `None` if a previous pair still
    /// has a live half. A leftover value of a previous use is dropped.
    ///
    /// ```
    /// use weft_core::sync::oneshot;
    /// let ch = oneshot::Channel::<u8>::new();
    /// let pair = ch.try_split().unwrap();
    /// assert!(ch.try_split().is_none());
    /// drop(pair);
    /// assert!(ch.try_split().is_some()); // reusable once both halves are gone
    /// ```
    pub fn try_split(&self) -> Option<(BorrowedSender<'_, T>, BorrowedReceiver<'_, T>)> {
        let old = self.inner.state.with(|s| {
            if s.tx_alive || s.rx_alive {
                return Err(());
            }
            s.tx_alive = true;
            s.rx_alive = true;
            s.closed = false;
            s.rx_waker = None;
            s.tx_waker = None;
            Ok(s.value.take())
        });
        // A value left by the previous use is dropped here, outside the lock.
        drop(old.ok()?);
        Some(make_pair(Shared::Borrowed(&self.inner)))
    }

    /// Returns the sender and receiver of this channel.
    ///
    /// Panics if a sender or receiver from a previous `split` is still alive.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::oneshot;
    /// let ch = oneshot::Channel::new();
    /// let (tx, rx) = ch.split();
    /// tx.send("hi").unwrap();
    /// assert_eq!(block_on(rx), Ok("hi"));
    /// ```
    pub fn split(&self) -> (BorrowedSender<'_, T>, BorrowedReceiver<'_, T>) {
        self.try_split().expect(
            "oneshot::Channel::split: the sender or receiver of the previous split is still alive",
        )
    }
}

impl<T> Default for Channel<T> {
    fn default() -> Self {
        Channel::new()
    }
}

impl<T> fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Channel").finish_non_exhaustive()
    }
}

/// Creates a heap-allocated oneshot channel.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::oneshot;
/// let (tx, rx) = oneshot::channel();
/// std::thread::spawn(move || tx.send(String::from("done")).unwrap());
/// assert_eq!(block_on(rx).unwrap(), "done");
/// ```
#[cfg(feature = "alloc")]
pub fn channel<T>() -> (BorrowedSender<'static, T>, BorrowedReceiver<'static, T>) {
    make_pair(Shared::Arc(alloc::sync::Arc::new(Inner::new(true))))
}

fn make_pair<T>(chan: Shared<'_, Inner<T>>) -> (BorrowedSender<'_, T>, BorrowedReceiver<'_, T>) {
    (
        BorrowedSender {
            chan: Some(chan.clone()),
        },
        BorrowedReceiver { chan },
    )
}

/// The sending half of a heap oneshot channel or of one in a `static`, as it is usually named:
/// `BorrowedSender<'static, T>`.
///
/// ```
/// use weft_core::sync::oneshot;
/// struct Request { reply: oneshot::Sender<u32> }
/// let (tx, _rx) = oneshot::channel();
/// let _req = Request { reply: tx };
/// ```
pub type Sender<T> = BorrowedSender<'static, T>;

/// The receiving half of a heap oneshot channel or of one in a `static`:
/// `BorrowedReceiver<'static, T>`.
///
/// ```
/// use weft_core::sync::oneshot;
/// let (_tx, rx): (oneshot::Sender<u8>, oneshot::Receiver<u8>) = oneshot::channel();
/// # drop(rx);
/// ```
pub type Receiver<T> = BorrowedReceiver<'static, T>;

/// Sends the value of a oneshot channel. The lifetime is that of the channel's storage:
/// `'static` for heap channels and channels in a `static` (see the [`Sender`] alias), shorter
/// for a [`Channel`] on the stack.
///
/// ```
/// use weft_core::sync::oneshot;
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// tx.send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct BorrowedSender<'a, T> {
    /// `None` once the value was sent (the `Drop` then has nothing to do).
    chan: Option<Shared<'a, Inner<T>>>,
}

/// Receives the value of a oneshot channel: `.await` it (or poll it; it is `Unpin`). See
/// [`BorrowedSender`] for the lifetime.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::oneshot;
/// let (tx, rx) = oneshot::channel::<u8>();
/// tx.send(9).unwrap();
/// assert_eq!(block_on(rx), Ok(9));
/// ```
pub struct BorrowedReceiver<'a, T> {
    chan: Shared<'a, Inner<T>>,
}

impl<T> BorrowedSender<'_, T> {
    /// Sends `value`, waking the receiver. Returns the value back if the receiver was dropped
    /// or closed. Never waits; safe to call from an interrupt handler (no `std`).
    ///
    /// ```
    /// use weft_core::sync::oneshot;
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let chan = self.chan.take().expect("sender used after send");
        let res = chan.state.with(|s| {
            if s.closed {
                s.tx_alive = false;
                Err((value, s.rx_waker.take()))
            } else {
                s.value = Some(value);
                s.tx_alive = false;
                Ok(s.rx_waker.take())
            }
        });
        match res {
            Ok(waker) => {
                if let Some(w) = waker {
                    w.wake();
                }
                Ok(())
            }
            Err((value, waker)) => {
                if let Some(w) = waker {
                    w.wake();
                }
                Err(value)
            }
        }
    }

    /// Whether the receiver was dropped or closed (a `send` would fail).
    ///
    /// ```
    /// use weft_core::sync::oneshot;
    /// let (tx, rx) = oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan().state.with(|s| s.closed)
    }

    /// Polls for the receiver being dropped or closed; registers the waker if not.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use weft_core::sync::oneshot;
    /// let (mut tx, rx) = oneshot::channel::<()>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(tx.poll_closed(&mut cx).is_pending());
    /// drop(rx);
    /// assert!(tx.poll_closed(&mut cx).is_ready());
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.chan().state.with(|s| {
            if s.closed {
                Poll::Ready(())
            } else {
                match &s.tx_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => s.tx_waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        })
    }

    /// Waits until the receiver is dropped or closed: lets a task stop working on a reply that
    /// no one wants any more. Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::oneshot;
    /// let (mut tx, rx) = oneshot::channel::<()>();
    /// std::thread::spawn(move || drop(rx));
    /// block_on(tx.closed());
    /// ```
    pub async fn closed(&mut self) {
        core::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    fn chan(&self) -> &Inner<T> {
        self.chan.as_ref().expect("sender used after send")
    }
}

impl<T> Drop for BorrowedSender<'_, T> {
    fn drop(&mut self) {
        if let Some(chan) = self.chan.take() {
            let waker = chan.state.with(|s| {
                s.tx_alive = false;
                s.rx_waker.take()
            });
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

impl<T> fmt::Debug for BorrowedSender<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

impl<T> BorrowedReceiver<'_, T> {
    /// Takes the value if it was sent, without waiting.
    ///
    /// ```
    /// use weft_core::sync::oneshot::{self, TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.state.with(|s| match s.value.take() {
            Some(v) => Ok(v),
            None if s.tx_alive => Err(TryRecvError::Empty),
            None => Err(TryRecvError::Closed),
        })
    }

    /// Prevents the sender from sending (its `send` returns the value back). A value already
    /// sent can still be received.
    ///
    /// ```
    /// use weft_core::sync::oneshot;
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let waker = self.chan.state.with(|s| {
            s.closed = true;
            s.tx_waker.take()
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for BorrowedReceiver<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.chan.state.with(|s| {
            if let Some(v) = s.value.take() {
                Poll::Ready(Ok(v))
            } else if !s.tx_alive {
                Poll::Ready(Err(RecvError(())))
            } else {
                match &s.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => s.rx_waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        })
    }
}

impl<T> Drop for BorrowedReceiver<'_, T> {
    fn drop(&mut self) {
        let (value, waker) = self.chan.state.with(|s| {
            s.rx_alive = false;
            s.closed = true;
            s.rx_waker = None;
            (s.value.take(), s.tx_waker.take())
        });
        // Dropped outside the lock: the value may own handles to this very channel.
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for BorrowedReceiver<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}
