//! What the two std reactors share: the [`ReactorHandle`] trait the `weft` network types
//! program against, the [`Registration`] of one file descriptor, and the table that maps the
//! OS event tokens back to [`ScheduledIo`] cells.
//!
//! # Tokens
//!
//! Each registration gets a slot in a table; the token handed to the OS is the slot index
//! plus the slot's *generation* in the upper half of the word. A slot's generation moves on
//! every reuse, so an event for a file descriptor that was deregistered — and whose slot was
//! given to a new socket — between the OS filling its event buffer and the reactor reading
//! it is recognised as stale and dropped instead of waking the wrong socket.
//!
//! # Waking outside locks
//!
//! A turn resolves every token to its cell (`Arc` clone) under the table lock, releases the
//! lock, then calls [`ScheduledIo::dispatch`]. Wakers run foreign code — a waker may drop the
//! last reference of a task whose future owns a socket, which deregisters it and takes the
//! table lock — so no lock is held while they run.
//!
//! # Shutdown
//!
//! [`Reactor::shutdown`] marks the table closed (later registrations fail with
//! [`shutdown_error`]) and calls [`ScheduledIo::shutdown`] on every live cell, which wakes
//! all pending I/O; the network types turn that into the same error.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};

use weft_core::io::{Interest, Reactor, Ready, ScheduledIo};

/// The token reserved for the reactor's own wake-up source (never a table slot).
pub(crate) const WAKE_TOKEN: usize = usize::MAX;

const INDEX_BITS: u32 = usize::BITS / 2;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// One bit less than the upper half, so no token ever equals [`WAKE_TOKEN`].
const GEN_MASK: usize = (1 << (INDEX_BITS - 1)) - 1;

/// The error every I/O operation returns once its reactor has shut down.
///
/// ```
/// let e = weft_drivers::fd_reactor::shutdown_error();
/// assert_eq!(e.kind(), std::io::ErrorKind::Other);
/// assert!(e.to_string().contains("shut down"));
/// ```
pub fn shutdown_error() -> io::Error {
    io::Error::other("the weft I/O reactor has shut down; the socket can no longer be used")
}

/// A reactor that registers Unix file descriptors: the object-safe interface the `weft`
/// network types use (`Arc<dyn ReactorHandle>`), implemented by the `mio` and `polling`
/// reactors.
///
/// Sources are registered **edge-triggered** for both directions; the caller keeps the fd
/// open until it has called [`deregister`](Self::deregister).
///
/// ```
/// # #[cfg(feature = "mio")] {
/// use std::os::fd::AsFd;
/// use weft_core::io::{Interest, Reactor};
/// use weft_drivers::fd_reactor::ReactorHandle;
///
/// let reactor = weft_drivers::mio::MioReactor::new()?;
/// let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// b.set_nonblocking(true)?;
/// let reg = reactor.register(b.as_fd(), Interest::READABLE)?;
/// std::io::Write::write_all(&mut &a, b"x")?;
/// reactor.turn(None)?;
/// assert!(reg.scheduled_io().readiness(Interest::READABLE).ready().is_readable());
/// reactor.deregister(b.as_fd(), &reg)?;
/// # }
/// # std::io::Result::Ok(())
/// ```
pub trait ReactorHandle: Reactor<Error = io::Error> + fmt::Debug {
    /// Registers `fd` (which must be in non-blocking mode) for `interest` and returns its
    /// readiness cell. Fails with [`shutdown_error`] after shutdown.
    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> io::Result<Registration>;

    /// Removes `fd` from the OS poller and forgets its cell (its stored wakers are dropped).
    /// Must be called before `fd` is closed.
    fn deregister(&self, fd: BorrowedFd<'_>, registration: &Registration) -> io::Result<()>;

    /// Whether [`Reactor::shutdown`] was called.
    fn is_shutdown(&self) -> bool;

    /// How many file descriptors are registered right now (leak checks).
    fn registered(&self) -> usize;

    /// Whether the reactor reports `READ_CLOSED` (the peer's end of stream) as its own readiness
    /// bit. Only then may a reader clear read readiness after a short read: an end of stream
    /// that arrived with the data stays visible as the sticky `READ_CLOSED`. Defaults to `false`
    /// (the safe answer: readiness is then cleared only after `WouldBlock`).
    fn reports_read_closed(&self) -> bool {
        false
    }
}

/// One registered file descriptor: its readiness cell and OS token.
///
/// ```
/// # #[cfg(feature = "polling")] {
/// use std::os::fd::AsFd;
/// use weft_core::io::Interest;
/// use weft_drivers::fd_reactor::ReactorHandle;
///
/// let reactor = weft_drivers::polling::PollingReactor::new()?;
/// let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// sock.set_nonblocking(true)?;
/// let reg = reactor.register(sock.as_fd(), Interest::READABLE | Interest::WRITABLE)?;
/// assert!(!reg.scheduled_io().is_shutdown());
/// reactor.deregister(sock.as_fd(), &reg)?;
/// # }
/// # std::io::Result::Ok(())
/// ```
pub struct Registration {
    io: Arc<ScheduledIo>,
    token: usize,
    fd: RawFd,
}

impl Registration {
    /// The readiness cell the reactor updates for this fd.
    ///
    /// ```
    /// # #[cfg(feature = "mio")] {
    /// # use std::os::fd::AsFd;
    /// # use weft_core::io::Interest;
    /// # use weft_drivers::fd_reactor::ReactorHandle;
    /// # let reactor = weft_drivers::mio::MioReactor::new()?;
    /// # let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// # sock.set_nonblocking(true)?;
    /// let reg = reactor.register(sock.as_fd(), Interest::WRITABLE)?;
    /// let io: &weft_core::io::ScheduledIo = reg.scheduled_io();
    /// # let _ = io; reactor.deregister(sock.as_fd(), &reg)?;
    /// # }
    /// # std::io::Result::Ok(())
    /// ```
    pub fn scheduled_io(&self) -> &ScheduledIo {
        &self.io
    }

