//! Cancellation safety: dropping a waiting future (the losing branch of a `select!`) must not
//! lose a message, a permit, the lock or a notification. Each test drops a future that was
//! already handed something and checks that the next waiter gets it. See the table in
//! `weft_core::sync`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use sync_util::{block_on, poll_once, BoxFut, Tracked};
use weft_core::sync::{
    broadcast, mpsc, oneshot, watch, Mutex, MutexGuard, Notify, RwLock, RwLockReadGuard,
    RwLockWriteGuard, Semaphore, Signal,
};

#[test]
fn semaphore_granted_then_dropped_passes_permits_on() {
    let sem = Semaphore::new(0);
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(sem.acquire_many(2));
    let mut b = Box::pin(sem.acquire_many(2));
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    sem.add_permits(2); // granted to `a`
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    drop(a); // `a` lost a select! before observing its permits
    assert_eq!(tb.wakes(), 1, "the permits moved on to b");
    assert!(matches!(tb.poll(b.as_mut()), Poll::Ready(Ok(_))));
}

#[test]
fn semaphore_dropped_head_unblocks_smaller_requests_behind_it() {
    let sem = Semaphore::new(1);
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut big = Box::pin(sem.acquire_many(5));
    let mut small = Box::pin(sem.acquire());
    assert!(ta.poll(big.as_mut()).is_pending());
    assert!(tb.poll(small.as_mut()).is_pending());
    drop(big);
    assert_eq!(tb.wakes(), 1);
    assert!(matches!(tb.poll(small.as_mut()), Poll::Ready(Ok(_))));
}

#[test]
fn mutex_lock_granted_then_dropped_passes_on() {
    let m = Mutex::new(0);
    let g = m.try_lock().unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a: BoxFut<'_, MutexGuard<'_, i32>> = Box::pin(m.lock());
    let mut b: BoxFut<'_, MutexGuard<'_, i32>> = Box::pin(m.lock());
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    drop(g); // lock handed to `a`
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    drop(a);
    assert_eq!(tb.wakes(), 1);
    assert!(tb.poll(b.as_mut()).is_ready());
}

#[test]
fn rwlock_write_granted_then_dropped_passes_to_readers() {
    let l = RwLock::new(0);
    let r = l.try_read().unwrap();
    let (tw, tr) = (Tracked::new(), Tracked::new());
    let mut w: BoxFut<'_, RwLockWriteGuard<'_, i32>> = Box::pin(l.write());
    let mut rd: BoxFut<'_, RwLockReadGuard<'_, i32>> = Box::pin(l.read());
    assert!(tw.poll(w.as_mut()).is_pending());
    assert!(tr.poll(rd.as_mut()).is_pending());
    drop(r); // write lock handed to `w`
    assert_eq!(tw.wakes(), 1);
    drop(w);
    assert_eq!(tr.wakes(), 1);
    assert!(tr.poll(rd.as_mut()).is_ready());
}

#[test]
fn notify_one_delivered_to_dropped_future_is_forwarded() {
    let n = Notify::new();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(n.notified());
    let mut b = Box::pin(n.notified());
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    n.notify_one();
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    drop(a);
    assert_eq!(tb.wakes(), 1);
    assert!(tb.poll(b.as_mut()).is_ready());
}

#[test]
fn notify_one_delivered_to_dropped_future_becomes_permit() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    n.notify_one();
    drop(a);
    block_on(n.notified()); // the permit is there
}

#[test]
fn signal_woken_waiter_dropped_passes_value_on() {
    let s = Signal::new();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a = Box::pin(s.wait());
    let mut b = Box::pin(s.wait());
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    s.signal(7);
    drop(a);
    assert_eq!(tb.wakes(), 1);
    assert_eq!(tb.poll(b.as_mut()), Poll::Ready(7));
}

