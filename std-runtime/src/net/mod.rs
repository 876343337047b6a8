//! Networking: TCP, UDP and Unix-domain sockets, and [`AsyncFd`] for any other file
//! descriptor, all driven by the runtime's reactor.
//!
//! # Design
//!
//! Each socket is a non-blocking OS socket (`mio`'s types, used only as socket wrappers)
//! registered, edge-triggered, with the reactor of the runtime it was created in
//! ([`driver::current_io`]); both the `mio` and the `polling` reactor register it by file
//! descriptor, so every type works with either. Each I/O call follows the readiness protocol
//! of [`weft_core::io`]: try the syscall; on `WouldBlock` clear the readiness *observed before
//! the attempt* (the tick makes this safe against an edge arriving during the attempt) and
//! wait for the next edge. Dropping a socket deregisters it before closing the fd. When the
//! runtime shuts its reactor down, pending and later I/O fails with an error rather than
//! hanging.
//!
//! Two ways to wait, chosen per method:
//! * `poll_*` methods and the [`AsyncRead`](crate::io::AsyncRead) /
//!   [`AsyncWrite`](crate::io::AsyncWrite) (and `futures_io`) impls keep one waker per
//!   direction, like every poll-based runtime: one reader task and one writer task per socket
//!   (split halves give exactly that).
//! * `async` methods on `&self` (`readable`, `recv`, `accept`, …) queue in an intrusive waiter
//!   list, so any number of tasks may wait on one socket.
//!
//! Errors are the OS's, as `io::Error`: a refused connection is `ConnectionRefused`, a reset
//! `ConnectionReset`, a write after the peer closed `BrokenPipe` (weft sockets never raise
//! `SIGPIPE`: Rust ignores it at startup). `accept` returns an error when the process is out
//! of file descriptors (`EMFILE`) without retrying; back off before calling it again (see the
//! chat example).
//!
//! ```
//! use weft::io::{AsyncReadExt, AsyncWriteExt};
//! use weft::net::{TcpListener, TcpStream};
//!
//! # weft::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let mut client = TcpStream::connect(listener.local_addr()?).await?;
//! let (mut server, _) = listener.accept().await?;
//! client.write_all(b"ping").await?;
//! let mut buf = [0u8; 4];
//! server.read_exact(&mut buf).await?;
//! assert_eq!(&buf, b"ping");
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

pub mod driver;
mod poll_evented;

mod async_fd;
pub mod tcp;
mod udp;
pub mod unix;

pub use async_fd::{AsyncFd, AsyncFdReadyGuard, TryIoError};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Resolves `addr` and returns the first error or runs `f` on each address until one works.
/// Name resolution through `ToSocketAddrs` blocks; IP literals (the common case) do not.
async fn each_addr<A, T, F, Fut>(addr: A, mut f: F) -> io::Result<T>
where
    A: ToSocketAddrs,
    F: FnMut(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match f(a).await {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

/// Implements weft's and `futures_io`'s `AsyncRead` for a type whose `$stream` expression
/// (with `$this` bound to `&mut Self`) has `poll_read_priv(&self, cx, buf)`.
macro_rules! impl_async_read {
    ($ty:ty, $this:ident => $stream:expr) => {
        impl crate::io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = self.get_mut();
                $stream.poll_read_priv(cx, buf)
            }
        }
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = self.get_mut();
                $stream.poll_read_priv(cx, buf)
            }
        }
    };
}

/// Implements weft's and `futures_io`'s `AsyncWrite` (shutdown/close = shut the write half)
/// for a type whose `$stream` expression has `poll_write_priv`, `poll_write_vectored_priv`
/// and `shutdown_write_priv`. The two traits differ only in the name of the closing method.
macro_rules! impl_async_write {
    ($ty:ty, $this:ident => $stream:expr) => {
        crate::net::impl_async_write!(@trait crate::io::AsyncWrite, poll_shutdown, $ty, $this => $stream);
        crate::net::impl_async_write!(@trait futures_io::AsyncWrite, poll_close, $ty, $this => $stream);
    };
    (@trait $trait:path, $close:ident, $ty:ty, $this:ident => $stream:expr) => {
        impl $trait for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = self.get_mut();
                $stream.poll_write_priv(cx, buf)
            }
            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = self.get_mut();
                $stream.poll_write_vectored_priv(cx, bufs)
            }
            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }
            fn $close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let $this = self.get_mut();
                std::task::Poll::Ready($stream.shutdown_write_priv())
            }
        }
    };
}

/// The byte-stream plumbing behind `AsyncRead`/`AsyncWrite` of a stream whose `io` field is a
/// `PollEvented` over a type with `&T: Read + Write` and `shutdown(Shutdown)` (TCP and Unix
/// streams; their split halves delegate to these).
macro_rules! stream_poll_methods {
    () => {
        pub(crate) fn poll_read_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io
                .poll_read_with(cx, buf, |s, b| std::io::Read::read(&mut &*s, b))
        }

        pub(crate) fn poll_write_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_io(cx, weft_core::io::Direction::Write, |s| {
                std::io::Write::write(&mut &*s, buf)
            })
        }

        pub(crate) fn poll_write_vectored_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_io(cx, weft_core::io::Direction::Write, |s| {
                std::io::Write::write_vectored(&mut &*s, bufs)
            })
        }

        pub(crate) fn shutdown_write_priv(&self) -> std::io::Result<()> {
            match self.io.get_ref().shutdown(std::net::Shutdown::Write) {
                // The peer already went away: the write side is as shut as it gets.
                Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
                r => r,
            }
        }
    };
}

