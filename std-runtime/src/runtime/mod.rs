//! The runtime: [`Runtime`], [`Builder`], [`Handle`].
//!
//! A [`Runtime`] owns a scheduler (multi-thread work-stealing by default, or current-thread),
//! a driver (timers and I/O, turned by whichever worker parks), and a blocking pool. Dropping
//! it shuts everything down: every task is cancelled (its future dropped exactly once, wherever
//! it was: queued, idle, sleeping, or being polled), running blocking closures are waited for,
//! and the worker threads are joined.
//!
//! The files of this module, one concern each:
//!
//! | file | concern |
//! |---|---|
//! | `builder.rs` | configuration and its defaults |
//! | `handle.rs` | `Handle`, `EnterGuard` |
//! | `context.rs` | thread-local current runtime / entered state |
//! | `driver.rs` | timer + I/O driver a parked worker blocks in |
//! | `park.rs` | one worker in the driver, others on a condvar |
//! | `park_thread.rs` | condvar parker (fallback driver, `block_on` waiter) |
//! | `blocking/` | the blocking pool and `spawn_blocking` tasks |
//! | `scheduler/` | the multi-thread and current-thread schedulers |
//! | `metrics.rs` | `RuntimeMetrics` |
use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

use weft_core::task::JoinHandle;

pub(crate) mod blocking;
mod builder;
pub(crate) mod context;
pub(crate) mod driver;
pub(crate) mod handle;
#[cfg_attr(loom, path = "io_driver_loom.rs")]
pub(crate) mod io_driver;
mod metrics;
pub(crate) mod park;
pub(crate) mod park_thread;
pub(crate) mod scheduler;
pub(crate) mod time;

pub use builder::{
    Builder, RuntimeFlavor, UnhandledPanic, DEFAULT_EVENT_INTERVAL, DEFAULT_GLOBAL_QUEUE_INTERVAL,
    DEFAULT_KEEP_ALIVE, DEFAULT_MAX_BLOCKING_THREADS,
};
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use metrics::RuntimeMetrics;

/// The weft runtime: a scheduler, timer and I/O drivers, and a blocking pool.
///
/// ```
/// use weft::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let v = rt.block_on(async {
///     let h = weft::spawn(async { 20 + 1 });
///     h.await.unwrap() * 2
/// });
/// assert_eq!(v, 42);
/// ```
pub struct Runtime {
    handle: Handle,
    blocking_pool: blocking::BlockingPool,
    /// `shutdown_timeout`/`shutdown_background` already ran: `Drop` has nothing to do.
    is_shut_down: bool,
}

impl Runtime {
    /// A multi-thread runtime with default settings (one worker per CPU, or
    /// `WEFT_WORKER_THREADS`).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async { weft::task::yield_now().await });
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    pub(crate) fn from_builder(b: &Builder) -> io::Result<Runtime> {
        if b.start_paused && b.flavor == RuntimeFlavor::MultiThread {
            panic!(
                "`start_paused(true)` needs the current-thread flavor: with several workers \
                 the clock could jump while other workers are still busy. Use \
                 `Builder::new_current_thread()` (the default of `#[weft::test]`)"
            );
        }
        let (driver, driver_handle) = driver::Driver::new(b)?;
        let num_workers = match b.flavor {
            RuntimeFlavor::MultiThread => b
                .resolved_worker_threads()
                .min(scheduler::multi_thread::idle::MAX_WORKERS),
            RuntimeFlavor::CurrentThread => 0,
        };
        let blocking_pool = blocking::BlockingPool::new(blocking::pool::Config {
            thread_name: b.thread_name.clone(),
            stack_size: b.thread_stack_size,
            after_start: b.after_start.clone(),
            before_stop: b.before_stop.clone(),
            keep_alive: b.keep_alive,
            thread_cap: b.max_blocking_threads + num_workers,
        });
        let spawner = blocking_pool.spawner().clone();
        let inner = match b.flavor {
            RuntimeFlavor::MultiThread => {
                let park_shared = park::Shared::new(driver, driver_handle.clone());
                let h = scheduler::multi_thread::Handle::new(
                    num_workers,
                    park_shared,
                    driver_handle,
                    spawner,
                    scheduler::multi_thread::Config {
                        global_queue_interval: b.global_queue_interval,
                        event_interval: b.event_interval,
                        unhandled_panic: b.unhandled_panic,
                    },
                );
                scheduler::multi_thread::Handle::launch(&h);
                scheduler::Handle::MultiThread(h)
            }
            RuntimeFlavor::CurrentThread => {
                scheduler::Handle::CurrentThread(scheduler::current_thread::Handle::new(
                    driver,
                    driver_handle,
                    spawner,
                    scheduler::current_thread::Config {
                        global_queue_interval: b.global_queue_interval,
                        event_interval: b.event_interval,
                        unhandled_panic: b.unhandled_panic,
                    },
                ))
            }
        };
        Ok(Runtime {
            handle: Handle { inner },
            blocking_pool,
            is_shut_down: false,
        })
    }

