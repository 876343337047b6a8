//! [`ScheduledIo`]: the readiness cell of one registered I/O source.
//!
//! # The readiness word
//!
//! One `AtomicUsize` holds everything the hot path reads:
//!
//! ```text
//!  bit 31      bits 16..31 (15 bits)      bits 0..8
//! [shutdown] [        tick         ] ... [ ready ]
//! ```
//!
//! * `ready` — the [`Ready`] bits the reactor reported and nobody has cleared yet.
//! * `tick` — bumped (mod 2^15) every time the reactor *sets* readiness.
//! * `shutdown` — the reactor is gone; every wait returns at once with
//!   [`ReadyEvent::is_shutdown`].
//!
//! The layout fits a 32-bit `usize`, so the same cell works on a microcontroller.
//!
//! # Why a tick: edges must not be lost
//!
//! The reactors are edge-triggered: the OS reports "readable" once per new arrival, not while
//! data stays buffered. A task therefore keeps a *cached* readiness and clears it only after
//! an I/O attempt returned `WouldBlock`. The race to avoid:
//!
//! 1. the task sees `READABLE`, calls `read`, the socket is empty → `WouldBlock`;
//! 2. meanwhile data arrives and the reactor sets `READABLE` again (the only edge it will get);
//! 3. the task clears `READABLE` and waits — forever.
//!
//! The task therefore captures a [`ReadyEvent`] (bits *and* tick) before the attempt and
//! clears with [`ScheduledIo::clear_readiness`], which is a compare-and-swap that only
//! clears when the tick is still the one captured. If the reactor set readiness in between,
//! the tick moved, the clear is a no-op, and the next attempt sees the new data. A 15-bit tick
//! could only alias after 32,768 reactor dispatches to this source within one failed I/O
//! attempt; an alias would cost one lost edge, which the next event on the socket repairs.
//!
//! # Waking
//!
//! The reactor first publishes readiness in the word (an atomic read-modify-write), then takes
//! the cell's spin lock and collects the wakers it satisfies ([`super::waiters`]). A waiter
//! checks the word again *after* taking the lock and before sleeping, so either it sees the
//! new readiness or the reactor, taking the lock after it, sees the waiter: no wake-up is lost.
//! Wakers run after the lock is released, in batches of 32 kept on the stack.
//!
//! Two ways to wait: [`ScheduledIo::poll_ready`] keeps one waker per direction (what
//! `AsyncRead::poll_read` needs: no place to pin a node), and [`ScheduledIo::ready`] returns a
//! [`Readiness`] future that links itself into an intrusive list, so any number of tasks can
//! wait on one source. Neither allocates.

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use super::spin::SpinLock;
use super::waiters::{Waiter, Waiters, WakeList};
use super::{Direction, Interest, Ready};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

const READY_MASK: usize = 0xff;
const TICK_SHIFT: u32 = 16;
/// 15 bits of tick: the most that fits below the shutdown bit of a 32-bit word.
const TICK_MAX: usize = (1 << 15) - 1;
const SHUTDOWN: usize = 1 << 31;

fn unpack_ready(word: usize) -> Ready {
    Ready::from_bits((word & READY_MASK) as u8)
}

fn unpack_tick(word: usize) -> u16 {
    ((word >> TICK_SHIFT) & TICK_MAX) as u16
}

fn pack(ready: Ready, tick: u16, shutdown: bool) -> usize {
    let mut w = ready.bits() as usize | ((tick as usize & TICK_MAX) << TICK_SHIFT);
    if shutdown {
        w |= SHUTDOWN;
    }
    w
}

/// A snapshot of a source's readiness: the bits a task may act on and the tick they were
/// observed at. Pass it back to [`ScheduledIo::clear_readiness`] after a `WouldBlock`.
///
/// ```
/// use weft_core::io::{Interest, Ready, ScheduledIo};
///
/// let io = ScheduledIo::new();
/// io.set_readiness(Ready::READABLE);
/// let ev = io.readiness(Interest::READABLE);
/// assert!(ev.ready().is_readable());
/// assert!(!ev.is_shutdown());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyEvent {
    ready: Ready,
    tick: u16,
    shutdown: bool,
}

impl ReadyEvent {
    /// The readiness bits, already restricted to the interest that was asked for.
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::READABLE | Ready::WRITABLE);
    /// assert_eq!(io.readiness(Interest::WRITABLE).ready(), Ready::WRITABLE);
    /// ```
    pub fn ready(&self) -> Ready {
        self.ready
    }

    /// The tick the bits were read at.
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// let before = io.readiness(Interest::READABLE).tick();
    /// io.set_readiness(Ready::READABLE);
    /// assert_ne!(io.readiness(Interest::READABLE).tick(), before);
    /// ```
    pub fn tick(&self) -> u16 {
        self.tick
    }

    /// Whether the reactor has shut down; I/O on the source should fail.
    ///
    /// ```
    /// use weft_core::io::{Interest, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.shutdown();
    /// assert!(io.readiness(Interest::READABLE).is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.shutdown
    }

    fn from_word(word: usize, interest: Interest) -> Self {
        ReadyEvent {
            ready: unpack_ready(word).intersection(interest.mask()),
            tick: unpack_tick(word),
            shutdown: word & SHUTDOWN != 0,
        }
    }

    fn is_actionable(&self) -> bool {
        self.shutdown || !self.ready.is_empty()
    }
}

