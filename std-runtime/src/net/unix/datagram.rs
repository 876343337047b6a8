use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use weft_core::io::Interest;

use crate::net::poll_evented::PollEvented;

/// A Unix-domain datagram socket. All methods take `&self`.
///
/// ```
/// use weft::net::UnixDatagram;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"hello").await?;
/// let mut buf = [0u8; 16];
/// assert_eq!(b.recv(&mut buf).await?, 5);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to the filesystem path `path`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-d-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let d = weft::net::UnixDatagram::bind(&path)?;
    /// let u = weft::net::UnixDatagram::unbound()?;
    /// u.send_to(b"x", &path).await?;
    /// let mut buf = [0u8; 4];
    /// assert_eq!(d.recv_from(&mut buf).await?.0, 1);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::bind(path)?)
    }

    /// A socket bound to no address (it can send with [`send_to`](Self::send_to)).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let u = weft::net::UnixDatagram::unbound()?;
    /// assert!(u.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of unnamed sockets.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = weft::net::UnixDatagram::pair()?;
    /// b.send(b"x").await?;
    /// assert_eq!(a.recv(&mut [0u8; 2]).await?, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    fn new(s: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a std socket (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = std::os::unix::net::UnixDatagram::unbound()?;
    /// let s = weft::net::UnixDatagram::from_std(s)?;
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters and returns the std socket (still non-blocking).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = weft::net::UnixDatagram::unbound()?.into_std()?;
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio socket that owned it.
        Ok(unsafe { std::os::unix::net::UnixDatagram::from_raw_fd(fd) })
    }

    /// Connects to the socket bound at `path` (default destination and only accepted source).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-dc-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let d = weft::net::UnixDatagram::bind(&path)?;
    /// let u = weft::net::UnixDatagram::unbound()?;
    /// u.connect(&path)?;
    /// u.send(b"x").await?;
    /// assert_eq!(d.recv(&mut [0u8; 2]).await?, 1);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn connect<P: AsRef<Path>>(&self, path: P) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends to the connected peer.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixDatagram::pair()?;
    /// assert_eq!(a.send(b"abc").await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives one datagram.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = weft::net::UnixDatagram::pair()?;
    /// a.send(b"abc").await?;
    /// assert_eq!(b.recv(&mut [0u8; 8]).await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends to the socket bound at `path`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-st-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let d = weft::net::UnixDatagram::bind(&path)?;
    /// weft::net::UnixDatagram::unbound()?.send_to(b"x", &path).await?;
    /// # drop(d);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn send_to<P: AsRef<Path>>(&self, buf: &[u8], path: P) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, path))
            .await
    }

    /// Receives one datagram and the sender's address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = weft::net::UnixDatagram::pair()?;
    /// a.send(b"x").await?;
    /// let (n, from) = b.recv_from(&mut [0u8; 4]).await?;
    /// assert!(n == 1 && from.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    crate::net::readiness_methods!(
        " let (a, b) = weft::net::UnixDatagram::pair()?;",
        " a.send(b\"x\").await?;"
    );

    /// Receives without waiting: `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixDatagram::pair()?;
    /// assert_eq!(a.try_recv(&mut [0u8; 1]).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixDatagram::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixDatagram::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(UnixDatagram);
