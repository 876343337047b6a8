//! A counting semaphore with FIFO-fair waiting; also the engine of [`Mutex`](super::Mutex) and
//! [`RwLock`](super::RwLock).
//!
//! ## Algorithm
//!
//! The state (`permits` available, a `closed` flag and an intrusive [`WaitList`] of waiting
//! [`Acquire`] futures) sits in one [`Lock`]. Each waiter records how many permits it needs.
//!
//! * **acquire(n)** takes the permits at once only if *no one is queued* and enough are
//!   available; otherwise it links its node at the back of the list. A large request at the
//!   head therefore blocks smaller requests behind it: waiters are served strictly in arrival
//!   order, so none starves (this is what makes `Mutex` and `RwLock` fair).
//! * **release(n)** adds the permits and then walks the list from the head, granting every
//!   waiter whose request now fits: it subtracts the permits, writes `Granted` into the node,
//!   unlinks it and collects its waker. It stops at the first waiter that does not fit. Wakers
//!   are woken after the lock is released, in batches of [`WAKE_BATCH`](super::wait_list).
//! * **Cancellation.** Dropping an `Acquire` that is still linked unlinks it; if it was the
//!   head, the grant loop runs again (the waiter behind it may fit now). Dropping an `Acquire`
//!   whose node was already `Granted` (woken, but not polled again) gives the permits back
//!   through `release`, so they go to the next waiter. No permit is ever lost.
//! * **close()** marks the semaphore closed and completes every queued waiter with
//!   [`AcquireError`]. Permits already handed out stay valid.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

#[cfg(feature = "alloc")]
use alloc::sync::Arc;

use super::lock::Lock;
use super::wait_list::{WaitList, Waiter, WakeList};

/// The largest number of permits a semaphore can hold (`usize::MAX >> 3`, as tokio; leaves
/// headroom so `add_permits` overflow is caught before it wraps).
pub const MAX_PERMITS: usize = usize::MAX >> 3;

/// A counting semaphore for tasks: waiters are served in FIFO order.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::Semaphore;
///
/// static SEM: Semaphore = Semaphore::const_new(2);
/// block_on(async {
///     let a = SEM.acquire().await.unwrap();
///     let b = SEM.acquire().await.unwrap();
///     assert!(SEM.try_acquire().is_err());
///     drop(a);
///     assert_eq!(SEM.available_permits(), 1);
///     drop(b);
/// });
/// ```
pub struct Semaphore {
    state: Lock<State>,
}

#[derive(Debug)]
struct State {
    permits: usize,
    closed: bool,
    waiters: WaitList<Want>,
}

/// What a queued acquirer needs and what it got.
#[derive(Debug)]
struct Want {
    needed: usize,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Waiting,
    Granted,
    Closed,
}

/// The error returned by [`Semaphore::acquire`] when the semaphore is closed.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::Semaphore;
///
/// let sem = Semaphore::new(0);
/// sem.close();
/// let err = block_on(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AcquireError {}

/// The error returned by [`Semaphore::try_acquire`].
///
/// ```
/// use weft_core::sync::{Semaphore, TryAcquireError};
///
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits are available now (or other tasks are queued before this one).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TryAcquireError {}

impl Semaphore {
    super::loom_const_fn! {
        /// Creates a semaphore with `permits` permits. Usable in a `static` (not under loom).
        ///
        /// Panics if `permits` exceeds [`MAX_PERMITS`].
        ///
        /// ```
        /// use weft_core::sync::Semaphore;
        /// static LIMIT: Semaphore = Semaphore::const_new(8);
        /// assert_eq!(LIMIT.available_permits(), 8);
        /// ```
        pub fn const_new(permits: usize) -> Self {
            assert!(permits <= MAX_PERMITS, "a semaphore holds at most MAX_PERMITS permits");
            Semaphore {
                state: Lock::new(State {
                    permits,
                    closed: false,
                    waiters: WaitList::new(),
                }),
            }
        }
    }

    super::loom_const_fn! {
        /// Creates a semaphore with `permits` permits (same as [`const_new`](Self::const_new)).
        ///
        /// ```
        /// use weft_core::sync::Semaphore;
        /// let sem = Semaphore::new(3);
        /// assert_eq!(sem.available_permits(), 3);
        /// ```
        pub fn new(permits: usize) -> Self {
            Self::const_new(permits)
        }
    }

