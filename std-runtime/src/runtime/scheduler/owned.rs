//! Every task a runtime owns, so that shutdown can find and cancel each one exactly once.
//!
//! # Design
//!
//! The core provides the intrusive list ([`OwnedList`]); this file shards it. A task is linked
//! into shard `id % shards` when it is spawned and unlinked in `Schedule::release` when it
//! completes. With one global lock every spawn and every completion in the runtime would meet
//! on one cache line; with `4 × workers` shards (a power of two, at most 64) two workers
//! rarely touch the same shard at the same time. No task is allocated or moved for this: the
//! links live in the task header.
//!
//! # How shutdown avoids losing a task
//!
//! [`OwnedTasks::close_and_shutdown_all`] first marks **every** shard closed, each under its
//! lock, then pops tasks one by one and cancels each outside the lock
//! ([`TaskRef::shutdown`] drops the future right away, or — if another thread is polling it —
//! as soon as that poll returns). A concurrent [`OwnedTasks::bind`] takes the same shard lock:
//! either it linked its task before the close (so the drain pops and cancels it), or it sees the
//! shard closed and cancels the new task itself before returning. A task is never both linked
//! and uncancelled after the drain, and the core's state machine makes the cancellation happen
//! exactly once whichever path gets there. The shard locks are the loom shim's:
//! `tests/loom_shutdown.rs` races this code with spawns and wakes.

use weft_core::task::{JoinHandle, Notified, OwnedList, RawScheduler, SpawnToken, TaskRef};

use crate::loom::lock;
use crate::loom::sync::Mutex;

/// The runtime's tasks, sharded. See the module docs.
pub struct OwnedTasks {
    shards: Box<[Mutex<Shard>]>,
    mask: u64,
}

struct Shard {
    list: OwnedList,
    closed: bool,
}

/// Upper bound on the shard count: beyond it more shards only cost memory and shutdown time.
const MAX_SHARDS: usize = 64;

impl OwnedTasks {
    /// An empty list sharded for `num_workers` workers.
    pub fn new(num_workers: usize) -> OwnedTasks {
        let n = (num_workers * 4).next_power_of_two().min(MAX_SHARDS);
        OwnedTasks {
            shards: (0..n)
                .map(|_| {
                    Mutex::new(Shard {
                        list: OwnedList::new(),
                        closed: false,
                    })
                })
                .collect(),
            mask: n as u64 - 1,
        }
    }

    fn shard(&self, id: u64) -> &Mutex<Shard> {
        &self.shards[(id & self.mask) as usize]
    }

    /// Binds a task (a heap task from `spawn`, or a static-pool task from `spawn_token`: the
    /// same core task either way, never wrapped) to `sched` and links it. Returns `None` for
    /// the `Notified` when the runtime is shut down: the task was cancelled and its handle
    /// reports it.
    pub fn bind<T, M>(
        &self,
        token: SpawnToken<T, M>,
        sched: RawScheduler,
    ) -> (Option<Notified>, JoinHandle<T>) {
        let (notified, join) = token.bind(sched);
        let mut shard = lock(self.shard(notified.id().as_u64()));
        if shard.closed {
            drop(shard);
            // Cancels the task: the future is dropped here and the JoinHandle sees Cancelled.
            notified.shutdown();
            return (None, join);
        }
        // SAFETY: the task is alive (we hold `notified`), bound to the scheduler that owns this
        // list, and linked nowhere else; it is unlinked in `release` before it is freed.
        unsafe { shard.list.push_front(notified.header().into()) };
        drop(shard);
        (Some(notified), join)
    }

    /// Unlinks a completed task (from `Schedule::release`).
    pub fn remove(&self, task: &TaskRef) {
        let mut shard = lock(self.shard(task.id().as_u64()));
        // SAFETY: the task is alive for the duration of `release`, and if linked it is linked
        // in the shard its id selects.
        unsafe { shard.list.remove(task.as_ptr()) };
    }

    /// Closes every shard, then cancels every linked task. Several threads may call it
    /// concurrently; `start` spreads them over different shards.
    pub fn close_and_shutdown_all(&self, start: usize) {
        for s in self.shards.iter() {
            lock(s).closed = true;
        }
        let n = self.shards.len();
        for i in 0..n {
            let shard = &self.shards[(start + i) % n];
            loop {
                let task = lock(shard).list.pop_front();
                match task {
                    Some(t) => t.shutdown(),
                    None => break,
                }
            }
        }
    }

    /// Number of live tasks.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).list.len()).sum()
    }
}

impl std::fmt::Debug for OwnedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedTasks")
            .field("shards", &self.shards.len())
            .finish()
    }
}
