use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use weft_core::io::Interest;

use super::UnixStream;
use crate::net::poll_evented::PollEvented;

/// A Unix-domain socket server.
///
/// ```
/// use weft::net::{UnixListener, UnixStream};
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("weft-doc-l-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("sock");
/// # let _ = std::fs::remove_file(&path);
/// let l = UnixListener::bind(&path)?;
/// let _c = UnixStream::connect(&path).await?;
/// let (_s, _addr) = l.accept().await?;
/// std::fs::remove_dir_all(&dir)?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Binds to the filesystem path `path` (which must not exist yet).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-b-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::bind(&path)?;
    /// assert_eq!(l.local_addr()?.as_pathname(), Some(path.as_path()));
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        UnixListener::new(mio::net::UnixListener::bind(path)?)
    }

    fn new(l: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::with_interest(l, Interest::READABLE)?,
        })
    }

    /// Wraps a std listener (switching it to non-blocking mode).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-fs-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path)?)?;
    /// # drop(l); std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(mio::net::UnixListener::from_std(listener))
    }

    /// Deregisters and returns the std listener (still non-blocking).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-is-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::bind(&path)?.into_std()?;
    /// # drop(l); std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        let fd = self.io.into_inner()?.into_raw_fd();
        // SAFETY: `fd` was just released by the mio listener that owned it.
        Ok(unsafe { std::os::unix::net::UnixListener::from_raw_fd(fd) })
    }

    /// Waits for a connection. Errors from `accept(2)` (including `EMFILE`) come back at once.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-a-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::bind(&path)?;
    /// let _c = weft::net::UnixStream::connect(&path).await?;
    /// let (_s, addr) = l.accept().await?;
    /// assert!(addr.is_unnamed());
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (s, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((UnixStream::from_mio(s)?, addr))
    }

    /// The local address.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("weft-doc-la-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let l = weft::net::UnixListener::bind(&path)?;
    /// assert!(l.local_addr()?.as_pathname().is_some());
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

crate::net::impl_as_fd!(UnixListener);
