//! A multi-producer, multi-consumer channel in which every receiver sees every message
//! (feature `alloc`).
//!
//! ## Algorithm
//!
//! The channel keeps the last `capacity` messages in a ring (`VecDeque`) under one `Lock`,
//! with the sequence number of the oldest one (`head`). Each [`Receiver`] has its own cursor,
//! the sequence number of the next message it will read.
//!
//! * **send** appends the message; when the ring is full, the oldest message is evicted (and
//!   dropped outside the lock). Senders never wait for slow receivers.
//! * **recv** clones the message at the receiver's cursor and advances it. If the cursor fell
//!   behind `head` (the messages it had not read were evicted), `recv` returns
//!   [`RecvError::Lagged(n)`](RecvError::Lagged) with the number of missed messages and moves the
//!   cursor to the oldest retained message, so the next `recv` continues from there.
//! * A receiver that is caught up links a node into an intrusive wait list, recording the
//!   sequence number it waits for. `send` of message `s` wakes every waiter that waits for a
//!   sequence `<= s`, in batches with the lock released in between; receivers that start
//!   waiting meanwhile wait for `s + 1` and are left alone, so the loop terminates.
//! * When the last sender is dropped, every waiter is woken; receivers drain what is left and
//!   then get [`RecvError::Closed`].
//!
//! `T::clone` runs while the lock is held, so it must not use this channel. `recv` is
//! cancellation-safe: the cursor moves only when `recv` returns.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::lock::Lock;
use super::wait_list::{WaitList, Waiter, WakeList};

/// The error returned by [`Sender::send`] when there is no receiver; holds the value back.
///
/// ```
/// use weft_core::sync::broadcast;
/// let (tx, rx) = broadcast::channel(4);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().0, 1);
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
        f.write_str("channel closed: no receivers")
    }
}

#[cfg(feature = "std")]
impl<T> std::error::Error for SendError<T> {}

/// The error returned by [`Receiver::recv`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::broadcast::{self, RecvError};
/// let (tx, mut rx) = broadcast::channel(2);
/// for i in 0..5 { tx.send(i).unwrap(); }
/// assert_eq!(block_on(rx.recv()), Err(RecvError::Lagged(3)));
/// assert_eq!(block_on(rx.recv()), Ok(3));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// Every sender is gone and the receiver read everything.
    Closed,
    /// The receiver fell behind and missed this many messages; it continues with the oldest
    /// message still retained.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("channel closed"),
            RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RecvError {}

/// The error returned by [`Receiver::try_recv`].
///
/// ```
/// use weft_core::sync::broadcast::{self, TryRecvError};
/// let (tx, mut rx) = broadcast::channel::<u8>(2);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// No new message; senders are alive.
    Empty,
    /// Every sender is gone and the receiver read everything.
    Closed,
    /// The receiver missed this many messages (see [`RecvError::Lagged`]).
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Closed => f.write_str("channel closed"),
            TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TryRecvError {}

struct State<T> {
    buf: VecDeque<T>,
    capacity: usize,
    /// Sequence number of `buf[0]`.
    head: u64,
    tx_count: usize,
    rx_count: usize,
    /// Receivers waiting; the node data is the sequence number they wait for.
    waiters: WaitList<u64>,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.buf.len() as u64
    }
}

struct Chan<T> {
    state: Lock<State<T>>,
}

impl<T> Chan<T> {
    /// Wakes waiters that wait for a sequence `<= upto` (all of them if `None`).
    fn wake_waiters(&self, upto: Option<u64>) {
        let mut wakers = WakeList::new();
        loop {
            let more = self.state.with(|s| {
                while let Some(w) = s.waiters.front() {
                    if !wakers.can_push() {
                        return true;
                    }
                    // SAFETY: `w` is linked, hence valid; we hold the lock.
                    let (want, waker) = unsafe { w.as_ref().with(|n| (n.data, n.waker.take())) };
                    if upto.is_some_and(|u| want > u) {
                        // Put the waker back: this waiter is not concerned.
                        // SAFETY: as above.
                        unsafe { w.as_ref().with(|n| n.waker = waker) };
                        return false;
                    }
                    s.waiters.pop_front();
                    wakers.push(waker);
                }
                false
            });
            wakers.wake_all();
            if !more {
                break;
            }
        }
    }
}

/// Creates a broadcast channel that retains the last `capacity` messages.
///
/// Panics if `capacity` is 0.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::broadcast;
/// let (tx, mut rx1) = broadcast::channel(16);
/// let mut rx2 = tx.subscribe();
/// tx.send("hello").unwrap();
/// assert_eq!(block_on(rx1.recv()), Ok("hello"));
/// assert_eq!(block_on(rx2.recv()), Ok("hello"));
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel requires capacity > 0");
    let chan = Arc::new(Chan {
        state: Lock::new(State {
            buf: VecDeque::with_capacity(capacity),
            capacity,
            head: 0,
            tx_count: 1,
            rx_count: 1,
            waiters: WaitList::new(),
        }),
    });
    (Sender { chan: chan.clone() }, Receiver { chan, next: 0 })
}

