//! The runtime's I/O driver: the reactor a parked worker blocks in.
//!
//! A thin adapter over the IO engineer's seam (`crate::net::driver`): the reactor is created
//! from [`Builder::reactor`](crate::runtime::Builder::reactor) (mio by default), installed as
//! the current reactor on every runtime thread (so sockets can register), turned by the
//! worker that parks in the driver, woken by [`Io::unpark`], and shut down (failing pending
//! I/O) when the runtime shuts down. Under `cfg(loom)` the stub in `io_driver_loom.rs` replaces this
//! file: the loom models park without a reactor.
use std::io;
use std::time::Duration;

pub(crate) use crate::net::driver::IoGuard;
use crate::net::driver::{new_reactor, set_current_io, IoHandle, ReactorKind};

/// The reactor of one runtime.
#[derive(Clone, Debug)]
pub(crate) struct Io(IoHandle);

/// What selects the reactor implementation.
pub(crate) type Kind = ReactorKind;

impl Io {
    pub(crate) fn new(kind: Kind) -> io::Result<Io> {
        new_reactor(kind).map(Io)
    }

    /// Blocks for events up to `timeout`; `true` if any I/O event was dispatched.
    pub(crate) fn turn(&self, timeout: Option<Duration>) -> bool {
        // An error of the OS poller (EBADF on a broken poller) cannot be handed to a task;
        // treat it as a spurious wake-up: the worker re-checks its queues and parks again.
        matches!(self.0.turn(timeout), Ok(n) if n > 0)
    }

    pub(crate) fn unpark(&self) {
        self.0.unpark();
    }

    pub(crate) fn shutdown(&self) {
        self.0.shutdown();
    }

    /// Makes this reactor the thread's current one until the guard drops.
    pub(crate) fn enter(&self) -> IoGuard {
        set_current_io(self.0.clone())
    }
}
