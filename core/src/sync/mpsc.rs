//! A multi-producer, single-consumer queue for sending values between tasks.
//!
//! ## Storage
//!
//! * [`Channel<T, N>`](Channel): capacity `N` fixed at compile time, buffer inline (a
//!   `heapless::Deque`), `const`-constructible: put it in a `static` or on the stack, no
//!   allocator needed. [`Channel::split`] returns a [`Sender`] and a [`Receiver`] that borrow
//!   it. Once every handle is dropped the channel can be split again.
//! * [`channel(cap)`](channel) (feature `alloc`): bounded, buffer on the heap.
//! * [`unbounded_channel()`](unbounded_channel) (feature `alloc`): never full; its
//!   [`UnboundedSender::send`] does not wait.
//!
//! All flavours share one implementation behind a small internal trait object, so the endpoint
//! types are the same: `BorrowedSender<'a, T>` and `BorrowedReceiver<'a, T>` (with `'a = 'static` for heap
//! channels of `'static` values).
//!
//! ## Algorithm
//!
//! One `Lock` protects the buffer, the sender count, a `closed` flag, the receiver's waker
//! and an intrusive FIFO `WaitList` of senders waiting for room. Each waiting `send` future
//! owns a node that holds the *value it wants to send*.
//!
//! * `send` pushes into the buffer if there is room and wakes the receiver. If the buffer is
//!   full it parks its value in its node at the back of the list. Invariant: senders wait only
//!   while the buffer is full (counting the slots reserved by [`Permit`]s).
//! * `reserve` waits in the same list with no value; when it reaches the head and a slot frees
//!   up, the slot is counted as `reserved` for it and the [`Permit`] it returns fills it later
//!   (or gives it to the next waiter if dropped unused).
//! * `recv` pops the oldest message; if a sender waits, it moves that sender's value into the
//!   slot just freed, marks the node `Sent` and wakes the sender. So senders are served in FIFO
//!   order, a slot freed by the receiver is never taken by a newcomer while someone waits, and
//!   no wake-up can be lost (the receiver does the sender's work).
//! * When the buffer is empty, `recv` stores its waker and returns `Pending`; it returns `None`
//!   once the buffer is empty and every sender is gone (or the receiver closed the channel).
//! * Dropping the receiver closes the channel: waiting senders get their value back in
//!   [`SendError`], and buffered values are dropped one by one *outside* the lock (a message may
//!   own a `Sender` of this same channel).
//!
//! Cancellation: `recv` is cancellation-safe (a message is only removed when it is returned).
//! `send` is not, as in tokio: if its future is dropped, its value is either already in the
//! channel (and will be received) or dropped with the future. `reserve` is: use it (then
//! [`Permit::send`]) in a `select!`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::lock::Lock;
use super::shared::Shared;
use super::wait_list::{WaitList, Waiter, WakeList};

/// The error returned by [`Sender::send`] when the receiver is gone; holds the value back.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, rx) = mpsc::channel(1);
/// drop(rx);
/// let err = block_on(tx.send(3)).unwrap_err();
/// assert_eq!(err.0, 3);
/// assert_eq!(err.to_string(), "channel closed");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

#[cfg(feature = "std")]
impl<T> std::error::Error for SendError<T> {}

/// The error returned by [`Sender::try_send`]; holds the value back.
///
/// ```
/// use weft_core::sync::mpsc::{self, TrySendError};
/// let ch = mpsc::Channel::<u8, 1>::new();
/// let (tx, rx) = ch.split();
/// tx.try_send(1).unwrap();
/// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
/// drop(rx);
/// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The buffer is full (or other senders wait for room).
    Full(T),
    /// The receiver is gone or closed the channel.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// use weft_core::sync::mpsc::TrySendError;
    /// assert_eq!(TrySendError::Full(1).into_inner(), 1);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("no available capacity"),
            TrySendError::Closed(_) => f.write_str("channel closed"),
        }
    }
}

#[cfg(feature = "std")]
impl<T> std::error::Error for TrySendError<T> {}

