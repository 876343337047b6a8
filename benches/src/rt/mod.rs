//! The runtimes under test, behind one set of small traits.
//!
//! A workload is written once, as a function generic over [`Rt`] (plus the
//! extra traits it needs: [`RtSync`], [`RtTime`], [`RtBlocking`], [`RtNet`]),
//! and the registry instantiates it for every runtime that implements those
//! traits. A runtime without an equivalent (async-executor has no timers,
//! sockets or blocking pool of its own) simply does not implement the trait,
//! and its column reads "n/a".
//!
//! Each trait method maps to the runtime's own idiomatic call, so what is
//! measured is the runtime, not an adapter: the only wrapper is [`Unwrap`],
//! which turns a `JoinHandle`'s `Result<T, JoinError>` into `T` with a panic
//! (a benchmark whose task failed is a failed benchmark).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

#[macro_use]
mod tokio_shaped;
pub mod async_executor_rt;
pub mod mio_loop;
pub mod tokio_rt;
#[cfg(feature = "weft-rt")]
pub mod weft_rt;

/// Which scheduler a workload runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Work-stealing pool of `threads` workers; the root future is spawned on it.
    MultiThread,
    /// Everything on the thread that calls `block_on`.
    CurrentThread,
}

/// A runtime, its spawner and its task primitives.
pub trait Rt: Sized + 'static {
    /// Cloneable handle that spawns from any thread (inside or outside).
    type Spawner: Clone + Send + Sync + 'static;
    /// A join handle that yields the task's output (panics if the task failed).
    type Join<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Builds a runtime of `flavor` with `threads` workers (multi-thread only).
    fn build(flavor: Flavor, threads: usize) -> Self;
    /// The spawner of this runtime.
    fn spawner(&self) -> Self::Spawner;
    /// Runs `f` to completion on this runtime. On the multi-thread flavor the
    /// future is first spawned onto a worker, so every workload body runs as a
    /// task of the pool, as a server's tasks do.
    fn block_on<F>(&self, f: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Spawns from inside a task of this runtime (the fast, local path).
    fn spawn<F>(sp: &Self::Spawner, f: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Spawns from a thread that is not part of the runtime.
    fn spawn_remote<F>(sp: &Self::Spawner, f: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::spawn(sp, f)
    }
    /// Lets a spawned task run on without its handle (dropping an
    /// async-executor `Task` cancels it; dropping a tokio-shaped handle detaches).
    fn detach<T: Send + 'static>(handle: Self::Join<T>) {
        drop(handle);
    }
    /// Yields to the scheduler once.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// Channels of the runtime's own (or its ecosystem's) sync module.
pub trait RtSync: Rt {
    /// Bounded mpsc sender.
    type Tx<T: Send + 'static>: Clone + Send + Sync + 'static;
    /// Bounded mpsc receiver.
    type Rx<T: Send + 'static>: Send + 'static;
    /// Oneshot sender.
    type OnceTx<T: Send + 'static>: Send + 'static;
    /// Oneshot receiver; resolves to the value (panics if the sender is gone).
    type OnceRx<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// A bounded mpsc channel of capacity `cap`.
    fn channel<T: Send + 'static>(cap: usize) -> (Self::Tx<T>, Self::Rx<T>);
    /// Sends, waiting for room. Panics if the receiver is gone.
    fn send<T: Send + 'static>(tx: &Self::Tx<T>, v: T) -> impl Future<Output = ()> + Send + '_;
    /// Receives; `None` once every sender is gone.
    fn recv<T: Send + 'static>(rx: &mut Self::Rx<T>)
        -> impl Future<Output = Option<T>> + Send + '_;
    /// A oneshot channel.
    fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, Self::OnceRx<T>);
    /// Sends on a oneshot. Panics if the receiver is gone.
    fn send_once<T: Send + 'static>(tx: Self::OnceTx<T>, v: T);
}

/// Timers.
pub trait RtTime: Rt {
    /// `sleep(d)` of the runtime.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static;
}

/// Running blocking code.
pub trait RtBlocking: Rt {
    /// Runs `f` on the blocking pool and awaits its result.
    fn spawn_blocking<T, F>(f: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
    /// Runs `f` on the current worker after handing its queue to another thread.
    fn block_in_place<T, F: FnOnce() -> T>(f: F) -> T;
}

/// TCP over loopback.
pub trait RtNet: Rt {
    /// Listening socket.
    type Listener: Send + Sync + 'static;
    /// Connected stream.
    type Stream: Send + 'static;

    /// Binds a listener (inside the runtime).
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    /// The listener's bound address.
    fn local_addr(l: &Self::Listener) -> SocketAddr;
    /// Accepts one connection.
    fn accept(l: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + Send + '_;
    /// Connects to `addr`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Reads some bytes; `Ok(0)` at end of stream.
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Reads exactly `buf.len()` bytes.
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Writes all of `buf`.
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
}

/// Turns a `Future<Output = Result<T, E>>` (a join handle) into a
/// `Future<Output = T>`, panicking with the error: a task that failed makes
/// the sample fail loudly rather than being timed.
#[derive(Debug)]
pub struct Unwrap<F>(pub F);

impl<F, T, E> Future for Unwrap<F>
where
    F: Future<Output = Result<T, E>> + Unpin,
    E: std::fmt::Display,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|r| match r {
            Ok(v) => v,
            Err(e) => panic!("benchmark task failed: {e}"),
        })
    }
}
