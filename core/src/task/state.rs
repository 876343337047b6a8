//! The task state word: every bit, every legal transition.
//!
//! A task's whole lifecycle is one `usize` in its [`Header`](super::Header), changed only
//! through the transition functions below. Each returns an enum that says what happened, so
//! callers match on outcomes instead of re-reading bits.
//!
//! ```text
//! bit 0  RUNNING        a thread is polling the future (or dropping it); it owns the stage
//! bit 1  COMPLETE       the stage holds the output (or the JoinError); the future is gone
//! bit 2  NOTIFIED       a `Notified` reference exists for this task (queued, or about to be)
//! bit 3  CANCELLED      abort()/shutdown asked for cancellation; the next owner drops the future
//! bit 4  JOIN_INTEREST  a JoinHandle exists and will read (or drop) the output
//! bit 5  JOIN_WAKER     the join waker slot holds a waker; its owner is then the completer
//! bit 6..  REFCOUNT     references: Notified, JoinHandle, wakers, the "alive" reference
//! ```
//!
//! A slot whose whole word is `0` is free: static storage is claimed by a CAS from `0`.
//!
//! ## References
//!
//! [`SpawnToken::bind`](super::SpawnToken::bind) starts a task with three references: the
//! `Notified` handed to the scheduler, the `JoinHandle`, and the *alive* reference, which is
//! dropped when the task completes (after the scheduler's `release` hook ran). Each waker
//! clone holds one more. The holder of the last reference deallocates (heap) or frees the slot
//! (static).
//!
//! ## Transitions
//!
//! | transition | from | to | result |
//! |---|---|---|---|
//! | `to_running` | NOTIFIED, !RUNNING, !COMPLETE | RUNNING, !NOTIFIED | `Success`, or `Cancelled` if CANCELLED (the caller then drops the future), `Failed` if COMPLETE (the caller drops its reference) |
//! | `to_idle` | RUNNING | !RUNNING | `Ok`; `OkNotified` if woken during the poll (the caller reschedules, keeping its reference); `Cancelled` if aborted during the poll (the caller stays RUNNING and drops the future) |
//! | `to_complete` | RUNNING | COMPLETE, !RUNNING | the snapshot before, so the caller knows whether to wake or drop the output |
//! | `to_notified_by_val` | any | NOTIFIED | `Submit` (the waker's reference becomes the Notified), `DoNothing`, or `Dealloc` (it was the last reference) |
//! | `to_notified_by_ref` | any | NOTIFIED | `Submit` (a new reference was taken for the Notified) or `DoNothing` |
//! | `to_notified_and_cancel` | !COMPLETE | CANCELLED | `Submit` when the task was idle (so its executor drops the future), else `DoNothing` |
//! | `to_shutdown` | !COMPLETE | CANCELLED (+RUNNING if idle) | `true` when the caller now owns the future and must drop it |
//! | `unset_join_interest` | JOIN_INTEREST, !COMPLETE | !JOIN_INTEREST | `Err` when already COMPLETE: the handle drops the output itself |
//! | `set_join_waker` | !JOIN_WAKER, !COMPLETE | JOIN_WAKER | `Err` when COMPLETE: the output is ready |
//! | `unset_join_waker` | JOIN_WAKER, !COMPLETE | !JOIN_WAKER | `Err` when COMPLETE |
//!
//! Because NOTIFIED is set exactly when a `Notified` reference is created and cleared only by
//! `to_running`, at most one `Notified` exists per task: a task is in at most one run queue,
//! which is what lets the run queues be intrusive.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};

pub(crate) const RUNNING: usize = 1 << 0;
pub(crate) const COMPLETE: usize = 1 << 1;
pub(crate) const NOTIFIED: usize = 1 << 2;
pub(crate) const CANCELLED: usize = 1 << 3;
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
pub(crate) const JOIN_WAKER: usize = 1 << 5;
const REF_SHIFT: usize = 6;
pub(crate) const REF_ONE: usize = 1 << REF_SHIFT;
const FLAGS: usize = REF_ONE - 1;