/// The sending half of a broadcast channel; cloneable.
///
/// ```
/// use weft_core::sync::broadcast;
/// let (tx, _rx) = broadcast::channel::<u8>(4);
/// let tx2 = tx.clone();
/// assert_eq!(tx2.send(1), Ok(1)); // one receiver got it
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many receivers there are. Never waits:
    /// when the ring is full the oldest message is evicted and slow receivers will see
    /// [`RecvError::Lagged`]. Fails if there is no receiver.
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (tx, rx) = broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send(5), Ok(2));
    /// # drop(rx);
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut value = Some(value);
        let mut evicted = None;
        let mut result = Err(());
        let mut seq = 0;
        self.chan.state.with(|s| {
            if s.rx_count == 0 {
                return;
            }
            if s.buf.len() == s.capacity {
                evicted = s.buf.pop_front();
                s.head += 1;
            }
            seq = s.tail();
            s.buf.push_back(value.take().expect("sent once"));
            result = Ok(s.rx_count);
        });
        // An evicted message is dropped here, outside the lock.
        drop(evicted);
        match result {
            Ok(n) => {
                if value.is_none() {
                    self.chan.wake_waiters(Some(seq));
                }
                Ok(n)
            }
            Err(()) => Err(SendError(value.expect("not sent"))),
        }
    }

    /// Creates a new receiver that sees the messages sent after this call.
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (tx, _rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let next = self.chan.state.with(|s| {
            s.rx_count += 1;
            s.tail()
        });
        Receiver {
            chan: self.chan.clone(),
            next,
        }
    }

    /// The number of receivers alive now.
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (tx, rx) = broadcast::channel::<u8>(4);
    /// assert_eq!(tx.receiver_count(), 1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.chan.state.with(|s| s.rx_count)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.state.with(|s| s.tx_count += 1);
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let last = self.chan.state.with(|s| {
            s.tx_count -= 1;
            s.tx_count == 0
        });
        if last {
            self.chan.wake_waiters(None);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a broadcast channel, with its own read position.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::broadcast;
/// let (tx, mut rx) = broadcast::channel(4);
/// std::thread::spawn(move || { tx.send(1).unwrap(); });
/// assert_eq!(block_on(rx.recv()), Ok(1));
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    next: u64,
}

fn take<T: Clone>(s: &State<T>, next: &mut u64) -> Result<T, TryRecvError> {
    if *next < s.head {
        let missed = s.head - *next;
        *next = s.head;
        return Err(TryRecvError::Lagged(missed));
    }
    if *next < s.tail() {
        let v = s.buf[(*next - s.head) as usize].clone();
        *next += 1;
        Ok(v)
    } else if s.tx_count == 0 {
        Err(TryRecvError::Closed)
    } else {
        Err(TryRecvError::Empty)
    }
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next message. Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::broadcast::{self, RecvError};
    /// let (tx, mut rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(block_on(rx.recv()), Ok(1));
    /// assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            waiter: Waiter::new(0),
        }
    }

    /// Takes the next message if there is one, without waiting.
    ///
    /// ```
    /// use weft_core::sync::broadcast::{self, TryRecvError};
    /// let (tx, mut rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let next = &mut self.next;
        self.chan.state.with(|s| take(s, next))
    }
}

impl<T> Receiver<T> {
    /// A new receiver that starts at the current end of the channel (sees only later messages).
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (tx, rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx2.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        let next = self.chan.state.with(|s| {
            s.rx_count += 1;
            s.tail()
        });
        Receiver {
            chan: self.chan.clone(),
            next,
        }
    }

    /// How many retained messages this receiver has not read yet.
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (tx, rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        let next = self.next;
        self.chan
            .state
            .with(|s| (s.tail() - next.max(s.head)) as usize)
    }

    /// Whether this receiver has read every retained message.
    ///
    /// ```
    /// use weft_core::sync::broadcast;
    /// let (_tx, rx) = broadcast::channel::<u8>(4);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.state.with(|s| s.rx_count -= 1);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::recv`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::broadcast::{self, Recv};
/// let (tx, mut rx) = broadcast::channel(4);
/// tx.send(3).unwrap();
/// let fut: Recv<'_, i32> = rx.recv();
/// assert_eq!(block_on(fut), Ok(3));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    waiter: Waiter<u64>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let next = &mut this.rx.next;
        let res = this.rx.chan.state.with(|s| {
            let res = take(s, next);
            // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
            unsafe {
                if matches!(res, Err(TryRecvError::Empty)) {
                    let linked = waiter.with(|n| {
                        n.set_waker(cx.waker());
                        n.data = *next;
                        n.is_queued()
                    });
                    if !linked {
                        s.waiters.push_back(waiter.as_ptr());
                    }
                } else {
                    s.waiters.remove(waiter.as_ptr());
                }
            }
            res
        });
        match res {
            Ok(v) => Poll::Ready(Ok(v)),
            Err(TryRecvError::Empty) => Poll::Pending,
            Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError::Closed)),
            Err(TryRecvError::Lagged(n)) => Poll::Ready(Err(RecvError::Lagged(n))),
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        let ptr = self.waiter.as_ptr();
        // SAFETY: lock held; the waiter is only ever linked into this channel's list.
        self.rx
            .chan
            .state
            .with(|s| unsafe { s.waiters.remove(ptr) });
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Recv").finish_non_exhaustive()
    }
}
