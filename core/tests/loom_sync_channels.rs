//! Loom models of `sync::broadcast` and `sync::watch`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_sync_channels`.
#![cfg(loom)]

mod loom_sync_util;

use loom::thread;
use loom_sync_util::block_on;
use weft_core::sync::{broadcast, watch};

#[test]
fn broadcast_send_races_recv() {
    loom::model(|| {
        let (tx, mut rx) = broadcast::channel::<u32>(1);
        let t = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Ok(1));
        assert_eq!(block_on(rx.recv()), Err(broadcast::RecvError::Closed));
        t.join().unwrap();
    });
}

#[test]
fn broadcast_lag_is_reported_not_lost() {
    loom::model(|| {
        let (tx, mut rx) = broadcast::channel::<u32>(1);
        let t = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        let (mut got, mut lagged) = (0, 0);
        loop {
            match block_on(rx.recv()) {
                Ok(_) => got += 1,
                Err(broadcast::RecvError::Lagged(n)) => lagged += n,
                Err(broadcast::RecvError::Closed) => break,
            }
        }
        assert_eq!(got + lagged, 2);
        t.join().unwrap();
    });
}

#[test]
fn watch_send_races_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0u32);
        let t = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        // Either the change or the close (after the change) must wake us; the final value is 1.
        let _ = block_on(rx.changed());
        t.join().unwrap();
        assert_eq!(*rx.borrow(), 1);
    });
}

#[test]
fn watch_sender_drop_wakes_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0u32);
        let t = thread::spawn(move || drop(tx));
        assert!(block_on(rx.changed()).is_err());
        t.join().unwrap();
    });
}
