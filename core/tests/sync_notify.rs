//! Functional tests for `sync::Notify` and `sync::Signal`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::sync::Arc;

use sync_util::{block_on, poll_once, Tracked};
use weft_core::sync::{Notify, Signal};

#[test]
fn notify_one_before_wait_stores_one_permit() {
    let n = Notify::new();
    n.notify_one();
    n.notify_one();
    block_on(n.notified());
    let mut second = Box::pin(n.notified());
    assert!(poll_once(second.as_mut()).is_pending());
}

#[test]
fn notify_one_wakes_in_fifo_order() {
    let n = Notify::new();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(n.notified());
    let mut b = Box::pin(n.notified());
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    n.notify_one();
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    assert!(ta.poll(a.as_mut()).is_ready());
    assert!(tb.poll(b.as_mut()).is_pending());
    n.notify_one();
    assert!(tb.poll(b.as_mut()).is_ready());
}

#[test]
fn notify_waiters_wakes_all_including_unpolled_but_not_later_ones() {
    let n = Notify::new();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(n.notified());
    assert!(ta.poll(a.as_mut()).is_pending());
    let mut created_not_polled = Box::pin(n.notified());
    n.notify_waiters();
    assert_eq!(ta.wakes(), 1);
    assert!(ta.poll(a.as_mut()).is_ready());
    assert!(tb.poll(created_not_polled.as_mut()).is_ready());
    // No permit stored:
    let mut later = Box::pin(n.notified());
    assert!(poll_once(later.as_mut()).is_pending());
}

#[test]
fn notify_waiters_with_more_than_one_batch() {
    let n = Notify::new();
    let trackers: Vec<Tracked> = (0..100).map(|_| Tracked::new()).collect();
    let mut futs: Vec<_> = (0..100).map(|_| Box::pin(n.notified())).collect();
    for (t, f) in trackers.iter().zip(&mut futs) {
        assert!(t.poll(f.as_mut()).is_pending());
    }
    n.notify_waiters();
    for (t, f) in trackers.iter().zip(&mut futs) {
        assert_eq!(t.wakes(), 1);
        assert!(t.poll(f.as_mut()).is_ready());
    }
}

#[test]
fn notify_ping_pong_between_threads() {
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let (p2, q2) = (ping.clone(), pong.clone());
    let t = std::thread::spawn(move || {
        block_on(async {
            for _ in 0..1000 {
                p2.notified().await;
                q2.notify_one();
            }
        })
    });
    block_on(async {
        for _ in 0..1000 {
            ping.notify_one();
            pong.notified().await;
        }
    });
    t.join().unwrap();
}

#[test]
fn signal_overwrites_and_wakes() {
    let s = Signal::new();
    let t = Tracked::new();
    let mut w = Box::pin(s.wait());
    assert!(t.poll(w.as_mut()).is_pending());
    s.signal(1);
    s.signal(2);
    assert!(t.wakes() >= 1);
    assert_eq!(t.poll(w.as_mut()), std::task::Poll::Ready(2));
    assert!(!s.signaled());
}

#[test]
fn signal_from_another_thread_latest_wins() {
    static S: Signal<u32> = Signal::new();
    let t = std::thread::spawn(|| {
        for i in 1..=1000 {
            S.signal(i);
        }
    });
    let mut last = 0;
    while last != 1000 {
        let v = block_on(S.wait());
        assert!(v > last, "values only move forward");
        last = v;
    }
    t.join().unwrap();
}

#[test]
fn signal_serves_several_waiters_one_value_each() {
    let s = Signal::new();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(s.wait());
    let mut b = Box::pin(s.wait());
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    s.signal('x');
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    assert_eq!(ta.poll(a.as_mut()), std::task::Poll::Ready('x'));
    s.signal('y');
    assert_eq!(tb.wakes(), 1);
    assert_eq!(tb.poll(b.as_mut()), std::task::Poll::Ready('y'));
}