/// What [`ScheduledIo::clear_readiness`] did: a typed outcome rather than a bool.
///
/// ```
/// use weft_core::io::{ClearOutcome, Interest, Ready, ScheduledIo};
/// let io = ScheduledIo::new();
/// io.set_readiness(Ready::READABLE);
/// let ev = io.readiness(Interest::READABLE);
/// assert_eq!(io.clear_readiness(ev), ClearOutcome::Cleared);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClearOutcome {
    /// The bits were cleared; the task should wait for the next edge.
    Cleared,
    /// The reactor reported readiness after the event was taken (the tick moved): nothing was
    /// cleared, and the task should try its I/O again.
    NewEdge,
}

/// The readiness cell of one registered I/O source: readiness bits, a tick, a shutdown flag
/// and the tasks waiting on it. Reactors own one per registration and call
/// [`set_readiness`](Self::set_readiness) + [`wake`](Self::wake) (or
/// [`dispatch`](Self::dispatch)) when the OS reports an event; I/O types wait with
/// [`poll_ready`](Self::poll_ready) or [`ready`](Self::ready) and call
/// [`clear_readiness`](Self::clear_readiness) after `WouldBlock`.
///
/// The algorithm is described at the top of `core/src/io/scheduled_io.rs`.
///
/// ```
/// use weft_core::io::{ClearOutcome, Interest, Ready, ScheduledIo};
///
/// let io = ScheduledIo::new();
/// io.dispatch(Ready::READABLE);                 // the reactor saw an edge
/// let ev = io.readiness(Interest::READABLE);    // the task takes a snapshot, tries to read…
/// io.dispatch(Ready::READABLE);                 // …and a new edge arrives meanwhile
/// // The read returned WouldBlock, but the clear sees the moved tick and keeps the new edge.
/// assert_eq!(io.clear_readiness(ev), ClearOutcome::NewEdge);
/// assert!(io.readiness(Interest::READABLE).ready().is_readable());
/// ```
pub struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: SpinLock<Waiters>,
}

impl Default for ScheduledIo {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ScheduledIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.readiness.load(Ordering::Relaxed);
        f.debug_struct("ScheduledIo")
            .field("ready", &unpack_ready(w))
            .field("tick", &unpack_tick(w))
            .field("shutdown", &(w & SHUTDOWN != 0))
            .finish()
    }
}

