//! A single-producer, multi-consumer channel that keeps only the latest value (feature
//! `alloc`).
//!
//! ## Algorithm
//!
//! * The value sits in a small reader-writer spin lock (readers: [`Receiver::borrow`] and
//!   friends; the writer: [`Sender::send`]). Guards ([`Ref`]) are meant to be short-lived:
//!   don't hold one across an `.await` or while doing slow work, since a sender spins while it
//!   waits for readers to finish (the same advice as for tokio's `watch::Ref`). A spin lock is
//!   used because it needs neither `std` nor interrupts masked; `watch` is therefore **not**
//!   for interrupt handlers — use [`Signal`](super::Signal) there.
//! * A `version` counter (atomic; bit 0 = "sender dropped") is bumped after each new value is
//!   written. Each receiver remembers the version it has seen.
//! * [`Receiver::changed`] compares versions; if nothing changed it links a node into an
//!   intrusive wait list under the channel's `Lock`, re-checking the version while holding
//!   that lock. The sender bumps the version *before* taking the lock to wake waiters, so a
//!   receiver either sees the new version or is in the list when the sender looks: no lost
//!   wake-up. Waiters are woken in batches with the lock released in between; a waiter that
//!   links itself meanwhile has already seen the new version and is left alone.
//!
//! `changed` is cancellation-safe: the receiver's seen version only moves when it returns.

use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::ops::Deref;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::lock::Lock;
use super::wait_list::{WaitList, Waiter, WakeList};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// The error returned by [`Sender::send`] when there is no receiver; holds the value back.
///
/// ```
/// use weft_core::sync::watch;
/// let (tx, rx) = watch::channel(0);
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

/// The error returned by [`Receiver::changed`] and [`Receiver::has_changed`] once the sender
/// is gone.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::watch;
/// let (tx, mut rx) = watch::channel(0);
/// drop(tx);
/// assert!(block_on(rx.changed()).is_err());
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed: the watch sender was dropped")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RecvError {}

// ---------------------------------------------------------------------------------------------
// The value lock

/// Writer bit of [`RwSpin::state`]; the other bits count readers.
const WRITER: usize = 1 << (usize::BITS - 1);

/// A minimal reader-writer spin lock around the value.
struct RwSpin<T> {
    state: AtomicUsize,
    value: UnsafeCell<T>,
}

fn spin_wait() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(all(not(loom), feature = "std"))]
    std::thread::yield_now();
    #[cfg(all(not(loom), not(feature = "std")))]
    core::hint::spin_loop();
}

impl<T> RwSpin<T> {
    fn read(&self) -> &T {
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & WRITER == 0
                && self
                    .state
                    .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                // SAFETY: a read count is held, so no writer has `&mut T` until `read_unlock`.
                return unsafe { &*self.value.get() };
            }
            spin_wait();
        }
    }

    fn read_unlock(&self) {
        self.state.fetch_sub(1, Ordering::Release);
    }

    fn write<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .state
            .compare_exchange_weak(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spin_wait();
        }
        /// Releases the writer bit even if `f` panics.
        struct Unlock<'a>(&'a AtomicUsize);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                self.0.store(0, Ordering::Release);
            }
        }
        let _unlock = Unlock(&self.state);
        // SAFETY: the writer bit is held, so no other reference to the value exists.
        f(unsafe { &mut *self.value.get() })
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state

/// `version` bit 0: the sender was dropped. The version number is `version >> 1`.
const CLOSED: usize = 1;

struct State {
    rx_count: usize,
    /// Receivers waiting in `changed`; node data = the version they have seen.
    waiters: WaitList<usize>,
}

struct Chan<T> {
    value: RwSpin<T>,
    version: AtomicUsize,
    state: Lock<State>,
}