/// The word a freshly bound task starts with: queued once, a JoinHandle, and three references
/// (Notified, JoinHandle, alive).
pub(crate) const INITIAL: usize = NOTIFIED | JOIN_INTEREST | (3 * REF_ONE);
/// The word of a claimed but unbound slot (held by a `SpawnToken`).
pub(crate) const CLAIMED: usize = REF_ONE;

/// A copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    pub(crate) fn is(self, bit: usize) -> bool {
        self.0 & bit != 0
    }
    pub(crate) fn refs(self) -> usize {
        self.0 >> REF_SHIFT
    }
}

impl core::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("State")
            .field("running", &self.is(RUNNING))
            .field("complete", &self.is(COMPLETE))
            .field("notified", &self.is(NOTIFIED))
            .field("cancelled", &self.is(CANCELLED))
            .field("join_interest", &self.is(JOIN_INTEREST))
            .field("join_waker", &self.is(JOIN_WAKER))
            .field("refs", &self.refs())
            .finish()
    }
}

/// Outcome of [`State::to_running`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToRunning {
    Success,
    Cancelled,
    Failed,
}

/// Outcome of [`State::to_idle`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToIdle {
    Ok,
    OkNotified,
    Cancelled,
}

/// Outcome of the wake transitions.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToNotified {
    Submit,
    DoNothing,
    Dealloc,
}

/// Outcome of dropping a reference.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RefDec {
    Alive,
    Dealloc,
}

/// The atomic state word.
pub(crate) struct State(AtomicUsize);

impl core::fmt::Debug for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.load().fmt(f)
    }
}

impl State {
    crate::maybe_const_fn! {
        pub(crate) fn new() -> State {
            State(AtomicUsize::new(0))
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Claims a free static slot (`0` -> `CLAIMED`).
    pub(crate) fn try_claim(&self) -> bool {
        self.0
            .compare_exchange(0, CLAIMED, Acquire, Relaxed)
            .is_ok()
    }

    /// Publishes a claimed or new task as bound and scheduled.
    pub(crate) fn store_initial(&self) {
        self.0.store(INITIAL, Release);
    }

    /// Marks the slot free again (static storage, after the last reference is gone).
    pub(crate) fn store_free(&self) {
        self.0.store(0, Release);
    }

    /// Writes a value for a task nobody else can see yet.
    #[cfg(feature = "alloc")]
    pub(crate) fn store_unshared(&self, v: usize) {
        self.0.store(v, Relaxed);
    }

    fn update<R>(&self, mut f: impl FnMut(usize) -> (Option<usize>, R)) -> R {
        let mut cur = self.0.load(Acquire);
        loop {
            let (next, res) = f(cur);
            let Some(next) = next else { return res };
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(_) => return res,
                Err(actual) => cur = actual,
            }
        }
    }

    pub(crate) fn to_running(&self) -> ToRunning {
        self.update(|s| {
            debug_assert!(
                s & NOTIFIED != 0,
                "to_running without NOTIFIED: {:?}",
                Snapshot(s)
            );
            if s & (COMPLETE | RUNNING) != 0 {
                // Shut down while queued: either already complete, or a `shutdown` on another
                // thread holds RUNNING and is cancelling it right now (it completes the task).
                // The caller just drops its reference; running it too would cancel and
                // complete the task twice.
                return (Some(s & !NOTIFIED), ToRunning::Failed);
            }
            let next = (s | RUNNING) & !NOTIFIED;
            let res = if s & CANCELLED != 0 {
                ToRunning::Cancelled
            } else {
                ToRunning::Success
            };
            (Some(next), res)
        })
    }

    pub(crate) fn to_idle(&self) -> ToIdle {
        self.update(|s| {
            debug_assert!(s & RUNNING != 0);
            if s & CANCELLED != 0 {
                return (None, ToIdle::Cancelled);
            }
            let next = s & !RUNNING;
            let res = if s & NOTIFIED != 0 {
                ToIdle::OkNotified
            } else {
                ToIdle::Ok
            };
            (Some(next), res)
        })
    }

    /// RUNNING -> COMPLETE in one step; returns the word before.
    pub(crate) fn to_complete(&self) -> Snapshot {
        let prev = Snapshot(self.0.fetch_xor(RUNNING | COMPLETE, AcqRel));
        debug_assert!(prev.is(RUNNING) && !prev.is(COMPLETE));
        prev
    }

    pub(crate) fn to_notified_by_val(&self) -> ToNotified {
        self.update(|s| {
            if s & RUNNING != 0 {
                // The poller reschedules when it sees NOTIFIED; our reference goes.
                let next = (s | NOTIFIED) - REF_ONE;
                debug_assert!(next >> REF_SHIFT > 0);
                (Some(next), ToNotified::DoNothing)
            } else if s & (COMPLETE | NOTIFIED) != 0 {
                let next = s - REF_ONE;
                let res = if next >> REF_SHIFT == 0 {
                    ToNotified::Dealloc
                } else {
                    ToNotified::DoNothing
                };
                (Some(next), res)
            } else {
                // Our reference becomes the Notified reference.
                (Some(s | NOTIFIED), ToNotified::Submit)
            }
        })
    }

    pub(crate) fn to_notified_by_ref(&self) -> ToNotified {
        self.update(|s| {
            if s & (COMPLETE | NOTIFIED) != 0 {
                (None, ToNotified::DoNothing)
            } else if s & RUNNING != 0 {
                (Some(s | NOTIFIED), ToNotified::DoNothing)
            } else {
                (Some((s | NOTIFIED) + REF_ONE), ToNotified::Submit)
            }
        })
    }

    pub(crate) fn to_notified_and_cancel(&self) -> ToNotified {
        self.update(|s| {
            if s & (COMPLETE | CANCELLED) != 0 {
                (None, ToNotified::DoNothing)
            } else if s & (RUNNING | NOTIFIED) != 0 {
                // The poller (or the queued Notified) sees CANCELLED and drops the future.
                (Some(s | CANCELLED), ToNotified::DoNothing)
            } else {
                (
                    Some((s | CANCELLED | NOTIFIED) + REF_ONE),
                    ToNotified::Submit,
                )
            }
        })
    }

    /// Asks for cancellation; `true` when the caller took RUNNING and must drop the future.
    pub(crate) fn to_shutdown(&self) -> bool {
        self.update(|s| {
            if s & COMPLETE != 0 {
                (None, false)
            } else if s & RUNNING != 0 {
                (Some(s | CANCELLED), false)
            } else {
                (Some(s | CANCELLED | RUNNING), true)
            }
        })
    }

    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        // A count this large means references leak in a loop; stop before it wraps.
        if prev > usize::MAX / 2 {
            panic!("weft: task reference count overflow");
        }
    }

