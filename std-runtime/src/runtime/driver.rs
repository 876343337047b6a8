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
use std::sync::Arc;
use std::task::Wake;
use std::time::Duration;

use weft_core::time::Clock;

use super::io_driver::Io;
use super::park_thread::{ParkThread, UnparkThread};
use super::time::TimeDriver;

/// The blocking half; owned by whichever worker parks in it.
pub struct Driver {
    park: ParkThread,
    io: Option<Io>,
    time: Option<Arc<TimeDriver>>,
}

/// The waking half; cloned into every worker's unparker.
#[derive(Clone)]
pub struct Handle {
    unpark: Unpark,
    time: Option<Arc<TimeDriver>>,
}

/// Interrupts the blocking call of the driver: the reactor's waker when there is a reactor,
/// else the condvar. Kept apart from the timer wheel so the wheel's unpark waker (this) does
/// not keep the wheel itself alive.
#[derive(Clone)]
struct Unpark {
    thread: UnparkThread,
    io: Option<Io>,
}

impl Unpark {
    fn unpark(&self) {
        match &self.io {
            Some(io) => io.unpark(),
            None => self.thread.unpark(),
        }
    }
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.unpark()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark()
    }
}

impl Driver {
    /// A driver and its handle, configured by the runtime builder.
    #[cfg(not(loom))]
    pub(crate) fn new(b: &crate::runtime::Builder) -> std::io::Result<(Driver, Handle)> {
        let park = ParkThread::new();
        let io = Io::new(b.reactor)?;
        let unpark = Unpark {
            thread: park.unpark_handle(),
            io: Some(io.clone()),
        };
        let time = super::time::new_driver(b.start_paused);
        // An earlier deadline than the one the parked worker sleeps towards interrupts it.
        time.set_unpark(Some(Arc::new(unpark.clone()).into()));
        Ok((
            Driver {
                park,
                io: Some(io),
                time: Some(time.clone()),
            },
            Handle {
                unpark,
                time: Some(time),
            },
        ))
    }

    /// Under loom the runtime has no reactor and no timer wheel (only the park models run).
    #[cfg(loom)]
    pub(crate) fn new(_b: &crate::runtime::Builder) -> std::io::Result<(Driver, Handle)> {
        Ok(Self::new_park_thread())
    }

    /// A driver that only parks (no timers, no I/O): what loom models use.
    #[cfg_attr(not(loom), allow(dead_code))]
    pub fn new_park_thread() -> (Driver, Handle) {
        let park = ParkThread::new();
        let unpark = Unpark {
            thread: park.unpark_handle(),
            io: None,
        };
        (
            Driver {
                park,
                io: None,
                time: None,
            },
            Handle { unpark, time: None },
        )
    }

    /// Blocks until woken through the handle, an event arrives, or `timeout` elapses
    /// (`Some(ZERO)` polls without blocking), then fires due timers.
    pub fn park(&mut self, timeout: Option<Duration>) {
        let Some(time) = self.time.clone() else {
            self.park_io(timeout);
            return;
        };
        let clock = time.clock();
        let mut timeout = timeout;
        if let Some(deadline) = time.next_deadline() {
            let now = clock.now();
            if deadline <= now {
                timeout = Some(Duration::ZERO);
            } else if clock.is_paused() {
                if timeout != Some(Duration::ZERO) {
                    // Idle with a paused clock: jump to the next timer unless a wake-up is
                    // already pending (then there is work to do first).
                    if !self.park_io(Some(Duration::ZERO)) {
                        clock.advance_to(deadline);
                    }
                    timeout = Some(Duration::ZERO);
                }
            } else {
                let d = weft_core::time::ticks_to_duration_ceil(deadline - now);
                timeout = Some(timeout.map_or(d, |t| t.min(d)));
            }
        }
        self.park_io(timeout);
        time.advance(clock.now());
    }

    /// The blocking call; `true` if it returned because of a wake-up.
    fn park_io(&mut self, timeout: Option<Duration>) -> bool {
        if let Some(io) = &self.io {
            return io.turn(timeout);
        }
        match timeout {
            None => {
                self.park.park();
                true
            }
            Some(d) => self.park.park_timeout(d),
        }
    }

    /// Shuts the drivers down: fires every pending timer so tasks still waiting on one (none
    /// should be left after the tasks were cancelled) are not stranded.
    pub fn shutdown(&mut self) {
        if let Some(time) = &self.time {
            time.set_unpark(None);
            time.shutdown();
        }
        if let Some(io) = &self.io {
            io.shutdown();
        }
    }
}

/// Keeps the runtime's drivers installed as this thread's current time and I/O drivers.
#[derive(Debug)]
pub struct EnterGuard {
    _time: Option<weft_core::time::driver::CurrentGuard>,
    _io: Option<super::io_driver::IoGuard>,
}

impl Handle {
    /// Installs the drivers as this thread's current drivers until the guard drops.
    pub fn enter(&self) -> EnterGuard {
        EnterGuard {
            _io: self.unpark.io.as_ref().map(|io| io.enter()),
            _time: self.time.as_ref().map(|t| {
                weft_core::time::driver::set_current(weft_core::time::driver::Handle::from_arc(
                    t.clone(),
                ))
            }),
        }
    }

    /// The runtime's clock and timer wheel.
    pub(crate) fn time(&self) -> Option<&Arc<TimeDriver>> {
        self.time.as_ref()
    }

    /// Interrupts the thread blocked in [`Driver::park`] (or makes its next park return).
    pub fn unpark(&self) {
        self.unpark.unpark();
    }

    /// The reactor, if the runtime has one.
    #[allow(dead_code)]
    pub(crate) fn io(&self) -> Option<&Io> {
        self.unpark.io.as_ref()
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
