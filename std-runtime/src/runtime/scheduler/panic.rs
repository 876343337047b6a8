//! `UnhandledPanic::ShutdownRuntime`: noticing a task panic.
//!
//! The core catches a task's panic inside `Notified::run` and stores it in the task as a
//! `JoinError`. When the runtime is configured to shut down on the first panic, the spawned
//! future is wrapped in [`OnPanic`], which sees the unwind first, flags the runtime, and
//! resumes unwinding so the core still records the payload for the `JoinHandle`. Runtimes with
//! the default behaviour spawn the future unwrapped and pay nothing.
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Wraps a future and calls `hook` if polling it panics.
pub(crate) struct OnPanic<F> {
    pub(crate) future: F,
    pub(crate) hook: Arc<dyn Fn() + Send + Sync>,
}

impl<F: Future> Future for OnPanic<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of the pinned wrapper.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let fut = unsafe { Pin::new_unchecked(&mut this.future) };
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(p) => p,
            Err(payload) => {
                (this.hook)();
                resume_unwind(payload)
            }
        }
    }
}
