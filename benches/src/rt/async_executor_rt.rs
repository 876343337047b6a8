//! async-executor (smol's executor) with async-channel, its ecosystem's channel.
//!
//! The multi-thread flavor is the usual smol setup: `threads` OS threads each
//! run `block_on(executor.run(..))` until the runtime is dropped. The
//! current-thread flavor runs the executor inside `block_on` on the caller.
//! async-executor has no timers, sockets or blocking pool of its own (those
//! come from async-io and blocking), so it implements only [`Rt`] and
//! [`RtSync`].

use super::{Flavor, Rt, RtSync};
use async_executor::Executor;
use futures_lite::{future, Stream};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

/// An async-executor `Executor` plus its worker threads.
#[derive(Debug)]
pub struct AsyncExecutor {
    ex: Arc<Executor<'static>>,
    flavor: Flavor,
    /// Dropping it ends every worker's `run`.
    stop: Option<async_channel::Sender<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Rt for AsyncExecutor {
    type Spawner = Arc<Executor<'static>>;
    type Join<T: Send + 'static> = async_executor::Task<T>;

    fn build(flavor: Flavor, threads: usize) -> Self {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let workers = match flavor {
            Flavor::CurrentThread => Vec::new(),
            Flavor::MultiThread => (0..threads)
                .map(|i| {
                    let (ex, stopped) = (ex.clone(), stopped.clone());
                    std::thread::Builder::new()
                        .name(format!("async-executor-{i}"))
                        .spawn(move || {
                            let _ = future::block_on(ex.run(stopped.recv()));
                        })
                        .expect("spawn worker")
                })
                .collect(),
        };
        AsyncExecutor {
            ex,
            flavor,
            stop: Some(stop),
            workers,
        }
    }

    fn spawner(&self) -> Self::Spawner {
        self.ex.clone()
    }

    fn block_on<F>(&self, f: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.flavor {
            Flavor::MultiThread => future::block_on(self.ex.spawn(f)),
            Flavor::CurrentThread => future::block_on(self.ex.run(f)),
        }
    }

    fn spawn<F>(sp: &Self::Spawner, f: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        sp.spawn(f)
    }

    fn detach<T: Send + 'static>(handle: Self::Join<T>) {
        handle.detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        future::yield_now()
    }
}

impl Drop for AsyncExecutor {
    fn drop(&mut self) {
        drop(self.stop.take());
        for w in self.workers.drain(..) {
            w.join().expect("worker panicked");
        }
    }
}

impl RtSync for AsyncExecutor {
    type Tx<T: Send + 'static> = async_channel::Sender<T>;
    type Rx<T: Send + 'static> = async_channel::Receiver<T>;
    type OnceTx<T: Send + 'static> = async_channel::Sender<T>;
    type OnceRx<T: Send + 'static> = OnceRecv<T>;

    fn channel<T: Send + 'static>(cap: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        async_channel::bounded(cap)
    }

    async fn send<T: Send + 'static>(tx: &Self::Tx<T>, v: T) {
        if tx.send(v).await.is_err() {
            panic!("receiver dropped");
        }
    }

    async fn recv<T: Send + 'static>(rx: &mut Self::Rx<T>) -> Option<T> {
        rx.recv().await.ok()
    }

    fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, Self::OnceRx<T>) {
        // async-channel has no dedicated oneshot; a bounded(1) channel is what
        // smol users write.
        let (tx, rx) = async_channel::bounded(1);
        (tx, OnceRecv(rx))
    }

    fn send_once<T: Send + 'static>(tx: Self::OnceTx<T>, v: T) {
        tx.try_send(v).expect("oneshot receiver dropped");
    }
}

/// Receiving half of the bounded(1) stand-in for a oneshot: the first item
/// of the receiver's `Stream`.
#[derive(Debug)]
pub struct OnceRecv<T>(async_channel::Receiver<T>);

impl<T> Future for OnceRecv<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: structural pinning of the only field: `OnceRecv` never moves
        // it out, has no `Drop` and is `!Unpin` exactly when the field is.
        let rx = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        rx.poll_next(cx).map(|v| v.expect("oneshot sender dropped"))
    }
}
