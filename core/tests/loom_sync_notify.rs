//! Loom models of `sync::Notify` and `sync::Signal`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_sync_notify`.
#![cfg(loom)]

mod loom_sync_util;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Waker};

use loom::thread;
use loom_sync_util::block_on;
use weft_core::sync::{Notify, Signal};

#[test]
fn notify_one_races_notified() {
    loom::model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        let t = thread::spawn(move || n2.notify_one());
        block_on(n.notified());
        t.join().unwrap();
    });
}

#[test]
fn notify_waiters_races_a_created_future() {
    loom::model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        let fut = n.notified(); // created before the call: must complete
        let t = thread::spawn(move || n2.notify_waiters());
        block_on(fut);
        t.join().unwrap();
    });
}

#[test]
fn dropped_notified_forwards_notify_one() {
    loom::model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        {
            let mut fut = Box::pin(n.notified());
            let _ = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            let t = thread::spawn(move || n2.notify_one());
            // Dropped while the notification may be racing in.
            drop(fut);
            t.join().unwrap();
        }
        // The notification went to the dropped future or was stored: either way it is here.
        block_on(n.notified());
    });
}

#[test]
fn ping_pong() {
    loom::model(|| {
        let ping = Arc::new(Notify::new());
        let pong = Arc::new(Notify::new());
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let t = thread::spawn(move || {
            block_on(ping2.notified());
            pong2.notify_one();
        });
        ping.notify_one();
        block_on(pong.notified());
        t.join().unwrap();
    });
}

#[test]
fn signal_races_wait() {
    loom::model(|| {
        let s = Arc::new(Signal::new());
        let s2 = s.clone();
        let t = thread::spawn(move || s2.signal(5u32));
        assert_eq!(block_on(s.wait()), 5);
        t.join().unwrap();
    });
}
