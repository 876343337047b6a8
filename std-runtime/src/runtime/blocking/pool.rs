//! The blocking thread pool.
//!
//! # Design
//!
//! One mutex-protected queue of jobs and a condvar. Threads are created on demand: a job that
//! arrives when no thread is idle starts a new thread, up to the cap; beyond the cap it waits
//! in the queue (FIFO) for the next thread that finishes. An idle thread waits on the condvar
//! for at most `keep_alive` and then exits, so a burst of blocking work leaves no threads
//! behind after it.
//!
//! Waking is counted, not broadcast: the spawner that hands a job to an idle thread moves one
//! thread from `num_idle` to `num_notify` and signals once; the woken thread consumes one
//! `num_notify`. A spurious condvar wake-up therefore finds `num_notify == 0` and waits again,
//! and a timed-out thread that was notified at the same moment still takes the job instead of
//! exiting with work queued.
//!
//! The runtime's worker threads are jobs of this pool too ([`Job::Fn`]), which gives one place
//! that knows about every thread the runtime started: shutdown waits for this pool and so for
//! the workers. The cap is `max_blocking_threads + worker_threads`, so workers never use up
//! the room of `spawn_blocking` and vice versa.
//!
//! # Shutdown
//!
//! [`BlockingPool::shutdown`] sets `shutdown`, wakes every idle thread and waits (optionally
//! bounded) until every thread has exited. Threads finish the job they are running — running
//! closures are never interrupted — then drain the queue: queued `spawn_blocking` tasks are
//! cancelled (their `JoinHandle`s report cancelled), queued [`Job::Fn`]s (worker threads) still
//! run, since they are needed to shut their scheduler core down. After shutdown a new job is
//! cancelled at once.
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use weft_core::task::Notified;

use crate::runtime::builder::{Callback, ThreadNameFn};
use crate::runtime::{context, scheduler};

/// Something to run on a pool thread.
pub(crate) enum Job {
    /// A `spawn_blocking` task: cancelled if still queued at shutdown.
    Task(Notified),
    /// Runtime work (a worker thread): always runs, even during shutdown.
    Fn(Box<dyn FnOnce() + Send + 'static>),
}

impl Job {
    fn run(self) {
        match self {
            Job::Task(t) => t.run(),
            Job::Fn(f) => f(),
        }
    }

    fn shutdown(self) {
        match self {
            // Dropping a Notified cancels its task.
            Job::Task(t) => drop(t),
            Job::Fn(f) => f(),
        }
    }
}

/// Settings of a pool.
pub(crate) struct Config {
    pub(crate) thread_name: ThreadNameFn,
    pub(crate) stack_size: Option<usize>,
    pub(crate) after_start: Option<Callback>,
    pub(crate) before_stop: Option<Callback>,
    pub(crate) keep_alive: Duration,
    pub(crate) thread_cap: usize,
}

/// Owns the pool; dropping it shuts the pool down and waits.
pub(crate) struct BlockingPool {
    spawner: Spawner,
    /// `shutdown` ran (with or without waiting): `Drop` must not wait again.
    shut_down: bool,
}

/// Cheap handle that queues jobs.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    condvar: Condvar,
    /// Signalled when a thread exits during shutdown.
    exited: Condvar,
    config: Config,
}

struct Shared {
    queue: VecDeque<Job>,
    num_th: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    next_id: usize,
    threads: HashMap<usize, std::thread::JoinHandle<()>>,
}

thread_local! {
    /// The pool whose thread this is (address of its `Inner`), to avoid waiting for ourselves.
    static CURRENT_POOL: Cell<usize> = const { Cell::new(0) };
}