/// The error returned by [`Receiver::try_recv`].
///
/// ```
/// use weft_core::sync::mpsc::{self, TryRecvError};
/// let (tx, mut rx) = mpsc::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// No message now, but senders are alive.
    Empty,
    /// No message, and every sender is gone (or the channel was closed).
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("receiving on an empty channel"),
            TryRecvError::Disconnected => f.write_str("receiving on a closed channel"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TryRecvError {}

// ---------------------------------------------------------------------------------------------
// Buffers

/// The buffer of a channel: inline (`heapless::Deque`) or on the heap.
pub(crate) trait Queue<T> {
    fn push(&mut self, value: T) -> Result<(), T>;
    fn pop(&mut self) -> Option<T>;
    fn len(&self) -> usize;
    /// `None` when unbounded.
    fn capacity(&self) -> Option<usize>;
}

impl<T, const N: usize> Queue<T> for heapless::Deque<T, N> {
    fn push(&mut self, value: T) -> Result<(), T> {
        self.push_back(value)
    }
    fn pop(&mut self) -> Option<T> {
        self.pop_front()
    }
    fn len(&self) -> usize {
        heapless::Deque::len(self)
    }
    fn capacity(&self) -> Option<usize> {
        Some(N)
    }
}

/// A heap buffer, bounded (`cap = Some`) or not.
#[cfg(feature = "alloc")]
pub(crate) struct VecQueue<T> {
    queue: alloc::collections::VecDeque<T>,
    cap: Option<usize>,
}

#[cfg(feature = "alloc")]
impl<T> Queue<T> for VecQueue<T> {
    fn push(&mut self, value: T) -> Result<(), T> {
        match self.cap {
            Some(cap) if self.queue.len() >= cap => Err(value),
            _ => {
                self.queue.push_back(value);
                Ok(())
            }
        }
    }
    fn pop(&mut self) -> Option<T> {
        self.queue.pop_front()
    }
    fn len(&self) -> usize {
        self.queue.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.cap
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendOutcome {
    Waiting,
    Sent,
    Closed,
}

/// The node data of a waiting `send` (the value it wants to send) or of a waiting `reserve`
/// (`value: None`; granting it reserves a slot).
struct SendSlot<T> {
    value: Option<T>,
    outcome: SendOutcome,
}

pub(crate) struct State<T> {
    tx_count: usize,
    /// Slots promised to [`Permit`]s (granted by `reserve`) but not filled yet.
    reserved: usize,
    rx_alive: bool,
    /// No more sends accepted (receiver dropped or closed).
    closed: bool,
    rx_waker: Option<Waker>,
    senders: WaitList<SendSlot<T>>,
    /// [`Sender::closed`] futures, woken when the channel closes.
    closed_waiters: WaitList<()>,
}

struct Inner<T, Q> {
    state: State<T>,
    queue: Q,
}

/// A channel with buffer type `Q`.
pub(crate) struct Chan<T, Q> {
    inner: Lock<Inner<T, Q>>,
}

impl<T, Q> Chan<T, Q> {
    super::loom_const_fn! {
        fn new(queue: Q, tx_count: usize, rx_alive: bool) -> Self {
            Chan {
                inner: Lock::new(Inner {
                    state: State {
                        tx_count,
                        reserved: 0,
                        rx_alive,
                        closed: false,
                        rx_waker: None,
                        senders: WaitList::new(),
                        closed_waiters: WaitList::new(),
                    },
                    queue,
                }),
            }
        }
    }
}

/// A closure run under the channel's lock.
type LockedFn<'f, T> = dyn FnMut(&mut State<T>, &mut dyn Queue<T>) + 'f;

/// The buffer-erased view of a [`Chan`] that endpoints hold.
pub(crate) trait RawChan<T> {
    fn with_dyn(&self, f: &mut LockedFn<'_, T>);
}

impl<T, Q: Queue<T>> RawChan<T> for Chan<T, Q> {
    fn with_dyn(&self, f: &mut LockedFn<'_, T>) {
        self.inner.with(|i| f(&mut i.state, &mut i.queue))
    }
}

type Handle<'a, T> = Shared<'a, dyn RawChan<T> + 'a>;

/// Runs `f` under the channel's lock.
fn with<T, R>(
    chan: &(dyn RawChan<T> + '_),
    f: impl FnOnce(&mut State<T>, &mut dyn Queue<T>) -> R,
) -> R {
    let mut f = Some(f);
    let mut out = None;
    chan.with_dyn(&mut |s, q| out = Some((f.take().expect("called once"))(s, q)));
    out.expect("with_dyn runs the closure")
}

/// Completes every waiting sender with `Closed` and wakes every `closed()` future, in batches.
fn close_senders<T>(chan: &(dyn RawChan<T> + '_)) {
    let mut wakers = WakeList::new();
    loop {
        let more = with(chan, |s, _| {
            s.closed = true;
            while wakers.can_push() {
                let waker = if let Some(w) = s.senders.pop_front() {
                    // SAFETY: `w` was linked, hence valid; we hold the lock.
                    unsafe {
                        w.as_ref().with(|n| {
                            n.data.outcome = SendOutcome::Closed;
                            n.waker.take()
                        })
                    }
                } else if let Some(w) = s.closed_waiters.pop_front() {
                    // SAFETY: as above; `closed` is set, which is what the future checks.
                    unsafe { w.as_ref().with(|n| n.waker.take()) }
                } else {
                    return false;
                };
                wakers.push(waker);
            }
            true
        });
        wakers.wake_all();
        if !more {
            break;
        }
    }
}

/// Whether a value can be pushed now without taking a reserved slot.
fn has_room<T>(s: &State<T>, q: &dyn Queue<T>) -> bool {
    q.capacity().is_none_or(|cap| q.len() + s.reserved < cap)
}

/// Gives free room to the first waiting sender: moves its value into the buffer (a `send`) or
/// reserves a slot for it (a `reserve`). Returns its waker.
fn refill<T>(s: &mut State<T>, q: &mut dyn Queue<T>) -> Option<Waker> {
    if s.closed || !has_room(s, q) {
        return None;
    }
    let w = s.senders.pop_front()?;
    // SAFETY: `w` was linked, hence valid; the caller holds the lock (it has `&mut` state).
    unsafe {
        w.as_ref().with(|n| {
            match n.data.value.take() {
                Some(value) => {
                    if q.push(value).is_err() {
                        unreachable!("room was checked");
                    }
                }
                None => s.reserved += 1,
            }
            n.data.outcome = SendOutcome::Sent;
            n.waker.take()
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Constructors

/// Storage for a bounded channel of capacity `N` that needs no allocator.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
///
/// static EVENTS: mpsc::Channel<u32, 8> = mpsc::Channel::new();
/// let (tx, mut rx) = EVENTS.split();
/// block_on(async {
///     tx.send(1).await.unwrap();
///     tx.try_send(2).unwrap();
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
///     drop(tx);
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub struct Channel<T, const N: usize> {
    chan: Chan<T, heapless::Deque<T, N>>,
}

impl<T, const N: usize> Channel<T, N> {
    super::loom_const_fn! {
        /// Creates an unused channel; usable in a `static`. `N` must be at least 1.
        ///
        /// ```
        /// use weft_core::sync::mpsc;
        /// static CH: mpsc::Channel<&str, 4> = mpsc::Channel::new();
        /// let (tx, _rx) = CH.split();
        /// assert_eq!(tx.max_capacity(), 4);
        /// ```
        pub fn new() -> Self {
            const { assert!(N > 0, "an mpsc::Channel needs a capacity N >= 1") };
            Channel {
                chan: Chan::new(heapless::Deque::new(), 0, false),
            }
        }
    }

    /// Returns a sender and the receiver, or `None` while handles of a previous split are alive.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let ch = mpsc::Channel::<u8, 2>::new();
    /// let pair = ch.try_split().unwrap();
    /// assert!(ch.try_split().is_none());
    /// drop(pair);
    /// assert!(ch.try_split().is_some());
    /// ```
    pub fn try_split(&self) -> Option<(BorrowedSender<'_, T>, BorrowedReceiver<'_, T>)> {
        let ok = self.chan.inner.with(|i| {
            let s = &mut i.state;
            if s.tx_count > 0 || s.rx_alive {
                return false;
            }
            s.tx_count = 1;
            s.rx_alive = true;
            s.closed = false;
            s.rx_waker = None;
            true
        });
        ok.then(|| endpoints(Shared::Borrowed(&self.chan)))
    }

    /// Returns a sender (clone it for more) and the receiver.
    ///
    /// Panics if a handle of a previous split is still alive.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let ch = mpsc::Channel::<u8, 2>::new();
    /// let (tx, mut rx) = ch.split();
    /// tx.try_send(5).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn split(&self) -> (BorrowedSender<'_, T>, BorrowedReceiver<'_, T>) {
        self.try_split().expect(
            "mpsc::Channel::split: a handle of the previous split is still alive; clone the Sender instead",
        )
    }
}

impl<T, const N: usize> Default for Channel<T, N> {
    fn default() -> Self {
        Channel::new()
    }
}

impl<T, const N: usize> fmt::Debug for Channel<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Channel")
            .field("capacity", &N)
            .finish_non_exhaustive()
    }
}

fn endpoints<'a, T>(chan: Handle<'a, T>) -> (BorrowedSender<'a, T>, BorrowedReceiver<'a, T>) {
    (
        BorrowedSender { chan: chan.clone() },
        BorrowedReceiver { chan },
    )
}

/// Creates a bounded channel with room for `buffer` messages, on the heap.
///
/// Panics if `buffer` is 0.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(16);
/// for i in 0..3 {
///     let tx = tx.clone();
///     std::thread::spawn(move || block_on(tx.send(i)).unwrap());
/// }
/// drop(tx);
/// let mut got = Vec::new();
/// block_on(async { while let Some(v) = rx.recv().await { got.push(v) } });
/// got.sort();
/// assert_eq!(got, [0, 1, 2]);
/// ```
#[cfg(feature = "alloc")]
pub fn channel<'a, T: 'a>(buffer: usize) -> (BorrowedSender<'a, T>, BorrowedReceiver<'a, T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let queue = VecQueue {
        queue: alloc::collections::VecDeque::with_capacity(buffer),
        cap: Some(buffer),
    };
    endpoints(Shared::Arc(alloc::sync::Arc::new(Chan::new(
        queue, 1, true,
    ))))
}

/// Creates an unbounded channel on the heap: sending never waits.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap();
/// }
/// assert_eq!(block_on(rx.recv()), Some(0));
/// assert_eq!(rx.len(), 999);
/// ```
#[cfg(feature = "alloc")]
pub fn unbounded_channel<'a, T: 'a>() -> (
    BorrowedUnboundedSender<'a, T>,
    BorrowedUnboundedReceiver<'a, T>,
) {
    let queue = VecQueue {
        queue: alloc::collections::VecDeque::new(),
        cap: None,
    };
    let (tx, rx) = endpoints(Shared::Arc(alloc::sync::Arc::new(Chan::new(
        queue, 1, true,
    ))));
    (BorrowedUnboundedSender { inner: tx }, rx)
}

// ---------------------------------------------------------------------------------------------
// Sender

/// The sending half of a channel; clone it to have several producers.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::channel::<u8>(1);
/// let tx2 = tx.clone();
/// block_on(async {
///     tx.send(1).await.unwrap();
///     assert_eq!(rx.recv().await, Some(1));
///     tx2.send(2).await.unwrap();
///     assert_eq!(rx.recv().await, Some(2));
/// });
/// ```
pub struct BorrowedSender<'a, T> {
    chan: Handle<'a, T>,
}

// SAFETY: the only `RawChan` implementation is `Chan<T, Q>`, whose state is behind a lock and
// which is `Send + Sync` when `T: Send` (values cross threads, never are shared).
unsafe impl<T: Send> Send for BorrowedSender<'_, T> {}
// SAFETY: as above; `&Sender` only gives access through the lock.
unsafe impl<T: Send> Sync for BorrowedSender<'_, T> {}

impl<T> BorrowedSender<'_, T> {
    /// Sends `value`, waiting for room if the buffer is full. Fails (giving the value back) if
    /// the receiver is gone or closed. Waiting senders are served in FIFO order.
    ///
    /// Not cancellation-safe (see the [module docs](self)).
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let ch = mpsc::Channel::<u8, 1>::new();
    /// let (tx, mut rx) = ch.split();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| block_on(async {
    ///         tx.send(1).await.unwrap();
    ///         tx.send(2).await.unwrap(); // waits until the receiver makes room
    ///     }));
    ///     assert_eq!(block_on(rx.recv()), Some(1));
    ///     assert_eq!(block_on(rx.recv()), Some(2));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        SendFut {
            tx: self,
            reserve: false,
            state: SendState::Init,
            waiter: Waiter::new(SendSlot {
                value: Some(value),
                outcome: SendOutcome::Waiting,
            }),
        }
        .await
        .map_err(|v| SendError(v.expect("a failed send returns its value")))
    }

    /// Waits for a free slot and reserves it; sending through the returned [`Permit`] then
    /// cannot fail for lack of room. Fails if the receiver is gone or closed.
    ///
    /// Cancellation-safe (unlike [`send`](Self::send)): no value is at stake while waiting, and
    /// a slot granted to a dropped `reserve` goes to the next waiting sender. So in a
    /// `select!`, reserve first and send through the permit.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// block_on(async {
    ///     let permit = tx.reserve().await.unwrap();
    ///     permit.send(5);
    ///     assert_eq!(rx.recv().await, Some(5));
    /// });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        SendFut {
            tx: self,
            reserve: true,
            state: SendState::Init,
            waiter: Waiter::new(SendSlot {
                value: None,
                outcome: SendOutcome::Waiting,
            }),
        }
        .await
        .map_err(|_| SendError(()))?;
        Ok(Permit { tx: self })
    }

    /// Reserves a free slot now, if there is one.
    ///
    /// ```
    /// use weft_core::sync::mpsc::{self, TrySendError};
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let p = tx.try_reserve().unwrap();
    /// assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    /// drop(p);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        with(&*self.chan, |s, q| {
            if s.closed {
                Err(TrySendError::Closed(()))
            } else if has_room(s, q) {
                s.reserved += 1;
                Ok(())
            } else {
                Err(TrySendError::Full(()))
            }
        })?;
        Ok(Permit { tx: self })
    }

    /// Sends `value` if there is room now. Never waits; from an interrupt handler (no `std`)
    /// this is the way to send.
    ///
    /// ```
    /// use weft_core::sync::mpsc::{self, TrySendError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert!(tx.try_send(1).is_ok());
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let res = with(&*self.chan, |s, q| {
            if s.closed {
                return Err(TrySendError::Closed(value));
            }
            if !has_room(s, q) {
                return Err(TrySendError::Full(value));
            }
            match q.push(value) {
                Ok(()) => Ok(s.rx_waker.take()),
                Err(v) => Err(TrySendError::Full(v)),
            }
        });
        res.map(|waker| {
            if let Some(w) = waker {
                w.wake();
            }
        })
    }

    /// Whether the receiver is gone or closed the channel.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        with(&*self.chan, |s, _| s.closed)
    }

    /// Waits until the receiver is gone or has closed the channel: the way for a producer to
    /// stop early (for example in a `select!` next to its work) when nobody will read what it
    /// would send. Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// std::thread::spawn(move || drop(rx));
    /// block_on(tx.closed());
    /// assert!(tx.is_closed());
    /// ```
    pub async fn closed(&self) {
        ClosedFut {
            tx: self,
            waiter: Waiter::new(()),
            linked: false,
        }
        .await
    }

    /// The number of free slots in the buffer now (`usize::MAX` if unbounded).
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(4);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        with(&*self.chan, |s, q| match q.capacity() {
            Some(cap) => cap - q.len() - s.reserved,
            None => usize::MAX,
        })
    }

    /// The buffer size the channel was created with (`usize::MAX` if unbounded).
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(4);
    /// assert_eq!(tx.max_capacity(), 4);
    /// ```
    pub fn max_capacity(&self) -> usize {
        with(&*self.chan, |_, q| q.capacity().unwrap_or(usize::MAX))
    }
}

