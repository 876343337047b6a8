//! The [`polling`] reactor: epoll on Linux, kqueue on macOS/BSD, event ports on illumos;
//! edge-triggered where the OS supports it ([`polling::Poller::supports_edge`]), level
//! otherwise (correct with weft's clear-after-`WouldBlock` protocol, only noisier).
//!
//! `polling` takes `&self` everywhere, so registration never waits for a turn; the turn
//! state (event buffer, dispatch batch) sits behind a mutex because only one thread turns.
//! [`polling::Poller::notify`] implements [`Reactor::unpark`]. Tokens and dispatch are
//! described in [`crate::fd_reactor`].

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polling::{Event, Events, PollMode, Poller};
use weft_core::io::{Interest, Reactor, Ready, ScheduledIo};

use crate::fd_reactor::{dispatch_all, ReactorHandle, Registration, Registrations};

struct TurnState {
    events: Events,
    batch: Vec<(Arc<ScheduledIo>, Ready)>,
}

/// A reactor on `polling`.
///
/// ```
/// use std::time::Duration;
/// use weft_core::io::Reactor;
///
/// let reactor = weft_drivers::polling::PollingReactor::new()?;
/// reactor.unpark();
/// reactor.turn(None)?; // returns at once: it was unparked
/// assert_eq!(reactor.turn(Some(Duration::ZERO))?, 0);
/// # std::io::Result::Ok(())
/// ```
pub struct PollingReactor {
    poller: Poller,
    mode: PollMode,
    turn: Mutex<TurnState>,
    registrations: Registrations,
}

impl fmt::Debug for PollingReactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollingReactor")
            .field("mode", &self.mode)
            .field("registrations", &self.registrations)
            .finish_non_exhaustive()
    }
}

impl PollingReactor {
    /// Creates the OS poller.
    ///
    /// ```
    /// let r = weft_drivers::polling::PollingReactor::new()?;
    /// # use weft_drivers::fd_reactor::ReactorHandle;
    /// assert_eq!(r.registered(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<PollingReactor> {
        let poller = Poller::new()?;
        let mode = if poller.supports_edge() {
            PollMode::Edge
        } else {
            PollMode::Level
        };
        Ok(PollingReactor {
            poller,
            mode,
            turn: Mutex::new(TurnState {
                events: Events::new(),
                batch: Vec::new(),
            }),
            registrations: Registrations::default(),
        })
    }
}

fn ready_of(event: &Event) -> Ready {
    let mut r = Ready::EMPTY;
    if event.readable {
        r |= Ready::READABLE;
    }
    if event.writable {
        r |= Ready::WRITABLE;
    }
    if event.is_err() == Some(true) {
        r |= Ready::ERROR;
    }
    r
}

impl Reactor for PollingReactor {
    type Error = io::Error;

    fn turn(&self, timeout: Option<Duration>) -> io::Result<usize> {
        let mut guard = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        let st = &mut *guard;
        if self.registrations.is_shutdown() {
            return Ok(0);
        }
        st.events.clear();
        match self.poller.wait(&mut st.events, timeout) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        }
        self.registrations.resolve(
            st.events.iter().map(|e| (e.key, ready_of(&e))),
            &mut st.batch,
        );
        Ok(dispatch_all(&mut st.batch))
    }

    fn unpark(&self) {
        // Fails only if the notification fd is broken, which the next turn reports.
        let _ = self.poller.notify();
    }

    fn shutdown(&self) {
        self.registrations.shutdown();
        self.unpark();
    }
}

impl ReactorHandle for PollingReactor {
    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> io::Result<Registration> {
        let reg = self.registrations.insert(fd)?;
        let ev = Event::new(reg.token(), interest.is_readable(), interest.is_writable());
        // SAFETY: `ReactorHandle::register`'s contract: the caller keeps `fd` open until it
        // calls `deregister`, which deletes it from the poller first.
        let res = unsafe { self.poller.add_with_mode(fd.as_raw_fd(), ev, self.mode) };
        if let Err(e) = res {
            self.registrations.remove(&reg);
            return Err(e);
        }
        Ok(reg)
    }

    fn deregister(&self, fd: BorrowedFd<'_>, registration: &Registration) -> io::Result<()> {
        let res = self.poller.delete(fd);
        self.registrations.remove(registration);
        res
    }

    fn is_shutdown(&self) -> bool {
        self.registrations.is_shutdown()
    }

    fn registered(&self) -> usize {
        self.registrations.live()
    }
}