    /// Runs `future` to completion on the current thread, driving the runtime meanwhile
    /// (current-thread flavor: all tasks run here; multi-thread: tasks run on the workers).
    ///
    /// # Panics
    /// When called from inside a runtime (a task, or another `block_on`): blocking that thread
    /// would stop the tasks it drives. Use `.await`, `weft::task::spawn_blocking` or
    /// `weft::task::block_in_place` instead.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task on this runtime (from any thread).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(h).unwrap(), 5);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Schedules an existing task (a static-pool task from `#[weft::task(pool_size = N)]`)
    /// on this runtime, from any thread; see [`crate::task::spawn_token`].
    ///
    /// ```
    /// #[weft::task(pool_size = 4)]
    /// async fn square(n: u64) -> u64 {
    ///     n * n
    /// }
    ///
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.spawn_token(square(9).unwrap());
    /// assert_eq!(rt.block_on(h).unwrap(), 81);
    /// ```
    pub fn spawn_token<T, M>(&self, token: weft_core::task::SpawnToken<T, M>) -> JoinHandle<T>
    where
        T: Send + 'static,
        M: Send,
    {
        self.handle.spawn_token(token)
    }

    /// Runs a blocking closure on the runtime's blocking pool.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.spawn_blocking(|| std::thread::current().id());
    /// let id = rt.block_on(h).unwrap();
    /// assert_ne!(id, std::thread::current().id());
    /// ```
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// A handle to this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || handle.block_on(async { 1 })).join().unwrap();
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard drops (so `weft::spawn`
    /// works outside `block_on`).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let h = weft::spawn(async { 3 });
    /// assert_eq!(rt.block_on(h).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Counters of this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 2);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `timeout` for running blocking closures and worker threads.
    /// Every task is cancelled.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.spawn(std::future::pending::<()>());
    /// rt.shutdown_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for blocking closures or worker threads to finish.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(50)));
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Duration::ZERO));
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        self.is_shut_down = true;
        match &self.handle.inner {
            scheduler::Handle::MultiThread(h) => {
                h.shutdown();
            }
            scheduler::Handle::CurrentThread(h) => {
                scheduler::current_thread::Handle::shutdown_and_drain(h, &self.handle.inner);
            }
        }
        self.blocking_pool.shutdown(timeout);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.is_shut_down {
            return;
        }
        if context::entered() != context::EnterRuntime::NotEntered && !std::thread::panicking() {
            // Signal shutdown so the runtime winds down on its own, then report the misuse.
            self.handle.inner.shutdown();
            self.blocking_pool.shutdown(Some(Duration::ZERO));
            panic!(
                "a weft runtime was dropped from inside an asynchronous context (a task or \
                 `block_on`); dropping it blocks until its threads exit, which would stop the \
                 tasks this thread drives. Drop it outside the runtime, move it into \
                 `spawn_blocking`, or use `Runtime::shutdown_background`"
            );
        }
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .finish_non_exhaustive()
    }
}
