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
//! One `Lock` protects the sender count, a `closed` flag, the receiver's waker and an
//! intrusive FIFO `WaitList` of senders waiting for room. Each waiting `send` future owns a
//! node that holds the *value it wants to send*. Bounded channels keep their messages in a
//! ring (`Ring`) whose `tail` only lock holders move and whose `head` only the receiver moves,
//! so **the receiver pops without the lock**; the unbounded channel's deque is used under the
//! lock.
//!
//! * `send` pushes into the buffer if there is room and nobody waits, and wakes the receiver.
//!   Otherwise it parks its value in its node at the back of the list.
//! * `reserve` waits in the same list with no value; when it reaches the head and a slot frees
//!   up, the slot is counted as `reserved` for it and the [`Permit`] it returns fills it later
//!   (or gives it to the next waiter if dropped unused).
//! * `recv` pops the oldest message. If senders wait, it moves the first waiting sender's
//!   value into each slot it freed, marks its node `Sent` and wakes it. So senders are served
//!   in FIFO order, a newcomer never overtakes a waiting sender, and no wake-up can be lost
//!   (the receiver does the sender's work).
//! * Why a lock-free pop cannot strand a sender: a sender under the lock may read an old
//!   `head` and wait although the receiver just freed a slot. The two sides run Dekker's
//!   handshake on a `senders_waiting` flag with `SeqCst` fences (details on `Chan`): either
//!   the sender sees the room, or the receiver sees the flag and serves it before `recv`
//!   returns. Loom models check it (`tests/loom_sync_mpsc.rs`), including one where the
//!   receiver never calls `recv` again.
//! * Why it matters: with senders and receiver on different threads, a lock taken by both
//!   sides for every message bounces between the cores; now only senders contend for it.
//!   Measured with the bench harness (15 rounds, 2 workers): `mpsc_throughput` 33-37 ms ->
//!   ~20 ms median (tokio ~15-24 ms), `mpsc_throughput_ct` 3.8 -> 3.05 ms.
//! * When the buffer is empty, `recv` stores its waker (under the lock) and returns
//!   `Pending`; it returns `None` once the buffer is empty and every sender is gone (or the
//!   receiver closed the channel).
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
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::lock::Lock;
use super::shared::Shared;
use super::wait_list::{WaitList, Waiter, WakeList};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};

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

/// A channel's buffer. Producers push only under the channel's lock (so pushes are
/// serialized). The receiver, the one consumer, pops: without the lock when
/// [`lock_free_pop`](Queue::lock_free_pop) says the buffer allows it (the bounded rings), else
/// under the lock.
pub(crate) trait Queue<T> {
    /// # Safety
    /// The channel's lock is held.
    unsafe fn push(&self, value: T) -> Result<(), T>;
    /// # Safety
    /// Only the receiver calls it, and under the lock unless `lock_free_pop()`.
    unsafe fn pop(&self) -> Option<T>;
    /// The number of buffered messages. Exact for the lock holder as far as pushes go; for a
    /// ring, the receiver may have popped since (the number only errs on the high side).
    ///
    /// # Safety
    /// The channel's lock is held, unless `lock_free_pop()`.
    unsafe fn len(&self) -> usize;
    /// `None` when unbounded.
    fn capacity(&self) -> Option<usize>;
    /// Whether `pop` may run without the lock.
    fn lock_free_pop(&self) -> bool;
}

/// One slot of a [`Ring`].
pub(crate) struct Slot<T>(UnsafeCell<MaybeUninit<T>>);

impl<T> Slot<T> {
    super::loom_const_fn! {
        fn new() -> Self {
            Slot(UnsafeCell::new(MaybeUninit::uninit()))
        }
    }
}

/// A bounded ring with one consumer: the buffer of every bounded channel.
///
/// `tail` moves only under the channel's lock (producers), `head` only by the receiver; the
/// slots from `head` to `tail` hold messages. So the receiver pops without the lock: it reads
/// `tail` (Acquire: the message written before the producer's Release store is visible),
/// moves the message out, and publishes `head`. A producer reads `head` to see the room; a
/// stale `head` only makes the buffer look fuller than it is, and the `senders_waiting`
/// handshake (see [`Chan`]) makes sure a sender that waits on such a stale view is still
/// served.
pub(crate) struct Ring<T, S: AsRef<[Slot<T>]>> {
    head: AtomicUsize,
    tail: AtomicUsize,
    slots: S,
    _t: PhantomData<T>,
}