    /// The number of permits available now.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(3);
    /// let _p = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.state.with(|s| s.permits)
    }

    /// Adds `n` permits, waking waiters that can now proceed.
    ///
    /// Panics if the total would exceed [`MAX_PERMITS`].
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Removes up to `n` available permits without waiting; returns how many were removed.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(5), 3);
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.state.with(|s| {
            let taken = n.min(s.permits);
            s.permits -= taken;
            taken
        })
    }

    /// Waits for one permit. See [`acquire_many`](Self::acquire_many).
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(1);
    /// block_on(async {
    ///     let permit = sem.acquire().await.unwrap();
    ///     assert_eq!(permit.num_permits(), 1);
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire::new(self, 1)
    }

    /// Waits until `n` permits are available and takes them.
    ///
    /// Waiters are served in FIFO order. Cancellation-safe: dropping the future before it
    /// completes gives back any permits it was granted and keeps the place of the others.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(5);
    /// block_on(async {
    ///     let permit = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(sem.available_permits(), 2);
    ///     drop(permit);
    ///     assert_eq!(sem.available_permits(), 5);
    /// });
    /// ```
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire::new(self, n as usize)
    }

    /// Takes one permit if it is available now and no one is queued.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(p);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available now and no one is queued.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let n = n as usize;
        self.try_take(n).map(|()| SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        self.state.with(|s| {
            if s.closed {
                Err(TryAcquireError::Closed)
            } else if s.waiters.is_empty() && s.permits >= n {
                s.permits -= n;
                Ok(())
            } else {
                Err(TryAcquireError::NoPermits)
            }
        })
    }

    /// Closes the semaphore: queued and future `acquire` calls fail with [`AcquireError`].
    /// Permits already held stay valid and may still be released.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        loop {
            let more = self.state.with(|s| {
                s.closed = true;
                while wakers.can_push() {
                    let Some(w) = s.waiters.pop_front() else {
                        return false;
                    };
                    // SAFETY: `w` was linked (hence valid) and we hold the lock.
                    let waker = unsafe {
                        w.as_ref().with(|n| {
                            n.data.outcome = Outcome::Closed;
                            n.waker.take()
                        })
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

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// assert!(!Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.with(|s| s.closed)
    }

    /// Adds `n` permits and grants queued waiters in FIFO order (see the module docs).
    pub(crate) fn release(&self, n: usize) {
        let mut wakers = WakeList::new();
        let mut add = n;
        loop {
            let more = self.state.with(|s| {
                s.permits = s
                    .permits
                    .checked_add(add)
                    .filter(|&p| p <= MAX_PERMITS)
                    .expect("a semaphore holds at most MAX_PERMITS permits");
                add = 0;
                // A closing semaphore fails its queued waiters in batches, letting go of the
                // lock in between: permits that arrive meanwhile must not grant a waiter that
                // `close` is about to fail (it would return `Ok` after an earlier waiter got
                // `AcquireError`).
                if s.closed {
                    return false;
                }
                while let Some(w) = s.waiters.front() {
                    if !wakers.can_push() {
                        return true;
                    }
                    let permits = &mut s.permits;
                    // SAFETY: `w` is linked (hence valid) and we hold the lock.
                    let granted = unsafe {
                        w.as_ref().with(|node| {
                            if node.data.needed <= *permits {
                                *permits -= node.data.needed;
                                node.data.outcome = Outcome::Granted;
                                Some(node.waker.take())
                            } else {
                                None
                            }
                        })
                    };
                    match granted {
                        Some(waker) => {
                            s.waiters.pop_front();
                            wakers.push(waker);
                        }
                        None => break,
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

    /// Waits for one permit held by an `Arc` of the semaphore (no borrow).
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let permit = block_on(sem.clone().acquire_owned()).unwrap();
    /// std::thread::spawn(move || drop(permit)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    #[cfg(feature = "alloc")]
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits held by an `Arc` of the semaphore.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(4));
    /// let permit = block_on(sem.clone().acquire_many_owned(3)).unwrap();
    /// assert_eq!(permit.num_permits(), 3);
    /// ```
    #[cfg(feature = "alloc")]
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        Acquire::new(&self, n as usize).await?.forget();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n as usize,
        })
    }

    /// Takes one permit now, held by an `Arc` of the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(p);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits now, held by an `Arc` of the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(2));
    /// assert_eq!(sem.clone().try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n as usize,
        })
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (permits, closed) = self.state.with(|s| (s.permits, s.closed));
        f.debug_struct("Semaphore")
            .field("permits", &permits)
            .field("closed", &closed)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcqState {
    Init,
    Waiting,
    Done,
}

/// The future returned by [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::{Semaphore, Acquire};
/// let sem = Semaphore::new(1);
/// let fut: Acquire<'_> = sem.acquire();
/// assert!(block_on(fut).is_ok());
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    needed: usize,
    state: AcqState,
    waiter: Waiter<Want>,
}

impl<'a> Acquire<'a> {
    fn new(sem: &'a Semaphore, needed: usize) -> Self {
        Acquire {
            sem,
            needed,
            state: AcqState::Init,
            waiter: Waiter::new(Want {
                needed,
                outcome: Outcome::Waiting,
            }),
        }
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out of `this`; the waiter stays where it is (pinned).
        let this = unsafe { self.get_unchecked_mut() };
        let needed = this.needed;
        let waiter = &this.waiter;
        let outcome = match this.state {
            AcqState::Init => this.sem.state.with(|s| {
                if s.closed {
                    Some(Outcome::Closed)
                } else if s.waiters.is_empty() && s.permits >= needed {
                    s.permits -= needed;
                    Some(Outcome::Granted)
                } else {
                    // SAFETY: we hold the lock; the waiter is pinned inside this future and
                    // `Drop` unlinks it before it moves or is freed.
                    unsafe {
                        waiter.with(|n| n.set_waker(cx.waker()));
                        s.waiters.push_back(waiter.as_ptr());
                    }
                    None
                }
            }),
            // SAFETY: we hold the lock while touching the node.
            AcqState::Waiting => this.sem.state.with(|_| unsafe {
                waiter.with(|n| match n.data.outcome {
                    Outcome::Waiting => {
                        n.set_waker(cx.waker());
                        None
                    }
                    o => Some(o),
                })
            }),
            AcqState::Done => panic!("`Acquire` polled after it completed"),
        };
        match outcome {
            None => {
                this.state = AcqState::Waiting;
                Poll::Pending
            }
            Some(o) => {
                this.state = AcqState::Done;
                Poll::Ready(match o {
                    Outcome::Granted => Ok(SemaphorePermit {
                        sem: this.sem,
                        permits: needed,
                    }),
                    _ => Err(AcquireError(())),
                })
            }
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.state != AcqState::Waiting {
            return;
        }
        let waiter = &self.waiter;
        let ptr = waiter.as_ptr();
        // How many permits to hand on: the ones granted to us, or zero to re-run the grant
        // loop because we were blocking the head of the queue.
        let give_back = self.sem.state.with(|s| {
            let was_head = s.waiters.front() == Some(ptr);
            // SAFETY: we hold the lock; the waiter is only ever linked into this list.
            if unsafe { s.waiters.remove(ptr) } {
                was_head.then_some(0)
            } else {
                // SAFETY: we hold the lock.
                match unsafe { waiter.with(|n| n.data.outcome) } {
                    Outcome::Granted => Some(self.needed),
                    _ => None,
                }
            }
        });
        if let Some(n) = give_back {
            self.sem.release(n);
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("needed", &self.needed)
            .field("state", &self.state)
            .finish()
    }
}

/// Permits borrowed from a [`Semaphore`]; released on drop.
///
/// ```
/// use weft_core::sync::Semaphore;
/// let sem = Semaphore::new(1);
/// {
///     let _permit = sem.try_acquire().unwrap();
///     assert_eq!(sem.available_permits(), 0);
/// }
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permits are released as soon as the permit is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

impl SemaphorePermit<'_> {
    /// Keeps the permits taken forever (they are not released on drop).
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Moves the permits of `other` (from the same semaphore) into `self`.
    ///
    /// Panics if `other` belongs to another semaphore.
    ///
    /// ```
    /// use weft_core::sync::Semaphore;
    /// let sem = Semaphore::new(2);
    /// let mut a = sem.try_acquire().unwrap();
    /// a.merge(sem.try_acquire().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            core::ptr::eq(self.sem, other.sem),
            "merging permits of different semaphores"
        );
        self.permits += core::mem::take(&mut other.permits);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.sem.release(self.permits);
        }
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits of a [`Semaphore`] held through an `Arc`; released on drop.
///
/// ```
/// use std::sync::Arc;
/// use weft_core::sync::{OwnedSemaphorePermit, Semaphore};
/// let sem = Arc::new(Semaphore::new(1));
/// let p: OwnedSemaphorePermit = sem.clone().try_acquire_owned().unwrap();
/// assert_eq!(p.num_permits(), 1);
/// assert!(Arc::ptr_eq(p.semaphore(), &sem));
/// ```
#[cfg(feature = "alloc")]
#[must_use = "the permits are released as soon as the permit is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: usize,
}

#[cfg(feature = "alloc")]
impl OwnedSemaphorePermit {
    /// Keeps the permits taken forever.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(3));
    /// assert_eq!(sem.try_acquire_many_owned(3).unwrap().num_permits(), 3);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore the permits come from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Semaphore;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert_eq!(p.semaphore().available_permits(), 0);
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

#[cfg(feature = "alloc")]
impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.sem.release(self.permits);
        }
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}