    pub(crate) fn ref_dec(&self) -> RefDec {
        self.ref_dec_n(1)
    }

    pub(crate) fn ref_dec_n(&self, n: usize) -> RefDec {
        let prev = self.0.fetch_sub(n * REF_ONE, AcqRel);
        debug_assert!(
            prev >> REF_SHIFT >= n,
            "ref_dec underflow {:?}",
            Snapshot(prev)
        );
        if prev >> REF_SHIFT == n {
            RefDec::Dealloc
        } else {
            RefDec::Alive
        }
    }

    pub(crate) fn unset_join_interest(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s & JOIN_INTEREST != 0);
            if s & COMPLETE != 0 {
                (None, Err(Snapshot(s)))
            } else {
                (Some(s & !(JOIN_INTEREST | JOIN_WAKER)), Ok(()))
            }
        })
    }

    pub(crate) fn set_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s & JOIN_INTEREST != 0 && s & JOIN_WAKER == 0);
            if s & COMPLETE != 0 {
                (None, Err(Snapshot(s)))
            } else {
                (Some(s | JOIN_WAKER), Ok(()))
            }
        })
    }

    pub(crate) fn unset_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s & JOIN_INTEREST != 0 && s & JOIN_WAKER != 0);
            if s & COMPLETE != 0 {
                (None, Err(Snapshot(s)))
            } else {
                (Some(s & !JOIN_WAKER), Ok(()))
            }
        })
    }
}

#[allow(dead_code)]
const _: () = assert!(INITIAL & FLAGS == (NOTIFIED | JOIN_INTEREST));
