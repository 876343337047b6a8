//! Test helpers shared by the `join_*` and `select_*` tests: a parking `block_on`, a gate a test
//! opens from outside, futures that count their polls and drops, and a future that yields.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct ThreadWaker {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs a future to completion on this thread, parking until it is woken.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let inner = Arc::new(ThreadWaker {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(inner.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        while !inner.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct CountingWaker(pub AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `fut` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

/// A one-shot signal: `wait()` is pending until `open()`.
#[derive(Clone, Default)]
pub struct Gate(Arc<GateInner>);

#[derive(Default)]
struct GateInner {
    open: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Gate {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn open(&self) {
        self.0.open.store(true, Ordering::SeqCst);
        if let Some(w) = self.0.waker.lock().unwrap().take() {
            w.wake();
        }
    }
    pub fn wait(&self) -> GateWait {
        GateWait(self.clone())
    }
}

pub struct GateWait(Gate);

impl Future for GateWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let inner = &(self.0).0;
        *inner.waker.lock().unwrap() = Some(cx.waker().clone());
        if inner.open.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Counts polls and drops of the wrapped future.
pub struct Tracked<F> {
    inner: F,
    pub polls: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
}

impl<F> Tracked<F> {
    /// Wraps `inner`; `drops` is incremented when the wrapper is dropped.
    pub fn new(inner: F, drops: &Arc<AtomicUsize>) -> Self {
        Tracked {
            inner,
            polls: Arc::default(),
            drops: drops.clone(),
        }
    }
    /// Wraps `inner`, counting polls into `polls` and drops into `drops`.
    pub fn counted(inner: F, polls: &Arc<AtomicUsize>, drops: &Arc<AtomicUsize>) -> Self {
        Tracked {
            inner,
            polls: polls.clone(),
            drops: drops.clone(),
        }
    }
}

impl<F> Drop for Tracked<F> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: structural pinning of `inner`; `Tracked` never moves it and its Drop does not
        // touch it.
        let this = unsafe { self.get_unchecked_mut() };
        this.polls.fetch_add(1, Ordering::SeqCst);
        // SAFETY: see above.
        unsafe { Pin::new_unchecked(&mut this.inner) }.poll(cx)
    }
}

/// Returns `Pending` `n` times (waking itself each time), then `()`.
pub fn yields(n: usize) -> Yields {
    Yields(n)
}

pub struct Yields(usize);

impl Future for Yields {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A future that is never ready and never wakes.
pub fn never<T>() -> std::future::Pending<T> {
    std::future::pending()
}

pub fn counter() -> Arc<AtomicUsize> {
    Arc::default()
}

pub fn get(c: &Arc<AtomicUsize>) -> usize {
    c.load(Ordering::SeqCst)
}
