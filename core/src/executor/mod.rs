//! The single-thread executor: a run queue, a run loop, and a park driver.
//!
//! [`Executor`] lives in a `static` (its `new` is `const`), so tasks bound to it can hold a
//! `&'static` scheduler handle and no allocation is needed anywhere: static pool tasks,
//! spawning, waking and polling are all allocation-free.
//!
//! ## The loop
//!
//! ```text
//! loop {
//!     take every queued task (one atomic swap), run them oldest first;
//!     if the main future (block_on) was woken, poll it;
//!     if nothing was queued and the main future was not woken: park
//! }
//! ```
//!
//! Wakers push onto the queue from any context (another thread, an interrupt handler) and then
//! call [`Park::unpark`]. The park contract (an `unpark` before `park` is not lost) closes the
//! race between "the queue looked empty" and "go to sleep".
//!
//! ## Choosing the queue
//!
//! The queue is picked by module: `queue.rs` is lock-free (CAS) where the target has
//! pointer-sized compare-and-swap; `queue_cs.rs` uses a critical section where it does not, or
//! when built with `--cfg weft_cs_queue`. Both have the same interface, so this file reads the
//! same on every target.
//!
//! ## Send and the spawner
//!
//! [`Executor::spawn`] is callable from anywhere (another thread, an interrupt), so it requires
//! the future to be `Send`. A [`Spawner`] is handed only to code running *on* the executor
//! (`run`'s init closure, [`Executor::block_on_with`]); it is neither `Send` nor `Sync`, so it
//! may spawn `!Send` futures, as bare-metal tasks often are.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::park::Park;
use crate::task::schedule::{PrefixedVt, SchedulerVtable};
use crate::task::{Header, JoinHandle, Notified, RawScheduler, Schedule, SpawnToken};

#[cfg_attr(
    any(weft_cs_queue, not(target_has_atomic = "ptr")),
    path = "queue_cs.rs"
)]
mod queue;

#[cfg(feature = "std")]
mod block_on;
#[cfg(feature = "std")]
pub use block_on::block_on;
#[doc(hidden)]
#[cfg(feature = "std")]
pub use block_on::block_on as __doc_block_on;

use queue::RunQueue;

/// A single-thread executor for `static` use; `P` is its park driver.
///
/// ```
/// use weft_core::executor::Executor;
/// use weft_core::park::ThreadPark;
/// use weft_core::task::SpawnToken;
///
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
///
/// let sum = EXEC.block_on_with(|spawner| async move {
///     let a = spawner.spawn(SpawnToken::new_boxed(async { 1 }));
///     let b = spawner.spawn(SpawnToken::new_boxed(async { 2 }));
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(sum, 3);
/// ```
#[repr(C)]
pub struct Executor<P: Park> {
    /// First field (`repr(C)`): tasks name the executor by its address alone (see
    /// `task::SchedulerCell`), and find its `Schedule` functions through this reference.
    sched_vtable: &'static SchedulerVtable,
    queue: RunQueue,
    park: P,
    /// Set by the main future's waker.
    main_woken: AtomicBool,
    /// Set while `run`/`block_on`/`run_until_idle` runs, to refuse a second runner.
    running: AtomicBool,
}

impl<P: Park> core::fmt::Debug for Executor<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Executor")
            .field("running", &self.running.load(Relaxed))
            .finish_non_exhaustive()
    }
}

impl<P: Park + 'static> Schedule for Executor<P> {
    fn schedule(&self, task: Notified) {
        self.queue.push(task);
        self.park.unpark();
    }
}

