//! The wake set: a static table of slots that lets a `join!` give each branch its own [`Waker`]
//! and then poll only the branches that were woken, without an allocator and without pointing
//! into the join future.
//!
//! # Why a static table
//!
//! A per-branch waker must record *which* branch woke before it wakes the task. The obvious place
//! for that record, the join future itself, is not safe: a `Waker` may be cloned and the clone
//! kept by a timer, a channel or a reactor long after the join future was dropped (it lost a
//! `select!`, its `try_join!` short-circuited, its task was aborted). Waking such a clone would
//! write into freed memory. Reference counting would fix that but needs an allocator.
//!
//! So the record lives in memory that is never freed: [`SLOTS`] slots in one `static`. A branch
//! waker's data is not a pointer but a plain integer that *names* a slot:
//!
//! ```text
//!   usize:  | generation (usize::BITS - 12 bits) | slot index (6 bits) | branch (6 bits) |
//! ```
//!
//! Cloning it copies the integer (no reference count: the table outlives every waker), dropping
//! it does nothing, and waking it looks the slot up. A waker can therefore outlive its join
//! future by any amount of time and still touch only valid memory; the generation makes such a
//! stale waker a no-op.
//!
//! # A slot
//!
//! ```text
//!   Slot = SlotLock<{ generation, woken: u64, parent: Option<Waker> }>
//! ```
//!
//! - `generation` counts how often the slot was released; a branch waker carries the generation
//!   it was made under and is ignored once they differ.
//! - `woken` has one bit per branch (so at most 64 branches, which is `join!`'s limit anyway).
//! - `parent` is the waker of the task that polls the join future, to be woken when a branch is.
//!
//! Which slots are in use is one atomic bitmap, `claimed`: claiming is a compare-and-swap that
//! sets the lowest clear bit, releasing is a `fetch_and` that clears it.
//!
//! # The protocol
//!
//! - **Claim** (first poll of a join future with enough branches, [`claim`]): set a bit of
//!   `claimed`, then, under the slot lock, store a clone of the task's waker and clear `woken`.
//!   The first poll polls every branch, each with its branch waker. When every slot is taken the
//!   join future falls back to polling every unfinished branch on each wake-up, exactly as a
//!   small `join!` does: nothing fails, it only loses the optimisation. A slot is held from the
//!   first poll until the join future finishes or is dropped, so the table bounds how many
//!   polled, unfinished joins use it at once (a long-lived `join!` in `main` keeps its slot; a
//!   join future leaked with `mem::forget` keeps it for ever).
//! - **Wake** (a branch waker, from any thread): under the slot lock, if the generation matches,
//!   set the branch's bit; if `woken` was zero, clone the parent waker. After unlocking, wake the
//!   clone. If `woken` was already non-zero the task has been woken since its last poll and will
//!   poll the join future, which will see this bit too, so it is not woken again.
//! - **Poll** ([`Claim::take_woken`]): under the slot lock, swap `woken` with zero and, if the
//!   stored parent waker would not wake the current task (`!will_wake`), replace it. Then poll
//!   exactly the branches whose bits were set (and that have not finished).
//! - **Release** (the join future finishes or is dropped; `Drop for Claim`): under the slot lock,
//!   increment the generation, clear `woken`, take the parent waker; then clear the `claimed`
//!   bit and drop the parent waker.
//!
//! # Why it is sound and loses no wake-up
//!
//! - *Memory*: the table is `static` and a branch waker holds only an integer, so no waker can
//!   reach freed memory, however long it lives. Every access to a slot's fields happens under
//!   its lock.
//! - *No lost wake-up*: a wake either happens before the poll's swap, and then the poll sees its
//!   bit and polls that branch, or after it, and then it finds `woken == 0` and wakes the parent
//!   waker the poll just stored. Both happen under one lock, so there is no third order. A bit
//!   set while the poll is running its branches (a branch that wakes itself) wakes the task
//!   again, as it should.
//! - *Stale wakers*: release increments the generation under the same lock that wake checks it
//!   under, so after release a waker of the old generation never sets a bit or wakes anyone,
//!   even once the slot has been claimed by an unrelated join future.
//! - *Generation wrap-around (ABA)*: generations have `usize::BITS - 12` bits: 52 on 64-bit
//!   targets, 20 on 32-bit ones, 4 on 16-bit ones. A stale waker is mistaken for a current one
//!   only if the same slot was released exactly a multiple of 2^20 (32-bit) times while the
//!   stale waker was held. Even then the effect is a spurious poll of one branch and a spurious
//!   wake of a task, both of which every future must tolerate; memory safety never depends on
//!   the generation.
//!
//! # The slot lock
//!
//! Hold times are a few instructions: a bit operation, a `Waker::will_wake` comparison and at
//! most one `Waker::clone` (a reference-count increment in every executor). A waker is never
//! woken or dropped under the lock, so a task waker that does real work (unparking a thread,
//! freeing a task) runs after the unlock. Which lock depends on the target, picked by module:
//!
//! - with `std`: a per-slot spin lock on an atomic flag (`wake_lock_spin.rs`). `critical-section`
//!   on std is one process-wide mutex, which would serialise every join in the process.
//! - without `std`: `critical_section::with` (`wake_lock_cs.rs`). On a microcontroller a waker
//!   may be woken from an interrupt handler; a spin lock taken by the interrupted code would
//!   then never be released, while a critical section masks the interrupt for those few
//!   instructions. A `Waker::clone` that re-entered the same slot (no real waker does) panics
//!   instead of corrupting it.
//!
//! # When it is used: the threshold
//!
//! A `join!` with fewer than [`MIN_BRANCHES`] branches never touches the table and polls every
//! unfinished branch on each wake-up: polling a future that was not woken usually costs a few
//! nanoseconds, less than the two lock round trips of the wake set. See [`MIN_BRANCHES`] for the
//! measurement.
//!
//! [`Waker`]: core::task::Waker

