use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use weft_core::io::Interest;

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::poll_evented::PollEvented;
use crate::net::{impl_async_read, impl_async_write, inherent_stream_methods};

/// A Unix-domain stream connection.
///
/// ```
/// use weft::net::UnixStream;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket bound at `path`.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-c-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::bind(&path)?;
    /// let s = weft::net::UnixStream::connect(&path).await?;
    /// assert_eq!(s.peer_addr()?.as_pathname(), Some(path.as_path()));
    /// # drop(l);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        let stream = UnixStream::from_mio(mio::net::UnixStream::connect(path)?)?;
        loop {
            let ev = stream.io.readiness(Interest::WRITABLE).await?;
            if let Some(e) = stream.io.get_ref().take_error()? {
                return Err(e);
            }
            match stream.io.get_ref().peer_addr() {
                Ok(_) => return Ok(stream),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => stream.io.clear_readiness(ev),
                Err(e) => return Err(e),
            }
        }
    }

    /// A connected pair of unnamed sockets.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = weft::net::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed() && b.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    pub(crate) fn from_mio(s: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a std stream (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = weft::net::UnixStream::from_std(a)?;
    /// # let _ = a; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters and returns the std stream (still non-blocking).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixStream::pair()?;
    /// let a: std::os::unix::net::UnixStream = a.into_std()?;
    /// # let _ = a; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio stream that owned it.
        Ok(unsafe { std::os::unix::net::UnixStream::from_raw_fd(fd) })
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixStream::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read, write or both halves.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = weft::net::UnixStream::pair()?;
    /// a.shutdown_std(std::net::Shutdown::Write)?;
    /// assert_eq!(b.read(&mut [0u8; 1]).await?, 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Takes the pending socket error (`SO_ERROR`).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = weft::net::UnixStream::pair()?;
    /// assert!(a.take_error()?.is_none());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Splits into borrowed halves.
    ///
    /// ```
    /// use weft::io::{AsyncReadExt, AsyncWriteExt};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut a, mut b) = weft::net::UnixStream::pair()?;
    /// let (mut rd, mut wr) = b.split();
    /// a.write_all(b"x").await?;
    /// let mut buf = [0u8; 1];
    /// rd.read_exact(&mut buf).await?;
    /// wr.write_all(&buf).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(self), WriteHalf(self))
    }

    /// Splits into owned halves (dropping the write half shuts the write side down).
    ///
    /// ```
    /// use weft::io::{AsyncReadExt, AsyncWriteExt};
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = weft::net::UnixStream::pair()?;
    /// let (_rd, mut wr) = a.into_split();
    /// wr.write_all(b"x").await?;
    /// drop(wr);
    /// let mut v = Vec::new();
    /// b.read_to_end(&mut v).await?;
    /// assert_eq!(v, b"x");
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
        " # let (mut a, mut b) = weft::net::UnixStream::pair()?;",
        " a.write_all(b\"x\").await?;"
    );

    crate::net::try_read_write_methods!(" # let (mut a, mut b) = weft::net::UnixStream::pair()?;");

    inherent_stream_methods!(" # let (mut a, mut b) = weft::net::UnixStream::pair()?;");

    crate::net::stream_poll_methods!();
}

impl_async_read!(UnixStream, this => this);
impl_async_write!(UnixStream, this => this);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(UnixStream);
