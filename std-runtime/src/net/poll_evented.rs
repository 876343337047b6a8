//! [`PollEvented`]: a non-blocking OS object registered with the current reactor — the
//! building block of every socket type.
//!
//! Every operation follows the readiness protocol of `weft_core::io`: take a
//! [`ReadyEvent`], try the syscall, and on `WouldBlock` clear *that* event (a no-op if the
//! reactor reported a new edge meanwhile) and wait again. `poll_*` paths use the cell's
//! one-waker-per-direction slot (what `AsyncRead`/`AsyncWrite` need); `async` paths use the
//! cell's waiter list, so many tasks may wait on one socket (an `Arc<UdpSocket>` shared by
//! several receivers). Each attempt first asks the cooperative budget
//! ([`coop_poll_proceed`]).

use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::task::{ready, Context, Poll};

use weft_core::io::{Direction, Interest, ReadyEvent};
use weft_drivers::fd_reactor::shutdown_error;

use super::driver::{coop_poll_proceed, current_io, IoHandle, Registration};

pub(crate) struct PollEvented<E: AsRawFd> {
    io: Option<E>,
    registration: Registration,
    handle: IoHandle,
}

impl<E: AsRawFd> std::fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollEvented")
            .field("registration", &self.registration)
            .finish()
    }
}

fn borrow<E: AsRawFd>(io: &E) -> BorrowedFd<'_> {
    // SAFETY: `io` owns (or borrows for its own lifetime) the descriptor it reports, so the
    // fd is open for as long as the borrow of `io`.
    unsafe { BorrowedFd::borrow_raw(io.as_raw_fd()) }
}

impl<E: AsRawFd> PollEvented<E> {
    /// Registers `io` (already non-blocking) with this thread's reactor.
    pub(crate) fn new(io: E) -> io::Result<Self> {
        Self::with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    pub(crate) fn with_interest(io: E, interest: Interest) -> io::Result<Self> {
        let handle = current_io();
        let registration = handle.register(borrow(&io), interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
            handle,
        })
    }

    pub(crate) fn get_ref(&self) -> &E {
        self.io.as_ref().expect("io present until drop")
    }

    pub(crate) fn get_mut(&mut self) -> &mut E {
        self.io.as_mut().expect("io present until drop")
    }

    /// Deregisters and returns the object.
    pub(crate) fn into_inner(mut self) -> io::Result<E> {
        let io = self.io.take().expect("io present until drop");
        self.handle.deregister(borrow(&io), &self.registration)?;
        Ok(io)
    }

    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        let coop = ready!(coop_poll_proceed(cx));
        let ev = ready!(self.registration.scheduled_io().poll_ready(cx, direction));
        if ev.is_shutdown() {
            return Poll::Ready(Err(shutdown_error()));
        }
        coop.made_progress();
        Poll::Ready(Ok(ev))
    }

    pub(crate) async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        poll_fn(|cx| coop_poll_proceed(cx).map(|c| c.made_progress())).await;
        let ev = self.registration.scheduled_io().ready(interest).await;
        if ev.is_shutdown() {
            return Err(shutdown_error());
        }
        Ok(ev)
    }

    pub(crate) fn clear_readiness(&self, ev: ReadyEvent) {
        self.registration.scheduled_io().clear_readiness(ev);
    }

    /// `poll_*` path: waits in the `direction` slot and retries `f` until it does not block.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let ev = ready!(self.poll_ready(cx, direction))?;
            match f(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                res => return Poll::Ready(res),
            }
        }
    }

    /// `poll_read`. A read that returns fewer bytes than asked drained the socket, so read
    /// readiness is cleared right away instead of paying one more `read` that only returns
    /// `WouldBlock` (one system call per message on a request/response connection). This is
    /// done only when the reactor reports `READ_CLOSED` on its own (mio, with `EPOLLRDHUP`):
    /// an end of stream that arrived together with the data then survives the clear as the
    /// sticky `READ_CLOSED` bit. With a reactor that does not (polling), the FIN shares the
    /// data's edge and would be lost, so there readiness is cleared only after `WouldBlock`.
    /// The clear is tick-checked like every other, so data arriving meanwhile is not lost.
    pub(crate) fn poll_read_with(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        mut f: impl FnMut(&E, &mut [u8]) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let short_read_clears = self.handle.reports_read_closed();
        loop {
            let ev = ready!(self.poll_ready(cx, Direction::Read))?;
            match f(self.get_ref(), buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                Ok(n) if short_read_clears && n > 0 && n < len => {
                    self.clear_readiness(ev);
                    return Poll::Ready(Ok(n));
                }
                res => return Poll::Ready(res),
            }
        }
    }

    /// `async` path: waits in the waiter list and retries `f` until it does not block.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let ev = self.readiness(interest).await?;
            match f(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                res => return res,
            }
        }
    }

    /// Non-waiting path: `WouldBlock` unless the cell says `interest` is ready.
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        let ev = self.registration.scheduled_io().readiness(interest);
        if ev.is_shutdown() {
            return Err(shutdown_error());
        }
        if ev.ready().is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        match f(self.get_ref()) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_readiness(ev);
                Err(e)
            }
            res => res,
        }
    }
}

impl<E: AsRawFd> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Deregister before the fd is closed (by dropping `io`); an error here (reactor
            // gone) leaves nothing to clean up.
            let _ = self.handle.deregister(borrow(&io), &self.registration);
            drop(io);
        }
    }
}