use core::task::{RawWaker, RawWakerVTable, Waker};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};

#[cfg_attr(feature = "std", path = "wake_lock_spin.rs")]
#[cfg_attr(not(feature = "std"), path = "wake_lock_cs.rs")]
mod lock;

use lock::SlotLock;

/// The smallest `join!`/`try_join!` that uses the wake set; smaller ones poll every unfinished
/// branch on each wake-up.
///
/// Measured with `cargo test -p weft-core --release --test join_woken -- --ignored --nocapture
/// bench`: each round wakes one branch (round-robin, same thread, uncontended) and polls the join
/// once; the other branches are pending leaf futures that load an atomic flag and compare their
/// stored waker with `will_wake`, either in a `RefCell` (the cheapest a leaf gets) or behind a
/// `Mutex` (like weft's channels and locks, which lock to register a waiter). Nanoseconds per
/// round, best of 15 runs of 50 000 rounds, x86-64, shared 2-core machine at load average ~1
/// (two runs agreed within 5%):
///
/// ```text
///   branches               2     3     4     5     6     8    16    64
///   poll all,   cell     13.3  16.7  20.5  24.4  28.3  36.4  67.2   264
///   woken only, cell     21.3  21.4  21.7  21.9  21.9  22.2  22.1  21.7
///   poll all,   mutex    19.5  25.1  30.7  36.6  42.8  53.9   101   410
///   woken only, mutex    25.9  26.2  26.0  26.0  26.5  26.3  26.1  26.3
/// ```
///
/// The wake set costs a constant ~8 ns per round over polling one branch (two uncontended lock
/// round trips and one parent-waker clone); polling everything costs 4 to 6 ns per extra
/// branch. With the cheapest leaf the two are even at 4 branches (1 ns apart) and the wake set
/// wins from 5; with a locking leaf it wins from 3 and is 16% faster at 4. So joins of 4 or more
/// branches use it. At 64 branches it is 12 to 16 times faster. `join_basic`/`join_try` pin the
/// poll-all behaviour of 3-branch joins, and `join_woken` checks that the threshold stays
/// above 3.
pub(crate) const MIN_BRANCHES: u32 = 4;

