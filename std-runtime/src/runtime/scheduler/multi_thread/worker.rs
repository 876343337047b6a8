//! A worker thread: its core, its run loop, and `block_in_place`.
//!
//! # The core and who holds it
//!
//! A [`Core`] is everything a worker needs to run tasks without synchronisation: the owner end
//! of its run queue, the LIFO slot, its parker, its tick and random state. Exactly one thread
//! holds a core at a time: while the worker runs, it sits in the thread's [`Context`]
//! (`RefCell<Option<Box<Core>>>`); while the worker parks it stays there too (without its
//! parker), so tasks woken by the driver on this thread land in the local queue; between
//! threads it sits in [`Worker::core`].
//!
//! # `block_in_place`
//!
//! The calling task runs on a worker that holds a core. `block_in_place` takes the core out of
//! the context, moves the LIFO task to the queue (so it is not stranded), parks the core in
//! `Worker::core` and starts a replacement thread on the blocking pool that picks the core up
//! and runs the worker loop — the queue keeps being served while the closure blocks. When the
//! closure returns, the calling thread tries to take the core back (it wins if the replacement
//! has not started yet). Either way the task finishes its current poll on this thread; if the
//! thread has no core by then, the run loop returns and the thread retires into the blocking
//! pool. Nothing is lost: the core is always in exactly one of the context, `Worker::core`, or
//! a running loop, and every path ends in the loop's shutdown hand-off.
use std::cell::{RefCell, RefMut};
use std::sync::Arc;
use std::time::Duration;

use weft_core::task::SchedulerCell;
use weft_core::task::{coop, Notified};

use super::handoff::CoreSlot;
use super::{queue, Handle, MAX_LIFO_POLLS_PER_TICK};
use crate::runtime::context::{self, EnterRuntime};
use crate::runtime::park::Parker;
use crate::runtime::scheduler;

/// One worker: its index and the slot its core rests in between threads.
pub(crate) struct Worker {
    handle: Arc<SchedulerCell<Handle>>,
    index: usize,
    core: CoreSlot<Box<Core>>,
}

/// A worker's private state. See the module docs.
pub(crate) struct Core {
    tick: u32,
    pub(super) lifo_slot: Option<Notified>,
    pub(super) lifo_enabled: bool,
    pub(super) run_queue: queue::Local<Notified>,
    is_searching: bool,
    is_shutdown: bool,
    pub(super) park: Option<Parker>,
    rand: FastRand,
    polls: u64,
    steals: u64,
    parks: u64,
}

/// The per-thread state of a worker thread.
pub(crate) struct Context {
    worker: Arc<Worker>,
    core: RefCell<Option<Box<Core>>>,
}

impl Worker {
    pub(super) fn new(
        handle: Arc<SchedulerCell<Handle>>,
        index: usize,
        core: Box<Core>,
    ) -> Arc<Worker> {
        Arc::new(Worker {
            handle,
            index,
            core: CoreSlot::new(core),
        })
    }
}

impl Context {
    pub(super) fn handle(&self) -> &Arc<SchedulerCell<Handle>> {
        &self.worker.handle
    }

    /// The core slot, unless it is borrowed already (a task dropped while the scheduler
    /// pushes into the queue woke another one); the caller then treats the wake as remote.
    pub(super) fn try_core_mut(&self) -> Option<RefMut<'_, Option<Box<Core>>>> {
        self.core.try_borrow_mut().ok()
    }
}

/// Thread entry of a worker (also of a `block_in_place` replacement).
pub(super) fn run(worker: Arc<Worker>) {
    let core = match worker.core.take() {
        Some(c) => c,
        // A `block_in_place` caller took the core back before we started.
        None => return,
    };
    let handle = scheduler::Handle::MultiThread(worker.handle.clone());
    let _rt = context::enter_runtime(&handle, true);
    let cx = scheduler::Context::MultiThread(Context {
        worker,
        core: RefCell::new(None),
    });
    context::set_scheduler(&cx, || {
        let scheduler::Context::MultiThread(cx) = &cx else {
            unreachable!("just built a multi-thread context")
        };
        // Returns when the runtime shuts down or when this thread lost its core.
        let _ = cx.run(core);
    });
}

/// Marker: this thread no longer holds a core.
struct LostCore;

