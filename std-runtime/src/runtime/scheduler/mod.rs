//! The two schedulers and what they share.
//!
//! * [`multi_thread`] — work-stealing workers (the default flavor).
//! * [`current_thread`] — everything on the thread that calls `block_on`.
//! * [`inject`] — the global queue both use for tasks scheduled from other threads.
//! * [`owned`] — the list of every task, for shutdown.
//!
//! [`Handle`] is the flavor-erased handle stored in the thread-local context and in
//! [`crate::runtime::Handle`]; [`Context`] is the per-thread state of whichever scheduler the
//! thread is running.
//!
//! # One spawn path for heap and pool tasks
//!
//! `spawn(future)` boxes the future into a core task (`SpawnToken::new_boxed`, one
//! allocation) and then takes the same path as `spawn_token(token)`, which schedules a task that
//! already exists — typically one from a `#[weft::task(pool_size = N)]` static pool. Binding,
//! recording in the owned set and queueing never touch the future, so a pool task is neither
//! copied nor wrapped, and its slot frees itself when the task's last reference goes.
//!
//! # `UnhandledPanic::ShutdownRuntime`
//!
//! The core catches a task's panic inside `Notified::run`, stores it for the `JoinHandle`, and
//! tells the task's scheduler through `Schedule::unhandled_panic`. Each flavor's hook flags the
//! runtime as panicked and shuts it down when so configured (the default does nothing). No
//! wrapper future is involved, so this works for static-pool tasks too, and runtimes with the
//! default setting pay nothing.
use std::future::Future;
use std::sync::Arc;

use weft_core::task::SchedulerCell;
use weft_core::task::{JoinHandle, SpawnToken};

use super::blocking;
use super::builder::RuntimeFlavor;
use super::driver;

pub(crate) mod current_thread;
pub(crate) mod inject;
pub(crate) mod multi_thread;
pub(crate) mod owned;

/// A handle to one runtime's scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    MultiThread(Arc<SchedulerCell<multi_thread::Handle>>),
    CurrentThread(Arc<SchedulerCell<current_thread::Handle>>),
}

/// The running scheduler's per-thread state (see `context.rs`).
pub(crate) enum Context {
    MultiThread(multi_thread::Context),
    CurrentThread(current_thread::Context),
}

impl Handle {
    /// Spawns a `Send` future.
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_token(SpawnToken::new_boxed(future))
    }

    /// Schedules a task that already exists (a static-pool task, or a boxed one from `spawn`):
    /// the very same core task, bound to this runtime. `M: Send` is the token's proof that the
    /// future is `Send`.
    pub(crate) fn spawn_token<T, M>(&self, token: SpawnToken<T, M>) -> JoinHandle<T>
    where
        T: Send + 'static,
        M: Send,
    {
        match self {
            Handle::MultiThread(h) => multi_thread::Handle::spawn_token(h, token),
            Handle::CurrentThread(h) => current_thread::Handle::spawn_token(h, token),
        }
    }

    /// Spawns a closure on the blocking pool.
    pub(crate) fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        blocking::spawn_blocking_on(self.blocking_spawner(), self, func)
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        match self {
            Handle::MultiThread(h) => &h.driver,
            Handle::CurrentThread(h) => &h.driver,
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::MultiThread(h) => &h.blocking_spawner,
            Handle::CurrentThread(h) => &h.blocking_spawner,
        }
    }

    pub(crate) fn flavor(&self) -> RuntimeFlavor {
        match self {
            Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
            Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
        }
    }

    /// Begins shutdown: no new task runs; every task will be cancelled.
    pub(crate) fn shutdown(&self) {
        match self {
            Handle::MultiThread(h) => h.shutdown(),
            Handle::CurrentThread(h) => h.shutdown(),
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("scheduler::Handle")
            .field(&self.flavor())
            .finish()
    }
}
