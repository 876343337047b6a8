//! [`copy`]: pump a reader into a writer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::{AsyncRead, AsyncWrite};

/// Buffer size of [`copy`]: 8 KiB, like `std::io::copy`.
const COPY_BUF: usize = 8 * 1024;

/// Copies everything `reader` yields into `writer` until end of stream, then flushes;
/// resolves to the number of bytes copied. The heart of an echo server.
///
/// ```
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let mut out = Vec::new();
/// let n = weft::io::copy(&mut &b"hello"[..], &mut out).await?;
/// assert_eq!((n, out.as_slice()), (5, &b"hello"[..]));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn copy<'a, R, W>(reader: &'a mut R, writer: &'a mut W) -> Copy<'a, R, W>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    Copy {
        reader,
        writer,
        buf: vec![0; COPY_BUF].into_boxed_slice(),
        pos: 0,
        cap: 0,
        done: false,
        total: 0,
    }
}

/// Future of [`copy`].
///
/// ```
/// let mut out = Vec::new();
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::Copy<'_, &[u8], Vec<u8>> = weft::io::copy(&mut src, &mut out);
/// ```
pub struct Copy<'a, R: ?Sized, W: ?Sized> {
    reader: &'a mut R,
    writer: &'a mut W,
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    done: bool,
    total: u64,
}

impl<R: ?Sized, W: ?Sized> std::fmt::Debug for Copy<'_, R, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copy")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<R, W> Future for Copy<'_, R, W>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            if this.pos == this.cap && !this.done {
                let n = ready!(Pin::new(&mut *this.reader).poll_read(cx, &mut this.buf))?;
                if n == 0 {
                    this.done = true;
                } else {
                    this.pos = 0;
                    this.cap = n;
                }
            }
            while this.pos < this.cap {
                let n = ready!(
                    Pin::new(&mut *this.writer).poll_write(cx, &this.buf[this.pos..this.cap])
                )?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                this.pos += n;
                this.total += n as u64;
            }
            if this.done {
                ready!(Pin::new(&mut *this.writer).poll_flush(cx))?;
                return Poll::Ready(Ok(this.total));
            }
        }
    }
}