#[test]
fn mpsc_recv_dropped_loses_nothing() {
    let (tx, mut rx) = mpsc::channel(4);
    for i in 0..3 {
        let t = Tracked::new();
        let mut fut = Box::pin(rx.recv());
        assert!(t.poll(fut.as_mut()).is_pending());
        tx.try_send(i).unwrap(); // arrives while the recv is pending...
        assert_eq!(t.wakes(), 1);
        drop(fut); // ...and the recv loses the race before it is polled again
        assert_eq!(rx.try_recv(), Ok(i), "the message is still there");
    }
}

#[test]
fn mpsc_send_granted_then_dropped_is_still_delivered() {
    let ch = mpsc::Channel::<u8, 1>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(1).unwrap();
    let t = Tracked::new();
    let mut a: BoxFut<'_, _> = Box::pin(tx.send(2));
    assert!(t.poll(a.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // moves 2 into the buffer
    drop(a);
    assert_eq!(rx.try_recv(), Ok(2), "the value was already sent");
}

#[test]
fn mpsc_pending_send_dropped_frees_its_place() {
    let ch = mpsc::Channel::<u8, 1>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(1).unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a: BoxFut<'_, _> = Box::pin(tx.send(2));
    let mut b: BoxFut<'_, _> = Box::pin(tx.send(3));
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    drop(a); // not sent: its value goes away with it, b moves up
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tb.wakes(), 1);
    assert_eq!(tb.poll(b.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn mpsc_reserve_granted_then_dropped_passes_the_slot_on() {
    let ch = mpsc::Channel::<u8, 1>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(1).unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a: BoxFut<'_, _> = Box::pin(tx.reserve());
    let mut b: BoxFut<'_, _> = Box::pin(tx.send(2));
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot is reserved for `a`
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    drop(a); // `a` lost a select! before observing its permit
    assert_eq!(tb.wakes(), 1, "the slot moved on to b");
    assert_eq!(tb.poll(b.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn oneshot_recv_dropped_keeps_value() {
    let (tx, mut rx) = oneshot::channel();
    {
        let mut by_ref = Pin::new(&mut rx);
        assert!(poll_once(by_ref.as_mut()).is_pending());
    }
    tx.send(5).unwrap();
    assert_eq!(block_on(rx), Ok(5));
}

#[test]
fn broadcast_recv_dropped_keeps_position() {
    let (tx, mut rx) = broadcast::channel(4);
    {
        let mut fut = Box::pin(rx.recv());
        assert!(poll_once(fut.as_mut()).is_pending());
        tx.send(1).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn watch_changed_dropped_keeps_change_unseen() {
    let (tx, mut rx) = watch::channel(0);
    {
        let mut fut = Box::pin(rx.changed());
        assert!(poll_once(fut.as_mut()).is_pending());
        tx.send(1).unwrap();
    }
    assert!(rx.has_changed().unwrap());
    block_on(rx.changed()).unwrap();
}

/// A select!-like race on real threads: a consumer repeatedly starts a `recv` and a
/// `notified`, completes whichever is ready and drops the other; no message may be lost.
#[test]
fn select_like_race_loses_no_message() {
    use std::sync::Arc;
    const N: u32 = 2000;
    let (tx, mut rx) = mpsc::channel::<u32>(8);
    let tick = Arc::new(Notify::new());
    let tick2 = tick.clone();
    let producer = std::thread::spawn(move || {
        block_on(async {
            for i in 0..N {
                tx.send(i).await.unwrap();
                if i % 3 == 0 {
                    tick2.notify_one();
                }
            }
        })
    });
    let mut got = Vec::new();
    block_on(async {
        loop {
            let mut recv = Box::pin(rx.recv());
            let mut notified = Box::pin(tick.notified());
            let r = std::future::poll_fn(|cx| {
                if let Poll::Ready(v) = recv.as_mut().poll(cx) {
                    return Poll::Ready(Some(v));
                }
                if notified.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await;
            match r {
                Some(Some(v)) => got.push(v),
                Some(None) => break,
                None => {} // the notify branch won; the recv future is dropped
            }
        }
    });
    producer.join().unwrap();
    assert_eq!(got, (0..N).collect::<Vec<_>>());
}
