//! Functional tests for `sync::mpsc`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use futures_core::Stream;
use sync_util::{block_on, poll_once, BoxFut, Tracked};
use weft_core::sync::mpsc::{self, TryRecvError, TrySendError};

#[test]
fn fifo_order_and_none_after_senders_gone() {
    let (tx, mut rx) = mpsc::channel(4);
    block_on(async {
        for i in 0..4 {
            tx.send(i).await.unwrap();
        }
        drop(tx);
        for i in 0..4 {
            assert_eq!(rx.recv().await, Some(i));
        }
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn try_send_full_and_closed() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(tx.capacity(), 0);
    assert_eq!(rx.try_recv(), Ok(1));
    rx.close();
    assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn recv_is_woken_by_send_and_by_last_sender_drop() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let tx2 = tx.clone();
    let t = Tracked::new();
    let mut cx = std::task::Context::from_waker(&t.waker);
    assert!(rx.poll_recv(&mut cx).is_pending());
    tx.try_send(1).unwrap();
    assert_eq!(t.wakes(), 1);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    assert!(rx.poll_recv(&mut cx).is_pending());
    drop(tx);
    assert_eq!(t.wakes(), 1, "one sender left: no wake");
    drop(tx2);
    assert_eq!(t.wakes(), 2);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
}

#[test]
fn send_waits_for_room_in_fifo_order() {
    let ch = mpsc::Channel::<u32, 1>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(0).unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut a: BoxFut<'_, _> = Box::pin(tx.send(1));
    let mut b: BoxFut<'_, _> = Box::pin(tx.send(2));
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    // A newcomer cannot take the slot freed for a waiting sender.
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
    assert_eq!(ta.poll(a.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tb.wakes(), 1);
    assert_eq!(tb.poll(b.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn receiver_drop_fails_waiting_senders_and_drops_buffered() {
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(CountDrop(drops.clone())).unwrap();
    let t = Tracked::new();
    let mut waiting: BoxFut<'_, _> = Box::pin(tx.send(CountDrop(drops.clone())));
    assert!(t.poll(waiting.as_mut()).is_pending());
    drop(rx);
    assert_eq!(t.wakes(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1, "buffered value dropped");
    match t.poll(waiting.as_mut()) {
        Poll::Ready(Err(e)) => drop(e.0),
        _ => panic!("send must fail with the value"),
    }
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    assert!(tx.is_closed());
}

#[test]
fn recv_drops_of_a_channel_holding_its_own_sender() {
    // A Sender of channel C stored inside C: the receiver's drop drops it outside the lock.
    type Msg = Box<dyn Send>;
    let (tx, rx) = mpsc::unbounded_channel::<Msg>();
    tx.send(Box::new(tx.clone())).unwrap();
    drop(tx);
    drop(rx); // would deadlock if the message were dropped under the lock
}

#[test]
fn static_channel_split_and_reuse() {
    static CH: mpsc::Channel<u32, 4> = mpsc::Channel::new();
    let (tx, rx) = CH.split();
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    drop(rx); // drops the buffered messages
    drop(tx);
    let (tx, mut rx2) = CH.split();
    assert_eq!(rx2.try_recv(), Err(TryRecvError::Empty));
    tx.try_send(3).unwrap();
    assert_eq!(rx2.try_recv(), Ok(3));
}

#[test]
fn unbounded_never_waits() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..10_000 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 10_000);
    for i in 0..10_000 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert!(rx.is_empty());
    drop(tx);
    assert!(rx.is_closed());
}

#[test]
fn receiver_is_a_stream() {
    let (tx, mut rx) = mpsc::channel(3);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    drop(tx);
    let mut got = vec![];
    loop {
        match poll_once(Pin::new(&mut rx).poll_next_fut().as_mut()) {
            Poll::Ready(Some(v)) => got.push(v),
            Poll::Ready(None) => break,
            Poll::Pending => panic!("all values buffered"),
        }
    }
    assert_eq!(got, [0, 1, 2]);
}

/// `poll_next` as a future, to poll the `Stream` impl by hand.
trait PollNextFut: Stream + Unpin + Sized {
    fn poll_next_fut(self: Pin<&mut Self>) -> Pin<Box<NextFut<'_, Self>>> {
        Box::pin(NextFut(self))
    }
}
impl<S: Stream + Unpin> PollNextFut for S {}
struct NextFut<'a, S>(Pin<&'a mut S>);
impl<S: Stream> std::future::Future for NextFut<'_, S> {
    type Output = Option<S::Item>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll_next(cx)
    }
}

/// Four threads that each send `(producer, 0..per)` through a clone of `tx`; `tx` is dropped.
fn producer_threads(tx: mpsc::Sender<(u32, u32)>, per: u32) -> Vec<std::thread::JoinHandle<()>> {
    (0..4u32)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                block_on(async {
                    for i in 0..per {
                        tx.send((p, i)).await.unwrap();
                    }
                })
            })
        })
        .collect()
}