impl BlockingPool {
    pub(crate) fn new(config: Config) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_th: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        next_id: 0,
                        threads: HashMap::new(),
                    }),
                    condvar: Condvar::new(),
                    exited: Condvar::new(),
                    config,
                }),
            },
            shut_down: false,
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Shuts down and waits for every thread (at most `timeout`). Returns `true` when every
    /// thread exited in time. Idempotent.
    pub(crate) fn shutdown(&mut self, timeout: Option<Duration>) -> bool {
        self.shut_down = true;
        let inner = &self.spawner.inner;
        let mut shared = crate::loom::lock_std(&inner.shared);
        if !shared.shutdown {
            shared.shutdown = true;
            inner.condvar.notify_all();
        }
        let own = CURRENT_POOL.with(|c| c.get()) == Arc::as_ptr(inner) as usize;
        let target = usize::from(own);
        let deadline = timeout.map(|t| Instant::now() + t);
        while shared.num_th > target {
            shared = match deadline {
                None => inner.exited.wait(shared).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    inner
                        .exited
                        .wait_timeout(shared, d - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        let threads: Vec<_> = shared.threads.drain().map(|(_, h)| h).collect();
        drop(shared);
        let me = std::thread::current().id();
        for h in threads {
            if h.thread().id() != me {
                let _ = h.join();
            }
        }
        true
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        if !self.shut_down {
            self.shutdown(None);
        }
    }
}

impl Spawner {
    /// Queues a job, starting a thread when none is idle and the cap allows. After shutdown
    /// the job is cancelled (a task) or run inline (a runtime `Fn`).
    pub(crate) fn spawn(&self, job: Job, rt: &scheduler::Handle) {
        if let Err(job) = self.try_spawn(job, rt) {
            job.shutdown();
        }
    }

    /// Like [`spawn`](Self::spawn) but hands the job back after shutdown.
    pub(crate) fn try_spawn(&self, job: Job, rt: &scheduler::Handle) -> Result<(), Job> {
        let inner = &self.inner;
        let mut shared = crate::loom::lock_std(&inner.shared);
        if shared.shutdown {
            return Err(job);
        }
        shared.queue.push_back(job);
        if shared.num_idle > 0 {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            // Unlock before notifying: the woken thread's first act is to take this lock, and
            // notifying under it made every hand-off a futex round trip (measured by the bench
            // harness: spawn_blocking went from ~1.9x tokio to ~0.5x).
            drop(shared);
            inner.condvar.notify_one();
            return Ok(());
        }
        if shared.num_th >= inner.config.thread_cap {
            // Queued beyond the cap: the next thread to finish takes it.
            return Ok(());
        }
        let id = shared.next_id;
        shared.next_id += 1;
        shared.num_th += 1;
        match self.spawn_thread(id, rt) {
            Ok(h) => {
                shared.threads.insert(id, h);
            }
            Err(e) => {
                shared.num_th -= 1;
                if shared.num_th == 0 {
                    // No thread will ever take the job: fail loudly rather than hang.
                    let job = shared.queue.pop_back();
                    drop(shared);
                    drop(job);
                    panic!("failed to spawn a blocking thread: {e}");
                }
            }
        }
        Ok(())
    }

    fn spawn_thread(
        &self,
        id: usize,
        rt: &scheduler::Handle,
    ) -> io::Result<std::thread::JoinHandle<()>> {
        let cfg = &self.inner.config;
        let mut b = std::thread::Builder::new().name((cfg.thread_name)());
        if let Some(s) = cfg.stack_size {
            b = b.stack_size(s);
        }
        let inner = self.inner.clone();
        let rt = rt.clone();
        b.spawn(move || {
            CURRENT_POOL.with(|c| c.set(Arc::as_ptr(&inner) as usize));
            let _enter = context::set_current(&rt);
            if let Some(f) = &inner.config.after_start {
                f();
            }
            inner.run(id);
            if let Some(f) = &inner.config.before_stop {
                f();
            }
        })
    }
}

/// Keeps the thread count right if a job unwinds out of a pool thread (which only a bug in the
/// runtime itself could cause: task panics are caught inside the task), so that shutdown
/// reports the panic instead of waiting forever for a thread that is gone.
struct UnwindGuard<'a>(&'a Inner);

impl Drop for UnwindGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut shared = crate::loom::lock_std(&self.0.shared);
            shared.num_th -= 1;
            self.0.exited.notify_all();
        }
    }
}

impl Inner {
    fn run(&self, id: usize) {
        let _unwind = UnwindGuard(self);
        let mut shared = crate::loom::lock_std(&self.shared);
        'main: loop {
            while let Some(job) = shared.queue.pop_front() {
                let is_shutdown = shared.shutdown;
                drop(shared);
                if is_shutdown {
                    job.shutdown();
                } else {
                    job.run();
                }
                shared = crate::loom::lock_std(&self.shared);
            }
            if shared.shutdown {
                break 'main;
            }
            // Idle.
            shared.num_idle += 1;
            loop {
                let (s, timeout) = self
                    .condvar
                    .wait_timeout(shared, self.config.keep_alive)
                    .unwrap_or_else(|p| p.into_inner());
                shared = s;
                if shared.num_notify > 0 {
                    // A spawner picked us (and already took us out of num_idle).
                    shared.num_notify -= 1;
                    continue 'main;
                }
                if shared.shutdown {
                    shared.num_idle -= 1;
                    continue 'main; // drains the queue, then exits
                }
                if timeout.timed_out() {
                    // Kept alive long enough with nothing to do: exit, detaching our handle.
                    shared.num_idle -= 1;
                    shared.threads.remove(&id);
                    break 'main;
                }
                // Spurious wake-up.
            }
        }
        shared.num_th -= 1;
        if shared.shutdown {
            self.exited.notify_all();
        }
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool").finish_non_exhaustive()
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Spawner").finish_non_exhaustive()
    }
}
