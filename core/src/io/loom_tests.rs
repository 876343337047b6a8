//! Loom models of the readiness/tick protocol of [`ScheduledIo`].
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft-core --lib io::loom_tests --release`.

use super::{Direction, Interest, Ready, ScheduledIo};
use core::future::{poll_fn, Future};
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;

extern crate std;

/// `block_on` on loom's `Notify` (loom's own `block_on` needs its `futures` feature).
fn block_on<F: Future>(f: F) -> F::Output {
    struct Notifier(loom::sync::Notify);
    impl std::task::Wake for Notifier {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.notify();
        }
    }
    let notifier = std::sync::Arc::new(Notifier(loom::sync::Notify::new()));
    let waker = core::task::Waker::from(notifier.clone());
    let mut cx = core::task::Context::from_waker(&waker);
    let mut f = core::pin::pin!(f);
    loop {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        notifier.0.wait();
    }
}

/// A readiness edge that arrives while the task's I/O attempt fails must not be lost: the
/// task ends up seeing the data. If an edge were lost, `block_on` would park forever and
/// loom would report a deadlock.
#[test]
fn edge_during_failed_attempt_is_not_lost() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let data = Arc::new(AtomicBool::new(false));
        // A stale readiness bit, so the task starts with an attempt that can fail.
        io.set_readiness(Ready::READABLE);

        let driver = {
            let (io, data) = (io.clone(), data.clone());
            loom::thread::spawn(move || {
                // bytes land in the socket buffer (a swap, not a store: loom 0.7 lets a later RMW
                // miss a plain store, see `spin::release`)
                data.swap(true, Ordering::Release);
                io.dispatch(Ready::READABLE); // the one edge the OS reports
            })
        };

        block_on(async {
            loop {
                let ev = poll_fn(|cx| io.poll_ready(cx, Direction::Read)).await;
                if data.swap(false, Ordering::AcqRel) {
                    break; // the read succeeded
                }
                io.clear_readiness(ev); // WouldBlock
            }
        });
        driver.join().unwrap();
    });
}

/// Two waiters through the multi-waiter `Readiness` future on one task, the reactor on
/// another thread: one edge wakes both.
#[test]
fn one_edge_wakes_every_waiter() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            loom::thread::spawn(move || io.dispatch(Ready::READABLE))
        };
        let (a, b) = block_on(join2(
            io.ready(Interest::READABLE),
            io.ready(Interest::READABLE),
        ));
        assert!(a.ready().is_readable() && b.ready().is_readable());
        driver.join().unwrap();
    });
}

/// Shutting the reactor down completes pending waits with `is_shutdown`, on both paths (the
/// per-direction slot and the waiter list).
#[test]
fn shutdown_wakes_pending_waits() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let reactor = {
            let io = io.clone();
            loom::thread::spawn(move || io.shutdown())
        };
        let (a, b) = block_on(join2(
            poll_fn(|cx| io.poll_ready(cx, Direction::Read)),
            io.ready(Interest::WRITABLE),
        ));
        assert!(a.is_shutdown() && b.is_shutdown());
        reactor.join().unwrap();
    });
}

/// Polls two futures on one task.
async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = core::pin::pin!(a);
    let mut b = core::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let core::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let core::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => core::task::Poll::Ready((x, y)),
            (x, y) => {
                ra = x;
                rb = y;
                core::task::Poll::Pending
            }
        }
    })
    .await
}

/// A clear racing with a set never erases the set's bits.
#[test]
fn clear_never_erases_a_newer_set() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(Ready::WRITABLE);
        let ev = io.readiness(Interest::WRITABLE);
        let driver = {
            let io = io.clone();
            loom::thread::spawn(move || io.set_readiness(Ready::WRITABLE))
        };
        io.clear_readiness(ev);
        driver.join().unwrap();
        // The driver's set happened after `ev` was taken, whichever order the two ran in.
        assert!(io.readiness(Interest::WRITABLE).ready().is_writable());
    });
}
