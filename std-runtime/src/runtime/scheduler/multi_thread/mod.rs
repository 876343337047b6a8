//! The multi-thread, work-stealing scheduler.
//!
//! # Overview
//!
//! `N` worker threads (one per core by default). Each owns a *core*: a fixed ring-buffer run
//! queue ([`queue`]), a LIFO slot and its parker. A worker's loop, in `worker.rs`:
//!
//! 1. every `event_interval` ticks, turn the driver without blocking (timers, I/O);
//! 2. take a task: every `global_queue_interval` ticks the global queue first, otherwise the
//!    LIFO slot, the local queue, then a batch from the global queue;
//! 3. none? become a *searcher* (bounded, [`idle`]) and steal half of a random victim's queue;
//! 4. still none? park ([`crate::runtime::park`]): one parked worker blocks in the driver, the
//!    others on a condvar.
//!
//! # Where a woken task goes
//!
//! A task woken *by the task running on this worker* (a message sent to a waiting receiver)
//! goes to the LIFO slot and runs next, while its data is still in cache — the biggest latency
//! win for message passing. The slot is capped: after [`MAX_LIFO_POLLS_PER_TICK`] consecutive
//! LIFO polls it is disabled until the worker takes a task from its queue again, so two tasks
//! that keep waking each other cannot starve the queue. A task that woke *itself* (`yield_now`,
//! budget exhausted) goes to the back of the local queue instead. Wakes from other threads and
//! from the driver when no core is present go to the global queue and wake a worker if no one
//! is searching.
//!
//! # Shutdown (how no task is lost)
//!
//! `Handle::shutdown` closes the global queue and unparks every worker. Each worker notices at
//! its next maintenance, closes the owned-task list and cancels every task in it (idle,
//! sleeping, queued, or being polled elsewhere: the core's state machine drops each future
//! exactly once), then hands its core to `shutdown_core`. The last core to arrive drains every
//! local queue and LIFO slot and the global queue (dropping a `Notified` cancels it, and the
//! cancelled tasks are already complete, so only references go), and shuts the driver down.
//! Tasks spawned after the close are cancelled at spawn (see `owned.rs`); tasks woken after the
//! close are refused by the closed global queue and dropped by the waker.
//!
//! The worker threads are jobs of the blocking pool, so `Runtime` drop waits for them by
//! shutting the pool down.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use weft_core::task::SchedulerCell;
use weft_core::task::{Id, JoinHandle, Notified, RawScheduler, Schedule, SpawnToken, TaskRef};

use super::inject::Inject;
use super::owned::OwnedTasks;
use crate::loom::lock_std as lock;
use crate::runtime::builder::UnhandledPanic;
use crate::runtime::park::{Parker, Unparker};
use crate::runtime::{blocking, context, driver};

pub(crate) mod handoff;
pub(crate) mod idle;
pub(crate) mod queue;
mod worker;

pub(crate) use worker::{block_in_place, Context};
use worker::{Core, Worker};

/// Consecutive LIFO-slot polls allowed before the slot is disabled until the next regular
/// task. Three covers a request/response exchange (A wakes B, B replies, A continues) without
/// letting a ping-pong pair hold the worker: after three hops the woken task goes to the back
/// of the queue.
pub(crate) const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// Settings of the scheduler.
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) unhandled_panic: UnhandledPanic,
}

/// The shared half of the multi-thread scheduler.
pub(crate) struct Handle {
    pub(crate) shared: Shared,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
}

/// Counters of one worker (flushed by the worker at maintenance and park).
#[derive(Default)]
pub(crate) struct WorkerMetrics {
    pub(crate) polls: AtomicU64,
    pub(crate) steals: AtomicU64,
    pub(crate) parks: AtomicU64,
}

pub(crate) struct Remote {
    pub(crate) steal: queue::Steal<Notified>,
    pub(crate) unpark: Unparker,
}

