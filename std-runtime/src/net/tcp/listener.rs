use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::task::{ready, Context, Poll};

use weft_core::io::{Direction, Interest};

use super::TcpStream;
use crate::net::each_addr;
use crate::net::poll_evented::PollEvented;

/// A TCP socket server, listening for connections.
///
/// ```
/// use weft::net::TcpListener;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let port = listener.local_addr()?.port();
/// assert_ne!(port, 0);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
}

/// Connections the kernel queues (handshake done, not yet accepted) per listener: tokio's
/// value. `mio` (like std) listens with 128, which a burst of a few hundred simultaneous
/// connects overflows: Linux then drops SYNs (a one-second retransmit per client) or, with
/// `tcp_abort_on_overflow`, resets them — the `ConnectionReset` of `echo --check 600`. The
/// kernel caps it at `net.core.somaxconn` (4096 by default on Linux ≥ 5.4).
const LISTEN_BACKLOG: libc::c_int = 1024;

/// Re-`listen`s a listening socket with a new backlog: on Linux and the BSDs a second
/// `listen(2)` on a listening socket only updates its backlog.
fn set_backlog(l: &mio::net::TcpListener, backlog: libc::c_int) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: `l` owns a valid socket descriptor for the duration of the call.
    if unsafe { libc::listen(l.as_raw_fd(), backlog) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl TcpListener {
    /// Binds to `addr` (each resolved address is tried in turn) and starts listening, with
    /// `SO_REUSEADDR` set and a backlog of 1024.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(l.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(addr, |a| async move {
            let l = mio::net::TcpListener::bind(a)?;
            set_backlog(&l, LISTEN_BACKLOG)?;
            TcpListener::new(l)
        })
        .await
    }

    fn new(l: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::with_interest(l, Interest::READABLE)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Errors from `accept(2)` are returned as they are: when the process has run out of file
    /// descriptors (`EMFILE`/`ENFILE`) the error comes back at once, with no retry loop, so
    /// the caller decides how long to back off.
    ///
    /// ```
    /// use weft::net::{TcpListener, TcpStream};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = TcpListener::bind("127.0.0.1:0").await?;
    /// let c = TcpStream::connect(l.local_addr()?).await?;
    /// let (s, peer) = l.accept().await?;
    /// assert_eq!(peer, c.local_addr()?);
    /// assert_eq!(s.peer_addr()?, c.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (s, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((TcpStream::from_mio(s)?, addr))
    }

    /// Polls for a connection (one waiting task per listener through this method).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use weft::net::{TcpListener, TcpStream};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = TcpListener::bind("127.0.0.1:0").await?;
    /// let _c = TcpStream::connect(l.local_addr()?).await?;
    /// let (_s, _peer) = poll_fn(|cx| l.poll_accept(cx)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (s, addr) = ready!(self.io.poll_io(cx, Direction::Read, |l| l.accept()))?;
        Poll::Ready(TcpStream::from_mio(s).map(|s| (s, addr)))
    }

    /// Wraps a std listener (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let std_l = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let l = weft::net::TcpListener::from_std(std_l)?;
    /// # let _ = l; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters and returns the std listener (still in non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let std_l: std::net::TcpListener = l.into_std()?;
    /// std_l.set_nonblocking(false)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio listener that owned it.
        Ok(unsafe { std::net::TcpListener::from_raw_fd(fd) })
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(l.local_addr()?.is_ipv4());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets `IP_TTL` for accepted sockets.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// l.set_ttl(42)?;
    /// assert_eq!(l.ttl()?, 42);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `IP_TTL`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(l.ttl()? > 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(TcpListener);