/// Number of slots: one bit of the `claimed` bitmap each, so 64 on 64-bit targets and 32 on
/// 32-bit ones. A slot takes one cache line (64 bytes) with `std`, so that joins on different
/// threads do not bounce each other's lines (4 KiB in all), and about 32 bytes on a 32-bit
/// microcontroller (1 KiB). Under loom, 2, so that models reuse slots quickly and stay small.
#[cfg(not(loom))]
pub(crate) const SLOTS: usize = usize::BITS as usize;
#[cfg(loom)]
pub(crate) const SLOTS: usize = 2;

/// Bits of a branch waker's data holding the branch index (64 branches).
const BRANCH_BITS: u32 = 6;
/// Bits holding the slot index (at most 64 slots).
const INDEX_BITS: u32 = 6;
/// Where the generation starts.
const GENERATION_SHIFT: u32 = BRANCH_BITS + INDEX_BITS;
/// Generations wrap at `2^(usize::BITS - 12)`.
const GENERATION_MASK: usize = usize::MAX >> GENERATION_SHIFT;

const _: () = assert!(SLOTS <= 1 << INDEX_BITS && SLOTS <= usize::BITS as usize);

/// What one slot protects.
#[derive(Debug)]
struct SlotState {
    /// Incremented (wrapping at [`GENERATION_MASK`]) on every release.
    generation: usize,
    /// One bit per branch woken since the join future last took the set.
    woken: u64,
    /// The waker of the task polling the join future; `None` while the slot is free.
    parent: Option<Waker>,
}

#[derive(Debug)]
#[cfg_attr(feature = "std", repr(align(64)))]
struct Slot(SlotLock<SlotState>);

impl Slot {
    crate::maybe_const_fn! {
        fn new() -> Self {
            Slot(SlotLock::new(SlotState {
                generation: 0,
                woken: 0,
                parent: None,
            }))
        }
    }
}

/// The process-wide table.
#[derive(Debug)]
struct Table {
    /// Bit `i` set: slot `i` belongs to a live join future.
    claimed: AtomicUsize,
    slots: [Slot; SLOTS],
}

#[cfg(not(loom))]
static TABLE: Table = Table {
    claimed: AtomicUsize::new(0),
    slots: [const { Slot::new() }; SLOTS],
};

#[cfg(not(loom))]
fn table() -> &'static Table {
    &TABLE
}

// loom's atomics have no const constructors; its lazy static is also reset between executions.
#[cfg(loom)]
loom::lazy_static! {
    static ref TABLE: Table = Table {
        claimed: AtomicUsize::new(0),
        slots: core::array::from_fn(|_| Slot::new()),
    };
}

#[cfg(loom)]
fn table() -> &'static Table {
    &TABLE
}

/// Bits of `claimed` that name a slot.
const ALL_SLOTS: usize = if SLOTS == usize::BITS as usize {
    usize::MAX
} else {
    (1 << SLOTS) - 1
};

/// A join future's ownership of one slot. Dropping it releases the slot and turns every branch
/// waker made from it into a no-op.
#[derive(Debug)]
pub(crate) struct Claim {
    index: usize,
    generation: usize,
}

/// Claims a free slot for a join future polled by `parent`'s task, or `None` when every slot is
/// taken.
pub(crate) fn claim(parent: &Waker) -> Option<Claim> {
    let table = table();
    let mut claimed = table.claimed.load(Ordering::Relaxed);
    let index = loop {
        let free = !claimed & ALL_SLOTS;
        if free == 0 {
            return None;
        }
        let index = free.trailing_zeros() as usize;
        // Acquire pairs with the Release of `Claim::drop`; the slot's fields are in any case
        // only touched under its lock.
        match table.claimed.compare_exchange_weak(
            claimed,
            claimed | 1 << index,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => break index,
            Err(now) => claimed = now,
        }
    };
    let parent = parent.clone();
    let (generation, old) = table.slots[index].0.with(|state| {
        state.woken = 0;
        (state.generation, state.parent.replace(parent))
    });
    debug_assert!(old.is_none(), "a free wake slot still held a waker");
    drop(old);
    Some(Claim { index, generation })
}

