//! Without std a panic cannot unwind (the panic handler of a `no_std` binary never returns), so
//! there is nothing to catch: `catch` just calls the closure.

use super::{Id, JoinError};

pub(crate) enum Payload {}

pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Payload> {
    Ok(f())
}

pub(crate) fn to_join_error(_id: Id, payload: Payload) -> JoinError {
    match payload {}
}

pub(crate) fn resume(payload: Payload) -> ! {
    match payload {}
}
