//! Loom models of parking: no lost wake-ups, one worker in the driver, the others on a condvar,
//! and the idle/searching protocol between a producer and a worker going to sleep.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft --release --test loom_park`.
#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use weft::__loom::{Driver, Idle, Inject, ParkShared, ParkThread, Parker};

#[test]
fn park_thread_unpark_is_never_lost() {
    loom::model(|| {
        let park = ParkThread::new();
        let unpark = park.unpark_handle();
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let th = thread::spawn(move || {
            f.store(true, SeqCst);
            unpark.unpark();
        });
        while !flag.load(SeqCst) {
            park.park();
        }
        th.join().unwrap();
    });
}

#[test]
fn two_parkers_share_the_driver() {
    loom::model(|| {
        let (driver, handle) = Driver::new_park_thread();
        let shared = ParkShared::new(driver, handle);
        let mut p1 = Parker::new(shared.clone());
        let mut p2 = Parker::new(shared);
        let (u1, u2) = (p1.unparker(), p2.unparker());
        let flags = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let f = flags.clone();
        let waker = thread::spawn(move || {
            f[0].store(true, SeqCst);
            u1.unpark();
            f[1].store(true, SeqCst);
            u2.unpark();
        });
        let f = flags.clone();
        let other = thread::spawn(move || {
            while !f[1].load(SeqCst) {
                p2.park();
            }
        });
        // One of the two sleeps in the driver, the other on its condvar; both must wake.
        while !flags[0].load(SeqCst) {
            p1.park();
        }
        other.join().unwrap();
        waker.join().unwrap();
    });
}

/// The worker side of the sleep protocol, as in `worker.rs`: look for work, become a
/// searcher, look again, go to sleep (re-checking as the last searcher), sleep until picked.
fn worker_find_or_sleep(idle: &Idle, inject: &Inject<u32>, parker: &mut Parker) -> u32 {
    loop {
        if let Some(t) = inject.pop() {
            return t;
        }
        let searching = idle.transition_worker_to_searching();
        if let Some(t) = inject.pop() {
            if searching {
                idle.transition_worker_from_searching();
            }
            return t;
        }
        let last = idle.transition_worker_to_parked(0, searching);
        if last && !inject.is_empty() {
            // notify_if_work_pending: wakes a sleeper, which may be ourselves.
            if let Some(w) = idle.worker_to_notify() {
                assert_eq!(w, 0);
                parker.unparker().unpark();
            }
        }
        loop {
            parker.park();
            if !idle.is_parked(0) {
                // Picked by a producer: it made us a searcher.
                idle.transition_worker_from_searching();
                break;
            }
            if !inject.is_empty() {
                // Woken by the driver with work: leave the sleepers ourselves.
                if !idle.unpark_worker_by_id(0) {
                    idle.transition_worker_from_searching();
                }
                break;
            }
        }
    }
}

#[test]
fn producer_never_strands_a_task_with_a_sleeping_worker() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(1));
        let inject = Arc::new(Inject::new());
        let (driver, handle) = Driver::new_park_thread();
        let mut parker = Parker::new(ParkShared::new(driver, handle));
        let unparker = parker.unparker();
        let (i2, q2) = (idle.clone(), inject.clone());
        let producer = thread::spawn(move || {
            q2.push(7u32).unwrap();
            if let Some(w) = i2.worker_to_notify() {
                assert_eq!(w, 0);
                unparker.unpark();
            }
        });
        // The worker must get the task: loom reports a deadlock if it sleeps forever.
        assert_eq!(worker_find_or_sleep(&idle, &inject, &mut parker), 7);
        producer.join().unwrap();
    });
}
