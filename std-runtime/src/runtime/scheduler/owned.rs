//! Every task a runtime owns, so that shutdown can find and cancel each one exactly once.
//!
//! # Design
//!
//! A set of task addresses, sharded. A task is inserted when it is spawned and removed in
//! `Schedule::release` when it completes (before its alive reference is dropped, so an address
//! in the set always names a live task). With one global lock every spawn and every completion
//! in the runtime would meet on one cache line; with `4 × workers` shards (a power of two, at
//! most 64) two workers rarely touch the same shard at the same time.
//!
//! Why a side set and not intrusive links in the task: the links would cost every task two
//! words, static-pool tasks on a microcontroller included, although only this runtime (which
//! has an allocator) needs them. The set costs about 9–18 bytes per live task (a pointer and a
//! control byte per bucket at hashbrown's load factor) and one hash per spawn and per
//! completion; the task header stays at 48 bytes (see `weft_core::task`).
//!
//! # How shutdown avoids losing a task
//!
//! [`OwnedTasks::close_and_shutdown_all`] first marks **every** shard closed, each under its
//! lock, then empties each shard under its lock, taking a counted reference to every task in
//! it, and cancels them outside the lock ([`TaskRef::shutdown`] drops the future right away,
//! or — if another thread is polling it — as soon as that poll returns). A concurrent
//! [`OwnedTasks::bind`] takes the same shard lock: either it inserted its task before the
//! close (so the drain finds and cancels it), or it sees the shard closed and cancels the new
//! task itself before returning. A task is never both owned and uncancelled after the drain,
//! and the core's state machine makes the cancellation happen exactly once whichever path gets
//! there. The shard locks are the loom shim's: `tests/loom_shutdown.rs` races this code with
//! spawns and wakes.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use weft_core::task::{Header, JoinHandle, Notified, RawScheduler, SpawnToken, TaskRef};

use crate::loom::lock;
use crate::loom::sync::Mutex;

/// The runtime's tasks, sharded. See the module docs.
pub struct OwnedTasks {
    shards: Box<[Mutex<Shard>]>,
    mask: usize,
}

struct Shard {
    tasks: HashSet<usize, BuildHasherDefault<AddrHasher>>,
    closed: bool,
}

/// Hashes a task address: one multiply, then the high bits folded down, because the set picks
/// buckets with the low bits and allocations are aligned (their low bits are all alike).
#[derive(Default)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, addr: usize) {
        let h = (addr as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 32);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Sets at most this large are never shrunk (a few KiB per shard).
const SHRINK_ABOVE: usize = 1024;

/// Upper bound on the shard count: beyond it more shards only cost memory and shutdown time.
const MAX_SHARDS: usize = 64;

/// A task's address as stored in the sets. Its provenance is exposed so that shutdown can
/// turn the number back into a pointer to the whole task ([`task_at`]).
fn addr(task: NonNull<Header>) -> usize {
    task.as_ptr().expose_provenance()
}

/// The task at an address from the sets.
///
/// # Safety
/// `a` came from [`addr`] of a task that is still alive.
unsafe fn task_at(a: usize) -> NonNull<Header> {
    // SAFETY: `addr` never yields 0 (it came from a `NonNull`), and its provenance was exposed.
    unsafe { NonNull::new_unchecked(std::ptr::with_exposed_provenance_mut::<Header>(a)) }
}

impl OwnedTasks {
    /// An empty set sharded for `num_workers` workers.
    pub fn new(num_workers: usize) -> OwnedTasks {
        let n = (num_workers * 4).next_power_of_two().min(MAX_SHARDS);
        OwnedTasks {
            shards: (0..n)
                .map(|_| {
                    Mutex::new(Shard {
                        tasks: HashSet::default(),
                        closed: false,
                    })
                })
                .collect(),
            mask: n - 1,
        }
    }

    fn shard(&self, task: NonNull<Header>) -> &Mutex<Shard> {
        // Tasks are at least 16 bytes apart and 8-aligned: drop the low bits, then spread.
        let a = addr(task) >> 4;
        &self.shards[(a ^ (a >> 7)) & self.mask]
    }

    /// Binds a task (a heap task from `spawn`, or a static-pool task from `spawn_token`: the
    /// same core task either way, never wrapped) to `sched` and records it. Returns `None` for
    /// the `Notified` when the runtime is shut down: the task was cancelled and its handle
    /// reports it.
    pub fn bind<T, M>(
        &self,
        token: SpawnToken<T, M>,
        sched: RawScheduler,
    ) -> (Option<Notified>, JoinHandle<T>) {
        let (notified, join) = token.bind(sched);
        let task = notified.as_ptr();
        let mut shard = lock(self.shard(task));
        if shard.closed {
            drop(shard);
            // Cancels the task: the future is dropped here and the JoinHandle sees Cancelled.
            notified.shutdown();
            return (None, join);
        }
        // The task is alive (we hold `notified`) and stays so until `release` removes it.
        shard.tasks.insert(addr(task));
        drop(shard);
        (Some(notified), join)
    }