impl<P: Park + 'static> Executor<P> {
    crate::maybe_const_fn! {
        /// An executor that parks with `park` when idle.
        ///
        /// ```
        /// use weft_core::{executor::Executor, park::ThreadPark};
        /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
        /// ```
        pub fn new(park: P) -> Self {
            Executor {
                sched_vtable: &PrefixedVt::<Self>::VTABLE,
                queue: RunQueue::new(),
                park,
                main_woken: AtomicBool::new(false),
                running: AtomicBool::new(false),
            }
        }
    }

    /// The park driver.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::{Park, ThreadPark}};
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// EXEC.park_driver().unpark();
    /// ```
    pub fn park_driver(&self) -> &P {
        &self.park
    }

    /// Spawns a task from any context. The future must be `Send` because the caller may be
    /// on another thread or in an interrupt handler; use a [`Spawner`] for `!Send` futures.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = std::thread::spawn(|| EXEC.spawn(SpawnToken::new_boxed(async { 7 }))).join().unwrap();
    /// assert_eq!(EXEC.block_on(h).unwrap(), 7);
    /// ```
    pub fn spawn<T, F: Send>(&'static self, token: SpawnToken<T, F>) -> JoinHandle<T> {
        self.bind(token)
    }

    fn raw_scheduler(&'static self) -> RawScheduler {
        // SAFETY: `Executor` is `repr(C)` with `sched_vtable = &PrefixedVt::<Self>::VTABLE`
        // as its first field.
        unsafe { RawScheduler::from_static_prefixed(self) }
    }

    fn bind<T, F>(&'static self, token: SpawnToken<T, F>) -> JoinHandle<T> {
        let (notified, handle) = token.bind(self.raw_scheduler());
        self.schedule(notified);
        handle
    }

    /// Runs the executor forever: calls `init` with a [`Spawner`], then runs tasks and parks
    /// when none is ready. This is the entry point of a bare-metal program.
    ///
    /// ```no_run
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// EXEC.run(|spawner| {
    ///     spawner.spawn(SpawnToken::new_boxed(async { /* ... */ }));
    /// })
    /// ```
    pub fn run(&'static self, init: impl FnOnce(Spawner)) -> ! {
        let _guard = self.enter("run");
        init(Spawner::new(self));
        loop {
            if !self.run_batch() {
                self.park.park();
            }
        }
    }

    /// Runs `future` to completion on this thread, running spawned tasks meanwhile.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark};
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// assert_eq!(EXEC.block_on(async { 40 + 2 }), 42);
    /// ```
    pub fn block_on<F: Future>(&'static self, future: F) -> F::Output {
        self.block_on_with(|_| future)
    }

    /// Like [`block_on`](Executor::block_on), giving the future a [`Spawner`] for `!Send`
    /// tasks. See [`Executor`] for an example.
    pub fn block_on_with<F: Future>(&'static self, make: impl FnOnce(Spawner) -> F) -> F::Output {
        let _guard = self.enter("block_on");
        let mut future = pin!(make(Spawner::new(self)));
        let waker = self.main_waker();
        let mut cx = Context::from_waker(&waker);
        self.main_woken.store(true, Relaxed);
        loop {
            if self.main_woken.swap(false, Acquire) {
                if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                    return v;
                }
            }
            let ran = self.run_batch();
            if !ran && !self.main_woken.load(Acquire) {
                self.park.park();
            }
        }
    }

    /// Runs tasks until none is ready, without parking. For tests and for hosts that drive
    /// the executor from their own loop.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(async {}));
    /// EXEC.run_until_idle();
    /// assert!(h.is_finished());
    /// ```
    pub fn run_until_idle(&'static self) {
        let _guard = self.enter("run_until_idle");
        while self.run_batch() {}
    }

    /// Runs every task queued now; `false` when there was none.
    fn run_batch(&self) -> bool {
        let batch = Batch::from_stack(self.queue.take_stack());
        if batch.is_empty() {
            return false;
        }
        for task in batch {
            task.run();
        }
        true
    }

    fn enter(&'static self, what: &'static str) -> RunningGuard<'static> {
        if self.running.swap(true, Acquire) {
            panic!(
                "`Executor::{what}` called while this executor is already running (on this or \
                 another thread); spawn the work as a task instead of nesting a run loop"
            );
        }
        RunningGuard(&self.running)
    }

    fn main_waker(&'static self) -> Waker {
        let data = self as *const Self as *const ();
        // SAFETY: the vtable treats `data` as `&'static Executor<P>`, which it is.
        unsafe { Waker::from_raw(RawWaker::new(data, &MainWaker::<P>::VTABLE)) }
    }
}

