//! Functional tests for `sync::Semaphore`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use sync_util::{block_on, Tracked};
use weft_core::sync::{Semaphore, TryAcquireError};

#[test]
fn acquire_release_counts() {
    let sem = Semaphore::new(3);
    let a = sem.try_acquire_many(2).unwrap();
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(
        sem.try_acquire_many(2).unwrap_err(),
        TryAcquireError::NoPermits
    );
    drop(a);
    assert_eq!(sem.available_permits(), 3);
    sem.add_permits(2);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn fifo_a_big_request_blocks_later_small_ones() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let (ta, tb) = (Tracked::new(), Tracked::new());
    let mut big = Box::pin(sem.acquire_many(2));
    let mut small = Box::pin(sem.acquire());
    assert!(ta.poll(big.as_mut()).is_pending());
    assert!(tb.poll(small.as_mut()).is_pending());
    // One permit comes back: not enough for the head; the small one must not overtake it.
    drop(held);
    assert_eq!((ta.wakes(), tb.wakes()), (0, 0));
    assert_eq!(sem.available_permits(), 1);
    assert!(
        sem.try_acquire().is_err(),
        "try_acquire must not barge past waiters"
    );
    sem.add_permits(2);
    assert_eq!((ta.wakes(), tb.wakes()), (1, 1));
    let Poll::Ready(Ok(p_big)) = ta.poll(big.as_mut()) else {
        panic!()
    };
    let Poll::Ready(Ok(p_small)) = tb.poll(small.as_mut()) else {
        panic!()
    };
    assert_eq!((p_big.num_permits(), p_small.num_permits()), (2, 1));
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn close_fails_waiters_but_keeps_permits_valid() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let t = Tracked::new();
    let mut fut = Box::pin(sem.acquire());
    assert!(t.poll(fut.as_mut()).is_pending());
    sem.close();
    assert_eq!(t.wakes(), 1);
    assert!(matches!(t.poll(fut.as_mut()), Poll::Ready(Err(_))));
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    drop(held);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn forget_and_merge() {
    let sem = Semaphore::new(3);
    let mut a = sem.try_acquire().unwrap();
    a.merge(sem.try_acquire().unwrap());
    assert_eq!(a.num_permits(), 2);
    a.forget();
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.forget_permits(10), 1);
}

#[test]
fn owned_permits_move_across_threads() {
    let sem = Arc::new(Semaphore::new(2));
    let p = block_on(sem.clone().acquire_many_owned(2)).unwrap();
    let sem2 = sem.clone();
    let waiter = std::thread::spawn(move || block_on(sem2.acquire_owned()).unwrap().num_permits());
    std::thread::spawn(move || drop(p)).join().unwrap();
    assert_eq!(waiter.join().unwrap(), 1);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn concurrency_limit_is_respected_across_threads() {
    const LIMIT: usize = 3;
    let sem = Arc::new(Semaphore::new(LIMIT));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_seen = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let (sem, inside, max_seen) = (sem.clone(), inside.clone(), max_seen.clone());
            std::thread::spawn(move || {
                for j in 0..300 {
                    let n = 1 + (i + j) % 2;
                    let _p = block_on(sem.acquire_many(n as u32)).unwrap();
                    let now = inside.fetch_add(n, Ordering::SeqCst) + n;
                    max_seen.fetch_max(now, Ordering::SeqCst);
                    assert!(now <= LIMIT, "{now} permits in use");
                    std::thread::yield_now();
                    inside.fetch_sub(n, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(sem.available_permits(), LIMIT);
    assert!(max_seen.load(Ordering::SeqCst) <= LIMIT);
}

#[test]
fn close_fails_every_queued_waiter_even_if_permits_arrive_between_wake_batches() {
    // `close` fails waiters in batches of 32 and lets go of the lock in between; here the first
    // woken waiter's waker adds a permit right then. Waiter 33 must still fail.
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex;
    use std::task::{Context, Wake, Waker};
    use weft_core::sync::Acquire;
    struct OnWake(Mutex<Option<Box<dyn FnOnce() + Send>>>);
    impl Wake for OnWake {
        fn wake(self: Arc<Self>) {
            if let Some(f) = self.0.lock().unwrap().take() {
                f()
            }
        }
    }
    static SEM: Semaphore = Semaphore::new(0);
    let mut futs: Vec<Pin<Box<Acquire<'static>>>> =
        (0..40).map(|_| Box::pin(SEM.acquire())).collect();
    let add_one: Box<dyn FnOnce() + Send> = Box::new(|| SEM.add_permits(1));
    let first = Waker::from(Arc::new(OnWake(Mutex::new(Some(add_one)))));
    assert!(futs[0]
        .as_mut()
        .poll(&mut Context::from_waker(&first))
        .is_pending());
    let t = Tracked::new();
    for f in &mut futs[1..] {
        assert!(t.poll(f.as_mut()).is_pending());
    }
    SEM.close();
    let oks: Vec<usize> = futs
        .iter_mut()
        .enumerate()
        .filter_map(|(i, f)| matches!(t.poll(f.as_mut()), Poll::Ready(Ok(_))).then_some(i))
        .collect();
    assert!(
        oks.is_empty(),
        "waiters {oks:?} got a permit from a semaphore closed while they were queued"
    );
    assert_eq!(
        SEM.available_permits(),
        1,
        "the permit added meanwhile is kept"
    );
}
