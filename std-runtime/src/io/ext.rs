//! Extension traits with `async` convenience methods, and the futures they return.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::{AsyncBufRead, AsyncRead, AsyncWrite};

/// `async` methods for every [`AsyncRead`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let mut src: &[u8] = b"hello world";
/// let mut word = [0u8; 5];
/// src.read_exact(&mut word).await?;
/// let mut rest = String::new();
/// src.read_to_string(&mut rest).await?;
/// assert_eq!((&word, rest.as_str()), (b"hello", " world"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` at end of stream.
    ///
    /// ```
    /// use weft::io::AsyncReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut buf = [0u8; 8];
    /// assert_eq!((&b"abc"[..]).read(&mut buf).await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        Read { reader: self, buf }
    }

    /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the stream ends first.
    ///
    /// ```
    /// use weft::io::AsyncReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut buf = [0u8; 4];
    /// let err = (&b"abc"[..]).read_exact(&mut buf).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    /// # }) ;
    /// ```
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            reader: self,
            buf,
            filled: 0,
        }
    }

    /// Reads until end of stream, appending to `buf`; returns the number of bytes read.
    ///
    /// ```
    /// use weft::io::AsyncReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut v = Vec::new();
    /// assert_eq!((&b"abc"[..]).read_to_end(&mut v).await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        ReadToEnd {
            reader: self,
            buf,
            read: 0,
        }
    }

    /// Reads until end of stream, appending UTF-8 text to `buf`.
    ///
    /// ```
    /// use weft::io::AsyncReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut s = String::new();
    /// (&b"abc"[..]).read_to_string(&mut s).await?;
    /// assert_eq!(s, "abc");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        ReadToString {
            reader: self,
            buf,
            bytes: Vec::new(),
        }
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// `async` methods for every [`AsyncWrite`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let mut out = Vec::new();
/// out.write_all(b"abc").await?;
/// out.flush().await?;
/// assert_eq!(out, b"abc");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some bytes of `buf`, returning how many.
    ///
    /// ```
    /// use weft::io::AsyncWriteExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut out = Vec::new();
    /// assert_eq!(out.write(b"abc").await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> Write<'a, Self>
    where
        Self: Unpin,
    {
        Write { writer: self, buf }
    }

    /// Writes all of `buf`; `WriteZero` if the writer stops accepting bytes.
    ///
    /// ```
    /// use weft::io::AsyncWriteExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut out = Vec::new();
    /// out.write_all(b"abc").await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll { writer: self, buf }
    }

    /// Flushes buffered data.
    ///
    /// ```
    /// use weft::io::AsyncWriteExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// Vec::new().flush().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { writer: self }
    }

    /// Flushes and shuts down the write side (a TCP stream sends FIN).
    ///
    /// ```
    /// use weft::io::AsyncWriteExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// Vec::new().shutdown().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn shutdown(&mut self) -> Shutdown<'_, Self>
    where
        Self: Unpin,
    {
        Shutdown { writer: self }
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// `async` methods for every [`AsyncBufRead`].
///
/// ```
/// use weft::io::AsyncBufReadExt;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let mut src: &[u8] = b"one\ntwo\n";
/// let mut line = String::new();
/// src.read_line(&mut line).await?;
/// assert_eq!(line, "one\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Reads up to and including `byte` (or end of stream), appending to `buf`; returns the
    /// number of bytes read (0 at end of stream).
    ///
    /// ```
    /// use weft::io::AsyncBufReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut v = Vec::new();
    /// assert_eq!((&b"a,b"[..]).read_until(b',', &mut v).await?, 2);
    /// assert_eq!(v, b"a,");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntil<'a, Self>
    where
        Self: Unpin,
    {
        ReadUntil {
            reader: self,
            byte,
            buf,
            read: 0,
        }
    }

    /// Reads one line (up to and including `\n`) of UTF-8 text, appending it to `buf`;
    /// returns the number of bytes read (0 at end of stream).
    ///
    /// ```
    /// use weft::io::AsyncBufReadExt;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut line = String::new();
    /// assert_eq!((&b"last"[..]).read_line(&mut line).await?, 4);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        ReadLine {
            reader: self,
            buf,
            bytes: Vec::new(),
            read: 0,
        }
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

macro_rules! future_debug {
    ($name:ident, $field:ident) => {
        impl<T: ?Sized> std::fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

/// Future of [`AsyncReadExt::read`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// let mut src: &[u8] = b"x";
/// let mut buf = [0u8; 1];
/// let _fut: weft::io::Read<'_, &[u8]> = src.read(&mut buf);
/// ```
pub struct Read<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
}
future_debug!(Read, reader);

impl<R: AsyncRead + Unpin + ?Sized> Future for Read<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Pin::new(&mut *this.reader).poll_read(cx, this.buf)
    }
}

