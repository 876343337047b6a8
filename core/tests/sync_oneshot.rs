//! Functional tests for `sync::oneshot`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use sync_util::{block_on, Tracked};
use weft_core::sync::oneshot::{self, TryRecvError};

#[test]
fn send_then_recv() {
    let (tx, rx) = oneshot::channel();
    tx.send(5).unwrap();
    assert_eq!(block_on(rx), Ok(5));
}

#[test]
fn recv_waits_and_is_woken() {
    let (tx, mut rx) = oneshot::channel::<u32>();
    let t = Tracked::new();
    assert!(t.poll(Pin::new(&mut rx)).is_pending());
    tx.send(1).unwrap();
    assert_eq!(t.wakes(), 1);
    assert_eq!(t.poll(Pin::new(&mut rx)), Poll::Ready(Ok(1)));
}

#[test]
fn sender_dropped_is_canceled_and_wakes() {
    let (tx, mut rx) = oneshot::channel::<u32>();
    let t = Tracked::new();
    assert!(t.poll(Pin::new(&mut rx)).is_pending());
    drop(tx);
    assert_eq!(t.wakes(), 1);
    let err: oneshot::Canceled = block_on(rx).unwrap_err();
    assert!(err.to_string().contains("canceled"));
}

#[test]
fn receiver_dropped_returns_value_and_drops_sent_value() {
    let (tx, rx) = oneshot::channel::<String>();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send("x".into()), Err("x".to_string()));

    // A value sent before the receiver goes away is dropped with the receiver.
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(CountDrop(drops.clone())).is_ok());
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn closed_wakes_sender() {
    let (mut tx, rx) = oneshot::channel::<u8>();
    let t = Tracked::new();
    let mut cx = std::task::Context::from_waker(&t.waker);
    assert!(tx.poll_closed(&mut cx).is_pending());
    drop(rx);
    assert_eq!(t.wakes(), 1);
    assert!(tx.poll_closed(&mut cx).is_ready());
}

#[test]
fn receiver_close_keeps_sent_value() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert!(tx.send(1).is_ok());
    rx.close();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn static_channel_is_reusable() {
    static CH: oneshot::Channel<u32> = oneshot::Channel::new();
    for i in 0..3 {
        let (tx, rx) = CH.split();
        assert!(CH.try_split().is_none());
        let t = std::thread::spawn(move || tx.send(i).unwrap());
        assert_eq!(block_on(rx), Ok(i));
        t.join().unwrap();
    }
    // Only the sender gone is not enough: the receiver must go too.
    let (tx, rx) = CH.split();
    drop(tx);
    assert!(CH.try_split().is_none());
    drop(rx);
    assert!(CH.try_split().is_some());
}

#[test]
#[should_panic(expected = "still alive")]
fn split_twice_panics() {
    let ch = oneshot::Channel::<u8>::new();
    let _pair = ch.split();
    let _again = ch.split();
}

#[test]
fn stack_channel_across_scoped_threads() {
    let ch = oneshot::Channel::new();
    let (tx, rx) = ch.split();
    std::thread::scope(|s| {
        s.spawn(move || tx.send(vec![1, 2, 3]).unwrap());
        assert_eq!(block_on(rx).unwrap(), [1, 2, 3]);
    });
}

#[test]
fn many_request_replies_across_threads() {
    for i in 0..200u32 {
        let (tx, rx) = oneshot::channel();
        let t = std::thread::spawn(move || tx.send(i * 2).unwrap());
        assert_eq!(block_on(rx), Ok(i * 2));
        t.join().unwrap();
    }
}