/// A `Debug` that prints only the type name (the split halves: the stream itself is what
/// has something to show).
macro_rules! impl_debug_opaque {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}

/// `AsRawFd` and `AsFd` for a type whose `io` field is a `PollEvented`.
macro_rules! impl_as_fd {
    ($ty:ty) => {
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(self.io.get_ref())
            }
        }
    };
}

/// Inherent `read`/`write`/`read_exact`/`write_all`, so a stream needs no trait import.
/// `$setup` is a doc-test line that binds two connected streams `a` and `b`.
macro_rules! inherent_stream_methods {
    ($setup:literal) => {
        /// Reads some bytes into `buf`; `Ok(0)` when the peer closed its write side.
        /// Same as [`AsyncReadExt::read`](crate::io::AsyncReadExt::read).
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// b.write_all(b"hi").await?;
        /// let mut buf = [0u8; 8];
        /// let n = a.read(&mut buf).await?;
        /// assert_eq!(&buf[..n], b"hi");
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> crate::io::Read<'a, Self> {
            crate::io::AsyncReadExt::read(self, buf)
        }

        /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes first.
        /// Same as [`AsyncReadExt::read_exact`](crate::io::AsyncReadExt::read_exact).
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// b.write_all(b"hello").await?;
        /// let mut buf = [0u8; 5];
        /// a.read_exact(&mut buf).await?;
        /// assert_eq!(&buf, b"hello");
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> crate::io::ReadExact<'a, Self> {
            crate::io::AsyncReadExt::read_exact(self, buf)
        }

        /// Writes some bytes of `buf`, returning how many.
        /// Same as [`AsyncWriteExt::write`](crate::io::AsyncWriteExt::write).
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// let n = a.write(b"abc").await?;
        /// assert!(n > 0);
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn write<'a>(&'a mut self, buf: &'a [u8]) -> crate::io::Write<'a, Self> {
            crate::io::AsyncWriteExt::write(self, buf)
        }

        /// Writes all of `buf`.
        /// Same as [`AsyncWriteExt::write_all`](crate::io::AsyncWriteExt::write_all).
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// a.write_all(b"abc").await?;
        /// let mut buf = [0u8; 3];
        /// b.read_exact(&mut buf).await?;
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> crate::io::WriteAll<'a, Self> {
            crate::io::AsyncWriteExt::write_all(self, buf)
        }
    };
}

/// Readiness methods shared by every socket type: `ready`, `readable`, `writable`, all
/// waiting on the socket's `PollEvented` (field `io`). `$setup` is a doc-test line that binds
/// two connected sockets `a` and `b`; `$send` is one that sends `b"x"` from `a` to `b`.
macro_rules! readiness_methods {
    ($setup:literal, $send:literal) => {
        /// Waits until the socket is ready for any of `interest` and returns the readiness.
        /// Any number of tasks may wait at once.
        ///
        /// ```
        /// use weft_core::io::Interest;
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// let ready = a.ready(Interest::READABLE | Interest::WRITABLE).await?;
        /// assert!(ready.is_writable());
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub async fn ready(
            &self,
            interest: weft_core::io::Interest,
        ) -> std::io::Result<weft_core::io::Ready> {
            Ok(self.io.readiness(interest).await?.ready())
        }

        /// Waits until the socket is readable (data, end of stream or an error). Pair it
        /// with a `try_` method: its `WouldBlock` clears the readiness.
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        #[doc = $send]
        /// b.readable().await?;
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub async fn readable(&self) -> std::io::Result<()> {
            self.io
                .readiness(weft_core::io::Interest::READABLE)
                .await
                .map(drop)
        }

        /// Waits until the socket is writable.
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// a.writable().await?;
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub async fn writable(&self) -> std::io::Result<()> {
            self.io
                .readiness(weft_core::io::Interest::WRITABLE)
                .await
                .map(drop)
        }
    };
}

/// `try_read`/`try_write` of the byte streams (field `io`: a `PollEvented` over a type whose
/// `&T` is `Read + Write`). `$setup` binds two connected streams `a` and `b`.
macro_rules! try_read_write_methods {
    ($setup:literal) => {
        /// Reads without waiting: `WouldBlock` if no data is ready (which also clears the
        /// readiness, so the next [`readable`](Self::readable) waits for a new event).
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// let err = a.try_read(&mut [0u8; 4]).unwrap_err();
        /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        /// b.write_all(b"x").await?;
        /// a.readable().await?;
        /// assert_eq!(a.try_read(&mut [0u8; 4])?, 1);
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.io.try_io(weft_core::io::Interest::READABLE, |s| {
                std::io::Read::read(&mut &*s, buf)
            })
        }

        /// Writes without waiting: `WouldBlock` if the send buffer is full.
        ///
        /// ```
        /// # weft::runtime::Runtime::new().unwrap().block_on(async {
        #[doc = $setup]
        /// a.writable().await?;
        /// assert_eq!(a.try_write(b"hi")?, 2);
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
            self.io.try_io(weft_core::io::Interest::WRITABLE, |s| {
                std::io::Write::write(&mut &*s, buf)
            })
        }
    };
}

pub(crate) use {
    impl_as_fd, impl_async_read, impl_async_write, impl_debug_opaque, inherent_stream_methods,
    readiness_methods, stream_poll_methods, try_read_write_methods,
};