/// Future of [`AsyncReadExt::read_exact`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// let mut buf = [0u8; 1];
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::ReadExact<'_, &[u8]> = src.read_exact(&mut buf);
/// ```
pub struct ReadExact<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
    filled: usize,
}
future_debug!(ReadExact, reader);

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        while this.filled < this.buf.len() {
            let n =
                ready!(Pin::new(&mut *this.reader).poll_read(cx, &mut this.buf[this.filled..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            this.filled += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncReadExt::read_to_end`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// let mut v = Vec::new();
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::ReadToEnd<'_, &[u8]> = src.read_to_end(&mut v);
/// ```
pub struct ReadToEnd<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut Vec<u8>,
    read: usize,
}
future_debug!(ReadToEnd, reader);

/// Size of the chunk `read_to_end` grows the vector by when it is full: one typical socket
/// read; small enough not to over-allocate for short streams.
const READ_TO_END_CHUNK: usize = 4096;

fn poll_read_to_end<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    read: &mut usize,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    loop {
        let len = buf.len();
        buf.resize(len + READ_TO_END_CHUNK, 0);
        let res = Pin::new(&mut *reader).poll_read(cx, &mut buf[len..]);
        match res {
            Poll::Ready(Ok(0)) => {
                buf.truncate(len);
                return Poll::Ready(Ok(std::mem::take(read)));
            }
            Poll::Ready(Ok(n)) => {
                buf.truncate(len + n);
                *read += n;
            }
            Poll::Ready(Err(e)) => {
                buf.truncate(len);
                return Poll::Ready(Err(e));
            }
            Poll::Pending => {
                buf.truncate(len);
                return Poll::Pending;
            }
        }
    }
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToEnd<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        poll_read_to_end(this.reader, this.buf, &mut this.read, cx)
    }
}

/// Future of [`AsyncReadExt::read_to_string`].
///
/// ```
/// use weft::io::AsyncReadExt;
/// let mut s = String::new();
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::ReadToString<'_, &[u8]> = src.read_to_string(&mut s);
/// ```
pub struct ReadToString<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut String,
    bytes: Vec<u8>,
}
future_debug!(ReadToString, reader);

fn invalid_utf8() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToString<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut read = 0;
        let res = ready!(poll_read_to_end(
            this.reader,
            &mut this.bytes,
            &mut read,
            cx
        ));
        let n = res?;
        let s = std::str::from_utf8(&this.bytes).map_err(|_| invalid_utf8())?;
        this.buf.push_str(s);
        this.bytes.clear();
        Poll::Ready(Ok(n))
    }
}

/// Future of [`AsyncWriteExt::write`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// let mut out = Vec::new();
/// let _fut: weft::io::Write<'_, Vec<u8>> = out.write(b"x");
/// ```
pub struct Write<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}
future_debug!(Write, writer);

impl<W: AsyncWrite + Unpin + ?Sized> Future for Write<'_, W> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Pin::new(&mut *this.writer).poll_write(cx, this.buf)
    }
}

/// Future of [`AsyncWriteExt::write_all`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// let mut out = Vec::new();
/// let _fut: weft::io::WriteAll<'_, Vec<u8>> = out.write_all(b"x");
/// ```
pub struct WriteAll<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}
future_debug!(WriteAll, writer);

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        while !this.buf.is_empty() {
            let n = ready!(Pin::new(&mut *this.writer).poll_write(cx, this.buf))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            this.buf = &this.buf[n..];
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncWriteExt::flush`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// let mut out = Vec::new();
/// let _fut: weft::io::Flush<'_, Vec<u8>> = out.flush();
/// ```
pub struct Flush<'a, W: ?Sized> {
    writer: &'a mut W,
}
future_debug!(Flush, writer);

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_flush(cx)
    }
}

/// Future of [`AsyncWriteExt::shutdown`].
///
/// ```
/// use weft::io::AsyncWriteExt;
/// let mut out = Vec::new();
/// let _fut: weft::io::Shutdown<'_, Vec<u8>> = out.shutdown();
/// ```
pub struct Shutdown<'a, W: ?Sized> {
    writer: &'a mut W,
}
future_debug!(Shutdown, writer);

impl<W: AsyncWrite + Unpin + ?Sized> Future for Shutdown<'_, W> {
    type Output = io::Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_shutdown(cx)
    }
}

/// Future of [`AsyncBufReadExt::read_until`].
///
/// ```
/// use weft::io::AsyncBufReadExt;
/// let mut v = Vec::new();
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::ReadUntil<'_, &[u8]> = src.read_until(b'\n', &mut v);
/// ```
pub struct ReadUntil<'a, R: ?Sized> {
    reader: &'a mut R,
    byte: u8,
    buf: &'a mut Vec<u8>,
    read: usize,
}
future_debug!(ReadUntil, reader);

fn poll_read_until<R: AsyncBufRead + Unpin + ?Sized>(
    reader: &mut R,
    byte: u8,
    buf: &mut Vec<u8>,
    read: &mut usize,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    loop {
        let (done, used) = {
            let available = ready!(Pin::new(&mut *reader).poll_fill_buf(cx))?;
            match available.iter().position(|b| *b == byte) {
                Some(i) => {
                    buf.extend_from_slice(&available[..=i]);
                    (true, i + 1)
                }
                None => {
                    buf.extend_from_slice(available);
                    (available.is_empty(), available.len())
                }
            }
        };
        Pin::new(&mut *reader).consume(used);
        *read += used;
        if done {
            return Poll::Ready(Ok(std::mem::take(read)));
        }
    }
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadUntil<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        poll_read_until(this.reader, this.byte, this.buf, &mut this.read, cx)
    }
}

/// Future of [`AsyncBufReadExt::read_line`].
///
/// ```
/// use weft::io::AsyncBufReadExt;
/// let mut s = String::new();
/// let mut src: &[u8] = b"x";
/// let _fut: weft::io::ReadLine<'_, &[u8]> = src.read_line(&mut s);
/// ```
pub struct ReadLine<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut String,
    bytes: Vec<u8>,
    read: usize,
}
future_debug!(ReadLine, reader);

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let n = ready!(poll_read_until(
            this.reader,
            b'\n',
            &mut this.bytes,
            &mut this.read,
            cx
        ))?;
        let s = std::str::from_utf8(&this.bytes).map_err(|_| invalid_utf8())?;
        this.buf.push_str(s);
        this.bytes.clear();
        Poll::Ready(Ok(n))
    }
}
