//! The current-thread scheduler: every task runs on the thread that calls `block_on`.
//!
//! # Design
//!
//! The scheduler's state that only the running thread touches is its [`Core`]: a `VecDeque`
//! run queue (no atomics: one thread) and the driver. The core lives in the handle's
//! `core` slot; `block_on` takes it, runs the loop, and puts it back. A second thread that
//! calls `block_on` while the core is taken waits — polling its own future meanwhile — until
//! the core is released or its future completes. Tasks scheduled from the running thread go to
//! the core's queue; tasks scheduled from any other thread go to the global [`Inject`] queue and
//! unpark the driver.
//!
//! The loop polls the `block_on` future whenever its waker fired, then runs up to
//! `event_interval` tasks (taking the global queue first every `global_queue_interval` ticks so
//! remote wake-ups are not starved by local ones), then turns the driver without blocking. With
//! nothing to run it blocks in the driver until a timer, an I/O event, a remote wake or the
//! `block_on` waker wakes it; those unparks are sticky, so a wake between "queue empty" and
//! "park" is not lost.
//!
//! `spawn_local` tasks are `!Send`; they are only ever polled on the thread that runs the core.
//! The first `spawn_local` pins the runtime to its thread: `block_on` from another thread then
//! panics rather than moving `!Send` futures across threads.
//!
//! # Shutdown
//!
//! Dropping the runtime takes the core, closes the owned-task set and cancels every task (dropping
//! each future exactly once), drains both queues and shuts the driver down.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Poll, Wake, Waker};
use std::thread::ThreadId;
use std::time::Duration;

use weft_core::task::SchedulerCell;
use weft_core::task::{
    coop, Id, JoinHandle, Notified, RawScheduler, Schedule, SpawnToken, TaskRef,
};

use super::inject::Inject;
use super::owned::OwnedTasks;
use crate::loom::lock_std as lock;
use crate::runtime::builder::UnhandledPanic;
use crate::runtime::driver::{self, Driver};
use crate::runtime::park_thread::{ParkThread, UnparkThread};
use crate::runtime::{blocking, context, scheduler};

/// Settings of the scheduler.
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) unhandled_panic: UnhandledPanic,
}

/// The shared half of the current-thread scheduler.
pub(crate) struct Handle {
    shared: Shared,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
    /// The core while no thread runs it.
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting in `block_on` for the core.
    waiters: Mutex<Vec<UnparkThread>>,
}

struct Shared {
    inject: Inject<Notified>,
    owned: OwnedTasks,
    /// The `block_on` future was woken.
    woken: AtomicBool,
    config: Config,
    is_shutdown: AtomicBool,
    panicked: AtomicBool,
    polls: AtomicU64,
    /// Set by the first `spawn_local`: the only thread allowed to run the core from then on.
    local_owner: OnceLock<ThreadId>,
}

/// What only the running thread touches.
pub(crate) struct Core {
    tasks: VecDeque<Notified>,
    tick: u32,
    driver: Option<Driver>,
    polls: u64,
}

/// The per-thread state while a thread runs the core.
pub(crate) struct Context {
    handle: Arc<SchedulerCell<Handle>>,
    core: RefCell<Option<Box<Core>>>,
}

/// The message when a task panics under `UnhandledPanic::ShutdownRuntime`.
pub(crate) const PANIC_SHUTDOWN: &str =
    "a spawned task panicked and the runtime is configured to shut down on \
     unhandled panic (`Builder::unhandled_panic(UnhandledPanic::ShutdownRuntime)`); all tasks \
     were cancelled";

