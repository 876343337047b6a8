//! Tasks: spawning, joining, cancelling, and blocking without starving the runtime.
//!
//! The task type itself is weft-core's (`JoinHandle`, `JoinError`, `AbortHandle`, `Id` are
//! re-exported from there), so a task spawned here is the same kind of object a bare-metal
//! executor runs. This module adds what needs a std runtime: [`spawn`] onto the current
//! runtime, [`spawn_token`] / [`spawn_local_token`] for static-pool tasks
//! (`#[weft::task(pool_size = N)]`), [`spawn_blocking`], [`block_in_place`], [`spawn_local`],
//! [`JoinSet`], and the thread-local task [`id`].
use std::future::Future;

pub use weft_core::task::coop;
pub use weft_core::task::{
    yield_now, AbortHandle, Id, JoinError, JoinHandle, SpawnError, SpawnToken, YieldNow,
};

mod join_set;
pub use join_set::JoinSet;

use crate::runtime::{context, handle::NO_RUNTIME, scheduler};

/// Spawns a task onto the current runtime and returns its [`JoinHandle`].
///
/// The task starts running in the background at once; awaiting the handle gives its output,
/// or a [`JoinError`] if it panicked or was aborted. Dropping the handle detaches the task.
///
/// # Panics
/// Outside a runtime, with a message saying to create one or to spawn through a `Handle`.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = weft::task::spawn(async { "hello" });
///     assert_eq!(h.await.unwrap(), "hello");
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut future = Some(future);
    let h =
        context::with_current(|h| h.map(|h| h.spawn(future.take().expect("future taken once"))));
    match h {
        Some(h) => h,
        None => panic!("`spawn` called outside a runtime: {}", NO_RUNTIME),
    }
}

/// Schedules an existing task — typically a static-pool task made by
/// `#[weft::task(pool_size = N)]` — on the current runtime and returns its [`JoinHandle`].
///
/// The runtime runs the very same task the token owns: nothing is allocated or wrapped, and
/// when the task completes (or is aborted, or the runtime shuts down) its pool slot is free
/// again. The token is `Send` exactly when the task's future is.
///
/// # Panics
/// Outside a runtime (the token is dropped first, which frees its slot).
///
/// ```
/// #[weft::task(pool_size = 2)]
/// async fn double(n: u32) -> u32 {
///     n * 2
/// }
///
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = weft::task::spawn_token(double(21).unwrap());
///     assert_eq!(h.await.unwrap(), 42);
/// });
/// ```
#[track_caller]
pub fn spawn_token<T, M>(token: SpawnToken<T, M>) -> JoinHandle<T>
where
    T: Send + 'static,
    M: Send,
{
    let mut token = Some(token);
    let h = context::with_current(|h| {
        h.map(|h| h.spawn_token(token.take().expect("token taken once")))
    });
    match h {
        Some(h) => h,
        None => {
            drop(token);
            panic!("`spawn_token` called outside a runtime: {}", NO_RUNTIME)
        }
    }
}

/// Runs a blocking closure on the current runtime's blocking pool and returns a handle to
/// its result. Use it for code that blocks (file I/O, CPU-heavy work, synchronous libraries):
/// it must not run on a worker thread.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let sum = weft::task::spawn_blocking(|| (1..=100u32).sum::<u32>()).await.unwrap();
///     assert_eq!(sum, 5050);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let mut func = Some(func);
    let h = context::with_current(|h| {
        h.map(|h| h.spawn_blocking(func.take().expect("closure taken once")))
    });
    match h {
        Some(h) => h,
        None => panic!("`spawn_blocking` called outside a runtime: {}", NO_RUNTIME),
    }
}

/// Runs blocking code on the current worker thread after handing the worker's queue to a
/// replacement thread, so the other tasks keep running. Outside a runtime it just runs `f`.
///
/// # Panics
/// On a current-thread runtime (its one thread is the one running the tasks): use
/// [`spawn_blocking`] there, or the multi-thread flavor.
///
/// ```
/// let rt = weft::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
/// rt.block_on(async {
///     let other = weft::spawn(async { 1 });
///     let v = weft::spawn(async {
///         weft::task::block_in_place(|| {
///             std::thread::sleep(std::time::Duration::from_millis(10));
///             41
///         })
///     })
///     .await
///     .unwrap();
///     assert_eq!(v + other.await.unwrap(), 42);
/// });
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    scheduler::multi_thread::block_in_place(f)
}

/// Spawns a `!Send` future on the current-thread runtime this thread is running.
///
/// # Panics
/// Unless called from inside `block_on` of a current-thread runtime (or from one of its
/// tasks); `!Send` futures cannot move between worker threads.
///
/// ```
/// use std::rc::Rc;
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let shared = Rc::new(5);
///     let s = shared.clone();
///     let v = weft::task::spawn_local(async move { *s + 1 }).await.unwrap();
///     assert_eq!(v, 6);
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_local_token(SpawnToken::new_boxed(future))
}

/// [`spawn_token`] for tasks whose future is not `Send` (a static-pool task holding an `Rc`,
/// say): runs it on the current-thread runtime this thread is running.
///
/// # Panics
/// Unless called from inside `block_on` of a current-thread runtime (or from one of its
/// tasks), as [`spawn_local`].
///
/// ```
/// use std::rc::Rc;
///
/// #[weft::task]
/// async fn read(value: Rc<u32>) -> u32 {
///     *value
/// }
///
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let h = weft::task::spawn_local_token(read(Rc::new(7)).unwrap());
///     assert_eq!(h.await.unwrap(), 7);
/// });
/// ```
#[track_caller]
pub fn spawn_local_token<T, M>(token: SpawnToken<T, M>) -> JoinHandle<T>
where
    T: 'static,
{
    match context::try_current() {
        Some(scheduler::Handle::CurrentThread(h))
            if scheduler::current_thread::Handle::is_current(&h) =>
        {
            h.pin_local();
            scheduler::current_thread::Handle::spawn_token(&h, token)
        }
        _ => {
            drop(token);
            panic!(
                "`spawn_local` must be called from inside `block_on` of a current-thread runtime \
                 (`Builder::new_current_thread()`), or from one of its tasks: `!Send` futures \
                 can only run on the thread that drives them. Use `weft::spawn` for `Send` \
                 futures"
            )
        }
    }
}

/// The id of the task being polled, if called from inside a task.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = weft::spawn(async { weft::task::try_id() });
///     let id = h.id();
///     assert_eq!(h.await.unwrap(), Some(id));
/// });
/// assert_eq!(weft::task::try_id(), None);
/// ```
pub fn try_id() -> Option<Id> {
    context::task_id()
}

/// The id of the task being polled.
///
/// # Panics
/// Outside a task.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = weft::spawn(async { weft::task::id() });
///     let id = h.id();
///     assert_eq!(h.await.unwrap(), id);
/// });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("`weft::task::id()` called outside a task; use `try_id()` to check")
}
