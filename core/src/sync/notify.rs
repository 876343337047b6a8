//! Notify: wake one waiting task, or all of them, without a value.
//!
//! ## Algorithm
//!
//! State under one [`Lock`]: a `permit` flag, a `generation` counter and a FIFO [`WaitList`]
//! of [`Notified`] futures.
//!
//! * **notify_one** pops the first waiter, writes `One` into its node and wakes it. If no one
//!   waits it stores the permit instead (at most one), which the next `notified()` consumes
//!   immediately, so a notification sent just before the receiver starts waiting is not lost.
//! * **notify_waiters** bumps `generation` and completes every waiter that was created before
//!   the call (a `Notified` records the generation when it is created, as tokio's does, so a
//!   future created before the call but not polled yet also completes). It does not store a
//!   permit. Waiters are woken in batches with the lock released in between; a waiter linked
//!   after the call began has the new generation and is left alone, so the loop terminates.
//! * **Cancellation.** Dropping a `Notified` unlinks it. If it had received a `notify_one` that
//!   it never observed, the notification is forwarded with `notify_one` (next waiter, or the
//!   permit). So `notified()` in a losing `select!` branch loses nothing.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::lock::Lock;
use super::wait_list::{WaitList, Waiter, WakeList};

/// Notifies tasks: [`notify_one`](Self::notify_one) wakes one waiter (or lets the next one pass
/// at once), [`notify_waiters`](Self::notify_waiters) wakes all current waiters.
///
/// ```
/// # use weft_core::executor::block_on;
/// use std::sync::Arc;
/// use weft_core::sync::Notify;
///
/// let notify = Arc::new(Notify::new());
/// let n2 = notify.clone();
/// let t = std::thread::spawn(move || n2.notify_one());
/// block_on(notify.notified()); // returns once notified (or at once if notified already)
/// t.join().unwrap();
/// ```
pub struct Notify {
    state: Lock<State>,
}

#[derive(Debug)]
struct State {
    permit: bool,
    generation: usize,
    waiters: WaitList<Slot>,
}

#[derive(Debug)]
struct Slot {
    /// `notify_waiters` generation when the future was created.
    generation: usize,
    got: Got,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Nothing,
    One,
    All,
}

impl Notify {
    super::loom_const_fn! {
        /// Creates a `Notify` with no stored permit; usable in a `static`.
        ///
        /// ```
        /// use weft_core::sync::Notify;
        /// static READY: Notify = Notify::const_new();
        /// READY.notify_one();
        /// ```
        pub fn const_new() -> Self {
            Notify {
                state: Lock::new(State {
                    permit: false,
                    generation: 0,
                    waiters: WaitList::new(),
                }),
            }
        }
    }

    super::loom_const_fn! {
        /// Creates a `Notify` with no stored permit.
        ///
        /// ```
        /// use weft_core::sync::Notify;
        /// let n = Notify::new();
        /// n.notify_waiters(); // no one waits: nothing happens, nothing is stored
        /// ```
        pub fn new() -> Self {
            Self::const_new()
        }
    }