impl Context {
    fn run(&self, mut core: Box<Core>) -> Result<(), LostCore> {
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            core = self.maintenance(core);
            if let Some(task) = core.next_task(&self.worker) {
                core = self.run_task(task, core)?;
                continue;
            }
            if let Some(task) = core.steal_work(&self.worker) {
                core = self.run_task(task, core)?;
            } else {
                core = self.park(core);
            }
        }
        core.pre_shutdown(&self.worker);
        self.worker.handle.shutdown_core(core);
        Ok(())
    }

    fn run_task(&self, task: Notified, mut core: Box<Core>) -> Result<Box<Core>, LostCore> {
        core.transition_from_searching(&self.worker);
        core.lifo_enabled = true;
        core.polls += 1;
        *self.core.borrow_mut() = Some(core);
        coop::budget(|| {
            {
                let _id = context::set_task_id(task.id());
                task.run();
            }
            let mut lifo_polls = 0;
            loop {
                let mut core = self.core.borrow_mut().take().ok_or(LostCore)?;
                let Some(task) = core.lifo_slot.take() else {
                    return Ok(core);
                };
                if !coop::has_budget_remaining() {
                    // The budget is shared with the LIFO chain: send it to the back.
                    core.run_queue.push_back_or_overflow(
                        task,
                        &self.worker.handle.shared.inject,
                        drop,
                    );
                    return Ok(core);
                }
                lifo_polls += 1;
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                    core.lifo_enabled = false;
                }
                core.polls += 1;
                *self.core.borrow_mut() = Some(core);
                let _id = context::set_task_id(task.id());
                task.run();
            }
        })
    }

    fn maintenance(&self, mut core: Box<Core>) -> Box<Core> {
        if core.tick % self.worker.handle.shared.config.event_interval == 0 {
            core = self.park_timeout(core, Some(Duration::ZERO));
            core.maintenance(&self.worker);
        }
        core
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        if core.transition_to_parked(&self.worker) {
            while !core.is_shutdown {
                core.parks += 1;
                core.flush_metrics(&self.worker);
                core = self.park_timeout(core, None);
                core.maintenance(&self.worker);
                if core.transition_from_parked(&self.worker) {
                    break;
                }
            }
        }
        core
    }

    fn park_timeout(&self, mut core: Box<Core>, timeout: Option<Duration>) -> Box<Core> {
        let mut park = core.park.take().expect("parker missing from core");
        *self.core.borrow_mut() = Some(core);
        match timeout {
            Some(d) => park.park_timeout(d),
            None => park.park(),
        }
        let mut core = self
            .core
            .borrow_mut()
            .take()
            .expect("core missing after park");
        core.park = Some(park);
        if core.should_notify_others() {
            self.worker.handle.notify_parked_local();
        }
        core
    }
}