// SAFETY: the value is only reached through `RwSpin` (shared `&T` for readers on any thread,
// so `T: Sync`; `&mut T` for the sender, so `T: Send`); the rest is atomics and a lock.
unsafe impl<T: Send + Sync> Sync for Chan<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Chan<T> {}

impl<T> Chan<T> {
    /// Wakes the waiters that have seen a version older than `current` (all if `None`).
    fn wake_waiters(&self, current: Option<usize>) {
        let mut wakers = WakeList::new();
        loop {
            let more = self.state.with(|s| {
                while let Some(w) = s.waiters.front() {
                    if !wakers.can_push() {
                        return true;
                    }
                    // SAFETY: `w` is linked, hence valid; we hold the lock.
                    let waker = unsafe {
                        w.as_ref().with(|n| {
                            let stale = current.is_none_or(|c| n.data != c);
                            stale.then(|| n.waker.take())
                        })
                    };
                    match waker {
                        Some(waker) => {
                            s.waiters.pop_front();
                            wakers.push(waker);
                        }
                        None => return false,
                    }
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

/// Creates a watch channel holding `init`.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::watch;
/// let (tx, mut rx) = watch::channel("idle");
/// let t = std::thread::spawn(move || { tx.send("busy").unwrap(); tx });
/// block_on(rx.changed()).unwrap();
/// assert_eq!(*rx.borrow(), "busy");
/// # t.join().unwrap();
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan {
        value: RwSpin {
            state: AtomicUsize::new(0),
            value: UnsafeCell::new(init),
        },
        version: AtomicUsize::new(0),
        state: Lock::new(State {
            rx_count: 1,
            waiters: WaitList::new(),
        }),
    });
    (Sender { chan: chan.clone() }, Receiver { chan, seen: 0 })
}

/// A read guard on the value of a watch channel. Keep it short: see the [module docs](self).
///
/// ```
/// use weft_core::sync::watch;
/// let (_tx, rx) = watch::channel(vec![1, 2]);
/// let r: watch::Ref<'_, Vec<i32>> = rx.borrow();
/// assert_eq!(r.len(), 2);
/// ```
pub struct Ref<'a, T> {
    lock: &'a RwSpin<T>,
    value: &'a T,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}

impl<T> Drop for Ref<'_, T> {
    fn drop(&mut self) {
        self.lock.read_unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value, f)
    }
}

fn borrow<T>(chan: &Chan<T>) -> Ref<'_, T> {
    Ref {
        lock: &chan.value,
        value: chan.value.read(),
    }
}

/// The sending half of a watch channel.
///
/// ```
/// use weft_core::sync::watch;
/// let (tx, rx) = watch::channel(1);
/// tx.send(2).unwrap();
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Replaces the value and notifies the receivers; fails if there is no receiver (the
    /// value is then not stored).
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(5).unwrap();
    /// assert_eq!(*rx.borrow(), 5);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        drop(self.send_replace(value));
        Ok(())
    }

    /// Replaces the value (even with no receiver), notifies the receivers and returns the
    /// previous value.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, _rx) = watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        let mut old = None;
        self.send_if_modified(|v| {
            old = Some(core::mem::replace(v, value.take().expect("once")));
            true
        });
        old.expect("replaced")
    }

    /// Modifies the value in place and notifies the receivers.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies the receivers only if `modify` returns `true`.
    /// Returns what `modify` returned.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// assert!(!tx.send_if_modified(|v| { let changed = *v != 1; *v = 1; changed }));
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let modified = self.chan.value.write(modify);
        if modified {
            let v = self.chan.version.fetch_add(2, Ordering::AcqRel) + 2;
            self.chan.wake_waiters(Some(v >> 1));
        }
        modified
    }

    /// Reads the current value.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, _rx) = watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        borrow(&self.chan)
    }

    /// A new receiver; it considers the current value seen.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// drop(rx);
    /// let rx2 = tx.subscribe();
    /// assert!(tx.send(2).is_ok());
    /// assert!(rx2.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.chan.state.with(|s| s.rx_count += 1);
        let seen = self.chan.version.load(Ordering::Acquire) >> 1;
        Receiver {
            chan: self.chan.clone(),
            seen,
        }
    }

    /// The number of receivers alive now.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(());
    /// assert_eq!(tx.receiver_count(), 1);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.chan.state.with(|s| s.rx_count)
    }

    /// Whether every receiver is gone.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, _rx) = watch::channel(());
    /// assert!(!tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.version.fetch_or(CLOSED, Ordering::AcqRel);
        self.chan.wake_waiters(None);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a watch channel; cloneable (each clone tracks what it has seen).
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::watch;
/// let (tx, mut rx) = watch::channel(0);
/// let mut rx2 = rx.clone();
/// tx.send(1).unwrap();
/// block_on(async {
///     rx.changed().await.unwrap();
///     rx2.changed().await.unwrap();
/// });
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    seen: usize,
}