impl Handle {
    pub(crate) fn new(
        driver: Driver,
        driver_handle: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> Arc<SchedulerCell<Handle>> {
        Arc::new(SchedulerCell::new(Handle {
            shared: Shared {
                inject: Inject::new(),
                owned: OwnedTasks::new(1),
                woken: AtomicBool::new(false),
                config,
                is_shutdown: AtomicBool::new(false),
                panicked: AtomicBool::new(false),
                polls: AtomicU64::new(0),
                local_owner: OnceLock::new(),
            },
            driver: driver_handle,
            blocking_spawner,
            core: Mutex::new(Some(Box::new(Core {
                tasks: VecDeque::with_capacity(64),
                tick: 0,
                driver: Some(driver),
                polls: 0,
            }))),
            waiters: Mutex::new(Vec::new()),
        }))
    }

    /// Binds and schedules a task (heap or static pool). Thread-safety (`Send`, or "this
    /// thread runs the core" for `spawn_local`) is the caller's business.
    pub(crate) fn spawn_token<T, M>(
        me: &Arc<SchedulerCell<Self>>,
        token: SpawnToken<T, M>,
    ) -> JoinHandle<T> {
        let sched = RawScheduler::from_arc(me.clone());
        let (notified, join) = me.shared.owned.bind(token, sched);
        if let Some(n) = notified {
            me.schedule(n);
        }
        join
    }

    /// Pins the runtime to this thread for `!Send` tasks. The caller checked that this thread
    /// runs the core.
    pub(crate) fn pin_local(&self) {
        let _ = self.shared.local_owner.set(std::thread::current().id());
    }

    /// `true` when `cx` is this runtime's context on this thread.
    pub(crate) fn is_current(me: &Arc<SchedulerCell<Self>>) -> bool {
        context::with_scheduler(
            |cx| matches!(cx, Some(scheduler::Context::CurrentThread(cx)) if Arc::ptr_eq(&cx.handle, me)),
        )
    }

    pub(crate) fn shutdown(&self) {
        self.shared.is_shutdown.store(true, Ordering::SeqCst);
        if self.shared.inject.close() {
            self.driver.unpark();
        }
    }

    pub(crate) fn panicked(&self) -> bool {
        self.shared.panicked.load(Ordering::SeqCst)
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.shared.owned.len()
    }

    pub(crate) fn injection_queue_depth(&self) -> usize {
        self.shared.inject.len()
    }

    pub(crate) fn polls(&self) -> u64 {
        self.shared.polls.load(Ordering::Relaxed)
    }

    fn take_core(&self) -> Option<Box<Core>> {
        lock(&self.core).take()
    }

    fn release_core(&self, core: Box<Core>) {
        *lock(&self.core) = Some(core);
        for w in lock(&self.waiters).drain(..) {
            w.unpark();
        }
    }

    #[track_caller]
    fn check_owner(&self) {
        if let Some(owner) = self.shared.local_owner.get() {
            if *owner != std::thread::current().id() {
                panic!(
                    "this current-thread runtime has `spawn_local` tasks, which are not `Send`: \
                     it can only be driven (`block_on`) from the thread that spawned them"
                );
            }
        }
    }

    /// Runs `future` to completion on this thread, driving the runtime's tasks meanwhile.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(
        me: &Arc<SchedulerCell<Self>>,
        rt: &scheduler::Handle,
        future: F,
    ) -> F::Output {
        let _enter = context::enter_runtime(rt, false);
        let mut future = pin!(future);
        let park = ParkThread::new();
        let waker = park.unpark_handle().into_waker();
        loop {
            if let Some(core) = me.take_core() {
                me.check_owner();
                let (core, out) = Self::run(me, core, future.as_mut());
                me.release_core(core);
                if me.panicked() {
                    panic!("{}", PANIC_SHUTDOWN);
                }
                match out {
                    Some(v) => return v,
                    None => panic!("the runtime was shut down while `block_on` was running"),
                }
            }
            // Another thread runs the core: wait for it, polling our own future meanwhile.
            lock(&me.waiters).push(park.unpark_handle());
            if lock(&me.core).is_some() {
                continue;
            }
            let mut cx = std::task::Context::from_waker(&waker);
            if let Poll::Ready(v) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                return v;
            }
            park.park();
        }
    }

    fn run<F: Future>(
        me: &Arc<SchedulerCell<Self>>,
        core: Box<Core>,
        mut future: std::pin::Pin<&mut F>,
    ) -> (Box<Core>, Option<F::Output>) {
        let cx = scheduler::Context::CurrentThread(Context {
            handle: me.clone(),
            core: RefCell::new(Some(core)),
        });
        let out = context::set_scheduler(&cx, || {
            let scheduler::Context::CurrentThread(cx) = &cx else {
                unreachable!("just built a current-thread context")
            };
            cx.run(future.as_mut())
        });
        let scheduler::Context::CurrentThread(cx) = cx else {
            unreachable!("just built a current-thread context")
        };
        let mut core = cx.core.into_inner().expect("core missing after block_on");
        let polls = std::mem::take(&mut core.polls);
        me.shared.polls.fetch_add(polls, Ordering::Relaxed);
        (core, out)
    }

    /// Cancels every task and shuts the driver down (runtime drop).
    pub(crate) fn shutdown_and_drain(me: &Arc<SchedulerCell<Self>>, rt: &scheduler::Handle) {
        me.shutdown();
        let Some(mut core) = me.take_core() else {
            // Another thread is inside `block_on`; it will see the shutdown flag and return
            // the core. Its tasks are cancelled through the owned-task set below either way.
            me.shared.owned.close_and_shutdown_all(0);
            return;
        };
        let _cur = context::set_current(rt);
        let wrong_thread = matches!(
            me.shared.local_owner.get(),
            Some(owner) if *owner != std::thread::current().id()
        );
        if wrong_thread {
            // `!Send` futures must not be dropped on another thread: leak them instead.
            std::mem::forget(std::mem::take(&mut core.tasks));
        } else {
            me.shared.owned.close_and_shutdown_all(0);
            while let Some(t) = core.tasks.pop_front() {
                drop(t);
            }
            while let Some(t) = me.shared.inject.pop() {
                drop(t);
            }
        }
        if let Some(d) = core.driver.as_mut() {
            d.shutdown();
        }
        me.release_core(core);
    }
}

