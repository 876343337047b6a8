//! [`Handle`]: a cloneable reference to a runtime, usable from any thread.
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use weft_core::task::JoinHandle;

use super::scheduler::{self, current_thread};
use super::{context, park_thread::ParkThread, RuntimeFlavor, RuntimeMetrics};

/// A handle to a runtime: spawn onto it, enter it, or block on it from any thread.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let v = std::thread::spawn(move || {
///     let h = handle.spawn(async { 7 });
///     handle.block_on(h).unwrap()
/// })
/// .join()
/// .unwrap();
/// assert_eq!(v, 7);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Keeps a runtime current on this thread; see [`Handle::enter`].
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// let guard: weft::runtime::EnterGuard<'_> = rt.enter();
/// assert!(weft::runtime::Handle::try_current().is_ok());
/// drop(guard);
/// assert!(weft::runtime::Handle::try_current().is_err());
/// ```
#[must_use = "the runtime is current only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::SetCurrentGuard,
    _handle: PhantomData<&'a Handle>,
}

/// Returned by [`Handle::try_current`] outside a runtime.
///
/// ```
/// let err = weft::runtime::Handle::try_current().unwrap_err();
/// assert!(err.to_string().contains("no weft runtime"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError {
    _private: (),
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "there is no weft runtime on this thread: call this from inside `block_on` or a \
             task, or make a runtime current with `Runtime::enter`",
        )
    }
}

impl std::error::Error for TryCurrentError {}

/// The message of `spawn` (and `Handle::current`) outside a runtime.
pub(crate) const NO_RUNTIME: &str = "there is no weft runtime on this thread: create one \
     (`weft::runtime::Runtime::new()` then `rt.block_on(...)`, or `#[weft::main]`) and call \
     this from inside it, or go through a runtime `Handle` (`handle.spawn(...)`)";

impl Handle {
    /// The handle of the runtime current on this thread.
    ///
    /// # Panics
    /// Outside a runtime, with a message that says how to get one.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let h = weft::runtime::Handle::current();
    ///     h.spawn(async {}).await.unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match context::try_current() {
            Some(inner) => Handle { inner },
            None => panic!("{}", NO_RUNTIME),
        }
    }

    /// The current runtime's handle, or an error outside a runtime.
    ///
    /// ```
    /// assert!(weft::runtime::Handle::try_current().is_err());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::try_current()
            .map(|inner| Handle { inner })
            .ok_or(TryCurrentError { _private: () })
    }

    /// Spawns a task on this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.handle().spawn(async { 1 });
    /// assert_eq!(rt.block_on(h).unwrap(), 1);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future)
    }

    /// Schedules an existing task (a static-pool task from `#[weft::task(pool_size = N)]`)
    /// on this runtime; see [`crate::task::spawn_token`].
    ///
    /// ```
    /// #[weft::task]
    /// async fn answer() -> u32 {
    ///     42
    /// }
    ///
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.handle().spawn_token(answer().unwrap());
    /// assert_eq!(rt.block_on(h).unwrap(), 42);
    /// ```
    pub fn spawn_token<T, M>(&self, token: weft_core::task::SpawnToken<T, M>) -> JoinHandle<T>
    where
        T: Send + 'static,
        M: Send,
    {
        self.inner.spawn_token(token)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(h).unwrap(), 4);
    /// ```
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawn_blocking(func)
    }

    /// Runs `future` to completion on this thread. On a current-thread runtime this thread
    /// drives the tasks while it waits.
    ///
    /// # Panics
    /// When called from inside a runtime; use `.await`, `spawn_blocking` or `block_in_place`.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().block_on(async { 9 }), 9);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.inner {
            scheduler::Handle::CurrentThread(h) => {
                current_thread::Handle::block_on(h, &self.inner, future)
            }
            scheduler::Handle::MultiThread(h) => {
                let _enter = context::enter_runtime(&self.inner, true);
                let mut future = std::pin::pin!(future);
                let park = ParkThread::new();
                let waker = park.unpark_handle().into_waker();
                let mut cx = std::task::Context::from_waker(&waker);
                let _panic_waker = h.register_panic_waker(&waker);
                loop {
                    if h.panicked() {
                        panic!("{}", current_thread::PANIC_SHUTDOWN);
                    }
                    if let std::task::Poll::Ready(v) =
                        weft_core::task::coop::budget(|| future.as_mut().poll(&mut cx))
                    {
                        return v;
                    }
                    park.park();
                }
            }
        }
    }

    /// Makes this runtime current on this thread until the guard drops.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || {
    ///     let _g = handle.enter();
    ///     let h = weft::spawn(async { 1 });
    ///     handle.block_on(h).unwrap()
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(&self.inner),
            _handle: PhantomData,
        }
    }

    /// The flavor of this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().runtime_flavor(), weft::runtime::RuntimeFlavor::MultiThread);
    /// ```
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        self.inner.flavor()
    }

    /// Counters of this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let m = rt.handle().metrics();
    /// assert_eq!(m.num_alive_tasks(), 0);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::collect(&self.inner)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish()
    }
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}