// SAFETY: messages move between threads (hence `T: Send`) but are never shared: a slot is
// written only by the lock holder while it is outside head..tail, and read only by the
// receiver while it is inside, with `tail`/`head` (Release/Acquire) ordering the two.
unsafe impl<T: Send, S: AsRef<[Slot<T>]> + Send> Send for Ring<T, S> {}
// SAFETY: as above.
unsafe impl<T: Send, S: AsRef<[Slot<T>]> + Sync> Sync for Ring<T, S> {}

// SAFETY: as for `Ring`: a slot is only reached through the ring's protocol.
unsafe impl<T: Send> Send for Slot<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Slot<T> {}

#[cfg(feature = "alloc")]
// SAFETY: the deque is only touched under the channel's lock (see `Queue`).
unsafe impl<T: Send> Send for VecQueue<T> {}
#[cfg(feature = "alloc")]
// SAFETY: as above.
unsafe impl<T: Send> Sync for VecQueue<T> {}

impl<T, S: AsRef<[Slot<T>]>> Ring<T, S> {
    fn slots(&self) -> &[Slot<T>] {
        self.slots.as_ref()
    }

    // `head` and `tail` count in `0..2 * len` and wrap there, not at `usize::MAX`: a counter
    // that wrapped at `usize::MAX` would jump to another slot whenever `len` does not divide
    // 2^BITS (after 2^32 messages on a 32-bit target). Twice `len`, so that a full ring
    // (`tail - head == len`) and an empty one (`tail == head`) differ.

    /// The counter after `c`.
    fn next(&self, c: usize) -> usize {
        let n = c + 1;
        if n == 2 * self.slots().len() {
            0
        } else {
            n
        }
    }

    /// Messages from counter `h` to counter `t`.
    fn distance(&self, t: usize, h: usize) -> usize {
        if t >= h {
            t - h
        } else {
            t + 2 * self.slots().len() - h
        }
    }

    /// The slot of counter `c`.
    fn slot(&self, c: usize) -> &Slot<T> {
        let len = self.slots().len();
        &self.slots()[if c >= len { c - len } else { c }]
    }
}

impl<T, const N: usize> Ring<T, [Slot<T>; N]> {
    #[cfg(not(loom))]
    const fn inline() -> Self {
        Ring {
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            slots: [const { Slot::new() }; N],
            _t: PhantomData,
        }
    }
    #[cfg(loom)]
    fn inline() -> Self {
        Ring {
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            slots: core::array::from_fn(|_| Slot::new()),
            _t: PhantomData,
        }
    }
}

#[cfg(feature = "alloc")]
impl<T> Ring<T, alloc::boxed::Box<[Slot<T>]>> {
    fn boxed(cap: usize) -> Self {
        assert!(cap <= usize::MAX / 2, "mpsc channel capacity too large");
        Ring {
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            slots: (0..cap).map(|_| Slot::new()).collect(),
            _t: PhantomData,
        }
    }
}

impl<T, S: AsRef<[Slot<T>]>> Queue<T> for Ring<T, S> {
    unsafe fn push(&self, value: T) -> Result<(), T> {
        // Only lock holders move `tail`, and we hold the lock.
        let t = self.tail.load(Ordering::Relaxed);
        // A stale `head` only hides room; the `senders_waiting` handshake (see `Chan`) covers a
        // sender that waits because of it.
        let h = self.head.load(Ordering::Acquire);
        if self.distance(t, h) >= self.slots().len() {
            return Err(value);
        }
        // SAFETY: the slot is outside head..tail, so the receiver does not touch it, and other
        // producers wait for the lock; the receiver's Release store of `head` (read above)
        // ordered its read of the old message before this write.
        self.slot(t).0.with_mut(|p| unsafe { (*p).write(value) });
        self.tail.store(self.next(t), Ordering::Release);
        Ok(())
    }