impl<T> Receiver<T> {
    /// Reads the current value without marking it seen.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow(), 2);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        borrow(&self.chan)
    }

    /// Reads the current value and marks it seen.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, mut rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 2);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        // Read the version first: a value written after this load is newer than `seen`, and a
        // later `changed` will report it (at worst once more than needed, never lost).
        self.seen = self.chan.version.load(Ordering::Acquire) >> 1;
        borrow(&self.chan)
    }

    /// Whether a value newer than the last seen one was sent. Errors once the sender is gone.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// assert!(!rx.has_changed().unwrap());
    /// tx.send(2).unwrap();
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let v = self.chan.version.load(Ordering::Acquire);
        if v & CLOSED != 0 {
            return Err(RecvError(()));
        }
        Ok(v >> 1 != self.seen)
    }

    /// Marks the current value seen.
    ///
    /// ```
    /// use weft_core::sync::watch;
    /// let (tx, mut rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// rx.mark_unchanged();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.chan.version.load(Ordering::Acquire) >> 1;
    }

    /// Waits for a value newer than the last seen one and marks it seen. A value sent before
    /// the sender was dropped is still reported; after that, returns [`RecvError`] (as tokio).
    /// Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// std::thread::spawn(move || { tx.send(1).unwrap(); tx });
    /// block_on(rx.changed()).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// ```
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            waiter: Waiter::new(0),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.chan.state.with(|s| s.rx_count += 1);
        Receiver {
            chan: self.chan.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.state.with(|s| s.rx_count -= 1);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::changed`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::watch;
/// let (tx, mut rx) = watch::channel(0);
/// tx.send(1).unwrap();
/// let fut: watch::Changed<'_, i32> = rx.changed();
/// assert!(block_on(fut).is_ok());
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Changed<'a, T> {
    rx: &'a mut Receiver<T>,
    waiter: Waiter<usize>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let chan = &*this.rx.chan;
        let seen = this.rx.seen;
        let res = chan.state.with(|s| {
            // Checked under the lock: a sender bumps the version before taking the lock.
            let v = chan.version.load(Ordering::Acquire);
            let res = if v >> 1 != seen {
                Some(Ok(v >> 1))
            } else if v & CLOSED != 0 {
                Some(Err(RecvError(())))
            } else {
                None
            };
            // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
            unsafe {
                if res.is_none() {
                    let linked = waiter.with(|n| {
                        n.set_waker(cx.waker());
                        n.data = seen;
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
            None => Poll::Pending,
            Some(Ok(v)) => {
                this.rx.seen = v;
                Poll::Ready(Ok(()))
            }
            Some(Err(e)) => Poll::Ready(Err(e)),
        }
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        let ptr = self.waiter.as_ptr();
        // SAFETY: lock held; the waiter is only ever linked into this channel's list.
        self.rx
            .chan
            .state
            .with(|s| unsafe { s.waiters.remove(ptr) });
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Changed").finish_non_exhaustive()
    }
}