impl Claim {
    fn slot(&self) -> &'static Slot {
        &table().slots[self.index]
    }

    /// Returns the set of branches woken since the last call (or since the claim) and makes
    /// `parent` the waker that the next branch wake-up wakes.
    #[inline]
    pub(crate) fn take_woken(&self, parent: &Waker) -> u64 {
        let (woken, old) = self.slot().0.with(|state| {
            let woken = core::mem::replace(&mut state.woken, 0);
            let old = match &state.parent {
                Some(current) if current.will_wake(parent) => None,
                _ => state.parent.replace(parent.clone()),
            };
            (woken, old)
        });
        // Dropped outside the lock: dropping a waker may free a task.
        drop(old);
        woken
    }

    /// The branch wakers of this claim.
    #[inline]
    pub(crate) fn wakers(&self) -> BranchWakers {
        BranchWakers(self.generation << GENERATION_SHIFT | self.index << BRANCH_BITS)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let parent = self.slot().0.with(|state| {
            state.generation = state.generation.wrapping_add(1) & GENERATION_MASK;
            state.woken = 0;
            state.parent.take()
        });
        // Release pairs with the Acquire of the next `claim` of this slot.
        table()
            .claimed
            .fetch_and(!(1 << self.index), Ordering::Release);
        drop(parent);
    }
}

/// Makes the branch wakers of one claim: the claim's slot and generation, without the branch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BranchWakers(usize);

impl BranchWakers {
    /// The waker of `branch` (`< 64`).
    #[inline]
    pub(crate) fn waker(self, branch: u32) -> Waker {
        debug_assert!(branch < 1 << BRANCH_BITS);
        let data = core::ptr::without_provenance::<()>(self.0 | branch as usize);
        // SAFETY: every function of `VTABLE` is sound for any data value (the data is an
        // integer that is decoded and bounds-checked, never dereferenced) and from any thread
        // (the slot is reached through the `static` table and locked), and clone/drop need no
        // resource, so the `RawWaker` contract holds for the whole life of every copy.
        unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
    }
}

/// The vtable of every branch waker. A `static` so that `Waker::will_wake` sees one address.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

fn clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

fn wake(data: *const ()) {
    wake_branch(data.addr());
}

fn wake_by_ref(data: *const ()) {
    wake_branch(data.addr());
}

fn drop_waker(_: *const ()) {}

/// Sets the branch's bit if its join future still owns the slot, and wakes the task if this is
/// the first branch woken since the task last polled the join future.
fn wake_branch(data: usize) {
    let branch = data & ((1 << BRANCH_BITS) - 1);
    let index = (data >> BRANCH_BITS) & ((1 << INDEX_BITS) - 1);
    let generation = data >> GENERATION_SHIFT;
    let Some(slot) = table().slots.get(index) else {
        return;
    };
    let parent = slot.0.with(|state| {
        if state.generation != generation {
            return None;
        }
        let first = state.woken == 0;
        state.woken |= 1 << branch;
        if first {
            state.parent.clone()
        } else {
            None
        }
    });
    if let Some(parent) = parent {
        parent.wake();
    }
}

/// The slot `waker` belongs to, if it is a branch waker (tests).
pub(crate) fn slot_of(waker: &Waker) -> Option<usize> {
    core::ptr::eq(waker.vtable(), &VTABLE)
        .then(|| (waker.data().addr() >> BRANCH_BITS) & ((1 << INDEX_BITS) - 1))
}

/// How many slots are claimed right now (tests).
pub(crate) fn claimed_slots() -> u32 {
    table().claimed.load(Ordering::Relaxed).count_ones()
}
