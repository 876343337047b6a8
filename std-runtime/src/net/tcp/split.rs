//! The halves of a split [`TcpStream`]: borrowed ([`ReadHalf`], [`WriteHalf`]) and owned
//! ([`OwnedReadHalf`], [`OwnedWriteHalf`], sharing the stream through an `Arc`). No lock is
//! needed: the socket's reactor cell keeps one waker per direction, and each half uses only
//! its own direction.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use super::TcpStream;
use crate::net::{impl_async_read, impl_async_write};

/// The read half of [`TcpStream::split`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let (mut b, _) = l.accept().await?;
/// a.write_all(b"x").await?;
/// let (mut rd, _wr) = b.split();
/// let mut buf = [0u8; 1];
/// rd.read_exact(&mut buf).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct ReadHalf<'a>(pub(super) &'a TcpStream);

/// The write half of [`TcpStream::split`]; shutting it down shuts the stream's write side.
///
/// ```
/// use weft::io::AsyncWriteExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let (_rd, mut wr) = a.split();
/// wr.write_all(b"x").await?;
/// wr.shutdown().await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct WriteHalf<'a>(pub(super) &'a TcpStream);

impl_async_read!(ReadHalf<'_>, this => this.0);
impl_async_write!(WriteHalf<'_>, this => this.0);

/// The owned read half of [`TcpStream::into_split`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut a = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let (b, _) = l.accept().await?;
/// let (mut rd, _wr) = b.into_split();
/// a.write_all(b"x").await?;
/// let mut buf = [0u8; 1];
/// rd.read_exact(&mut buf).await?;
/// assert_eq!(rd.peer_addr()?, a.local_addr()?);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct OwnedReadHalf {
    inner: Arc<TcpStream>,
}

/// The owned write half of [`TcpStream::into_split`]. Dropping it shuts the write side down
/// (the peer reads end of stream), unless [`forget`](Self::forget) is used.
///
/// ```
/// use weft::io::AsyncWriteExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
/// let a = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let (_rd, mut wr) = a.into_split();
/// wr.write_all(b"x").await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct OwnedWriteHalf {
    inner: Arc<TcpStream>,
    shutdown_on_drop: bool,
}

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams; both are
/// handed back.
///
/// ```
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
/// let a = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let b = weft::net::TcpStream::connect(l.local_addr()?).await?;
/// let (ra, _wa) = a.into_split();
/// let (_rb, wb) = b.into_split();
/// let err: weft::net::tcp::ReuniteError = ra.reunite(wb).unwrap_err();
/// assert!(err.to_string().contains("not from the same"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same TcpStream")
    }
}

impl std::error::Error for ReuniteError {}

impl OwnedReadHalf {
    pub(super) fn new(inner: Arc<TcpStream>) -> Self {
        OwnedReadHalf { inner }
    }

    /// Puts the stream back together; fails if `other` came from another stream.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let s = weft::net::TcpStream::connect(l.local_addr()?).await?;
    /// let (rd, wr) = s.into_split();
    /// let s: weft::net::TcpStream = rd.reunite(wr).unwrap();
    /// # let _ = s; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        let mut other = other;
        other.shutdown_on_drop = false;
        let inner = other.inner.clone();
        drop(other);
        drop(self);
        Ok(Arc::try_unwrap(inner).expect("both halves were just dropped"))
    }

    /// The remote address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (rd, _wr) = weft::net::TcpStream::connect(l.local_addr()?).await?.into_split();
    /// assert_eq!(rd.peer_addr()?, l.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (rd, _wr) = weft::net::TcpStream::connect(l.local_addr()?).await?.into_split();
    /// assert!(rd.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl OwnedWriteHalf {
    pub(super) fn new(inner: Arc<TcpStream>) -> Self {
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        }
    }

    /// Drops the half without shutting the write side down.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_rd, wr) = weft::net::TcpStream::connect(l.local_addr()?).await?.into_split();
    /// wr.forget();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }

    /// The remote address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_rd, wr) = weft::net::TcpStream::connect(l.local_addr()?).await?.into_split();
    /// assert_eq!(wr.peer_addr()?, l.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_rd, wr) = weft::net::TcpStream::connect(l.local_addr()?).await?.into_split();
    /// assert!(wr.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_write_priv();
        }
    }
}

impl_async_read!(OwnedReadHalf, this => this.inner);
impl_async_write!(OwnedWriteHalf, this => this.inner);

crate::net::impl_debug_opaque!(ReadHalf<'_>, WriteHalf<'_>, OwnedReadHalf, OwnedWriteHalf);