    unsafe fn pop(&self) -> Option<T> {
        // Only the receiver moves `head`, and we are the receiver.
        let h = self.head.load(Ordering::Relaxed);
        if self.tail.load(Ordering::Acquire) == h {
            return None;
        }
        // SAFETY: `h` is below `tail`: the slot holds a message, fully written before the
        // Release store of `tail` that we acquired; producers do not touch it until `head`
        // moves past it.
        let value = self
            .slot(h)
            .0
            .with_mut(|p| unsafe { (*p).assume_init_read() });
        // The receiver then checks `senders_waiting` after a SeqCst fence (see `Chan`).
        self.head.store(self.next(h), Ordering::Release);
        Some(value)
    }

    unsafe fn len(&self) -> usize {
        // `head` first: it never passes `tail`, so the difference cannot underflow.
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Acquire);
        self.distance(t, h).min(self.slots().len())
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.slots().len())
    }

    fn lock_free_pop(&self) -> bool {
        true
    }
}

impl<T, S: AsRef<[Slot<T>]>> Drop for Ring<T, S> {
    fn drop(&mut self) {
        // Normally empty: the receiver drains it when it is dropped.
        let (mut h, t) = (
            self.head.load(Ordering::Relaxed),
            self.tail.load(Ordering::Relaxed),
        );
        while h != t {
            // SAFETY: `&mut self`: nobody else; slots head..tail hold messages.
            self.slot(h)
                .0
                .with_mut(|p| unsafe { (*p).assume_init_drop() });
            h = self.next(h);
        }
    }
}

/// An unbounded heap buffer; used only under the lock.
#[cfg(feature = "alloc")]
pub(crate) struct VecQueue<T> {
    queue: UnsafeCell<alloc::collections::VecDeque<T>>,
}

