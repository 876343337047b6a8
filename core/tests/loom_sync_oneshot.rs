//! Loom models of `sync::oneshot`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_sync_oneshot`.
#![cfg(loom)]

mod loom_sync_util;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use loom::thread;
use loom_sync_util::block_on;
use weft_core::sync::oneshot;

#[test]
fn send_races_recv() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let t = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        t.join().unwrap();
    });
}

#[test]
fn sender_drop_races_recv() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let t = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        t.join().unwrap();
    });
}

#[test]
fn receiver_drop_races_send_value_dropped_once() {
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = oneshot::channel();
        let d = drops.clone();
        let t = thread::spawn(move || {
            // Either delivered (and dropped with the receiver) or handed back.
            if let Err(v) = tx.send(CountDrop(d)) {
                drop(v);
            }
        });
        drop(rx);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn closed_races_receiver_drop() {
    loom::model(|| {
        let (mut tx, rx) = oneshot::channel::<u32>();
        let t = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        t.join().unwrap();
    });
}
