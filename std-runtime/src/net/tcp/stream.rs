use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::sync::Arc;

use weft_core::io::Interest;

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::poll_evented::PollEvented;
use crate::net::{each_addr, impl_async_read, impl_async_write, inherent_stream_methods};

/// A TCP connection.
///
/// Read and write with the inherent methods, [`AsyncReadExt`](crate::io::AsyncReadExt) /
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt), or any `futures-io` extension trait; split it
/// with [`split`](Self::split) (borrowed halves) or [`into_split`](Self::into_split) (owned
/// halves, for two tasks).
///
/// ```
/// use weft::net::{TcpListener, TcpStream};
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = TcpListener::bind("127.0.0.1:0").await?;
/// let mut a = TcpStream::connect(l.local_addr()?).await?;
/// let (mut b, _) = l.accept().await?;
/// a.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each resolved address in turn.
    ///
    /// A refused connection is an error of kind `ConnectionRefused`.
    ///
    /// ```
    /// use weft::net::{TcpListener, TcpStream};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = l.local_addr()?;
    /// let s = TcpStream::connect(addr).await?;
    /// assert_eq!(s.peer_addr()?, addr);
    /// drop(l); // nobody listens any more
    /// let err = TcpStream::connect(addr).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(addr, TcpStream::connect_addr).await
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(mio::net::TcpStream::connect(addr)?)?;
        loop {
            let ev = stream.io.readiness(Interest::WRITABLE).await?;
            if let Some(e) = stream.io.get_ref().take_error()? {
                return Err(e);
            }
            match stream.io.get_ref().peer_addr() {
                Ok(_) => return Ok(stream),
                // Spurious wake-up: the handshake is still in flight.
                Err(e) if e.kind() == io::ErrorKind::NotConnected => stream.io.clear_readiness(ev),
                Err(e) => return Err(e),
            }
        }
    }

    pub(crate) fn from_mio(s: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a connected std stream (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let s = std::net::TcpStream::connect(l.local_addr()?)?;
    /// let s = weft::net::TcpStream::from_std(s)?;
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters and returns the std stream (still in non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let s: std::net::TcpStream = s.into_std()?;
    /// s.set_nonblocking(false)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio stream that owned it.
        Ok(unsafe { std::net::TcpStream::from_raw_fd(fd) })
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// assert!(s.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// assert_eq!(s.peer_addr()?, l.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// s.set_nodelay(true)?;
    /// assert!(s.nodelay()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// `TCP_NODELAY`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// assert!(!s.nodelay()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// s.set_ttl(60)?;
    /// assert_eq!(s.ttl()?, 60);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `IP_TTL`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// assert!(s.ttl()? > 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the read, write or both halves (`shutdown(2)`); see also
    /// [`AsyncWriteExt::shutdown`](crate::io::AsyncWriteExt::shutdown).
    ///
    /// ```
    /// use std::net::Shutdown;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let a = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let (mut b, _) = l.accept().await?;
    /// a.shutdown_std(Shutdown::Write)?;
    /// let mut buf = [0u8; 1];
    /// assert_eq!(b.read(&mut buf).await?, 0); // end of stream
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Takes the pending socket error (`SO_ERROR`).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// assert!(s.take_error()?.is_none());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Receives data without removing it from the queue (`MSG_PEEK`).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let (mut b, _) = l.accept().await?;
    /// a.write_all(b"abc").await?;
    /// let mut buf = [0u8; 3];
    /// let n = b.peek(&mut buf).await?;
    /// b.read_exact(&mut buf[..n]).await?; // still there
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Splits into a borrowed read half and write half, usable concurrently (for example in
    /// `join!`) without any locking.
    ///
    /// ```
    /// use weft::io::{AsyncReadExt, AsyncWriteExt};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let (mut b, _) = l.accept().await?;
    /// let (mut rd, mut wr) = b.split();
    /// a.write_all(b"hi").await?;
    /// let mut buf = [0u8; 2];
    /// rd.read_exact(&mut buf).await?;
    /// wr.write_all(&buf).await?; // echo
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(self), WriteHalf(self))
    }

    /// Splits into owned halves that can move to different tasks. Dropping the write half
    /// shuts the write direction down; [`OwnedReadHalf::reunite`] puts the stream back
    /// together.
    ///
    /// ```
    /// use weft::io::{AsyncReadExt, AsyncWriteExt};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let a = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let (mut b, _) = l.accept().await?;
    /// let (mut rd, mut wr) = a.into_split();
    /// wr.write_all(b"x").await?;
    /// drop(wr); // FIN
    /// let mut got = Vec::new();
    /// b.read_to_end(&mut got).await?;
    /// assert_eq!(got, b"x");
    /// # let _ = &mut rd;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let shared = Arc::new(self);
        (
            OwnedReadHalf::new(shared.clone()),
            OwnedWriteHalf::new(shared),
        )
    }

    crate::net::readiness_methods!(
        " # let l = weft::net::TcpListener::bind(\"127.0.0.1:0\").await?; \
         let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?; \
         let (mut b, _) = l.accept().await?;",
        " a.write_all(b\"x\").await?;"
    );

    crate::net::try_read_write_methods!(
        " # let l = weft::net::TcpListener::bind(\"127.0.0.1:0\").await?; \
         let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?; \
         let (mut b, _) = l.accept().await?;"
    );

    inherent_stream_methods!(
        " # let l = weft::net::TcpListener::bind(\"127.0.0.1:0\").await?; \
         let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?; \
         let (mut b, _) = l.accept().await?;"
    );

    crate::net::stream_poll_methods!();
}

impl_async_read!(TcpStream, this => this);
impl_async_write!(TcpStream, this => this);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(TcpStream);

impl TryFrom<std::net::TcpStream> for TcpStream {
    type Error = io::Error;
    fn try_from(s: std::net::TcpStream) -> io::Result<Self> {
        TcpStream::from_std(s)
    }
}
