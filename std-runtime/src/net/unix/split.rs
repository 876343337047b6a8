//! The halves of a split [`UnixStream`]; see the TCP halves for the design.

use std::sync::Arc;

use super::UnixStream;
use crate::net::{impl_async_read, impl_async_write};

/// The read half of [`UnixStream::split`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = weft::net::UnixStream::pair()?;
/// a.write_all(b"x").await?;
/// let (mut rd, _wr) = b.split();
/// rd.read_exact(&mut [0u8; 1]).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct ReadHalf<'a>(pub(super) &'a UnixStream);

/// The write half of [`UnixStream::split`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, _b) = weft::net::UnixStream::pair()?;
/// let (_rd, mut wr) = a.split();
/// wr.write_all(b"x").await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct WriteHalf<'a>(pub(super) &'a UnixStream);

/// The owned read half of [`UnixStream::into_split`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, b) = weft::net::UnixStream::pair()?;
/// let (mut rd, _wr) = b.into_split();
/// a.write_all(b"x").await?;
/// rd.read_exact(&mut [0u8; 1]).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct OwnedReadHalf {
    inner: Arc<UnixStream>,
}

/// The owned write half of [`UnixStream::into_split`]; dropping it shuts the write side down.
///
/// ```
/// use weft::io::AsyncWriteExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, _b) = weft::net::UnixStream::pair()?;
/// let (_rd, mut wr) = a.into_split();
/// wr.write_all(b"x").await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct OwnedWriteHalf {
    inner: Arc<UnixStream>,
}

impl OwnedReadHalf {
    pub(super) fn new(inner: Arc<UnixStream>) -> Self {
        OwnedReadHalf { inner }
    }
}

impl OwnedWriteHalf {
    pub(super) fn new(inner: Arc<UnixStream>) -> Self {
        OwnedWriteHalf { inner }
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        let _ = self.inner.shutdown_write_priv();
    }
}

impl_async_read!(ReadHalf<'_>, this => this.0);
impl_async_write!(WriteHalf<'_>, this => this.0);
impl_async_read!(OwnedReadHalf, this => this.inner);
impl_async_write!(OwnedWriteHalf, this => this.inner);

crate::net::impl_debug_opaque!(ReadHalf<'_>, WriteHalf<'_>, OwnedReadHalf, OwnedWriteHalf);