impl Core {
    pub(super) fn new(run_queue: queue::Local<Notified>, park: Parker) -> Box<Core> {
        static SEED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0x9E37_79B9);
        Box::new(Core {
            tick: 0,
            lifo_slot: None,
            lifo_enabled: true,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: FastRand(SEED.fetch_add(0x6D2B_79F5, std::sync::atomic::Ordering::Relaxed) | 1),
            polls: 0,
            steals: 0,
            parks: 0,
        })
    }

    fn next_task(&mut self, worker: &Worker) -> Option<Notified> {
        let shared = &worker.handle.shared;
        if self.tick % shared.config.global_queue_interval == 0 {
            return shared.inject.pop().or_else(|| self.next_local_task());
        }
        if let Some(t) = self.next_local_task() {
            return Some(t);
        }
        if shared.inject.is_empty() {
            return None;
        }
        // Take a fair share of the global queue in one lock: at most half the local capacity
        // (so thieves can still balance), at least one.
        let cap = self.run_queue.remaining_slots().min(queue::CAPACITY / 2);
        let n = (shared.inject.len() / shared.remotes.len() + 1).min(cap);
        let mut first = None;
        let rq = &mut self.run_queue;
        shared.inject.pop_n(n, |t| {
            if first.is_none() {
                first = Some(t);
            } else {
                rq.push_back_unchecked(t);
            }
        });
        first
    }

    fn next_local_task(&mut self) -> Option<Notified> {
        self.lifo_slot.take().or_else(|| self.run_queue.pop())
    }

    fn steal_work(&mut self, worker: &Worker) -> Option<Notified> {
        if !self.transition_to_searching(worker) {
            return None;
        }
        let remotes = &worker.handle.shared.remotes;
        let n = remotes.len();
        let start = self.rand.next_n(n as u32) as usize;
        for i in 0..n {
            let idx = (start + i) % n;
            if idx == worker.index {
                continue;
            }
            if let Some(t) = remotes[idx].steal.steal_into(&mut self.run_queue) {
                self.steals += 1;
                return Some(t);
            }
        }
        // Checked after becoming a searcher: a producer that saw no searcher woke someone, one
        // that saw us relies on this check (see idle.rs).
        worker.handle.shared.inject.pop()
    }

    fn transition_to_searching(&mut self, worker: &Worker) -> bool {
        if !self.is_searching {
            self.is_searching = worker.handle.shared.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    fn transition_from_searching(&mut self, worker: &Worker) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if worker.handle.shared.idle.transition_worker_from_searching() {
            // We were the last searcher and found work: there may be more, keep the chain.
            worker.handle.notify_parked_local();
        }
    }

    fn transition_to_parked(&mut self, worker: &Worker) -> bool {
        if self.lifo_slot.is_some() || !self.run_queue.is_empty() {
            return false;
        }
        let idle = &worker.handle.shared.idle;
        let is_last_searcher = idle.transition_worker_to_parked(worker.index, self.is_searching);
        self.is_searching = false;
        if is_last_searcher {
            worker.handle.notify_if_work_pending();
        }
        true
    }

    fn transition_from_parked(&mut self, worker: &Worker) -> bool {
        let idle = &worker.handle.shared.idle;
        if self.lifo_slot.is_some() || !self.run_queue.is_empty() {
            // Woken with local work (the driver woke tasks on this thread). Leave the sleepers;
            // if a producer already took us out, it counted us as a searcher.
            self.is_searching = !idle.unpark_worker_by_id(worker.index);
            return true;
        }
        if idle.is_parked(worker.index) {
            // Spurious, or the driver woke us for nothing: sleep again.
            return false;
        }
        // Picked by `worker_to_notify`, which made us a searcher.
        self.is_searching = true;
        true
    }

    fn should_notify_others(&self) -> bool {
        if self.is_searching {
            return false;
        }
        self.lifo_slot.is_some() as usize + self.run_queue.len() > 1
    }

    fn maintenance(&mut self, worker: &Worker) {
        self.flush_metrics(worker);
        if !self.is_shutdown {
            self.is_shutdown = worker
                .handle
                .shared
                .is_shutdown
                .load(std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn flush_metrics(&mut self, worker: &Worker) {
        use std::sync::atomic::Ordering::Relaxed;
        let m = &worker.handle.shared.metrics[worker.index];
        m.polls.fetch_add(std::mem::take(&mut self.polls), Relaxed);
        m.steals
            .fetch_add(std::mem::take(&mut self.steals), Relaxed);
        m.parks.fetch_add(std::mem::take(&mut self.parks), Relaxed);
    }

    fn pre_shutdown(&mut self, worker: &Worker) {
        self.flush_metrics(worker);
        // Leave the searching state so counters stay consistent.
        if self.is_searching {
            self.is_searching = false;
            worker.handle.shared.idle.transition_worker_from_searching();
        }
        worker
            .handle
            .shared
            .owned
            .close_and_shutdown_all(worker.index);
    }

    /// Drops every queued task and shuts the driver down (last core only).
    pub(super) fn shutdown(&mut self) {
        while let Some(t) = self.next_local_task() {
            drop(t);
        }
        if let Some(mut park) = self.park.take() {
            park.shutdown();
        }
    }
}

/// xorshift32: picks steal victims; quality is irrelevant, cost is.
struct FastRand(u32);

impl FastRand {
    fn next_n(&mut self, n: u32) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        ((x as u64 * n as u64) >> 32) as u32
    }
}

/// The message of `block_in_place` on a current-thread runtime.
pub(crate) const BLOCK_IN_PLACE_CURRENT_THREAD: &str =
    "block_in_place cannot be used on a current-thread runtime: its only \
     thread is the one running the tasks, so there is no thread to hand them to. Use \
     `weft::task::spawn_blocking` (and `.await` its handle), or build the runtime with \
     `Builder::new_multi_thread()`";

/// See `weft::task::block_in_place`.
pub(crate) fn block_in_place<F: FnOnce() -> R, R>(f: F) -> R {
    let mut had_entered = false;
    let mut handed_off = false;
    let setup = context::with_scheduler(|cx| match context::entered() {
        EnterRuntime::NotEntered => Ok(()),
        EnterRuntime::Entered {
            allow_block_in_place: false,
        } => Err(BLOCK_IN_PLACE_CURRENT_THREAD),
        EnterRuntime::Entered {
            allow_block_in_place: true,
        } => {
            had_entered = true;
            let Some(scheduler::Context::MultiThread(cx)) = cx else {
                // `block_on` thread of a multi-thread runtime: nothing to hand off.
                return Ok(());
            };
            let Some(mut core) = cx.core.borrow_mut().take() else {
                // Already handed off earlier in this poll.
                return Ok(());
            };
            let handle = &cx.worker.handle;
            if let Some(task) = core.lifo_slot.take() {
                core.run_queue
                    .push_back_or_overflow(task, &handle.shared.inject, drop);
            }
            cx.worker.core.hand_off(core);
            let worker = cx.worker.clone();
            let rt = scheduler::Handle::MultiThread(handle.clone());
            let job = crate::runtime::blocking::pool::Job::Fn(Box::new(move || run(worker)));
            match handle.blocking_spawner.try_spawn(job, &rt) {
                Ok(()) => handed_off = true,
                Err(_) => {
                    // The pool is shutting down: keep the core, block on this thread.
                    let core = cx.worker.core.take();
                    *cx.core.borrow_mut() = core;
                }
            }
            Ok(())
        }
    });
    if let Err(msg) = setup {
        panic!("{}", msg);
    }
    if !had_entered {
        return f();
    }

    /// Takes a core back on the way out (also on unwind).
    struct Reset {
        handed_off: bool,
    }
    impl Drop for Reset {
        fn drop(&mut self) {
            if !self.handed_off {
                return;
            }
            context::with_scheduler(|cx| {
                if let Some(scheduler::Context::MultiThread(cx)) = cx {
                    // Wins only if the replacement thread has not started yet.
                    if let Some(core) = cx.worker.core.take() {
                        *cx.core.borrow_mut() = Some(core);
                    }
                }
            });
        }
    }
    let _reset = Reset { handed_off };
    context::exit_runtime(f)
}
