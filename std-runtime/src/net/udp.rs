//! [`UdpSocket`].

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::task::{Context, Poll};

use weft_core::io::{Direction, Interest};

use super::each_addr;
use super::poll_evented::PollEvented;

/// A UDP socket.
///
/// All methods take `&self`, so one socket can be shared (`Arc<UdpSocket>`) by a sending and
/// any number of receiving tasks; each `async` method queues its task on the socket.
///
/// ```
/// use weft::net::UdpSocket;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"hello", b.local_addr()?).await?;
/// let mut buf = [0u8; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"hello"[..], a.local_addr()?));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (each resolved address is tried in turn).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_ne!(s.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(addr, |a| async move {
            UdpSocket::new(mio::net::UdpSocket::bind(a)?)
        })
        .await
    }

    fn new(s: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a std socket (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let s = weft::net::UdpSocket::from_std(s)?;
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters and returns the std socket (still in non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let s: std::net::UdpSocket = s.into_std()?;
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio socket that owned it.
        Ok(unsafe { std::net::UdpSocket::from_raw_fd(fd) })
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(s.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address given to [`connect`](Self::connect).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets the default destination for [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// b.connect(a.local_addr()?).await?;
    /// a.send(b"x").await?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(b.recv(&mut buf).await?, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        each_addr(addr, |a| async move { self.io.get_ref().connect(a) }).await
    }

    /// Sends `buf` to the connected peer.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.send(b"abc").await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer into `buf` (excess bytes are dropped).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// b.connect(a.local_addr()?).await?;
    /// a.send_to(b"hi", b.local_addr()?).await?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(b.recv(&mut buf).await?, 2);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends `buf` to `target`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_eq!(a.send_to(b"x", a.local_addr()?).await?, 1); // to itself
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        each_addr(target, |a| {
            self.io
                .async_io(Interest::WRITABLE, move |s| s.send_to(buf, a))
        })
        .await
    }

    /// Receives one datagram and its source address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"me", a.local_addr()?).await?;
    /// let mut buf = [0u8; 8];
    /// let (n, from) = a.recv_from(&mut buf).await?;
    /// assert_eq!((n, from), (2, a.local_addr()?));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Receives a datagram without removing it from the queue.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"p", a.local_addr()?).await?;
    /// let mut buf = [0u8; 8];
    /// a.peek_from(&mut buf).await?;
    /// assert_eq!(a.recv_from(&mut buf).await?.0, 1); // still queued
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.peek_from(buf))
            .await
    }

    /// Polls to receive a datagram and its source (one waiting task through this method).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"p", a.local_addr()?).await?;
    /// let mut buf = [0u8; 8];
    /// let (n, _) = poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_io(cx, Direction::Read, |s| s.recv_from(buf))
    }

    /// Polls to send a datagram to `target` (one waiting task through this method).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let to = a.local_addr()?;
    /// assert_eq!(poll_fn(|cx| a.poll_send_to(cx, b"x", to)).await?, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |s| s.send_to(buf, target))
    }

    crate::net::readiness_methods!(
        " let a = weft::net::UdpSocket::bind(\"127.0.0.1:0\").await?; \
         let b = weft::net::UdpSocket::bind(\"127.0.0.1:0\").await?; \
         a.connect(b.local_addr()?).await?;",
        " a.send(b\"x\").await?;"
    );

    /// Receives without waiting: `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let e = a.try_recv_from(&mut [0u8; 4]).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Sends without waiting: `WouldBlock` if the socket buffer is full.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.writable().await?;
    /// a.try_send_to(b"x", a.local_addr()?)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Sets `SO_BROADCAST`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.set_broadcast(false)?;
    /// assert!(!a.broadcast()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `SO_BROADCAST`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(!a.broadcast()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = weft::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(a.take_error()?.is_none());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(UdpSocket);