#[test]
fn producers_on_threads_consumer_here() {
    let (tx, mut rx) = mpsc::channel(2);
    let handles = producer_threads(tx, 500);
    let mut next = [0u32; 4];
    block_on(async {
        while let Some((p, i)) = rx.recv().await {
            assert_eq!(next[p as usize], i, "per-producer order");
            next[p as usize] += 1;
        }
    });
    assert_eq!(next, [500; 4]);
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn reserve_holds_a_slot_and_permit_sends() {
    let (tx, mut rx) = mpsc::channel(2);
    let p1 = block_on(tx.reserve()).unwrap();
    let p2 = tx.try_reserve().unwrap();
    assert_eq!(tx.capacity(), 0);
    assert!(matches!(tx.try_send(0), Err(TrySendError::Full(0))));
    p2.send(2);
    p1.send(1);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn dropped_permit_gives_its_slot_to_a_waiting_sender() {
    let ch = mpsc::Channel::<u8, 1>::new();
    let (tx, mut rx) = ch.split();
    let permit = tx.try_reserve().unwrap();
    let t = Tracked::new();
    let mut waiting: BoxFut<'_, _> = Box::pin(tx.send(7));
    assert!(t.poll(waiting.as_mut()).is_pending());
    drop(permit);
    assert_eq!(t.wakes(), 1);
    assert_eq!(t.poll(waiting.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(7));
}

#[test]
fn reserve_waits_in_fifo_with_senders_and_fails_when_closed() {
    let ch = mpsc::Channel::<u8, 1>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(1).unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut r: BoxFut<'_, _> = Box::pin(tx.reserve());
    let mut s: BoxFut<'_, _> = Box::pin(tx.send(2));
    assert!(ta.poll(r.as_mut()).is_pending());
    assert!(tb.poll(s.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // slot goes to the reserve (first in line)
    assert_eq!((ta.wakes(), tb.wakes()), (1, 0));
    let Poll::Ready(Ok(permit)) = ta.poll(r.as_mut()) else {
        panic!("reserve granted")
    };
    drop(r);
    rx.close();
    assert_eq!(tb.wakes(), 1);
    assert!(matches!(tb.poll(s.as_mut()), Poll::Ready(Err(_))));
    permit.send(3); // receiver closed: the value is dropped, no panic
    assert!(block_on(tx.reserve()).is_err());
}

#[test]
fn recv_many_takes_a_batch_and_refills_waiting_senders_in_order() {
    let ch = mpsc::Channel::<u32, 2>::new();
    let (tx, mut rx) = ch.split();
    tx.try_send(0).unwrap();
    tx.try_send(1).unwrap();
    let (ta, tb, tc) = (Tracked::new(), Tracked::new(), Tracked::new());
    let mut a: BoxFut<'_, _> = Box::pin(tx.send(2));
    let mut b: BoxFut<'_, _> = Box::pin(tx.send(3));
    let mut c: BoxFut<'_, _> = Box::pin(tx.send(4));
    assert!(ta.poll(a.as_mut()).is_pending());
    assert!(tb.poll(b.as_mut()).is_pending());
    assert!(tc.poll(c.as_mut()).is_pending());
    // One batch of three: 0 and 1 from the buffer; each freed slot goes to the next waiting
    // sender (2, then 3), and 2 is received in the same batch.
    let mut buf = Vec::new();
    let t = Tracked::new();
    let mut cx = std::task::Context::from_waker(&t.waker);
    assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 3), Poll::Ready(3));
    assert_eq!(buf, [0, 1, 2]);
    assert_eq!((ta.wakes(), tb.wakes(), tc.wakes()), (1, 1, 1));
    for (t, f) in [(&ta, &mut a), (&tb, &mut b), (&tc, &mut c)] {
        assert_eq!(t.poll(f.as_mut()), Poll::Ready(Ok(())));
    }
    // The rest, then nothing: pending with the waker kept, woken by the last sender's drop.
    assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 10), Poll::Ready(2));
    assert_eq!(buf, [0, 1, 2, 3, 4]);
    assert!(rx.poll_recv_many(&mut cx, &mut buf, 10).is_pending());
    assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 0), Poll::Ready(0));
    drop((a, b, c));
    drop(tx);
    assert_eq!(t.wakes(), 1);
    assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 10), Poll::Ready(0));
}

