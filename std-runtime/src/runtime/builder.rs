//! [`Builder`]: how a runtime is configured.
//!
//! # Defaults and why
//!
//! | setting | default | reason |
//! |---|---|---|
//! | `worker_threads` | `WEFT_WORKER_THREADS` or the number of CPUs | one worker per core keeps every core busy without oversubscription |
//! | `max_blocking_threads` | 512 | blocking calls are mostly waiting (file I/O, DNS); a high cap avoids queueing them behind each other, threads are created only on demand |
//! | `thread_keep_alive` | 10 s | long enough to absorb a burst of `spawn_blocking` calls without re-creating threads, short enough not to hold idle stacks |
//! | `global_queue_interval` | 31 | see [`Builder::global_queue_interval`] |
//! | `event_interval` | 61 | see [`Builder::event_interval`] |
//!
//! Drivers: the timer and the I/O reactor are always on. `enable_all`, `enable_time` and
//! `enable_io` are accepted so code written for other runtimes compiles unchanged; they cost
//! nothing because an unused driver is never turned.
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::Runtime;

pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;
pub(crate) type ThreadNameFn = Arc<dyn Fn() -> String + Send + Sync>;

/// Default `global_queue_interval`. A worker polls the global queue first once every this
/// many ticks even when its local queue has work, so tasks woken from outside the runtime
/// (I/O threads, other runtimes, `Handle::spawn`) cannot starve behind a busy local queue.
/// Checking costs one atomic load when the global queue is empty, a lock when not; 31 keeps
/// that below 1% of scheduling work while bounding the wait of a global task to 31 polls. A
/// prime so it does not fall into lockstep with `event_interval` or with task batches.
///
/// ```
/// assert_eq!(weft::runtime::DEFAULT_GLOBAL_QUEUE_INTERVAL, 31);
/// ```
pub const DEFAULT_GLOBAL_QUEUE_INTERVAL: u32 = 31;

/// Default `event_interval`: every this many ticks a busy worker turns the driver without
/// blocking, so timers fire and I/O readiness is collected even when no worker is idle. A
/// driver turn is a syscall (`epoll_wait` with zero timeout), so it is amortised over 61 task
/// polls; a prime, for the same reason as above.
///
/// ```
/// assert_eq!(weft::runtime::DEFAULT_EVENT_INTERVAL, 61);
/// ```
pub const DEFAULT_EVENT_INTERVAL: u32 = 61;

/// Default blocking-thread cap (see the table in the module docs).
///
/// ```
/// assert_eq!(weft::runtime::DEFAULT_MAX_BLOCKING_THREADS, 512);
/// ```
pub const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;

/// Default idle time before a blocking thread exits.
///
/// ```
/// assert_eq!(weft::runtime::DEFAULT_KEEP_ALIVE.as_secs(), 10);
/// ```
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// The scheduler flavor of a runtime.
///
/// ```
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.handle().runtime_flavor(), weft::runtime::RuntimeFlavor::CurrentThread);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Everything runs on the thread that calls `block_on`.
    CurrentThread,
    /// A pool of work-stealing worker threads.
    MultiThread,
}

/// What the runtime does when a spawned task panics and nobody is there to catch it.
///
/// ```
/// use weft::runtime::{Builder, UnhandledPanic};
/// let rt = Builder::new_current_thread()
///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
///     .build()
///     .unwrap();
/// # drop(rt);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// The panic is stored in the task's `JoinHandle` (as a `JoinError`); the runtime goes on.
    #[default]
    Ignore,
    /// The first task panic shuts the runtime down: every task is cancelled and `block_on`
    /// panics with a message saying so.
    ShutdownRuntime,
}

/// Configures and builds a [`Runtime`].
///
/// ```
/// use weft::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    pub(crate) flavor: RuntimeFlavor,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) max_blocking_threads: usize,
    pub(crate) thread_name: ThreadNameFn,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) after_start: Option<Callback>,
    pub(crate) before_stop: Option<Callback>,
    pub(crate) keep_alive: Duration,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) start_paused: bool,
    pub(crate) unhandled_panic: UnhandledPanic,
    pub(crate) reactor: super::io_driver::Kind,
}

