//! Parking idle workers: one sleeps in the driver, the others on a condvar.
//!
//! # Design
//!
//! Every worker owns a [`Parker`]; the scheduler keeps the matching [`Unparker`] to wake it.
//! All parkers of a runtime share one [`Driver`](super::driver::Driver) behind a try-lock. A
//! worker that goes to sleep first tries to take the driver: if it wins, it blocks *in the
//! driver* (reactor + timers), so someone is always waiting on I/O and timers while the runtime
//! is idle; if another worker already holds it, it sleeps on its own condvar. Nobody ever
//! blocks waiting for the driver lock.
//!
//! Each parker has a state word:
//!
//! | state | meaning |
//! |---|---|
//! | `EMPTY` | awake, no pending notification |
//! | `PARKED_CONDVAR` | asleep on its condvar |
//! | `PARKED_DRIVER` | asleep inside the driver |
//! | `NOTIFIED` | a notification is pending; the next park returns at once |
//!
//! `unpark` swaps in `NOTIFIED` and looks at what was there: `PARKED_CONDVAR` → take the mutex
//! and signal; `PARKED_DRIVER` → unpark the driver (sticky, see `driver.rs`); `EMPTY` → the
//! notification waits in the state. `park` moves `EMPTY -> PARKED_*` with a CAS, so it either
//! sees a notification that came first or publishes where it sleeps before sleeping; the
//! condvar path does that CAS under the mutex the unparker takes, so the signal cannot be
//! missed. This is the property the loom model `tests/loom_park.rs` checks.
use std::time::Duration;

use super::driver::{self, Driver};
use crate::loom::lock;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// A worker's sleeping half.
pub struct Parker {
    inner: Arc<Inner>,
}

/// The waking half of a [`Parker`].
#[derive(Clone)]
pub struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    shared: Arc<Shared>,
}

/// The driver every parker of a runtime shares.
pub struct Shared {
    driver: Mutex<Driver>,
    handle: driver::Handle,
}

impl Shared {
    /// Wraps the runtime's driver.
    pub fn new(driver: Driver, handle: driver::Handle) -> Arc<Shared> {
        Arc::new(Shared {
            driver: Mutex::new(driver),
            handle,
        })
    }

    /// Blocks until the driver is free, then runs `f` with it (shutdown only).
    pub fn with_driver<R>(&self, f: impl FnOnce(&mut Driver) -> R) -> R {
        f(&mut lock(&self.driver))
    }
}

impl Parker {
    /// A parker on the shared driver.
    pub fn new(shared: Arc<Shared>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                shared,
            }),
        }
    }

    /// The waking half.
    pub fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked (returns at once if a notification is pending).
    pub fn park(&mut self) {
        self.inner.park(None)
    }

    /// Sleeps until unparked or `d` elapses. With `d == 0` this only turns the driver once
    /// (if free) so timers and I/O make progress while the worker stays busy.
    pub fn park_timeout(&mut self, d: Duration) {
        self.inner.park(Some(d))
    }

    /// Shuts the driver down if it is free (the last worker to stop calls this).
    pub fn shutdown(&mut self) {
        self.inner.shared.with_driver(|d| d.shutdown());
        self.inner.condvar.notify_all();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if let Ok(mut driver) = self.shared.driver.try_lock() {
            self.park_driver(&mut driver, timeout);
        } else if timeout != Some(Duration::ZERO) {
            self.park_condvar(timeout);
        }
    }

    /// Moves the state from `EMPTY` to `parked` (`PARKED_DRIVER` or `PARKED_CONDVAR`). Returns
    /// `false` when a notification was pending instead: it is consumed and the caller must not
    /// block.
    fn begin_park(&self, parked: usize) -> bool {
        match self.state.compare_exchange(EMPTY, parked, SeqCst, SeqCst) {
            Ok(_) => true,
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                false
            }
            Err(actual) => panic!("inconsistent parker state {actual}"),
        }
    }

    fn park_driver(&self, driver: &mut Driver, timeout: Option<Duration>) {
        if !self.begin_park(PARKED_DRIVER) {
            return;
        }
        driver.park(timeout);
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent parker state {actual}"),
        }
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = lock(&self.mutex);
        if !self.begin_park(PARKED_CONDVAR) {
            return;
        }
        if let Some(d) = timeout {
            let _ = self.condvar.wait_timeout(guard, d);
            self.state.swap(EMPTY, SeqCst);
            return;
        }
        loop {
            guard = match self.condvar.wait(guard) {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                drop(lock(&self.mutex));
                self.condvar.notify_one();
            }
            PARKED_DRIVER => self.shared.handle.unpark(),
            actual => panic!("inconsistent parker state {actual}"),
        }
    }
}

impl Unparker {
    /// Wakes the worker, or makes its next park return at once.
    pub fn unpark(&self) {
        self.inner.unpark()
    }
}

impl std::fmt::Debug for Parker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parker").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Unparker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unparker").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("park::Shared").finish_non_exhaustive()
    }
}