    /// Forgets a completed task (from `Schedule::release`). Absent when shutdown already took it.
    ///
    /// A set never shrinks by itself, so after a burst (a million tasks spawned at once, then
    /// finished) it would keep the burst's table. Once a shard's set is at most an eighth full
    /// it is shrunk to twice its length: each shrink costs O(capacity) and needs a number of
    /// removals proportional to the capacity first, so it adds O(1) per removal.
    pub fn remove(&self, task: &TaskRef) {
        let mut shard = lock(self.shard(task.as_ptr()));
        shard.tasks.remove(&addr(task.as_ptr()));
        let (len, cap) = (shard.tasks.len(), shard.tasks.capacity());
        if cap > SHRINK_ABOVE && len <= cap / 8 {
            shard.tasks.shrink_to(len * 2);
        }
    }

    /// Closes every shard, then cancels every recorded task. Several threads may call it
    /// concurrently; `start` spreads them over different shards.
    pub fn close_and_shutdown_all(&self, start: usize) {
        for s in self.shards.iter() {
            lock(s).closed = true;
        }
        let n = self.shards.len();
        let mut panic = None;
        for i in 0..n {
            let shard = &self.shards[(start + i) % n];
            let tasks: Vec<TaskRef> = lock(shard)
                .tasks
                .drain()
                .map(|a| {
                    // SAFETY: an address in the set names a task that has not been released,
                    // so it is alive; the count taken here (under the shard lock, which
                    // `release` also takes) keeps it alive after the lock is dropped.
                    unsafe { TaskRef::clone_from_raw(task_at(a)) }
                })
                .collect();
            // The tasks are out of the set now, so none may be skipped: if a cancellation
            // panics (a join waker that panics in `wake`), the others still run, and the
            // first panic is raised once every task of every shard is cancelled.
            for t in tasks {
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| t.shutdown())) {
                    panic.get_or_insert(p);
                }
            }
        }
        if let Some(p) = panic {
            resume_unwind(p);
        }
    }

    /// Number of live tasks.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).tasks.len()).sum()
    }
}

impl std::fmt::Debug for OwnedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedTasks")
            .field("shards", &self.shards.len())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::{Arc, Mutex};

    use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken, TaskRef};

    use super::OwnedTasks;

    struct Sched {
        owned: OwnedTasks,
        queue: Mutex<Vec<Notified>>,
    }
    impl Schedule for Sched {
        fn schedule(&self, task: Notified) {
            self.queue.lock().unwrap().push(task);
        }
        fn release(&self, task: &TaskRef) {
            self.owned.remove(task);
        }
    }

    fn capacity(owned: &OwnedTasks) -> usize {
        owned
            .shards
            .iter()
            .map(|s| s.lock().unwrap().tasks.capacity())
            .sum()
    }

    #[test]
    fn sets_shrink_after_a_burst_and_shutdown_finds_the_rest() {
        let s = Arc::new(SchedulerCell::new(Sched {
            owned: OwnedTasks::new(1),
            queue: Mutex::new(Vec::new()),
        }));
        let mut handles = Vec::new();
        for i in 0..20_000u32 {
            let token = SpawnToken::new_boxed(async move {
                if i % 1000 == 0 {
                    std::future::pending::<()>().await;
                }
            });
            let (n, h) = s.owned.bind(token, RawScheduler::from_arc(s.clone()));
            s.queue.lock().unwrap().push(n.expect("not shut down"));
            handles.push(h);
        }
        assert_eq!(s.owned.len(), 20_000);
        let burst = capacity(&s.owned);
        assert!(burst >= 20_000);
        let queued = std::mem::take(&mut *s.queue.lock().unwrap());
        for n in queued {
            n.run();
        }
        // Twenty tasks wait forever; the other 19,980 completed and left the sets.
        assert_eq!(s.owned.len(), 20);
        let after = capacity(&s.owned);
        println!("set capacity: {burst} during the burst, {after} after it");
        assert!(after <= burst / 8, "sets kept {after} slots for 20 tasks");
        // Shutdown still finds the twenty idle tasks.
        s.owned.close_and_shutdown_all(0);
        assert_eq!(s.owned.len(), 0);
        assert_eq!(handles.iter().filter(|h| h.is_finished()).count(), 20_000);
    }
}