impl<T> Clone for BorrowedSender<'_, T> {
    fn clone(&self) -> Self {
        with(&*self.chan, |s, _| s.tx_count += 1);
        BorrowedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for BorrowedSender<'_, T> {
    fn drop(&mut self) {
        let waker = with(&*self.chan, |s, _| {
            s.tx_count -= 1;
            if s.tx_count == 0 {
                s.rx_waker.take()
            } else {
                None
            }
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for BorrowedSender<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Sender").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendState {
    Init,
    Waiting,
    Done,
}

/// The future behind [`Sender::send`].
struct SendFut<'s, 'a, T> {
    /// The sender (not the bare channel: `Sender` is `Sync`, so this future is `Send`).
    tx: &'s BorrowedSender<'a, T>,
    /// A `reserve` (no value): a granted slot must be handed on if this future is dropped.
    reserve: bool,
    state: SendState,
    waiter: Waiter<SendSlot<T>>,
}

impl<T> Future for SendFut<'_, '_, T> {
    /// `Err(Some(value))`: a `send` failed; `Err(None)`: a `reserve` failed.
    type Output = Result<(), Option<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let res = match this.state {
            SendState::Init => with(&*this.tx.chan, |s, q| {
                // SAFETY: lock held (and the node is not linked yet).
                let value = unsafe { waiter.with(|n| n.data.value.take()) };
                if s.closed {
                    return Some(Err(value));
                }
                if has_room(s, q) {
                    match value {
                        Some(v) => {
                            if q.push(v).is_err() {
                                unreachable!("room was checked");
                            }
                            return Some(Ok(s.rx_waker.take()));
                        }
                        None => {
                            s.reserved += 1;
                            return Some(Ok(None));
                        }
                    }
                }
                // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
                unsafe {
                    waiter.with(|n| {
                        n.data.value = value;
                        n.set_waker(cx.waker());
                    });
                    s.senders.push_back(waiter.as_ptr());
                }
                None
            }),
            // SAFETY: lock held while touching the node.
            SendState::Waiting => with(&*this.tx.chan, |_, _| unsafe {
                waiter.with(|n| match n.data.outcome {
                    SendOutcome::Waiting => {
                        n.set_waker(cx.waker());
                        None
                    }
                    SendOutcome::Sent => Some(Ok(None)),
                    SendOutcome::Closed => Some(Err(n.data.value.take())),
                })
            }),
            SendState::Done => panic!("`send` future polled after it completed"),
        };
        match res {
            None => {
                this.state = SendState::Waiting;
                Poll::Pending
            }
            Some(r) => {
                this.state = SendState::Done;
                Poll::Ready(r.map(|waker| {
                    if let Some(w) = waker {
                        w.wake();
                    }
                }))
            }
        }
    }
}

impl<T> Drop for SendFut<'_, '_, T> {
    fn drop(&mut self) {
        if self.state != SendState::Waiting {
            return;
        }
        let ptr = self.waiter.as_ptr();
        let waiter = &self.waiter;
        let reserve = self.reserve;
        let waker = with(&*self.tx.chan, |s, q| {
            // SAFETY: lock held; the waiter is only ever linked into this list. A value still
            // here is dropped with `self`, after the lock is released.
            if unsafe { s.senders.remove(ptr) } {
                return None;
            }
            // SAFETY: lock held.
            let granted = unsafe { waiter.with(|n| n.data.outcome == SendOutcome::Sent) };
            if reserve && granted {
                // A slot was reserved for us but we will never use it: hand it on.
                s.reserved -= 1;
                refill(s, q)
            } else {
                None
            }
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future behind [`Sender::closed`].
struct ClosedFut<'s, 'a, T> {
    tx: &'s BorrowedSender<'a, T>,
    waiter: Waiter<()>,
    /// Whether the waiter may be linked (it was linked and the future has not seen `closed`).
    linked: bool,
}

impl<T> Future for ClosedFut<'_, '_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let closed = with(&*this.tx.chan, |s, _| {
            if s.closed {
                // `close_senders` unlinks waiters in batches, dropping the lock in between: our
                // node may still be linked. Unlink it here, under the lock, before we report
                // `Ready` (after which the future, and the node, may be freed at any time).
                // SAFETY: lock held; the waiter is only ever linked into this list.
                unsafe { s.closed_waiters.remove(waiter.as_ptr()) };
                return true;
            }
            // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
            unsafe {
                let queued = waiter.with(|n| {
                    n.set_waker(cx.waker());
                    n.is_queued()
                });
                if !queued {
                    s.closed_waiters.push_back(waiter.as_ptr());
                }
            }
            false
        });
        if closed {
            // Unlinked above (or by `close_senders`, or never linked).
            this.linked = false;
            Poll::Ready(())
        } else {
            this.linked = true;
            Poll::Pending
        }
    }
}

impl<T> Drop for ClosedFut<'_, '_, T> {
    fn drop(&mut self) {
        if !self.linked {
            return;
        }
        let ptr = self.waiter.as_ptr();
        // SAFETY: lock held; the waiter is only ever linked into this list (a no-op if
        // `close_senders` already unlinked it).
        with(&*self.tx.chan, |s, _| unsafe {
            s.closed_waiters.remove(ptr)
        });
    }
}

/// A slot reserved in a bounded channel by [`Sender::reserve`]: sending through it cannot
/// fail for lack of room. Dropping it unused gives the slot back.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(1);
/// let permit: mpsc::Permit<'_, u8> = block_on(tx.reserve()).unwrap();
/// assert!(tx.try_send(1).is_err()); // the only slot is reserved
/// permit.send(2);
/// assert_eq!(rx.try_recv(), Ok(2));
/// ```
pub struct Permit<'s, T> {
    tx: &'s BorrowedSender<'s, T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot (never waits; the value is dropped if the receiver
    /// is gone by now).
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.try_reserve().unwrap().send("x");
    /// assert_eq!(rx.try_recv(), Ok("x"));
    /// ```
    pub fn send(self, value: T) {
        let this = core::mem::ManuallyDrop::new(self);
        let res = with(&*this.tx.chan, |s, q| {
            s.reserved -= 1;
            if s.closed {
                return Err(value);
            }
            if q.push(value).is_err() {
                unreachable!("a reserved slot is free");
            }
            Ok(s.rx_waker.take())
        });
        match res {
            // Dropped outside the lock.
            Err(value) => drop(value),
            Ok(waker) => {
                if let Some(w) = waker {
                    w.wake();
                }
            }
        }
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        let waker = with(&*self.tx.chan, |s, q| {
            s.reserved -= 1;
            refill(s, q)
        });
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Permit").finish_non_exhaustive()
    }
}

/// The sending half of an unbounded channel: [`send`](Self::send) never waits.
///
/// ```
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// tx.send("a").unwrap();
/// assert_eq!(rx.try_recv(), Ok("a"));
/// ```
#[cfg(feature = "alloc")]
pub struct BorrowedUnboundedSender<'a, T> {
    inner: BorrowedSender<'a, T>,
}

/// The receiving half of an unbounded channel (the same type as a bounded channel's).
#[cfg(feature = "alloc")]
pub type BorrowedUnboundedReceiver<'a, T> = BorrowedReceiver<'a, T>;

/// The sending half of a heap channel or of a [`Channel`] in a `static`, as it is usually
/// named: `BorrowedSender<'static, T>`.
///
/// ```
/// use weft_core::sync::mpsc;
/// struct Worker { jobs: mpsc::Sender<u32> }
/// let (tx, _rx) = mpsc::channel(8);
/// let _w = Worker { jobs: tx };
/// ```
pub type Sender<T> = BorrowedSender<'static, T>;

/// The receiving half of a heap channel or of a [`Channel`] in a `static`:
/// `BorrowedReceiver<'static, T>`.
///
/// ```
/// use weft_core::sync::mpsc;
/// static CH: mpsc::Channel<u8, 4> = mpsc::Channel::new();
/// let (tx, rx): (mpsc::Sender<u8>, mpsc::Receiver<u8>) = CH.split();
/// # drop((tx, rx));
/// ```
pub type Receiver<T> = BorrowedReceiver<'static, T>;

/// The sending half of an unbounded heap channel: `BorrowedUnboundedSender<'static, T>`.
///
/// ```
/// use weft_core::sync::mpsc;
/// let (tx, rx): (mpsc::UnboundedSender<u8>, mpsc::UnboundedReceiver<u8>) = mpsc::unbounded_channel();
/// # drop((tx, rx));
/// ```
#[cfg(feature = "alloc")]
pub type UnboundedSender<T> = BorrowedUnboundedSender<'static, T>;

/// The receiving half of an unbounded heap channel.
///
/// See [`UnboundedSender`] for an example.
#[cfg(feature = "alloc")]
pub type UnboundedReceiver<T> = BorrowedReceiver<'static, T>;

#[cfg(feature = "alloc")]
impl<T> BorrowedUnboundedSender<'_, T> {
    /// Sends `value` without waiting; fails (giving it back) if the receiver is gone.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// drop(rx);
    /// assert_eq!(tx.send(1).unwrap_err().0, 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.inner.try_send(value).map_err(|e| match e {
            TrySendError::Closed(v) | TrySendError::Full(v) => SendError(v),
        })
    }

    /// Whether the receiver is gone or closed the channel.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::unbounded_channel::<()>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Waits until the receiver is gone or has closed the channel (see
    /// [`Sender::closed`](BorrowedSender::closed)).
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// block_on(tx.closed());
    /// ```
    pub async fn closed(&self) {
        self.inner.closed().await
    }
}

