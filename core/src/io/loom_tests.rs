//! Loom models of the readiness/tick protocol of [`ScheduledIo`].
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft-core --lib io::loom_tests --release`.

use super::{Direction, Interest, Ready, ScheduledIo};
use core::future::poll_fn;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;

extern crate std;

/// `block_on` on loom's thread park (loom's own needs its `futures` feature).
fn block_on<F: core::future::Future>(f: F) -> F::Output {
    struct Unparker(loom::thread::Thread);
    impl std::task::Wake for Unparker {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = core::task::Waker::from(std::sync::Arc::new(Unparker(loom::thread::current())));
    let mut cx = core::task::Context::from_waker(&waker);
    let mut f = core::pin::pin!(f);
    loop {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        loom::thread::park();
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
                data.store(true, Ordering::Release); // bytes land in the socket buffer
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

/// Same protocol through the multi-waiter `Readiness` future, with two tasks waiting on the
/// same interest: one edge wakes both.
#[test]
fn one_edge_wakes_every_waiter() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let other = {
            let io = io.clone();
            loom::thread::spawn(move || {
                let ev = block_on(io.ready(Interest::READABLE));
                assert!(ev.ready().is_readable());
            })
        };
        let driver = {
            let io = io.clone();
            loom::thread::spawn(move || io.dispatch(Ready::READABLE))
        };
        let ev = block_on(io.ready(Interest::READABLE));
        assert!(ev.ready().is_readable());
        other.join().unwrap();
        driver.join().unwrap();
    });
}

/// Shutting the reactor down completes a pending wait with `is_shutdown`, on both paths.
#[test]
fn shutdown_wakes_pending_waits() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let list_waiter = {
            let io = io.clone();
            loom::thread::spawn(move || {
                let ev = block_on(io.ready(Interest::WRITABLE));
                assert!(ev.is_shutdown());
            })
        };
        let reactor = {
            let io = io.clone();
            loom::thread::spawn(move || io.shutdown())
        };
        let ev = block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(ev.is_shutdown());
        list_waiter.join().unwrap();
        reactor.join().unwrap();
    });
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