struct RunningGuard<'a>(&'a AtomicBool);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Release);
    }
}

/// The waker of the future passed to `block_on`: a flag in the executor plus `unpark`.
struct MainWaker<P>(PhantomData<P>);

impl<P: Park + 'static> MainWaker<P> {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(Self::clone, Self::wake, Self::wake, |_| {});

    unsafe fn clone(p: *const ()) -> RawWaker {
        RawWaker::new(p, &Self::VTABLE)
    }

    unsafe fn wake(p: *const ()) {
        // SAFETY: `p` is a `&'static Executor<P>` (see `main_waker`).
        let exec = unsafe { &*(p as *const Executor<P>) };
        exec.main_woken.store(true, Release);
        exec.park.unpark();
    }
}

/// Spawns tasks, including `!Send` ones, onto the executor it came from. It is handed only to
/// code that runs on that executor, and cannot leave its thread.
///
/// See [`Executor`] for an example.
#[derive(Clone, Copy)]
pub struct Spawner {
    target: &'static dyn SpawnTarget,
    _not_send: PhantomData<*const ()>,
}

impl core::fmt::Debug for Spawner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Spawner")
    }
}

trait SpawnTarget: Sync {
    fn scheduler(&'static self) -> RawScheduler;
    fn submit(&'static self, task: Notified);
}

impl<P: Park + 'static> SpawnTarget for Executor<P> {
    fn scheduler(&'static self) -> RawScheduler {
        self.raw_scheduler()
    }
    fn submit(&'static self, task: Notified) {
        self.schedule(task)
    }
}

impl Spawner {
    fn new<P: Park + 'static>(exec: &'static Executor<P>) -> Spawner {
        Spawner {
            target: exec,
            _not_send: PhantomData,
        }
    }

    /// Spawns a task (its future may be `!Send`) and returns its [`JoinHandle`].
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// use std::rc::Rc;
    /// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let n = EXEC.block_on_with(|spawner| async move {
    ///     let shared = Rc::new(5); // !Send
    ///     let s2 = shared.clone();
    ///     spawner.spawn(SpawnToken::new_boxed(async move { *s2 * 2 })).await.unwrap()
    /// });
    /// assert_eq!(n, 10);
    /// ```
    pub fn spawn<T, F>(&self, token: SpawnToken<T, F>) -> JoinHandle<T> {
        let (notified, handle) = token.bind(self.target.scheduler());
        self.target.submit(notified);
        handle
    }
}

/// A batch of tasks taken from the run queue, oldest first. Tasks left in it when it is
/// dropped (a panic unwound through the loop) are cancelled, not leaked.
struct Batch {
    next: *mut Header,
}

impl Batch {
    /// Reverses the LIFO stack taken from the queue into FIFO order.
    fn from_stack(mut p: *mut Header) -> Batch {
        let mut fifo: *mut Header = ptr::null_mut();
        while let Some(node) = NonNull::new(p) {
            // SAFETY: nodes of the taken stack are queued tasks whose Notified we now own.
            let link = unsafe { node.as_ref() }.queue_next();
            p = link.load(Relaxed);
            link.store(fifo, Relaxed);
            fifo = node.as_ptr();
        }
        Batch { next: fifo }
    }

    fn is_empty(&self) -> bool {
        self.next.is_null()
    }
}

impl Iterator for Batch {
    type Item = Notified;
    fn next(&mut self) -> Option<Notified> {
        let node = NonNull::new(self.next)?;
        // Read the link before handing the task out: once it runs it may be queued again.
        // SAFETY: we own this node's Notified reference.
        self.next = unsafe { node.as_ref() }.queue_next().load(Relaxed);
        // SAFETY: pushed as `Notified::into_raw`, taken once.
        Some(unsafe { Notified::from_raw(node) })
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        for task in self.by_ref() {
            drop(task);
        }
    }
}