#[cfg(feature = "alloc")]
impl<T> Clone for BorrowedUnboundedSender<'_, T> {
    fn clone(&self) -> Self {
        BorrowedUnboundedSender {
            inner: self.inner.clone(),
        }
    }
}

#[cfg(feature = "alloc")]
impl<T> fmt::Debug for BorrowedUnboundedSender<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedSender")
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Receiver

/// The receiving half of a channel. Also a [`Stream`] of the messages.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(2);
/// tx.try_send(1).unwrap();
/// drop(tx);
/// assert_eq!(block_on(rx.recv()), Some(1));
/// assert_eq!(block_on(rx.recv()), None);
/// ```
pub struct BorrowedReceiver<'a, T> {
    chan: Handle<'a, T>,
}

// SAFETY: see `Sender`.
unsafe impl<T: Send> Send for BorrowedReceiver<'_, T> {}
// SAFETY: see `Sender`; every method that touches the state takes `&mut self` or the lock.
unsafe impl<T: Send> Sync for BorrowedReceiver<'_, T> {}

impl<T> BorrowedReceiver<'_, T> {
    /// Receives the next message, waiting for one; `None` once the buffer is empty and every
    /// sender is gone (or the channel was closed). Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// std::thread::spawn(move || block_on(tx.send(7)).unwrap());
    /// assert_eq!(block_on(rx.recv()), Some(7));
    /// assert_eq!(block_on(rx.recv()), None);
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        core::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next message; registers the waker when there is none.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.take(Some(cx.waker())) {
            Ok(v) => Poll::Ready(Some(v)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => Poll::Pending,
        }
    }

    /// Takes a message if one is buffered, without waiting.
    ///
    /// ```
    /// use weft_core::sync::mpsc::{self, TryRecvError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.take(None)
    }

    /// Receives up to `limit` messages into `buffer` (appended), waiting until there is at
    /// least one; returns how many were received. Returns `0` when `limit` is `0`, or once the
    /// buffer is empty and every sender is gone (or the channel was closed), just as
    /// [`recv`](Self::recv) returns `None`. Cancellation-safe.
    ///
    /// One lock acquisition takes the whole batch, and every slot it frees goes to a waiting
    /// sender in FIFO order, exactly as with `recv`: a consumer that handles messages in
    /// batches pays the channel's synchronization once per batch.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(8);
    /// for i in 0..5 {
    ///     tx.try_send(i).unwrap();
    /// }
    /// drop(tx);
    /// let mut batch = Vec::new();
    /// assert_eq!(block_on(rx.recv_many(&mut batch, 3)), 3);
    /// assert_eq!(block_on(rx.recv_many(&mut batch, 3)), 2);
    /// assert_eq!(batch, [0, 1, 2, 3, 4]);
    /// assert_eq!(block_on(rx.recv_many(&mut batch, 3)), 0); // closed and empty
    /// ```
    #[cfg(feature = "alloc")]
    pub async fn recv_many(&mut self, buffer: &mut alloc::vec::Vec<T>, limit: usize) -> usize {
        core::future::poll_fn(|cx| self.poll_recv_many(cx, buffer, limit)).await
    }

    /// Polls for up to `limit` messages (see [`recv_many`](Self::recv_many)); registers the
    /// waker when there is none.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(4);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = Vec::new();
    /// assert!(rx.poll_recv_many(&mut cx, &mut buf, 10).is_pending());
    /// tx.try_send('a').unwrap();
    /// tx.try_send('b').unwrap();
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 10), Poll::Ready(2));
    /// assert_eq!(buf, ['a', 'b']);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut alloc::vec::Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        // Room for a typical batch, so that pushing under the lock rarely allocates.
        buffer.reserve(limit.min(super::wait_list::WAKE_BATCH));
        let mut wakers = WakeList::new();
        let res = with(&*self.chan, |s, q| {
            let mut n = 0;
            // Stop at a full wake list so that no sender's waker is lost; the caller gets a
            // shorter batch and the rest comes with the next call.
            while n < limit && wakers.can_push() {
                let Some(v) = q.pop() else { break };
                buffer.push(v);
                n += 1;
                // Give the slot just freed to the first waiting sender.
                wakers.push(refill(s, q));
            }
            if n > 0 {
                Poll::Ready(n)
            } else if s.tx_count == 0 || s.closed {
                Poll::Ready(0)
            } else {
                match &s.rx_waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => s.rx_waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        });
        wakers.wake_all();
        res
    }

    fn take(&mut self, waker: Option<&Waker>) -> Result<T, TryRecvError> {
        let (res, sender_waker) = with(&*self.chan, |s, q| {
            if let Some(v) = q.pop() {
                // Give the slot just freed to the first waiting sender.
                (Ok(v), refill(s, q))
            } else if s.tx_count == 0 || s.closed {
                (Err(TryRecvError::Disconnected), None)
            } else {
                if let Some(w) = waker {
                    match &s.rx_waker {
                        Some(old) if old.will_wake(w) => {}
                        _ => s.rx_waker = Some(w.clone()),
                    }
                }
                (Err(TryRecvError::Empty), None)
            }
        });
        if let Some(w) = sender_waker {
            w.wake();
        }
        res
    }

    /// Closes the channel: further sends fail and waiting senders get their value back, but
    /// the messages already buffered can still be received.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(block_on(rx.recv()), Some(1));
    /// assert_eq!(block_on(rx.recv()), None);
    /// ```
    pub fn close(&mut self) {
        close_senders(&*self.chan);
    }

    /// The number of buffered messages.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        with(&*self.chan, |_, q| q.len())
    }

    /// Whether no message is buffered.
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (_tx, rx) = mpsc::channel::<()>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone or the channel was closed (buffered messages may remain).
    ///
    /// ```
    /// use weft_core::sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<()>(2);
    /// assert!(!rx.is_closed());
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        with(&*self.chan, |s, _| s.closed || s.tx_count == 0)
    }
}

impl<T> Stream for BorrowedReceiver<'_, T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> Drop for BorrowedReceiver<'_, T> {
    fn drop(&mut self) {
        close_senders(&*self.chan);
        // Drop the buffered messages one by one, outside the lock: a message may own a handle
        // to this very channel, whose drop takes the lock.
        loop {
            let msg = with(&*self.chan, |s, q| {
                s.rx_waker = None;
                let msg = q.pop();
                if msg.is_none() {
                    s.rx_alive = false;
                }
                msg
            });
            match msg {
                Some(m) => drop(m),
                None => break,
            }
        }
    }
}

impl<T> fmt::Debug for BorrowedReceiver<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Receiver").finish_non_exhaustive()
    }
}