pub(crate) struct Shared {
    pub(crate) remotes: Box<[Remote]>,
    pub(crate) inject: Inject<Notified>,
    pub(crate) idle: idle::Idle,
    pub(crate) owned: OwnedTasks,
    pub(crate) config: Config,
    pub(crate) metrics: Box<[WorkerMetrics]>,
    /// Set by `shutdown`; read by workers at maintenance (cheaper than the inject lock).
    pub(crate) is_shutdown: AtomicBool,
    /// A task panicked under `UnhandledPanic::ShutdownRuntime`.
    pub(crate) panicked: AtomicBool,
    /// Cores handed in by workers that finished; the last one cleans up. (Boxed: cores move
    /// between threads as one pointer everywhere else.)
    #[allow(clippy::vec_box)]
    shutdown_cores: Mutex<Vec<Box<Core>>>,
    /// Cores waiting to be launched.
    pending_workers: Mutex<Vec<Arc<Worker>>>,
    /// `block_on` callers to wake when a task panics under `ShutdownRuntime`.
    panic_wakers: Mutex<Vec<Waker>>,
}

/// Unregisters a `block_on` waker on drop.
pub(crate) struct PanicWakerGuard<'a> {
    handle: Option<&'a Handle>,
    waker: Waker,
}

impl Drop for PanicWakerGuard<'_> {
    fn drop(&mut self) {
        if let Some(h) = self.handle {
            lock(&h.shared.panic_wakers).retain(|w| !w.will_wake(&self.waker));
        }
    }
}

