//! Loom models of `sync::mpsc`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_sync_mpsc`.
#![cfg(loom)]

mod loom_sync_util;

use loom::thread;
use loom_sync_util::block_on;
use weft_core::sync::mpsc;

/// Runs a model of three threads with at most three preemptions (enough for the races these
/// models target, and seconds instead of minutes).
fn check_bounded(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

#[test]
fn two_senders_one_slot_all_delivered_then_none() {
    // Three threads: bound the preemptions so the model finishes in seconds, not minutes
    // (bugs of this code need at most a couple of preemptions to show).
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let tx2 = tx.clone();
        let a = thread::spawn(move || block_on(tx.send(1)).unwrap());
        let b = thread::spawn(move || block_on(tx2.send(2)).unwrap());
        let mut got = block_on(async {
            let x = rx.recv().await.unwrap();
            let y = rx.recv().await.unwrap();
            assert_eq!(rx.recv().await, None);
            [x, y]
        });
        got.sort();
        assert_eq!(got, [1, 2]);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn send_waiting_for_room_races_recv() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || block_on(tx.send(2)).unwrap());
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        assert_eq!(block_on(rx.recv()), None);
        t.join().unwrap();
    });
}

#[test]
fn receiver_drop_races_waiting_sender() {
    loom::model(|| {
        let (tx, rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || {
            // The receiver goes away while we wait for room: we get the value back.
            assert_eq!(block_on(tx.send(2)).unwrap_err().0, 2);
        });
        drop(rx);
        t.join().unwrap();
    });
}

#[test]
fn try_send_races_recv_no_lost_wakeup() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
        let t = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), None);
        t.join().unwrap();
    });
}

#[test]
fn reserve_races_recv_and_permit_drop() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || {
            // Waits for the slot freed by the receiver, then gives it up unused...
            drop(block_on(tx.reserve()).unwrap());
            // ...so that this send can use it.
            block_on(tx.send(2)).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        assert_eq!(block_on(rx.recv()), None);
        t.join().unwrap();
    });
}

#[test]
fn recv_many_races_a_sender_waiting_for_room() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || {
            block_on(tx.send(2)).unwrap();
            block_on(tx.send(3)).unwrap();
        });
        let mut buf = Vec::new();
        block_on(async { while rx.recv_many(&mut buf, 2).await > 0 {} });
        assert_eq!(buf, [1, 2, 3]);
        t.join().unwrap();
    });
}

#[test]
fn sender_closed_races_receiver_drop() {
    loom::model(|| {
        let (tx, rx) = mpsc::channel::<u32>(1);
        let t = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert!(tx.is_closed());
        t.join().unwrap();
    });
}

#[test]
fn sender_is_served_after_a_lock_free_recv_even_if_the_receiver_stops_receiving() {
    // The receiver frees the only slot without taking the lock and then waits for something
    // else (here: the sender's confirmation), never calling `recv` in between. A sender that
    // saw the slot still taken must not be left waiting: either it sees the room, or the
    // receiver sees it waiting and serves it (the `senders_waiting` handshake).
    loom::model(|| {
        use weft_core::sync::oneshot;
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let (done_tx, done_rx) = oneshot::channel();
        let t = thread::spawn(move || {
            block_on(tx.send(2)).unwrap();
            done_tx.send(()).unwrap();
        });
        assert_eq!(rx.try_recv(), Ok(1));
        block_on(done_rx).unwrap();
        assert_eq!(rx.try_recv(), Ok(2));
        t.join().unwrap();
    });
}

#[test]
fn permit_dropped_unused_races_a_waiting_send_and_recv() {
    check_bounded(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let tx2 = tx.clone();
        let keep = tx.clone(); // another live sender: only a wake can end the receiver's wait
        let a = thread::spawn(move || drop(block_on(tx.reserve()).unwrap()));
        let b = thread::spawn(move || block_on(tx2.send(20)).unwrap());
        let got = block_on(async { [rx.recv().await, rx.recv().await] });
        assert_eq!(got, [Some(1), Some(20)]);
        drop(keep);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn reserve_then_permit_send_races_a_send_and_lock_free_recv() {
    check_bounded(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let tx2 = tx.clone();
        let a = thread::spawn(move || block_on(tx.reserve()).unwrap().send(10));
        let b = thread::spawn(move || block_on(tx2.send(20)).unwrap());
        let mut got = block_on(async {
            let mut v = Vec::new();
            while let Some(x) = rx.recv().await {
                v.push(x);
            }
            v
        });
        got.sort();
        assert_eq!(got, [1, 10, 20]);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn cancelled_front_waiter_then_lock_free_recv_still_serves_the_next() {
    check_bounded(|| {
        use std::future::Future;
        use std::task::{Context, Waker};
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let keep = tx.clone();
        let tx2 = tx.clone();
        let a = thread::spawn(move || {
            let mut f = Box::pin(tx.send(10));
            let _ = f.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            drop(f); // cancelled: its value is either delivered or dropped
        });
        let b = thread::spawn(move || block_on(tx2.send(20)).unwrap());
        assert_eq!(rx.try_recv(), Ok(1)); // a lock-free pop
        block_on(async { while rx.recv().await != Some(20) {} });
        drop(keep);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn recv_many_with_two_senders_on_two_slots() {
    check_bounded(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let keep = tx.clone();
        let tx2 = tx.clone();
        let a = thread::spawn(move || block_on(tx.send(10)).unwrap());
        let b = thread::spawn(move || block_on(tx2.send(20)).unwrap());
        let mut got = Vec::new();
        block_on(async {
            while got.len() < 4 {
                rx.recv_many(&mut got, 2).await;
            }
        });
        got.sort();
        assert_eq!(got, [1, 2, 10, 20]);
        drop(keep);
        a.join().unwrap();
        b.join().unwrap();
    });
}