impl Builder {
    /// A builder for the multi-thread (work-stealing) flavor.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().build().unwrap();
    /// assert_eq!(rt.block_on(async { 3 }), 3);
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(RuntimeFlavor::MultiThread)
    }

    /// A builder for the current-thread flavor: all tasks run on the thread in `block_on`.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(async { 3 }), 3);
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(RuntimeFlavor::CurrentThread)
    }

    fn new(flavor: RuntimeFlavor) -> Builder {
        Builder {
            flavor,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            thread_name: Arc::new(|| "weft-runtime-worker".to_string()),
            thread_stack_size: None,
            after_start: None,
            before_stop: None,
            keep_alive: DEFAULT_KEEP_ALIVE,
            global_queue_interval: DEFAULT_GLOBAL_QUEUE_INTERVAL,
            event_interval: DEFAULT_EVENT_INTERVAL,
            start_paused: false,
            unhandled_panic: UnhandledPanic::Ignore,
            reactor: Default::default(),
        }
    }

    /// Number of worker threads of the multi-thread flavor (ignored by current-thread).
    /// Default: the `WEFT_WORKER_THREADS` environment variable if set, else the CPU count.
    ///
    /// # Panics
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().worker_threads(4).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 4);
    /// ```
    #[track_caller]
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "worker_threads must be at least 1");
        self.worker_threads = Some(n);
        self
    }

    /// Cap on threads of the blocking pool (default 512). Work beyond it queues.
    ///
    /// # Panics
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().max_blocking_threads(4).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "max_blocking_threads must be at least 1");
        self.max_blocking_threads = n;
        self
    }

    /// Name of the runtime's threads (workers and blocking threads).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().thread_name("svc").build().unwrap();
    /// let name = rt.block_on(async {
    ///     weft::spawn(async { std::thread::current().name().map(String::from) }).await.unwrap()
    /// });
    /// assert_eq!(name.as_deref(), Some("svc"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// A function that names each new thread.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_name_fn(|| {
    ///         static N: AtomicUsize = AtomicUsize::new(0);
    ///         format!("w-{}", N.fetch_add(1, Ordering::Relaxed))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn(&mut self, f: impl Fn() -> String + Send + Sync + 'static) -> &mut Self {
        self.thread_name = Arc::new(f);
        self
    }

    /// Stack size of the runtime's threads, in bytes.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_stack_size(4 * 1024 * 1024)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `f` on each runtime thread when it starts.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let s = started.clone();
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_start(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert!(started.load(Ordering::SeqCst) >= 2);
    /// ```
    pub fn on_thread_start(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.after_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread before it exits.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let s = stopped.clone();
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_stop(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert!(stopped.load(Ordering::SeqCst) >= 2);
    /// ```
    pub fn on_thread_stop(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.before_stop = Some(Arc::new(f));
        self
    }

    /// How long an idle blocking thread waits for work before exiting (default 10 s).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_keep_alive(std::time::Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_keep_alive(&mut self, d: Duration) -> &mut Self {
        self.keep_alive = d;
        self
    }

    /// Ticks between two checks of the global queue by a busy worker (default 31).
    ///
    /// # Panics
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().global_queue_interval(61).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, n: u32) -> &mut Self {
        assert!(n > 0, "global_queue_interval must be at least 1");
        self.global_queue_interval = n;
        self
    }

    /// Ticks between two non-blocking turns of the timer and I/O driver by a busy worker
    /// (default 61).
    ///
    /// # Panics
    /// If `n` is 0.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().event_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn event_interval(&mut self, n: u32) -> &mut Self {
        assert!(n > 0, "event_interval must be at least 1");
        self.event_interval = n;
        self
    }

    /// Accepted for compatibility: weft's timer and I/O drivers are always enabled.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_all(&mut self) -> &mut Self {
        self
    }

    /// Accepted for compatibility: the timer driver is always enabled.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_time(&mut self) -> &mut Self {
        self
    }

    /// Accepted for compatibility: the I/O driver is always enabled.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_io(&mut self) -> &mut Self {
        self
    }

    /// Starts the runtime's clock paused (a mock clock for tests): time only moves when the
    /// runtime has nothing to run, and then jumps straight to the next timer. Current-thread
    /// flavor only (`build` panics on the multi-thread flavor).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// What to do when a task panics (default: store it in the `JoinHandle`).
    ///
    /// ```
    /// use weft::runtime::{Builder, UnhandledPanic};
    /// let rt = Builder::new_multi_thread()
    ///     .unhandled_panic(UnhandledPanic::Ignore)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn unhandled_panic(&mut self, behavior: UnhandledPanic) -> &mut Self {
        self.unhandled_panic = behavior;
        self
    }

    /// Which reactor implementation the I/O driver uses (default: mio; `polling` is the
    /// alternative).
    ///
    /// ```
    /// use weft::net::driver::ReactorKind;
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .reactor(ReactorKind::Polling)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let l = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     assert!(l.local_addr().is_ok());
    /// });
    /// ```
    #[cfg(not(loom))]
    pub fn reactor(&mut self, kind: crate::net::driver::ReactorKind) -> &mut Self {
        self.reactor = kind;
        self
    }

    /// Builds the runtime. Worker threads start immediately (multi-thread flavor).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(async { "ok" }), "ok");
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        Runtime::from_builder(self)
    }

    /// The worker count this builder resolves to.
    pub(crate) fn resolved_worker_threads(&self) -> usize {
        if let Some(n) = self.worker_threads {
            return n;
        }
        if let Ok(v) = std::env::var("WEFT_WORKER_THREADS") {
            match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => return n,
                _ => panic!(
                    "WEFT_WORKER_THREADS must be a positive integer, got {v:?}; unset it to use \
                     one worker per CPU"
                ),
            }
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("start_paused", &self.start_paused)
            .field("unhandled_panic", &self.unhandled_panic)
            .field("reactor", &self.reactor)
            .finish_non_exhaustive()
    }
}