impl Context {
    fn run<F: Future>(&self, mut future: std::pin::Pin<&mut F>) -> Option<F::Output> {
        let handle = &self.handle;
        let waker = Waker::from(Arc::new(MainWaker(handle.clone())));
        let mut task_cx = std::task::Context::from_waker(&waker);
        handle.shared.woken.store(true, Ordering::Release);
        let event_interval = handle.shared.config.event_interval;
        let gqi = handle.shared.config.global_queue_interval;
        'outer: loop {
            if handle.shared.is_shutdown.load(Ordering::Acquire) {
                return None;
            }
            if handle.shared.woken.swap(false, Ordering::AcqRel) {
                if let Poll::Ready(v) = coop::budget(|| future.as_mut().poll(&mut task_cx)) {
                    return Some(v);
                }
            }
            for _ in 0..event_interval {
                if handle.shared.is_shutdown.load(Ordering::Acquire) {
                    return None;
                }
                let task = {
                    let mut slot = self.core.borrow_mut();
                    let core = slot.as_mut().expect("core present while running");
                    core.tick = core.tick.wrapping_add(1);
                    if core.tick % gqi == 0 {
                        handle
                            .shared
                            .inject
                            .pop()
                            .or_else(|| core.tasks.pop_front())
                    } else {
                        core.tasks
                            .pop_front()
                            .or_else(|| handle.shared.inject.pop())
                    }
                };
                let Some(task) = task else {
                    if !handle.shared.woken.load(Ordering::Acquire) {
                        self.park(None);
                    }
                    continue 'outer;
                };
                if let Some(core) = self.core.borrow_mut().as_mut() {
                    core.polls += 1;
                }
                let _id = context::set_task_id(task.id());
                coop::budget(|| task.run());
            }
            self.park(Some(Duration::ZERO));
        }
    }

    /// Blocks in the driver (the core stays in the context so wakes land locally).
    fn park(&self, timeout: Option<Duration>) {
        let mut driver = {
            let mut slot = self.core.borrow_mut();
            let core = slot.as_mut().expect("core present while running");
            let p = std::mem::take(&mut core.polls);
            self.handle.shared.polls.fetch_add(p, Ordering::Relaxed);
            if timeout.is_none()
                && (!core.tasks.is_empty() || !self.handle.shared.inject.is_empty())
            {
                return;
            }
            core.driver.take().expect("driver present in core")
        };
        driver.park(timeout);
        if let Some(core) = self.core.borrow_mut().as_mut() {
            core.driver = Some(driver);
        }
    }
}

/// The waker of the future `block_on` runs: marks it woken and unparks the driver.
struct MainWaker(Arc<SchedulerCell<Handle>>);

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.shared.woken.store(true, Ordering::Release);
        self.0.driver.unpark();
    }
}

impl Schedule for Handle {
    fn schedule(&self, task: Notified) {
        let task = context::with_scheduler(|cx| {
            if let Some(scheduler::Context::CurrentThread(cx)) = cx {
                if std::ptr::eq(&**cx.handle, self) {
                    if let Ok(mut slot) = cx.core.try_borrow_mut() {
                        if let Some(core) = slot.as_mut() {
                            core.tasks.push_back(task);
                            return None;
                        }
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = task {
            match self.shared.inject.push(task) {
                Ok(()) => self.driver.unpark(),
                // Shut down: dropping the Notified cancels the task.
                Err(task) => drop(task),
            }
        }
    }

    fn unhandled_panic(&self, _id: Id) {
        if self.shared.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            self.shared.panicked.store(true, Ordering::SeqCst);
            self.shutdown();
        }
    }

    fn release(&self, task: &TaskRef) {
        self.shared.owned.remove(task);
    }
}