#[test]
fn recv_many_with_producers_on_threads_keeps_per_producer_order() {
    let (tx, mut rx) = mpsc::channel(16);
    let handles = producer_threads(tx, 2000);
    let mut next = [0u32; 4];
    block_on(async {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = rx.recv_many(&mut buf, 64).await;
            if n == 0 {
                break;
            }
            assert!(n <= 64 && n == buf.len());
            for &(p, i) in &buf {
                assert_eq!(next[p as usize], i, "per-producer order");
                next[p as usize] += 1;
            }
        }
    });
    assert_eq!(next, [2000; 4]);
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn sender_closed_waits_for_the_receiver_to_go_and_wakes_every_waiter() {
    let (tx, rx) = mpsc::channel::<u8>(1);
    let tx2 = tx.clone();
    // 40 waiters: more than one wake batch.
    let trackers: Vec<Tracked> = (0..40).map(|_| Tracked::new()).collect();
    let mut futs: Vec<BoxFut<'_, ()>> = (0..40)
        .map(|i| -> BoxFut<'_, ()> {
            if i % 2 == 0 {
                Box::pin(tx.closed())
            } else {
                Box::pin(tx2.closed())
            }
        })
        .collect();
    for (t, f) in trackers.iter().zip(futs.iter_mut()) {
        assert!(t.poll(f.as_mut()).is_pending());
        assert!(
            t.poll(f.as_mut()).is_pending(),
            "polling again re-registers, no double link"
        );
    }
    // A waiter dropped while linked unlinks itself.
    drop(futs.pop());
    assert!(!tx.is_closed());
    assert!(trackers.iter().all(|t| t.wakes() == 0));
    drop(rx);
    assert!(trackers[..39].iter().all(|t| t.wakes() == 1));
    for (t, f) in trackers.iter().zip(futs.iter_mut()) {
        assert_eq!(t.poll(f.as_mut()), Poll::Ready(()));
    }
    // Already closed: ready at once.
    assert_eq!(poll_once(std::pin::pin!(tx.closed())), Poll::Ready(()));
}

#[test]
fn sender_closed_after_receiver_close() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let t = Tracked::new();
    let mut f: BoxFut<'_, ()> = Box::pin(tx.closed());
    assert!(t.poll(f.as_mut()).is_pending());
    rx.close();
    assert_eq!(t.wakes(), 1);
    assert_eq!(t.poll(f.as_mut()), Poll::Ready(()));
}

#[test]
fn closed_future_finished_and_freed_between_close_batches() {
    // `close_senders` unlinks `closed()` waiters 32 at a time and drops the lock in between.
    // A waiter further down the list that is polled (sees `closed`) and freed in that gap must
    // unlink itself, or the next batch writes to freed memory (ASan run in CI's asan step
    // covers this test).
    use std::cell::RefCell;
    use std::future::Future;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};
    type Fut = Pin<Box<dyn Future<Output = ()>>>;
    thread_local! { static VICTIM: RefCell<Option<Fut>> = const { RefCell::new(None) }; }
    struct PollVictim;
    impl Wake for PollVictim {
        fn wake(self: Arc<Self>) {
            if let Some(mut f) = VICTIM.with(|v| v.borrow_mut().take()) {
                let ready = f.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                assert!(ready.is_ready(), "the channel is closed by now");
                drop(f);
            }
        }
    }
    // The futures must be `'static` to sit in the thread-local: keep the sender in a static
    // (reachable, so not a leak to LeakSanitizer).
    static TX: std::sync::OnceLock<mpsc::Sender<u8>> = std::sync::OnceLock::new();
    let (tx, rx) = mpsc::channel::<u8>(1);
    let tx = TX.get_or_init(|| tx);
    let trigger = Waker::from(Arc::new(PollVictim));
    let first: Vec<Fut> = (0..32)
        .map(|i| {
            let mut f: Fut = Box::pin(tx.closed());
            let w = if i == 0 {
                trigger.clone()
            } else {
                Waker::noop().clone()
            };
            assert!(f.as_mut().poll(&mut Context::from_waker(&w)).is_pending());
            f
        })
        .collect();
    let mut victim: Fut = Box::pin(tx.closed()); // the 33rd: in the second batch
    assert!(victim
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_pending());
    VICTIM.with(|v| *v.borrow_mut() = Some(victim));
    drop(rx);
    assert!(
        VICTIM.with(|v| v.borrow().is_none()),
        "the victim was polled and freed"
    );
    drop(first);
}

