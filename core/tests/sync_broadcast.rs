//! Functional tests for `sync::broadcast` and `sync::watch`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::task::Poll;

use sync_util::{block_on, Tracked};
use weft_core::sync::broadcast::{self, RecvError, TryRecvError};
use weft_core::sync::watch;

#[test]
fn every_receiver_sees_every_message() {
    let (tx, mut a) = broadcast::channel(8);
    let mut b = tx.subscribe();
    for i in 0..5 {
        assert_eq!(tx.send(i), Ok(2));
    }
    for i in 0..5 {
        assert_eq!(a.try_recv(), Ok(i));
        assert_eq!(block_on(b.recv()), Ok(i));
    }
    assert_eq!(a.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn slow_receiver_lags_and_senders_never_block() {
    let (tx, mut rx) = broadcast::channel(4);
    for i in 0..10 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 4);
    assert_eq!(block_on(rx.recv()), Err(RecvError::Lagged(6)));
    for i in 6..10 {
        assert_eq!(block_on(rx.recv()), Ok(i));
    }
    drop(tx);
    assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
}

#[test]
fn recv_woken_by_send_and_by_last_sender_drop() {
    let (tx, mut rx) = broadcast::channel::<u8>(2);
    let t = Tracked::new();
    {
        let mut fut = Box::pin(rx.recv());
        assert!(t.poll(fut.as_mut()).is_pending());
        tx.send(1).unwrap();
        assert_eq!(t.wakes(), 1);
        assert_eq!(t.poll(fut.as_mut()), Poll::Ready(Ok(1)));
    }
    let tx2 = tx.clone();
    let mut fut = Box::pin(rx.recv());
    assert!(t.poll(fut.as_mut()).is_pending());
    drop(tx);
    assert_eq!(t.wakes(), 1);
    drop(tx2);
    assert_eq!(t.wakes(), 2);
    assert_eq!(t.poll(fut.as_mut()), Poll::Ready(Err(RecvError::Closed)));
}

#[test]
fn send_without_receivers_fails() {
    let (tx, rx) = broadcast::channel(2);
    drop(rx);
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    let mut rx = tx.subscribe();
    tx.send(2).unwrap();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn broadcast_across_threads_in_order() {
    const N: u64 = 2000;
    let (tx, rx) = broadcast::channel::<u64>(16);
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = tx.subscribe();
            std::thread::spawn(move || {
                block_on(async {
                    let (mut got, mut lagged, mut last) = (0u64, 0u64, None::<u64>);
                    loop {
                        match rx.recv().await {
                            Ok(v) => {
                                assert!(last.is_none_or(|l| v > l), "in order");
                                last = Some(v);
                                got += 1;
                            }
                            Err(RecvError::Lagged(n)) => lagged += n,
                            Err(RecvError::Closed) => break,
                        }
                    }
                    (got, lagged)
                })
            })
        })
        .collect();
    drop(rx);
    for i in 0..N {
        tx.send(i).unwrap();
    }
    drop(tx);
    for r in receivers {
        let (got, lagged) = r.join().unwrap();
        assert_eq!(
            got + lagged,
            N,
            "every message received or reported as lagged"
        );
    }
}

#[test]
fn watch_latest_value_and_changed() {
    let (tx, mut rx) = watch::channel(0);
    assert!(!rx.has_changed().unwrap());
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert!(rx.has_changed().unwrap());
    block_on(rx.changed()).unwrap();
    assert_eq!(*rx.borrow(), 2);
    assert!(!rx.has_changed().unwrap());
    let t = Tracked::new();
    let mut fut = Box::pin(rx.changed());
    assert!(t.poll(fut.as_mut()).is_pending());
    tx.send_modify(|v| *v += 1);
    assert_eq!(t.wakes(), 1);
    assert!(t.poll(fut.as_mut()).is_ready());
    drop(fut);
    assert_eq!(*rx.borrow_and_update(), 3);
    drop(tx);
    assert!(block_on(rx.changed()).is_err());
    assert!(rx.has_changed().is_err());
}

#[test]
fn watch_many_receivers_across_threads_see_final_value() {
    const N: u32 = 1000;
    let (tx, rx) = watch::channel(0u32);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.clone();
            std::thread::spawn(move || {
                block_on(async {
                    let mut last = 0;
                    while rx.changed().await.is_ok() {
                        let v = *rx.borrow_and_update();
                        assert!(v >= last, "values only move forward");
                        last = v;
                    }
                    *rx.borrow()
                })
            })
        })
        .collect();
    for i in 1..=N {
        tx.send(i).unwrap();
    }
    drop(tx);
    for t in threads {
        assert_eq!(t.join().unwrap(), N);
    }
}

#[test]
fn watch_send_fails_without_receivers_but_send_replace_works() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    assert_eq!(tx.send_replace(3), 1);
    assert_eq!(*tx.borrow(), 3);
    let rx = tx.subscribe();
    assert!(!rx.has_changed().unwrap());
}