    /// Returns a future that completes when this `Notify` is notified.
    ///
    /// It completes on the next `notify_one` (or at once if a permit is stored), or on a
    /// `notify_waiters` called after this method. Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Notify;
    /// let n = Notify::new();
    /// n.notify_one(); // stored as a permit
    /// block_on(n.notified()); // consumes it
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        let generation = self.state.with(|s| s.generation);
        Notified {
            notify: self,
            state: NState::Init,
            waiter: Waiter::new(Slot {
                generation,
                got: Got::Nothing,
            }),
        }
    }

    /// Wakes the first waiting task, or stores one permit for the next `notified()` if none
    /// waits. Several calls with no waiter store a single permit.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Notify;
    /// let n = Notify::new();
    /// n.notify_one();
    /// n.notify_one();
    /// block_on(n.notified());
    /// // only one permit was stored:
    /// let mut second = std::pin::pin!(n.notified());
    /// let waker = std::task::Waker::noop();
    /// let mut cx = std::task::Context::from_waker(&waker);
    /// assert!(second.as_mut().poll(&mut cx).is_pending());
    /// # use std::future::Future;
    /// ```
    pub fn notify_one(&self) {
        let waker = self.state.with(|s| match s.waiters.pop_front() {
            // SAFETY: `w` was linked, hence valid; we hold the lock.
            Some(w) => unsafe {
                w.as_ref().with(|n| {
                    n.data.got = Got::One;
                    n.waker.take()
                })
            },
            None => {
                s.permit = true;
                None
            }
        });
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every task waiting now (and every `Notified` created before this call). Stores no
    /// permit.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Notify;
    /// let n = Notify::new();
    /// let a = n.notified();
    /// let b = n.notified();
    /// n.notify_waiters();
    /// block_on(async { a.await; b.await });
    /// ```
    pub fn notify_waiters(&self) {
        let mut wakers = WakeList::new();
        let mut target = None;
        loop {
            let more = self.state.with(|s| {
                let target = *target.get_or_insert_with(|| {
                    s.generation = s.generation.wrapping_add(1);
                    s.generation
                });
                while let Some(w) = s.waiters.front() {
                    if !wakers.can_push() {
                        return true;
                    }
                    // SAFETY: `w` is linked, hence valid; we hold the lock.
                    let waker = unsafe {
                        w.as_ref().with(|n| {
                            // Waiters created after this call started have a generation
                            // >= `target` (in wrapping order): leave them alone.
                            let older = target.wrapping_sub(n.data.generation) as isize > 0;
                            older.then(|| {
                                n.data.got = Got::All;
                                n.waker.take()
                            })
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

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let permit = self.state.with(|s| s.permit);
        f.debug_struct("Notify").field("permit", &permit).finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NState {
    Init,
    Waiting,
    Done,
}

/// The future returned by [`Notify::notified`].
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::{Notified, Notify};
/// let n = Notify::new();
/// let fut: Notified<'_> = n.notified();
/// n.notify_waiters();
/// block_on(fut);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    notify: &'a Notify,
    state: NState,
    waiter: Waiter<Slot>,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: nothing is moved out; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = &this.waiter;
        let done = match this.state {
            NState::Init => this.notify.state.with(|s| {
                // SAFETY: not linked yet, and we hold the lock anyway.
                let generation = unsafe { waiter.with(|n| n.data.generation) };
                if generation != s.generation {
                    true
                } else if s.permit {
                    s.permit = false;
                    true
                } else {
                    // SAFETY: lock held; the waiter is pinned and `Drop` unlinks it.
                    unsafe {
                        waiter.with(|n| n.set_waker(cx.waker()));
                        s.waiters.push_back(waiter.as_ptr());
                    }
                    false
                }
            }),
            // SAFETY: lock held while touching the node.
            NState::Waiting => this.notify.state.with(|_| unsafe {
                waiter.with(|n| {
                    if n.data.got == Got::Nothing {
                        n.set_waker(cx.waker());
                        false
                    } else {
                        true
                    }
                })
            }),
            NState::Done => true,
        };
        if done {
            this.state = NState::Done;
            Poll::Ready(())
        } else {
            this.state = NState::Waiting;
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.state != NState::Waiting {
            return;
        }
        let ptr = self.waiter.as_ptr();
        let waiter = &self.waiter;
        let forward = self.notify.state.with(|s| {
            // SAFETY: lock held; the waiter is only ever linked into this list.
            let linked = unsafe { s.waiters.remove(ptr) };
            // SAFETY: lock held.
            !linked && unsafe { waiter.with(|n| n.data.got == Got::One) }
        });
        if forward {
            // We received a `notify_one` but will never observe it: pass it on.
            self.notify.notify_one();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("state", &self.state)
            .finish()
    }
}
