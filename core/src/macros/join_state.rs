//! The state a `join!`/`try_join!` expansion keeps between polls: which branches are unfinished,
//! where the next round starts, and whether it polls only woken branches (through a claimed
//! [wake set](super::wake_set) slot) or every unfinished one.

use core::task::{Context, Waker};

use super::wake_set::{self, BranchWakers, Claim};

/// Which branches a round polls.
#[derive(Debug)]
enum Mode {
    /// Not polled yet; the first poll decides.
    FirstPoll,
    /// Every unfinished branch, with the task's own waker: below the threshold, or no slot was
    /// free.
    PollAll,
    /// Only woken branches, each with its own waker.
    Woken(Claim),
}

/// The state of one `join!`/`try_join!`.
#[derive(Debug)]
pub struct JoinState {
    count: u32,
    rotate: u32,
    unfinished: u64,
    use_wake_set: bool,
    mode: Mode,
}

impl JoinState {
    /// A join of `count` (1 to 64) branches, using the wake set if `count` reaches the
    /// threshold.
    #[inline]
    pub const fn new(count: u32) -> Self {
        Self::with_wake_set(count, count >= wake_set::MIN_BRANCHES)
    }

    /// A join of `count` (1 to 64) branches that uses the wake set if `use_wake_set` (and a slot
    /// is free). For the threshold benchmark.
    #[inline]
    pub const fn with_wake_set(count: u32, use_wake_set: bool) -> Self {
        assert!(count >= 1 && count <= 64, "a join has 1 to 64 branches");
        JoinState {
            count,
            rotate: 0,
            unfinished: if count == 64 {
                u64::MAX
            } else {
                (1 << count) - 1
            },
            use_wake_set,
            mode: Mode::FirstPoll,
        }
    }

    /// Starts a poll: returns the branches to poll, in order. Each round starts one branch
    /// further than the previous one, so no branch is always last.
    #[inline]
    pub fn start(&mut self, cx: &Context<'_>) -> Round {
        let start = self.rotate;
        self.rotate = if start + 1 == self.count {
            0
        } else {
            start + 1
        };
        let woken = match &self.mode {
            Mode::Woken(claim) => claim.take_woken(cx.waker()),
            Mode::PollAll => u64::MAX,
            Mode::FirstPoll => {
                self.mode = match self.use_wake_set.then(|| wake_set::claim(cx.waker())) {
                    Some(Some(claim)) => Mode::Woken(claim),
                    _ => Mode::PollAll,
                };
                u64::MAX
            }
        };
        let to_poll = woken & self.unfinished;
        let from_start = !0u64 << start;
        Round {
            high: to_poll & from_start,
            low: to_poll & !from_start,
            wakers: match &self.mode {
                Mode::Woken(claim) => Some(claim.wakers()),
                _ => None,
            },
        }
    }

    /// Records that `branch` finished: it is never polled again.
    #[inline]
    pub fn finished(&mut self, branch: u32) {
        self.unfinished &= !(1 << branch);
    }

    /// Whether every branch finished.
    #[inline]
    pub fn is_finished(&self) -> bool {
        self.unfinished == 0
    }
}

/// The branches one poll of a join visits: the set bits of `high` (branches `start..`), then of
/// `low` (branches `..start`), lowest first.
#[derive(Debug)]
pub struct Round {
    high: u64,
    low: u64,
    wakers: Option<BranchWakers>,
}

impl Round {
    /// The next branch to poll.
    #[inline]
    pub fn next_branch(&mut self) -> Option<u32> {
        let bits = if self.high != 0 {
            &mut self.high
        } else if self.low != 0 {
            &mut self.low
        } else {
            return None;
        };
        let branch = bits.trailing_zeros();
        *bits &= *bits - 1;
        Some(branch)
    }

    /// Runs `poll` with the context `branch` must be polled with: its own waker when the join
    /// uses the wake set, the task's context otherwise.
    #[inline]
    pub fn poll<R>(
        &self,
        branch: u32,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> R,
    ) -> R {
        match self.wakers {
            Some(wakers) => {
                let waker: Waker = wakers.waker(branch);
                poll(&mut Context::from_waker(&waker))
            }
            None => poll(cx),
        }
    }
}

/// Test hooks.
#[doc(hidden)]
pub mod wake_set_info {
    use core::task::Waker;

    /// Slots in the wake-set table.
    pub const SLOTS: usize = super::wake_set::SLOTS;
    /// The smallest join that uses the wake set.
    pub const MIN_BRANCHES: u32 = super::wake_set::MIN_BRANCHES;

    /// How many slots are claimed now.
    pub fn claimed_slots() -> u32 {
        super::wake_set::claimed_slots()
    }

    /// The slot a branch waker belongs to; `None` for any other waker.
    pub fn slot_of(waker: &Waker) -> Option<usize> {
        super::wake_set::slot_of(waker)
    }
}
