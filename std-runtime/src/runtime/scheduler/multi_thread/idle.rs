//! Which workers are asleep, and how many are searching for work.
//!
//! # Design
//!
//! Waking a worker costs a syscall and, if the worker finds nothing, a wasted context switch.
//! Waking every sleeper on every push (a "thundering herd") makes a message-passing workload
//! spend its time in the kernel. So the scheduler keeps two counters packed in one atomic word:
//!
//! * `searching` — workers that are awake, have no task and are looking (global queue, then
//!   stealing). A searching worker is *responsible* for noticing new work, so while one exists
//!   a producer does not need to wake anybody.
//! * `unparked` — workers that are not asleep.
//!
//! A producer that queued a task calls [`Idle::worker_to_notify`]: only when nobody searches and
//! somebody sleeps does it pop one sleeper and wake it — directly into the searching state, so
//! the next producer sees a searcher and stays quiet. When a searcher finds work it leaves the
//! searching state; if it was the **last** searcher it wakes another sleeper (the worker calls
//! `notify_parked`), so the chain continues exactly as long as there is work to find. This is
//! the protocol of Go's scheduler ("spinning" Ms) and of tokio.
//!
//! # Bounded searchers
//!
//! [`Idle::transition_worker_to_searching`] refuses when `2 * searching >= workers`: at most
//! half the workers search at once. More searchers than that contend on the same victims'
//! head words and the global queue lock without finding more work, and on a machine with
//! many cores the steal loop of idle workers would otherwise dominate.
//!
//! # No lost wake-up
//!
//! A producer *publishes the task, then reads the counters* (`SeqCst`); a worker going to sleep
//! *updates the counters, then re-reads the queues* (`SeqCst`, and the last searcher re-checks
//! every queue before parking). With sequentially consistent operations on both sides one of
//! the two always sees the other: either the producer sees the sleeper and wakes it, or the
//! sleeper sees the task and does not sleep. The per-worker parker then makes a wake that
//! arrives before the actual sleep stick (see `runtime/park.rs`).
use crate::loom::lock;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

/// Bits of the state word that count searching workers.
const SEARCH_SHIFT: usize = 0;
const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;
/// Largest supported worker count (the counters are 16-bit fields).
pub const MAX_WORKERS: usize = SEARCH_MASK;

/// Sleeping / searching worker accounting. See the module docs.
pub struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    sleepers: Mutex<Vec<usize>>,
}

fn num_searching(s: usize) -> usize {
    (s >> SEARCH_SHIFT) & SEARCH_MASK
}

fn num_unparked(s: usize) -> usize {
    s >> UNPARK_SHIFT
}

impl Idle {
    /// All `num_workers` start awake and not searching.
    pub fn new(num_workers: usize) -> Idle {
        assert!(num_workers > 0 && num_workers <= MAX_WORKERS);
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    /// If a worker should be woken for new work, picks it (moving it to searching) and
    /// returns its index.
    pub fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wakeup() {
            return None;
        }
        let mut sleepers = lock(&self.sleepers);
        // Re-check under the lock: another producer may have woken somebody meanwhile.
        if !self.notify_should_wakeup() {
            return None;
        }
        let worker = sleepers.pop()?;
        // One more unparked and one more searching.
        self.state
            .fetch_add((1 << UNPARK_SHIFT) | (1 << SEARCH_SHIFT), SeqCst);
        Some(worker)
    }

    fn notify_should_wakeup(&self) -> bool {
        // A read-modify-write so it takes part in the SeqCst order with the sleeper's update.
        let s = self.state.fetch_add(0, SeqCst);
        num_searching(s) == 0 && num_unparked(s) < self.num_workers
    }

    /// Records that `worker` is going to sleep. Returns `true` if it was the last searcher, in
    /// which case the caller must re-check every queue before sleeping.
    pub fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = lock(&self.sleepers);
        let dec = (1 << UNPARK_SHIFT) | if is_searching { 1 << SEARCH_SHIFT } else { 0 };
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(worker);
        is_searching && num_searching(prev) == 1
    }

    /// Tries to become a searcher; refused when half the workers already search.
    pub fn transition_worker_to_searching(&self) -> bool {
        let s = self.state.load(SeqCst);
        if 2 * num_searching(s) >= self.num_workers {
            return false;
        }
        // Benign race: two workers may both pass the check; the bound is approximate by one.
        self.state.fetch_add(1 << SEARCH_SHIFT, SeqCst);
        true
    }

    /// A searcher found work (or gives up searching). Returns `true` if it was the last one, in
    /// which case the caller wakes another worker if work remains.
    pub fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1 << SEARCH_SHIFT, SeqCst);
        num_searching(prev) == 1
    }

    /// Removes `worker` from the sleepers if it is there (woken spuriously, or at shutdown).
    /// Returns `true` if it was a sleeper. A worker woken through [`worker_to_notify`] was
    /// already removed, and becomes a searcher.
    ///
    /// [`worker_to_notify`]: Idle::worker_to_notify
    pub fn unpark_worker_by_id(&self, worker: usize) -> bool {
        let mut sleepers = lock(&self.sleepers);
        if let Some(i) = sleepers.iter().position(|&w| w == worker) {
            sleepers.swap_remove(i);
            self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
            true
        } else {
            false
        }
    }

    /// `true` while `worker` is registered as asleep.
    pub fn is_parked(&self, worker: usize) -> bool {
        lock(&self.sleepers).contains(&worker)
    }

    /// Number of workers searching right now.
    pub fn num_searching(&self) -> usize {
        num_searching(self.state.load(SeqCst))
    }

    /// Number of workers that are not asleep.
    pub fn num_unparked(&self) -> usize {
        num_unparked(self.state.load(SeqCst))
    }
}

impl std::fmt::Debug for Idle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idle")
            .field("searching", &self.num_searching())
            .field("unparked", &self.num_unparked())
            .finish()
    }
}
