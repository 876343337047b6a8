//! Panic capture with std: a panicking task completes with a `JoinError` carrying the payload
//! instead of unwinding through the scheduler.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{Id, JoinError};

pub(crate) type Payload = std::boxed::Box<dyn core::any::Any + Send + 'static>;

pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Payload> {
    catch_unwind(AssertUnwindSafe(f))
}

pub(crate) fn to_join_error(id: Id, payload: Payload) -> JoinError {
    JoinError::panic(id, payload)
}

/// Continues a panic caught by [`catch`] once the bookkeeping it interrupted is done.
pub(crate) fn resume(payload: Payload) -> ! {
    std::panic::resume_unwind(payload)
}
