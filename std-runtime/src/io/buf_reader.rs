//! [`BufReader`]: adds a buffer to any [`AsyncRead`].

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::{AsyncBufRead, AsyncRead, AsyncWrite};

/// Default buffer size: 8 KiB, the same as `std::io::BufReader`, enough for a few MTU-sized
/// TCP segments per read.
const DEFAULT_CAPACITY: usize = 8 * 1024;

/// Adds a buffer to a reader so it can be read line by line ([`AsyncBufRead`]). Writes pass
/// straight through to the inner object.
///
/// ```
/// use weft::io::{AsyncBufReadExt, BufReader};
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let mut r = BufReader::new(&b"a\nb\n"[..]);
/// let mut line = String::new();
/// r.read_line(&mut line).await?;
/// r.read_line(&mut line).await?;
/// assert_eq!(line, "a\nb\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct BufReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
}

impl<R: AsyncRead> BufReader<R> {
    /// Wraps `inner` with an 8 KiB buffer.
    ///
    /// ```
    /// let r = weft::io::BufReader::new(&b""[..]);
    /// assert!(r.buffer().is_empty());
    /// ```
    pub fn new(inner: R) -> Self {
        Self::with_capacity(DEFAULT_CAPACITY, inner)
    }

    /// Wraps `inner` with a buffer of `capacity` bytes.
    ///
    /// ```
    /// let r = weft::io::BufReader::with_capacity(16, &b""[..]);
    /// # let _ = r;
    /// ```
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        BufReader {
            inner,
            buf: vec![0; capacity.max(1)].into_boxed_slice(),
            pos: 0,
            filled: 0,
        }
    }
}

impl<R> BufReader<R> {
    /// The inner reader.
    ///
    /// ```
    /// let r = weft::io::BufReader::new(&b"x"[..]);
    /// assert_eq!(*r.get_ref(), b"x");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably (reading from it directly skips the buffer).
    ///
    /// ```
    /// let mut r = weft::io::BufReader::new(&b"x"[..]);
    /// let _inner: &mut &[u8] = r.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The buffered, not yet consumed bytes.
    ///
    /// ```
    /// let r = weft::io::BufReader::new(&b"x"[..]);
    /// assert!(r.buffer().is_empty()); // nothing read yet
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.filled]
    }

    /// Unwraps the reader; buffered data is lost.
    ///
    /// ```
    /// let r = weft::io::BufReader::new(&b"x"[..]);
    /// assert_eq!(r.into_inner(), b"x");
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for BufReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // Large reads bypass an empty buffer.
        if this.pos == this.filled && out.len() >= this.buf.len() {
            return Pin::new(&mut this.inner).poll_read(cx, out);
        }
        let available = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        Pin::new(this).consume(n);
        Poll::Ready(Ok(n))
    }
}

impl<R: AsyncRead + Unpin> AsyncBufRead for BufReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pos >= this.filled {
            let n = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut this.buf))?;
            this.pos = 0;
            this.filled = n;
        }
        Poll::Ready(Ok(&this.buf[this.pos..this.filled]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.filled);
    }
}

impl<R: AsyncWrite + Unpin> AsyncWrite for BufReader<R> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