impl Handle {
    /// Builds the scheduler; the workers are launched by [`Handle::launch`].
    pub(crate) fn new(
        num_workers: usize,
        park_shared: crate::loom::sync::Arc<crate::runtime::park::Shared>,
        driver: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> Arc<SchedulerCell<Handle>> {
        let mut cores = Vec::with_capacity(num_workers);
        let mut remotes = Vec::with_capacity(num_workers);
        for _ in 0..num_workers {
            let park = Parker::new(park_shared.clone());
            let (steal, run_queue) = queue::local();
            remotes.push(Remote {
                steal,
                unpark: park.unparker(),
            });
            cores.push(Core::new(run_queue, park));
        }
        let handle = Arc::new(SchedulerCell::new(Handle {
            shared: Shared {
                remotes: remotes.into_boxed_slice(),
                inject: Inject::new(),
                idle: idle::Idle::new(num_workers),
                owned: OwnedTasks::new(num_workers),
                config,
                metrics: (0..num_workers).map(|_| WorkerMetrics::default()).collect(),
                is_shutdown: AtomicBool::new(false),
                panicked: AtomicBool::new(false),
                shutdown_cores: Mutex::new(Vec::new()),
                pending_workers: Mutex::new(Vec::new()),
                panic_wakers: Mutex::new(Vec::new()),
            },
            driver,
            blocking_spawner,
        }));
        let workers = cores
            .into_iter()
            .enumerate()
            .map(|(index, core)| Worker::new(handle.clone(), index, core))
            .collect();
        *lock(&handle.shared.pending_workers) = workers;
        handle
    }

    /// Starts the worker threads (on the blocking pool).
    pub(crate) fn launch(me: &Arc<SchedulerCell<Self>>) {
        let workers = std::mem::take(&mut *lock(&me.shared.pending_workers));
        let rt = super::Handle::MultiThread(me.clone());
        for w in workers {
            me.blocking_spawner.spawn(
                blocking::pool::Job::Fn(Box::new(move || worker::run(w))),
                &rt,
            );
        }
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    /// Binds and schedules a task (heap or static pool); the caller checked it is `Send`.
    pub(crate) fn spawn_token<T, M>(
        me: &Arc<SchedulerCell<Self>>,
        token: SpawnToken<T, M>,
    ) -> JoinHandle<T> {
        let sched = RawScheduler::from_arc(me.clone());
        let (notified, join) = me.shared.owned.bind(token, sched);
        if let Some(n) = notified {
            me.schedule_task(n, false);
        }
        join
    }

    /// Routes a notified task: local queue / LIFO slot when scheduled from one of our workers
    /// that holds a core, else the global queue.
    pub(crate) fn schedule_task(&self, task: Notified, is_yield: bool) {
        let task = context::with_scheduler(|cx| {
            if let Some(super::Context::MultiThread(cx)) = cx {
                if std::ptr::eq(&***cx.handle(), self) {
                    if let Some(mut slot) = cx.try_core_mut() {
                        if let Some(core) = slot.as_mut() {
                            self.schedule_local(core, task, is_yield);
                            return None;
                        }
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = task {
            self.push_remote_task(task);
            self.notify_parked_remote();
        }
    }

    fn schedule_local(&self, core: &mut Core, task: Notified, is_yield: bool) {
        let should_notify = if is_yield || !core.lifo_enabled {
            core.run_queue
                .push_back_or_overflow(task, &self.shared.inject, drop);
            true
        } else {
            let prev = core.lifo_slot.replace(task);
            match prev {
                Some(prev) => {
                    core.run_queue
                        .push_back_or_overflow(prev, &self.shared.inject, drop);
                    true
                }
                None => false,
            }
        };
        // While the worker is parked (its parker is out of the core) it will look at its own
        // queue when it wakes; otherwise let an idle worker steal the surplus.
        if should_notify && core.park.is_some() {
            self.notify_parked_local();
        }
    }

    pub(crate) fn push_remote_task(&self, task: Notified) {
        if let Err(task) = self.shared.inject.push(task) {
            // Shut down: dropping the Notified cancels the task.
            drop(task);
        }
    }

    pub(crate) fn notify_parked_local(&self) {
        if let Some(idx) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[idx].unpark.unpark();
        }
    }

    pub(crate) fn notify_parked_remote(&self) {
        if let Some(idx) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[idx].unpark.unpark();
        }
    }

    fn notify_all(&self) {
        for r in self.shared.remotes.iter() {
            r.unpark.unpark();
        }
    }

    /// Wakes a worker if any queue holds work (used by the last searcher before it parks).
    pub(crate) fn notify_if_work_pending(&self) {
        for r in self.shared.remotes.iter() {
            if !r.steal.is_empty() {
                self.notify_parked_local();
                return;
            }
        }
        if !self.shared.inject.is_empty() {
            self.notify_parked_local();
        }
    }

    /// Begins shutdown (idempotent).
    pub(crate) fn shutdown(&self) {
        self.shared.is_shutdown.store(true, Ordering::SeqCst);
        if self.shared.inject.close() {
            self.notify_all();
        }
    }

    /// Collects a finished worker's core; the last one cleans up. See the module docs.
    fn shutdown_core(&self, core: Box<Core>) {
        let cores: Vec<_> = {
            let mut cores = lock(&self.shared.shutdown_cores);
            cores.push(core);
            if cores.len() != self.shared.remotes.len() {
                return;
            }
            // Drain outside the lock: dropping tasks runs user Drop impls.
            cores.drain(..).collect()
        };
        for mut core in cores {
            core.shutdown();
        }
        while let Some(task) = self.shared.inject.pop() {
            drop(task);
        }
    }

    /// Total polls, steals and parks over all workers.
    pub(crate) fn metrics_totals(&self) -> (u64, u64, u64) {
        let mut t = (0, 0, 0);
        for m in self.shared.metrics.iter() {
            t.0 += m.polls.load(Ordering::Relaxed);
            t.1 += m.steals.load(Ordering::Relaxed);
            t.2 += m.parks.load(Ordering::Relaxed);
        }
        t
    }

    /// Lets a `block_on` caller learn about a panic under `ShutdownRuntime`.
    pub(crate) fn register_panic_waker(&self, waker: &Waker) -> PanicWakerGuard<'_> {
        let on = self.shared.config.unhandled_panic == UnhandledPanic::ShutdownRuntime;
        if on {
            lock(&self.shared.panic_wakers).push(waker.clone());
        }
        PanicWakerGuard {
            handle: on.then_some(self),
            waker: waker.clone(),
        }
    }

    /// `true` if a task panicked under `UnhandledPanic::ShutdownRuntime`.
    pub(crate) fn panicked(&self) -> bool {
        self.shared.panicked.load(Ordering::SeqCst)
    }
}

impl Schedule for Handle {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn reschedule(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    fn unhandled_panic(&self, _id: Id) {
        if self.shared.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            self.shared.panicked.store(true, Ordering::SeqCst);
            self.shutdown();
            for w in lock(&self.shared.panic_wakers).drain(..) {
                w.wake();
            }
        }
    }

    fn release(&self, task: &TaskRef) {
        self.shared.owned.remove(task);
    }
}
