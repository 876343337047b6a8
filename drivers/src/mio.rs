//! The [`mio`] reactor: epoll on Linux, kqueue on macOS/BSD, edge-triggered.
//!
//! One [`mio::Poll`] (behind a mutex: only the parked worker turns it), a cloned
//! [`mio::Registry`] so any thread can register without waiting for the turn to end, and a
//! [`mio::Waker`] on `WAKE_TOKEN` for [`Reactor::unpark`]. Tokens and dispatch are described
//! in [`crate::fd_reactor`].

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Poll, Registry, Token};
use weft_core::io::{Interest, Reactor, Ready, ScheduledIo};

use crate::fd_reactor::{dispatch_all, ReactorHandle, Registration, Registrations, WAKE_TOKEN};

/// Events fetched per turn. 1024 matches what the mainstream runtimes use; a busier turn just
/// returns the rest on the next one.
const EVENTS_PER_TURN: usize = 1024;

struct TurnState {
    poll: Poll,
    events: Events,
    batch: Vec<(Arc<ScheduledIo>, Ready)>,
}

/// A reactor on `mio` (the default backend of the `weft` runtime).
///
/// ```
/// use std::time::Duration;
/// use weft_core::io::Reactor;
///
/// let reactor = weft_drivers::mio::MioReactor::new()?;
/// reactor.unpark();                       // a turn now returns at once…
/// reactor.turn(None)?;
/// assert_eq!(reactor.turn(Some(Duration::ZERO))?, 0); // …and nothing is ready
/// # std::io::Result::Ok(())
/// ```
pub struct MioReactor {
    turn: Mutex<TurnState>,
    registry: Registry,
    waker: mio::Waker,
    registrations: Registrations,
}

impl fmt::Debug for MioReactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MioReactor")
            .field("registrations", &self.registrations)
            .finish_non_exhaustive()
    }
}

impl MioReactor {
    /// Creates the OS poller (an epoll or kqueue fd) and its wake-up source.
    ///
    /// ```
    /// let r = weft_drivers::mio::MioReactor::new()?;
    /// # use weft_drivers::fd_reactor::ReactorHandle;
    /// assert_eq!(r.registered(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<MioReactor> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(poll.registry(), Token(WAKE_TOKEN))?;
        Ok(MioReactor {
            turn: Mutex::new(TurnState {
                poll,
                events: Events::with_capacity(EVENTS_PER_TURN),
                batch: Vec::new(),
            }),
            registry,
            waker,
            registrations: Registrations::default(),
        })
    }
}

fn mio_interest(interest: Interest) -> mio::Interest {
    match (interest.is_readable(), interest.is_writable()) {
        (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
        (false, true) => mio::Interest::WRITABLE,
        _ => mio::Interest::READABLE,
    }
}

fn ready_of(event: &mio::event::Event) -> Ready {
    let mut r = Ready::EMPTY;
    if event.is_readable() {
        r |= Ready::READABLE;
    }
    if event.is_writable() {
        r |= Ready::WRITABLE;
    }
    if event.is_read_closed() {
        r |= Ready::READ_CLOSED;
    }
    if event.is_write_closed() {
        r |= Ready::WRITE_CLOSED;
    }
    if event.is_error() {
        r |= Ready::ERROR;
    }
    r
}

impl Reactor for MioReactor {
    type Error = io::Error;

    fn turn(&self, timeout: Option<Duration>) -> io::Result<usize> {
        let mut guard = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        let st = &mut *guard;
        if self.registrations.is_shutdown() {
            return Ok(0);
        }
        match st.poll.poll(&mut st.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        }
        self.registrations.resolve(
            st.events.iter().map(|e| (e.token().0, ready_of(e))),
            &mut st.batch,
        );
        Ok(dispatch_all(&mut st.batch))
    }

    fn unpark(&self) {
        // Fails only if the eventfd/pipe is broken, which the next turn reports.
        let _ = self.waker.wake();
    }

    fn shutdown(&self) {
        self.registrations.shutdown();
        self.unpark();
    }
}

impl ReactorHandle for MioReactor {
    /// mio registers readable interest with `EPOLLRDHUP` and reports it as `is_read_closed`.
    fn reports_read_closed(&self) -> bool {
        true
    }

    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> io::Result<Registration> {
        let reg = self.registrations.insert(fd)?;
        let raw = fd.as_raw_fd();
        if let Err(e) = self.registry.register(
            &mut SourceFd(&raw),
            Token(reg.token()),
            mio_interest(interest),
        ) {
            self.registrations.remove(&reg);
            return Err(e);
        }
        Ok(reg)
    }

    fn deregister(&self, fd: BorrowedFd<'_>, registration: &Registration) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let res = self.registry.deregister(&mut SourceFd(&raw));
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