#[cfg(feature = "alloc")]
impl<T> Queue<T> for VecQueue<T> {
    unsafe fn push(&self, value: T) -> Result<(), T> {
        // SAFETY: lock held (the caller's contract), so access is exclusive.
        self.queue.with_mut(|q| unsafe { (*q).push_back(value) });
        Ok(())
    }
    unsafe fn pop(&self) -> Option<T> {
        // SAFETY: as above (`lock_free_pop` is false, so `pop` is under the lock too).
        self.queue.with_mut(|q| unsafe { (*q).pop_front() })
    }
    unsafe fn len(&self) -> usize {
        // SAFETY: as above.
        self.queue.with(|q| unsafe { (*q).len() })
    }
    fn capacity(&self) -> Option<usize> {
        None
    }
    fn lock_free_pop(&self) -> bool {
        false
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

/// A channel with buffer type `Q`.
///
/// ## The `senders_waiting` handshake
///
/// The receiver pops from a bounded ring without the lock, so a sender (under the lock) may
/// read a `head` older than the receiver's last pop, find the ring full and go to wait while
/// a slot is in fact free. To never leave it waiting so, the two sides use the classic
/// store / fence / load handshake (Dekker's):
///
/// * a sender about to wait stores `senders_waiting = true`, issues a `SeqCst` fence, then
///   checks the room again (its load of `head`);
/// * the receiver, after a lock-free pop, stores `head`, issues a `SeqCst` fence, then loads
///   `senders_waiting`; if set, it takes the lock and hands the free slots to the waiting
///   senders ([`serve_waiting`]).
///
/// The two fences are ordered one way or the other: either the sender's load comes after the
/// receiver's store of `head` (it sees the room and does not wait), or the receiver's load
/// comes after the sender's store (it serves the sender, which linked itself before it let go
/// of the lock). `senders_waiting` is reset, under the lock, when the wait list empties.
pub(crate) struct Chan<T, Q> {
    inner: Lock<State<T>>,
    senders_waiting: AtomicBool,
    queue: Q,
}

impl<T, Q> Chan<T, Q> {
    super::loom_const_fn! {
        fn new(queue: Q, tx_count: usize, rx_alive: bool) -> Self {
            Chan {
                inner: Lock::new(State {
                    tx_count,
                    reserved: 0,
                    rx_alive,
                    closed: false,
                    rx_waker: None,
                    senders: WaitList::new(),
                    closed_waiters: WaitList::new(),
                }),
                senders_waiting: AtomicBool::new(false),
                queue,
            }
        }
    }
}

/// A closure run under the channel's lock.
type LockedFn<'f, T> = dyn FnMut(&mut State<T>, &dyn Queue<T>) + 'f;

/// The buffer-erased view of a [`Chan`] that endpoints hold.
pub(crate) trait RawChan<T> {
    fn with_dyn(&self, f: &mut LockedFn<'_, T>);
    fn queue(&self) -> &dyn Queue<T>;
    fn senders_waiting(&self) -> &AtomicBool;
}

impl<T, Q: Queue<T>> RawChan<T> for Chan<T, Q> {
    fn with_dyn(&self, f: &mut LockedFn<'_, T>) {
        self.inner.with(|s| {
            f(s, &self.queue);
            // Keep the flag equal to "a sender waits" (see the type's docs), writing only on
            // a change so the receiver's cache line is not disturbed for nothing.
            let waiting = !s.senders.is_empty();
            if self.senders_waiting.load(Ordering::Relaxed) != waiting {
                self.senders_waiting.store(waiting, Ordering::SeqCst);
            }
        })
    }
    fn queue(&self) -> &dyn Queue<T> {
        &self.queue
    }
    fn senders_waiting(&self) -> &AtomicBool {
        &self.senders_waiting
    }
}

type Handle<'a, T> = Shared<'a, dyn RawChan<T> + 'a>;

/// Runs `f` under the channel's lock.
fn with<T, R>(
    chan: &(dyn RawChan<T> + '_),
    f: impl FnOnce(&mut State<T>, &dyn Queue<T>) -> R,
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

/// Whether a value can be pushed now without taking a reserved slot. Under the lock; for a
/// ring, a `false` may be stale (see [`Chan`]).
fn has_room<T>(s: &State<T>, q: &dyn Queue<T>) -> bool {
    // SAFETY: the caller holds the lock (it has the state).
    q.capacity()
        .is_none_or(|cap| unsafe { q.len() } + s.reserved < cap)
}

/// Whether a sender that is not waiting yet may push now: there is room and nobody waits
/// (senders are served in FIFO order).
fn newcomer_may_push<T>(s: &State<T>, q: &dyn Queue<T>) -> bool {
    s.senders.is_empty() && has_room(s, q)
}

/// Gives free room to waiting senders in FIFO order, collecting their wakers, until there is
/// no room, no waiter, or `wakers` is full. Returns whether it stopped because `wakers` is full.
fn refill_all<T>(s: &mut State<T>, q: &dyn Queue<T>, wakers: &mut WakeList) -> bool {
    while !s.senders.is_empty() && !s.closed && has_room(s, q) {
        if !wakers.can_push() {
            return true;
        }
        wakers.push(refill(s, q).0);
    }
    false
}

/// The receiver's side of the handshake in [`Chan`], after it freed slots without the lock:
/// whether a sender may be waiting (then call [`serve_waiting`]).
fn senders_may_wait<T>(chan: &(dyn RawChan<T> + '_)) -> bool {
    fence(Ordering::SeqCst);
    chan.senders_waiting().load(Ordering::Relaxed)
}

/// After a lock-free pop found `senders_waiting` set: takes the lock and hands every free slot
/// to the waiting senders (the receiver's side of the handshake in [`Chan`]).
fn serve_waiting<T>(chan: &(dyn RawChan<T> + '_)) {
    loop {
        let mut wakers = WakeList::new();
        let more = with(chan, |s, q| refill_all(s, q, &mut wakers));
        wakers.wake_all();
        if !more {
            break;
        }
    }
}

/// Gives free room to the first waiting sender: moves its value into the buffer (a `send`) or
/// reserves a slot for it (a `reserve`). Returns its waker, and whether a value went into the
/// buffer (then a receiver parked on an empty channel must be woken: see [`hand_on_slot`]).
fn refill<T>(s: &mut State<T>, q: &dyn Queue<T>) -> (Option<Waker>, bool) {
    if s.closed || !has_room(s, q) {
        return (None, false);
    }
    let Some(w) = s.senders.pop_front() else {
        return (None, false);
    };
    // SAFETY: `w` was linked, hence valid; the caller holds the lock (it has `&mut` state).
    unsafe {
        w.as_ref().with(|n| {
            let pushed = match n.data.value.take() {
                Some(value) => {
                    // (`q.push`: the caller holds the lock.)
                    if q.push(value).is_err() {
                        unreachable!("room was checked");
                    }
                    true
                }
                None => {
                    s.reserved += 1;
                    false
                }
            };
            n.data.outcome = SendOutcome::Sent;
            (n.waker.take(), pushed)
        })
    }
}

/// A reserved slot comes back unused (a dropped [`Permit`], or a dropped `reserve` that had
/// been granted one): hands it to the first waiting sender. If that put a value in the
/// buffer, the receiver may be parked on what it saw as an empty channel, so its waker is
/// taken too. Returns the wakers to wake after the lock.
fn hand_on_slot<T>(s: &mut State<T>, q: &dyn Queue<T>) -> [Option<Waker>; 2] {
    s.reserved -= 1;
    let (sender, pushed) = refill(s, q);
    [sender, if pushed { s.rx_waker.take() } else { None }]
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
    chan: Chan<T, Ring<T, [Slot<T>; N]>>,
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
            const {
                assert!(N > 0, "an mpsc::Channel needs a capacity N >= 1");
                assert!(N <= usize::MAX / 2, "mpsc::Channel capacity too large");
            };
            Channel {
                chan: Chan::new(Ring::inline(), 0, false),
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
        let ok = self.chan.inner.with(|s| {
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
    endpoints(Shared::Arc(alloc::sync::Arc::new(Chan::new(
        Ring::boxed(buffer),
        1,
        true,
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
        queue: UnsafeCell::new(alloc::collections::VecDeque::new()),
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
            } else if newcomer_may_push(s, q) {
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
            if !newcomer_may_push(s, q) {
                return Err(TrySendError::Full(value));
            }
            // SAFETY: lock held.
            match unsafe { q.push(value) } {
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
            // SAFETY: lock held.
            Some(cap) => cap.saturating_sub(unsafe { q.len() } + s.reserved),
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
        let flag = this.tx.chan.senders_waiting();
        let res = match this.state {
            SendState::Init => with(&*this.tx.chan, |s, q| {
                // SAFETY: lock held (and the node is not linked yet).
                let value = unsafe { waiter.with(|n| n.data.value.take()) };
                if s.closed {
                    return Some(Err(value));
                }
                // About to wait? First the sender's side of the handshake (see `Chan`): announce
                // it, then look at the room again.
                let may_push = newcomer_may_push(s, q) || {
                    flag.store(true, Ordering::Relaxed);
                    fence(Ordering::SeqCst);
                    newcomer_may_push(s, q)
                };
                if may_push {
                    match value {
                        Some(v) => {
                            // SAFETY: lock held.
                            if unsafe { q.push(v) }.is_err() {
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
        let wakers = with(&*self.tx.chan, |s, q| {
            // SAFETY: lock held; the waiter is only ever linked into this list. A value still
            // here is dropped with `self`, after the lock is released.
            if unsafe { s.senders.remove(ptr) } {
                return [None, None];
            }
            // SAFETY: lock held.
            let granted = unsafe { waiter.with(|n| n.data.outcome == SendOutcome::Sent) };
            if reserve && granted {
                // A slot was reserved for us but we will never use it: hand it on.
                hand_on_slot(s, q)
            } else {
                [None, None]
            }
        });
        for w in wakers.into_iter().flatten() {
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
            // SAFETY: lock held.
            if unsafe { q.push(value) }.is_err() {
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
        let wakers = with(&*self.tx.chan, hand_on_slot);
        for w in wakers.into_iter().flatten() {
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
        let chan = &*self.chan;
        let q = chan.queue();
        if q.lock_free_pop() {
            let pop_into = |buffer: &mut alloc::vec::Vec<T>, max: usize| {
                let mut n = 0;
                // SAFETY: we are the receiver, and the ring allows popping without the lock.
                while let Some(v) = (n < max).then(|| unsafe { q.pop() }).flatten() {
                    buffer.push(v);
                    n += 1;
                }
                n
            };
            let mut n = pop_into(buffer, limit);
            // The receiver's side of the handshake (see `Chan`) after every round of pops;
            // the senders just served may fill the rest of the batch.
            if n > 0 && senders_may_wait(chan) {
                serve_waiting(chan);
                let more = pop_into(buffer, limit - n);
                n += more;
                if more > 0 && senders_may_wait(chan) {
                    serve_waiting(chan);
                }
            }
            if n > 0 {
                return Poll::Ready(n);
            }
        } else {
            // Room for a typical batch, so that pushing under the lock rarely allocates.
            buffer.reserve(limit.min(super::wait_list::WAKE_BATCH));
        }
        let mut wakers = WakeList::new();
        let res = with(chan, |s, q| {
            let mut n = 0;
            // Stop at a full wake list so that no sender's waker is lost; the caller gets a
            // shorter batch and the rest comes with the next call.
            while n < limit && wakers.can_push() {
                // SAFETY: we are the receiver, under the lock.
                let Some(v) = (unsafe { q.pop() }) else { break };
                buffer.push(v);
                n += 1;
                // Give the slot just freed to the first waiting sender.
                wakers.push(refill(s, q).0);
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
        // Slots freed without the lock earlier may still be owed to waiting senders.
        if senders_may_wait(chan) {
            serve_waiting(chan);
        }
        res
    }

    fn take(&mut self, waker: Option<&Waker>) -> Result<T, TryRecvError> {
        let chan = &*self.chan;
        let q = chan.queue();
        if q.lock_free_pop() {
            // SAFETY: we are the receiver, and the ring allows popping without the lock.
            if let Some(v) = unsafe { q.pop() } {
                // The receiver's side of the handshake (see `Chan`).
                if senders_may_wait(chan) {
                    serve_waiting(chan);
                }
                return Ok(v);
            }
        }
        let (res, sender_waker) = with(chan, |s, q| {
            // SAFETY: we are the receiver, under the lock.
            if let Some(v) = unsafe { q.pop() } {
                // Give the slot just freed to the first waiting sender.
                (Ok(v), refill(s, q).0)
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
        if res.is_ok() && senders_may_wait(chan) {
            // Slots freed without the lock earlier may still be owed to waiting senders.
            serve_waiting(chan);
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
        // SAFETY: lock held.
        with(&*self.chan, |_, q| unsafe { q.len() })
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
                // SAFETY: we are the receiver, under the lock.
                let msg = unsafe { q.pop() };
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

#[cfg(all(test, not(loom), feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn ring_counters_wrap_without_reusing_a_full_slot_for_any_capacity() {
        for cap in 1..=5usize {
            let ring = Ring::<u32, alloc::boxed::Box<[Slot<u32>]>>::boxed(cap);
            // Push and pop through several laps of the counters, one ring-full at a time,
            // so every wrap point is crossed with the ring full.
            let mut next_in = 0u32;
            let mut next_out = 0u32;
            for _ in 0..4 * cap + 3 {
                // SAFETY: single-threaded test: we are both the lock holder and the receiver.
                unsafe {
                    while ring.push(next_in).is_ok() {
                        next_in += 1;
                    }
                    assert_eq!(ring.len(), cap, "a full ring holds exactly `cap`");
                    let Some(v) = ring.pop() else { unreachable!() };
                    assert_eq!(v, next_out, "FIFO across the wrap (cap {cap})");
                    next_out += 1;
                }
            }
            // SAFETY: as above.
            unsafe {
                while let Some(v) = ring.pop() {
                    assert_eq!(v, next_out);
                    next_out += 1;
                }
                assert_eq!(ring.len(), 0);
            }
            assert_eq!(next_in, next_out);
        }
    }

    #[test]
    fn ring_drop_drops_what_is_left_once() {
        use alloc::sync::Arc;
        let token = Arc::new(());
        {
            let ring = Ring::<Arc<()>, [Slot<Arc<()>>; 3]>::inline();
            // SAFETY: single-threaded test.
            unsafe {
                for _ in 0..3 {
                    ring.push(token.clone()).unwrap();
                }
                drop(ring.pop());
                ring.push(token.clone()).unwrap(); // wraps
            }
            assert_eq!(Arc::strong_count(&token), 4);
        }
        assert_eq!(Arc::strong_count(&token), 1);
    }
}
