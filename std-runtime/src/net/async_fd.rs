//! [`AsyncFd`]: readiness for any file descriptor weft does not wrap itself (pipes, eventfd,
//! timerfd, a device, another library's socket).

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{ready, Context, Poll};

use weft_core::io::{Direction, Interest, Ready, ReadyEvent};

use super::poll_evented::PollEvented;

/// Registers a non-blocking file descriptor owner `T` with the runtime's reactor and tells
/// when it is readable or writable. The caller does the I/O itself (on `inner`), and reports
/// `WouldBlock` back through the guard so the readiness is cleared — the tick-guarded clear
/// of [`weft_core::io`], so an edge arriving during the attempt is kept.
///
/// The fd must be in non-blocking mode. Dropping the `AsyncFd` deregisters the fd, then drops
/// `T` (which closes it, if `T` owns it).
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use weft::net::AsyncFd;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut tx, rx) = UnixStream::pair()?; // stand-ins for a pipe or a device
/// rx.set_nonblocking(true)?;
/// let rx = AsyncFd::new(rx)?;
/// tx.write_all(b"ping")?;
/// let mut buf = [0u8; 4];
/// let n = loop {
///     let mut guard = rx.readable().await?;
///     match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///         Ok(result) => break result?,
///         Err(_would_block) => continue,
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct AsyncFd<T: AsRawFd> {
    io: PollEvented<T>,
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner` for reading and writing.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// # let _ = fd; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn new(inner: T) -> io::Result<Self> {
        Self::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner` for `interest` only.
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::with_interest(a, Interest::WRITABLE)?;
    /// fd.writable().await?.clear_ready();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<Self> {
        Ok(AsyncFd {
            io: PollEvented::with_interest(inner, interest)?,
        })
    }

    /// The wrapped object.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let _a: &std::os::unix::net::UnixStream = fd.get_ref();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &T {
        self.io.get_ref()
    }

    /// The wrapped object, mutably.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let mut fd = weft::net::AsyncFd::new(a)?;
    /// let _a: &mut std::os::unix::net::UnixStream = fd.get_mut();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.io.get_mut()
    }

    /// Deregisters and returns the wrapped object.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let a: std::os::unix::net::UnixStream = fd.into_inner()?;
    /// # let _ = a; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_inner(self) -> io::Result<T> {
        self.io.into_inner()
    }

    /// Waits until the fd is readable. Any number of tasks may wait at once.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// b.set_nonblocking(true)?;
    /// let b = weft::net::AsyncFd::new(b)?;
    /// std::io::Write::write_all(&mut &a, b"x")?;
    /// let guard = b.readable().await?;
    /// assert!(guard.ready().is_readable());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until the fd is writable.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// assert!(fd.writable().await?.ready().is_writable());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until the fd is ready for any of `interest`.
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let g = fd.ready(Interest::READABLE | Interest::WRITABLE).await?;
    /// assert!(g.ready().is_writable());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let event = self.io.readiness(interest).await?;
        Ok(AsyncFdReadyGuard {
            fd: self,
            event: Some(event),
        })
    }

    /// Polls for read readiness (one waiting task through this method).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// b.set_nonblocking(true)?;
    /// let b = weft::net::AsyncFd::new(b)?;
    /// std::io::Write::write_all(&mut &a, b"x")?;
    /// let g = poll_fn(|cx| b.poll_read_ready(cx)).await?;
    /// # let _ = g; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.io.poll_ready(cx, Direction::Read))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            fd: self,
            event: Some(event),
        }))
    }

    /// Polls for write readiness (one waiting task through this method).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let g = poll_fn(|cx| fd.poll_write_ready(cx)).await?;
    /// # let _ = g; std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.io.poll_ready(cx, Direction::Write))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            fd: self,
            event: Some(event),
        }))
    }

    /// Waits for `interest` and runs `f` until it does not return `WouldBlock`.
    ///
    /// ```
    /// use std::io::Read;
    /// use weft_core::io::Interest;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// b.set_nonblocking(true)?;
    /// let b = weft::net::AsyncFd::new(b)?;
    /// std::io::Write::write_all(&mut &a, b"hey")?;
    /// let mut buf = [0u8; 8];
    /// let n = b.async_io(Interest::READABLE, |s| (&*s).read(&mut buf)).await?;
    /// assert_eq!(n, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.async_io(interest, f).await
    }

    /// Like [`async_io`](Self::async_io) through the single-waker `poll` path, for `poll_*`
    /// implementations of your own.
    ///
    /// ```
    /// use std::io::Read;
    /// use std::future::poll_fn;
    /// use weft_core::io::Direction;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// b.set_nonblocking(true)?;
    /// let b = weft::net::AsyncFd::new(b)?;
    /// std::io::Write::write_all(&mut &a, b"x")?;
    /// let mut buf = [0u8; 8];
    /// let n = poll_fn(|cx| b.poll_io(cx, Direction::Read, |s| (&*s).read(&mut buf))).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        f: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.io.poll_io(cx, direction, f)
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", self.get_ref())
            .finish()
    }
}

/// Proof that an [`AsyncFd`] was ready. Tell it what the I/O attempt found:
/// [`try_io`](Self::try_io) does it for you, [`clear_ready`](Self::clear_ready) after a
/// `WouldBlock`, or [`retain_ready`](Self::retain_ready) to keep the readiness.
///
/// ```
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// # a.set_nonblocking(true)?;
/// let fd = weft::net::AsyncFd::new(a)?;
/// let mut g = fd.writable().await?;
/// g.retain_ready();
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// [`AsyncFdReadyGuard::try_io`] saw `WouldBlock`: the readiness was cleared, wait again.
///
/// ```
/// use std::io::Read;
/// # weft::runtime::Runtime::new().unwrap().block_on(async {
/// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// # a.set_nonblocking(true)?;
/// let fd = weft::net::AsyncFd::new(a)?;
/// let mut g = fd.writable().await?; // writable, but nothing to read:
/// let r = g.try_io(|fd| fd.get_ref().read(&mut [0u8; 1]));
/// assert!(matches!(r, Err(weft::net::TryIoError { .. })));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct TryIoError {
    _private: (),
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    /// The readiness this guard was issued for.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// assert!(fd.writable().await?.ready().is_writable());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn ready(&self) -> Ready {
        self.event.map_or(Ready::EMPTY, |e| e.ready())
    }

    /// Clears the readiness (after an attempt returned `WouldBlock`); a no-op if the reactor
    /// reported a new edge since this guard was issued.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// fd.writable().await?.clear_ready();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn clear_ready(&mut self) {
        if let Some(ev) = self.event.take() {
            self.fd.io.clear_readiness(ev);
        }
    }

    /// Keeps the readiness (the attempt did not drain the fd).
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// fd.writable().await?.retain_ready();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn retain_ready(&mut self) {
        self.event = None;
    }

    /// Runs `f`; on `WouldBlock` clears the readiness and returns `Err(TryIoError)`.
    ///
    /// ```
    /// use std::io::Write;
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let mut g = fd.writable().await?;
    /// let n = g.try_io(|fd| fd.get_ref().write(b"x")).expect("writable")?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError { _private: () })
            }
            r => Ok(r),
        }
    }

    /// The `AsyncFd` this guard belongs to.
    ///
    /// ```
    /// # weft::runtime::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// let fd = weft::net::AsyncFd::new(a)?;
    /// let g = fd.writable().await?;
    /// let _inner = g.get_ref().get_ref();
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.fd
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("ready", &self.ready())
            .finish()
    }
}
