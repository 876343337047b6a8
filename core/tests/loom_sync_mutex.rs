//! Loom models of `sync::Mutex` and `sync::Semaphore`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_sync_mutex`.
#![cfg(loom)]

mod loom_sync_util;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Waker};

use loom::thread;
use loom_sync_util::block_on;
use weft_core::sync::{Mutex, Semaphore};

#[test]
fn two_tasks_increment() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = m.clone();
        let t = thread::spawn(move || block_on(async { *m2.lock().await += 1 }));
        block_on(async { *m.lock().await += 1 });
        t.join().unwrap();
        assert_eq!(*m.try_lock().unwrap(), 2);
    });
}

#[test]
fn mutual_exclusion_checked_by_loom_cell() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(loom::cell::UnsafeCell::new(0u32)));
        let m2 = m.clone();
        let t = thread::spawn(move || {
            block_on(async {
                let g = m2.lock().await;
                // SAFETY: the guard gives exclusive access; loom checks there is no overlap.
                g.with_mut(|p| unsafe { *p += 1 });
            })
        });
        block_on(async {
            let g = m.lock().await;
            // SAFETY: as above.
            g.with_mut(|p| unsafe { *p += 1 });
        });
        t.join().unwrap();
        let g = m.try_lock().unwrap();
        // SAFETY: as above.
        assert_eq!(g.with(|p| unsafe { *p }), 2);
    });
}

#[test]
fn dropped_lock_future_passes_the_lock_on() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(()));
        let guard = m.try_lock().unwrap();
        let m2 = m.clone();
        // Another thread waits for the lock.
        let t = thread::spawn(move || drop(block_on(m2.lock())));
        {
            let mut fut = Box::pin(m.lock());
            // Queue this future, release the guard (the lock may be granted to it or to the
            // other thread), then drop it without ever observing the outcome.
            let _ = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            drop(guard);
            drop(fut);
        }
        t.join().unwrap();
        assert!(m.try_lock().is_ok(), "the lock was not lost");
    });
}

#[test]
fn semaphore_release_races_acquire_many() {
    loom::model(|| {
        let s = Arc::new(Semaphore::new(1));
        let p = s.try_acquire().unwrap();
        let s2 = s.clone();
        let t = thread::spawn(move || {
            let p = block_on(s2.acquire_many(2)).unwrap();
            assert_eq!(p.num_permits(), 2);
        });
        s.add_permits(1);
        drop(p);
        t.join().unwrap();
        assert_eq!(s.available_permits(), 2);
    });
}

#[test]
fn semaphore_close_races_acquire() {
    loom::model(|| {
        let s = Arc::new(Semaphore::new(0));
        let s2 = s.clone();
        let t = thread::spawn(move || s2.close());
        assert!(block_on(s.acquire()).is_err());
        t.join().unwrap();
    });
}