#[test]
fn static_ring_wraps_many_times_under_threads_with_recv_and_recv_many_mixed() {
    // A 3-slot ring in a static, three producer threads: the ring wraps thousands of times
    // while the receiver pops without the lock and senders keep hitting "full".
    static CH: mpsc::Channel<(u32, u32), 3> = mpsc::Channel::new();
    let (tx, mut rx) = CH.split();
    let mut next = [0u32; 3];
    std::thread::scope(|scope| {
        for p in 0..3u32 {
            let tx = tx.clone();
            scope.spawn(move || {
                block_on(async {
                    for i in 0..3000u32 {
                        tx.send((p, i)).await.unwrap();
                    }
                })
            });
        }
        drop(tx);
        block_on(async {
            let mut buf = Vec::new();
            let mut round = 0u32;
            loop {
                round += 1;
                buf.clear();
                if round % 2 == 0 {
                    match rx.recv().await {
                        Some(m) => buf.push(m),
                        None => break,
                    }
                } else if rx.recv_many(&mut buf, 2).await == 0 {
                    break;
                }
                for &(p, i) in &buf {
                    assert_eq!(next[p as usize], i, "per-producer order");
                    next[p as usize] += 1;
                }
            }
        });
    });
    assert_eq!(next, [3000; 3]);
}

/// A waker that records that it was woken.
struct FlagWaker(std::sync::atomic::AtomicBool);
impl std::task::Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn dropped_permit_serving_a_waiting_send_wakes_the_parked_receiver() {
    use std::task::{Context, Waker};
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let permit = tx.try_reserve().unwrap(); // the only slot is reserved, the buffer is empty
    let flag = Arc::new(FlagWaker(Default::default()));
    let rx_waker = Waker::from(flag.clone());
    assert!(rx
        .poll_recv(&mut Context::from_waker(&rx_waker))
        .is_pending());
    let mut send: BoxFut<'_, _> = Box::pin(tx.send(7));
    assert!(poll_once(send.as_mut()).is_pending()); // waits: the slot is reserved
    drop(permit); // hands the slot to the waiting send, which puts 7 in the buffer
    assert_eq!(poll_once(send.as_mut()), Poll::Ready(Ok(())));
    assert!(
        flag.0.load(Ordering::SeqCst),
        "the parked receiver was woken"
    );
    assert_eq!(
        rx.poll_recv(&mut Context::from_waker(&rx_waker)),
        Poll::Ready(Some(7))
    );
}

#[test]
fn dropped_granted_reserve_serving_a_waiting_send_wakes_the_parked_receiver() {
    use std::task::{Context, Waker};
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(1).unwrap();
    let mut res: BoxFut<'_, _> = Box::pin(tx.reserve());
    assert!(poll_once(res.as_mut()).is_pending());
    let mut send: BoxFut<'_, _> = Box::pin(tx.send(7));
    assert!(poll_once(send.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot is granted to the reserve
    let flag = Arc::new(FlagWaker(Default::default()));
    let rx_waker = Waker::from(flag.clone());
    assert!(rx
        .poll_recv(&mut Context::from_waker(&rx_waker))
        .is_pending());
    drop(res); // granted but never used: the slot goes on to the send
    assert_eq!(poll_once(send.as_mut()), Poll::Ready(Ok(())));
    assert!(
        flag.0.load(Ordering::SeqCst),
        "the parked receiver was woken"
    );
    assert_eq!(rx.try_recv(), Ok(7));
}
