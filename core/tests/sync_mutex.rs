//! Functional tests for `sync::Mutex` and `sync::RwLock`.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::sync::Arc;
use std::task::Poll;

use sync_util::{block_on, BoxFut, Tracked};
use weft_core::sync::{Mutex, MutexGuard, Notify, RwLock, RwLockReadGuard, RwLockWriteGuard};

#[test]
fn lock_unlock_and_try_lock() {
    let m = Mutex::new(1);
    let g = block_on(m.lock());
    assert!(m.try_lock().is_err());
    drop(g);
    *m.try_lock().unwrap() += 1;
    assert_eq!(m.into_inner(), 2);
}

#[test]
fn waiters_get_the_lock_in_fifo_order() {
    let m = Mutex::new(Vec::new());
    let guard = m.try_lock().unwrap();
    let trackers: Vec<Tracked> = (0..4).map(|_| Tracked::new()).collect();
    let mut futs: Vec<BoxFut<'_, MutexGuard<'_, Vec<usize>>>> = (0..4)
        .map(|_| Box::pin(m.lock()) as BoxFut<'_, _>)
        .collect();
    for (t, f) in trackers.iter().zip(&mut futs) {
        assert!(t.poll(f.as_mut()).is_pending());
    }
    drop(guard);
    for i in 0..4 {
        assert_eq!(trackers[i].wakes(), 1, "waiter {i} woken in turn");
        for later in &trackers[i + 1..] {
            assert_eq!(later.wakes(), 0);
        }
        let Poll::Ready(mut g) = trackers[i].poll(futs[i].as_mut()) else {
            panic!("waiter {i} must hold the lock");
        };
        g.push(i);
    }
    assert_eq!(*m.try_lock().unwrap(), [0usize, 1, 2, 3]);
}

#[test]
fn guard_held_across_await() {
    let m = Arc::new(Mutex::new(0u32));
    let notify = Arc::new(Notify::new());
    let (m2, n2) = (m.clone(), notify.clone());
    let holder = std::thread::spawn(move || {
        block_on(async {
            let mut g = m2.lock().await;
            *g += 1;
            n2.notified().await; // the guard is held across this await
            *g += 1;
        })
    });
    // Wait until the holder has the lock, then contend.
    while m.try_lock().is_ok() {
        std::thread::yield_now();
    }
    let m3 = m.clone();
    let contender = std::thread::spawn(move || block_on(async { *m3.lock().await }));
    notify.notify_one();
    assert_eq!(
        contender.join().unwrap(),
        2,
        "contender sees both increments"
    );
    holder.join().unwrap();
}

#[test]
fn owned_guard() {
    let m = Arc::new(Mutex::new(String::new()));
    let mut g = block_on(m.clone().lock_owned());
    g.push('a');
    assert!(m.clone().try_lock_owned().is_err());
    std::thread::spawn(move || drop(g)).join().unwrap();
    assert_eq!(&*m.try_lock().unwrap(), "a");
}

#[test]
fn many_threads_increment() {
    let m = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    block_on(async {
                        let mut g = m.lock().await;
                        let v = *g;
                        std::thread::yield_now();
                        *g = v + 1;
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*m.try_lock().unwrap(), 4000);
}

#[test]
fn rwlock_readers_share_writers_exclude() {
    let l = RwLock::new(0);
    let r1 = l.try_read().unwrap();
    let r2 = block_on(l.read());
    assert!(l.try_write().is_err());
    drop((r1, r2));
    let mut w = block_on(l.write());
    assert!(l.try_read().is_err());
    *w = 5;
    drop(w);
    assert_eq!(*l.try_read().unwrap(), 5);
}

#[test]
fn rwlock_queued_writer_blocks_new_readers_then_readers_batch() {
    let l = RwLock::new(0);
    let r = l.try_read().unwrap();
    let (tw, tr1, tr2) = (Tracked::new(), Tracked::new(), Tracked::new());
    let mut w: BoxFut<'_, RwLockWriteGuard<'_, i32>> = Box::pin(l.write());
    assert!(tw.poll(w.as_mut()).is_pending());
    // A writer is queued: new readers wait behind it (no writer starvation).
    assert!(l.try_read().is_err());
    let mut r1: BoxFut<'_, RwLockReadGuard<'_, i32>> = Box::pin(l.read());
    let mut r2: BoxFut<'_, RwLockReadGuard<'_, i32>> = Box::pin(l.read());
    assert!(tr1.poll(r1.as_mut()).is_pending());
    assert!(tr2.poll(r2.as_mut()).is_pending());
    drop(r);
    assert_eq!((tw.wakes(), tr1.wakes(), tr2.wakes()), (1, 0, 0));
    let Poll::Ready(mut wg) = tw.poll(w.as_mut()) else {
        panic!()
    };
    *wg = 1;
    drop(wg);
    // Both queued readers proceed together.
    assert_eq!((tr1.wakes(), tr2.wakes()), (1, 1));
    let Poll::Ready(g1) = tr1.poll(r1.as_mut()) else {
        panic!()
    };
    let Poll::Ready(g2) = tr2.poll(r2.as_mut()) else {
        panic!()
    };
    assert_eq!(*g1 + *g2, 2);
}

#[test]
fn rwlock_downgrade_lets_readers_in() {
    let l = RwLock::new(1);
    let w = l.try_write().unwrap();
    let t = Tracked::new();
    let mut r: BoxFut<'_, RwLockReadGuard<'_, i32>> = Box::pin(l.read());
    assert!(t.poll(r.as_mut()).is_pending());
    let rg = w.downgrade();
    assert_eq!(t.wakes(), 1);
    assert!(t.poll(r.as_mut()).is_ready());
    assert!(l.try_write().is_err());
    drop(rg);
}

#[test]
fn rwlock_max_readers() {
    let l = RwLock::const_with_max_readers((), 2);
    let _a = l.try_read().unwrap();
    let _b = l.try_read().unwrap();
    assert!(l.try_read().is_err());
}

#[test]
fn rwlock_threads() {
    let l = Arc::new(RwLock::new((0u64, 0u64)));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let l = l.clone();
            std::thread::spawn(move || {
                for _ in 0..500 {
                    block_on(async {
                        if i % 2 == 0 {
                            let mut w = l.write().await;
                            w.0 += 1;
                            std::thread::yield_now();
                            w.1 += 1;
                        } else {
                            let r = l.read().await;
                            assert_eq!(r.0, r.1, "readers never see a half-done write");
                        }
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*l.try_read().unwrap(), (1000, 1000));
}