    /// The token the OS reports events for this fd with.
    ///
    /// ```
    /// # #[cfg(feature = "mio")] {
    /// # use std::os::fd::AsFd;
    /// # use weft_core::io::Interest;
    /// # use weft_drivers::fd_reactor::ReactorHandle;
    /// # let reactor = weft_drivers::mio::MioReactor::new()?;
    /// # let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// # sock.set_nonblocking(true)?;
    /// let reg = reactor.register(sock.as_fd(), Interest::WRITABLE)?;
    /// assert_ne!(reg.token(), usize::MAX);
    /// # reactor.deregister(sock.as_fd(), &reg)?;
    /// # }
    /// # std::io::Result::Ok(())
    /// ```
    pub fn token(&self) -> usize {
        self.token
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("fd", &self.fd)
            .field("token", &self.token)
            .field("io", &self.io)
            .finish()
    }
}

struct Slot {
    gen: usize,
    io: Option<Arc<ScheduledIo>>,
}

#[derive(Default)]
struct Table {
    slots: Vec<Slot>,
    free: Vec<usize>,
    live: usize,
    shutdown: bool,
}

/// The token → cell table (see the module docs).
#[derive(Default)]
pub(crate) struct Registrations {
    table: Mutex<Table>,
}

impl fmt::Debug for Registrations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.lock();
        f.debug_struct("Registrations")
            .field("live", &t.live)
            .field("shutdown", &t.shutdown)
            .finish()
    }
}

impl Registrations {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // A panic under this lock leaves the table consistent (every mutation is one step).
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocates a slot and a fresh cell for `fd`.
    pub(crate) fn insert(&self, fd: BorrowedFd<'_>) -> io::Result<Registration> {
        let mut t = self.lock();
        if t.shutdown {
            return Err(shutdown_error());
        }
        let io = Arc::new(ScheduledIo::new());
        let index = match t.free.pop() {
            Some(i) => i,
            None => {
                if t.slots.len() >= INDEX_MASK {
                    return Err(io::Error::other(
                        "too many registrations in one weft reactor",
                    ));
                }
                t.slots.push(Slot { gen: 0, io: None });
                t.slots.len() - 1
            }
        };
        let slot = &mut t.slots[index];
        slot.io = Some(io.clone());
        let token = index | (slot.gen << INDEX_BITS);
        t.live += 1;
        Ok(Registration {
            io,
            token,
            fd: fd.as_raw_fd(),
        })
    }

    /// Frees the slot of `reg` (no-op if it is already gone, e.g. after shutdown).
    pub(crate) fn remove(&self, reg: &Registration) {
        let removed = {
            let mut t = self.lock();
            let index = reg.token & INDEX_MASK;
            match t.slots.get_mut(index) {
                Some(slot) if slot.io.as_ref().is_some_and(|io| Arc::ptr_eq(io, &reg.io)) => {
                    let io = slot.io.take();
                    slot.gen = (slot.gen + 1) & GEN_MASK;
                    t.free.push(index);
                    t.live -= 1;
                    io
                }
                _ => None,
            }
        };
        reg.io.clear_wakers();
        drop(removed);
    }

    /// Resolves OS events to cells, appending `(cell, readiness)` to `out`; stale tokens are
    /// dropped.
    pub(crate) fn resolve(
        &self,
        events: impl Iterator<Item = (usize, Ready)>,
        out: &mut Vec<(Arc<ScheduledIo>, Ready)>,
    ) {
        let t = self.lock();
        for (token, ready) in events {
            if token == WAKE_TOKEN {
                continue;
            }
            let index = token & INDEX_MASK;
            let gen = token >> INDEX_BITS;
            if let Some(Slot {
                gen: g,
                io: Some(io),
            }) = t.slots.get(index)
            {
                if *g == gen {
                    out.push((io.clone(), ready));
                }
            }
        }
    }

    /// Closes the table and shuts every live cell down (waking its tasks).
    pub(crate) fn shutdown(&self) {
        let cells: Vec<Arc<ScheduledIo>> = {
            let mut t = self.lock();
            t.shutdown = true;
            t.slots.iter().filter_map(|s| s.io.clone()).collect()
        };
        for io in cells {
            io.shutdown();
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.lock().shutdown
    }

    /// How many fds are registered (for leak checks in tests).
    pub(crate) fn live(&self) -> usize {
        self.lock().live
    }
}

/// Wakes the tasks of resolved events, outside every lock.
pub(crate) fn dispatch_all(batch: &mut Vec<(Arc<ScheduledIo>, Ready)>) -> usize {
    let n = batch.len();
    for (io, ready) in batch.drain(..) {
        io.dispatch(ready);
    }
    n
}