impl ScheduledIo {
    /// An empty cell: no readiness, tick 0, no waiters. `const`, so it can live in a `static`
    /// on targets without an allocator.
    ///
    /// ```
    /// use weft_core::io::{Interest, ScheduledIo};
    /// static IO: ScheduledIo = ScheduledIo::new();
    /// assert!(IO.readiness(Interest::READABLE).ready().is_empty());
    /// ```
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: SpinLock::new(Waiters::new()),
        }
    }

    /// An empty cell (loom build: loom atomics are not `const`).
    #[cfg(loom)]
    pub fn new() -> Self {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: SpinLock::new(Waiters::new()),
        }
    }

    /// The current readiness restricted to `interest`, with its tick.
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::WRITABLE);
    /// assert!(io.readiness(Interest::READABLE).ready().is_empty());
    /// ```
    pub fn readiness(&self, interest: Interest) -> ReadyEvent {
        ReadyEvent::from_word(self.readiness.load(Ordering::Acquire), interest)
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    ///
    /// ```
    /// let io = weft_core::io::ScheduledIo::new();
    /// assert!(!io.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.readiness.load(Ordering::Acquire) & SHUTDOWN != 0
    }

    /// Reactor side: adds `ready` to the readiness bits and bumps the tick. Does not wake
    /// anyone; call [`wake`](Self::wake) next (or use [`dispatch`](Self::dispatch)).
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::READABLE);
    /// io.set_readiness(Ready::WRITABLE);
    /// let ev = io.readiness(Interest::READABLE | Interest::WRITABLE);
    /// assert_eq!(ev.ready(), Ready::READABLE | Ready::WRITABLE);
    /// ```
    pub fn set_readiness(&self, ready: Ready) {
        let mut cur = self.readiness.load(Ordering::Relaxed);
        loop {
            let tick = (unpack_tick(cur) as usize + 1) & TICK_MAX;
            let new = pack(unpack_ready(cur) | ready, tick as u16, cur & SHUTDOWN != 0);
            match self.readiness.compare_exchange_weak(
                cur,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Task side: after an I/O attempt returned `WouldBlock`, clears the bits of `event` —
    /// but only if no new readiness was reported since `event` was taken (same tick). Sticky
    /// bits (`READ_CLOSED`, `WRITE_CLOSED`) are never cleared.
    ///
    /// ```
    /// use weft_core::io::{ClearOutcome, Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::READABLE);
    /// let ev = io.readiness(Interest::READABLE);
    /// assert_eq!(io.clear_readiness(ev), ClearOutcome::Cleared);
    /// assert!(io.readiness(Interest::READABLE).ready().is_empty());
    /// ```
    pub fn clear_readiness(&self, event: ReadyEvent) -> ClearOutcome {
        let mut cur = self.readiness.load(Ordering::Acquire);
        loop {
            if unpack_tick(cur) != event.tick {
                return ClearOutcome::NewEdge;
            }
            let new = pack(
                unpack_ready(cur).clear(event.ready),
                event.tick,
                cur & SHUTDOWN != 0,
            );
            if new == cur {
                return ClearOutcome::Cleared;
            }
            match self.readiness.compare_exchange_weak(
                cur,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return ClearOutcome::Cleared,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Reactor side: wakes every task whose interest `ready` satisfies. Wakers run after the
    /// cell's lock is released.
    ///
    /// ```
    /// use weft_core::io::{Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.wake(Ready::READABLE); // nobody waits: nothing happens
    /// ```
    pub fn wake(&self, ready: Ready) {
        let mut list = WakeList::new();
        loop {
            let more = self.waiters.with(|w| w.drain_matching(ready, &mut list));
            list.wake_all();
            if !more {
                return;
            }
        }
    }

    /// Reactor side: [`set_readiness`](Self::set_readiness) then [`wake`](Self::wake).
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    /// let io = ScheduledIo::new();
    /// io.dispatch(Ready::WRITABLE);
    /// assert!(io.readiness(Interest::WRITABLE).ready().is_writable());
    /// ```
    pub fn dispatch(&self, ready: Ready) {
        self.set_readiness(ready);
        self.wake(ready);
    }

    /// Marks the cell shut down (the reactor is going away) and wakes every waiter; from now
    /// on every wait completes immediately with [`ReadyEvent::is_shutdown`].
    ///
    /// ```
    /// use weft_core::io::{Direction, ScheduledIo};
    /// use core::task::{Context, Waker};
    ///
    /// let io = ScheduledIo::new();
    /// io.shutdown();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let ev = io.poll_ready(&mut cx, Direction::Read);
    /// assert!(matches!(ev, core::task::Poll::Ready(e) if e.is_shutdown()));
    /// ```
    pub fn shutdown(&self) {
        self.readiness.fetch_or(SHUTDOWN, Ordering::AcqRel);
        self.wake(Ready::ALL);
    }

    /// Drops every stored waker without waking it (on deregistration: a waker may own the
    /// task that owns the socket, and keeping it would leak both).
    ///
    /// ```
    /// let io = weft_core::io::ScheduledIo::new();
    /// io.clear_wakers();
    /// ```
    pub fn clear_wakers(&self) {
        let (r, w) = self.waiters.with(|w| (w.reader.take(), w.writer.take()));
        drop((r, w));
    }

    /// Task side, single-waker path: ready when the `direction`'s readiness is set (or the
    /// reactor shut down); otherwise stores the context's waker in the direction's slot (one
    /// slot each for read and write, replacing the previous task's) and returns `Pending`.
    ///
    /// Use this from `poll_*` methods. For several tasks waiting on the same direction, use
    /// [`ready`](Self::ready).
    ///
    /// ```
    /// use core::task::{Context, Poll, Waker};
    /// use weft_core::io::{Direction, Ready, ScheduledIo};
    ///
    /// let io = ScheduledIo::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
    /// io.dispatch(Ready::READABLE);
    /// assert!(io.poll_ready(&mut cx, Direction::Read).is_ready());
    /// ```
    pub fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<ReadyEvent> {
        let interest = direction.interest();
        let ev = self.readiness(interest);
        if ev.is_actionable() {
            return Poll::Ready(ev);
        }
        self.waiters.with(|w| {
            let slot = match direction {
                Direction::Read => &mut w.reader,
                Direction::Write => &mut w.writer,
            };
            match slot {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        });
        // Re-check after publishing the waker: the reactor sets readiness before it takes
        // the lock, so an event it dispatched before seeing our waker is visible now.
        let ev = self.readiness(interest);
        if ev.is_actionable() {
            Poll::Ready(ev)
        } else {
            Poll::Pending
        }
    }

    /// Task side, multi-waiter path: a future that completes when readiness satisfying
    /// `interest` is set (or the reactor shut down). Any number of these may wait at once.
    ///
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Waker};
    /// use weft_core::io::{Interest, Ready, ScheduledIo};
    ///
    /// let io = ScheduledIo::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut a = pin!(io.ready(Interest::READABLE));
    /// let mut b = pin!(io.ready(Interest::READABLE));
    /// assert!(a.as_mut().poll(&mut cx).is_pending());
    /// assert!(b.as_mut().poll(&mut cx).is_pending());
    /// io.dispatch(Ready::READABLE);
    /// assert!(a.poll(&mut cx).is_ready());
    /// assert!(b.poll(&mut cx).is_ready());
    /// ```
    pub fn ready(&self, interest: Interest) -> Readiness<'_> {
        Readiness {
            io: self,
            interest,
            state: State::Init,
            waiter: UnsafeCell::new(Waiter::new(interest)),
        }
    }
}

impl Drop for ScheduledIo {
    fn drop(&mut self) {
        // Outstanding `Readiness` futures borrow `self`, so the list is empty here.
        self.clear_wakers();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Init,
    Waiting,
    Done,
}

/// Future returned by [`ScheduledIo::ready`]; resolves to a [`ReadyEvent`].
///
/// While pending it is linked into the cell's intrusive waiter list (hence `!Unpin`); dropping
/// it unlinks it.
///
/// ```
/// use core::future::Future;
/// use core::pin::pin;
/// use core::task::{Context, Waker};
/// use weft_core::io::{Interest, Ready, ScheduledIo};
///
/// let io = ScheduledIo::new();
/// io.set_readiness(Ready::WRITABLE);
/// let mut cx = Context::from_waker(Waker::noop());
/// let fut = pin!(io.ready(Interest::WRITABLE));
/// assert!(fut.poll(&mut cx).is_ready());
/// ```
pub struct Readiness<'a> {
    io: &'a ScheduledIo,
    interest: Interest,
    state: State,
    waiter: UnsafeCell<Waiter>,
}

// SAFETY: the waiter node is only touched under the cell's lock (or through `&mut self`), and
// the waker it holds is `Send + Sync`.
unsafe impl Send for Readiness<'_> {}
// SAFETY: `&Readiness` gives access to nothing (every method takes `Pin<&mut Self>`).
unsafe impl Sync for Readiness<'_> {}

impl fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("interest", &self.interest)
            .field("state", &self.state)
            .finish()
    }
}

impl Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        // SAFETY: we never move out of `this`; the waiter node stays where it is pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let io = this.io;
        let interest = this.interest;
        let node = NonNull::from(&this.waiter);
        match this.state {
            State::Init => {
                let ev = io.readiness(interest);
                if ev.is_actionable() {
                    this.state = State::Done;
                    return Poll::Ready(ev);
                }
                let ev = io.waiters.with(|w| {
                    // Re-check under the lock (see the module docs).
                    let ev = io.readiness(interest);
                    if ev.is_actionable() {
                        return Some(ev);
                    }
                    // SAFETY: we hold the lock; the node is not linked yet.
                    let waiter = unsafe { &mut *node.as_ref().get() };
                    waiter.waker = Some(cx.waker().clone());
                    waiter.notified = false;
                    // SAFETY: `self` is pinned, so the node stays put until `Drop`
                    // unlinks it; it is not linked; we hold the lock.
                    unsafe { w.push_front(node) };
                    None
                });
                if let Some(ev) = ev {
                    this.state = State::Done;
                    return Poll::Ready(ev);
                }
                this.state = State::Waiting;
                Poll::Pending
            }
            State::Waiting => {
                let notified = io.waiters.with(|_| {
                    // SAFETY: the node is only written under this lock, which we hold.
                    let waiter = unsafe { &mut *node.as_ref().get() };
                    if waiter.notified {
                        return true;
                    }
                    match &waiter.waker {
                        Some(old) if old.will_wake(cx.waker()) => {}
                        _ => waiter.waker = Some(cx.waker().clone()),
                    }
                    false
                });
                if !notified {
                    return Poll::Pending;
                }
                this.state = State::Done;
                // The readiness may have been cleared again by another task; report what
                // is there now (possibly empty: the caller's I/O attempt sorts it out).
                Poll::Ready(io.readiness(interest))
            }
            State::Done => Poll::Ready(io.readiness(interest)),
        }
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if self.state != State::Waiting {
            return;
        }
        let node = NonNull::from(&self.waiter);
        let waker = self.io.waiters.with(|w| {
            // SAFETY: we hold the lock; `remove` is a no-op if `wake` already unlinked it.
            unsafe { w.remove(node) };
            // SAFETY: as above, exclusive under the lock and now unlinked.
            unsafe { (*node.as_ref().get()).waker.take() }
        });
        drop(waker);
    }
}
