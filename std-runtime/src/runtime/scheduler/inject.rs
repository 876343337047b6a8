//! The global injection queue.
//!
//! Tasks that are woken or spawned from a thread that is not one of the runtime's workers (or
//! from a worker whose local queue is full) land here; every worker takes from it.
//!
//! # Design
//!
//! A `Mutex<VecDeque<T>>` plus an atomic length. The length lets the hot path of an idle or
//! searching worker ask "is there anything?" without touching the lock, and lets a worker check
//! the queue at its `global_queue_interval` for the price of one relaxed load when it is empty.
//! The lock is taken once per *batch*: a worker whose local queue overflows moves half of it
//! here with one `push_batch`, and a worker that finds work here takes up to half its local
//! capacity at once with `pop_n`, so the lock is amortised over many tasks. The deque's buffer
//! grows to the high-water mark and is reused, so steady-state pushes do not allocate.
//!
//! # Shutdown
//!
//! [`Inject::close`] flips a flag under the lock. After it, [`Inject::push`] hands the task back
//! to the caller instead of queueing it, so the caller cancels it on the spot. Because closing
//! and pushing take the same lock, a task is either in the queue before the close (and the
//! shutdown drain finds it) or is refused after it: no task is lost in between.
use std::collections::VecDeque;

use crate::loom::lock;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

/// The global queue. See the module docs.
pub struct Inject<T> {
    synced: Mutex<Synced<T>>,
    len: AtomicUsize,
}

struct Synced<T> {
    queue: VecDeque<T>,
    is_closed: bool,
}

impl<T> Inject<T> {
    /// An empty, open queue.
    pub fn new() -> Self {
        Inject {
            synced: Mutex::new(Synced {
                queue: VecDeque::new(),
                is_closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Number of queued tasks (may be stale by the time the caller looks at it).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// `true` when no task is queued (may be stale).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes the queue; returns `false` if it was already closed.
    pub fn close(&self) -> bool {
        let mut s = lock(&self.synced);
        let was = s.is_closed;
        s.is_closed = true;
        !was
    }

    /// Queues a task; hands it back if the queue is closed.
    pub fn push(&self, task: T) -> Result<(), T> {
        let mut s = lock(&self.synced);
        if s.is_closed {
            return Err(task);
        }
        s.queue.push_back(task);
        self.len.store(s.queue.len(), Ordering::Release);
        Ok(())
    }

    /// Queues every task of `iter` under one lock. If the queue is closed the tasks are handed to
    /// `rejected` one by one instead.
    pub fn push_batch(&self, iter: impl Iterator<Item = T>, mut rejected: impl FnMut(T)) {
        let mut s = lock(&self.synced);
        if s.is_closed {
            drop(s);
            iter.for_each(&mut rejected);
            return;
        }
        s.queue.extend(iter);
        self.len.store(s.queue.len(), Ordering::Release);
    }

    /// Takes the oldest task.
    pub fn pop(&self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let mut s = lock(&self.synced);
        let t = s.queue.pop_front();
        self.len.store(s.queue.len(), Ordering::Release);
        t
    }

    /// Takes up to `n` of the oldest tasks, passing each to `f` while the lock is held (so `f`
    /// must be short: it is meant to push into a local queue). Returns how many were taken.
    pub fn pop_n(&self, n: usize, mut f: impl FnMut(T)) -> usize {
        if self.is_empty() || n == 0 {
            return 0;
        }
        let mut s = lock(&self.synced);
        let take = n.min(s.queue.len());
        for _ in 0..take {
            // `take <= len`, so the pop always succeeds.
            if let Some(t) = s.queue.pop_front() {
                f(t);
            }
        }
        self.len.store(s.queue.len(), Ordering::Release);
        take
    }
}

impl<T> Default for Inject<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Inject<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inject").field("len", &self.len()).finish()
    }
}
