//! Multi-thread stress tests: many real threads hammer one primitive, sometimes dropping
//! futures mid-wait, and the end state must balance (no lost message, permit or wake-up).
//! Every wait is a real wait on the primitive; nothing sleeps.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
mod sync_util;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use sync_util::block_on;
use weft_core::sync::{mpsc, oneshot, Mutex, Notify, Semaphore};

const THREADS: usize = 4;

/// Polls `fut` up to `polls` times (yielding the thread in between) and then drops it: a
/// stand-in for the losing branch of a `select!` with a timeout.
fn poll_a_few_then_drop<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        std::thread::yield_now();
    }
    None
}

#[test]
fn static_mpsc_capacity_one_many_senders() {
    static CH: mpsc::Channel<(usize, u64), 1> = mpsc::Channel::new();
    const PER: u64 = 2000;
    let (tx, mut rx) = CH.split();
    std::thread::scope(|s| {
        for p in 0..THREADS {
            let tx = tx.clone();
            s.spawn(move || {
                block_on(async {
                    for i in 0..PER {
                        tx.send((p, i)).await.unwrap();
                    }
                })
            });
        }
        drop(tx);
        let mut next = [0u64; THREADS];
        block_on(async {
            while let Some((p, i)) = rx.recv().await {
                assert_eq!(next[p], i);
                next[p] += 1;
            }
        });
        assert_eq!(next, [PER; THREADS]);
    });
}

#[test]
fn semaphore_with_abandoned_acquires_keeps_every_permit() {
    const PERMITS: usize = 2;
    let sem = Arc::new(Semaphore::new(PERMITS));
    let held = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (sem, held) = (sem.clone(), held.clone());
            s.spawn(move || {
                for i in 0..2000 {
                    let permit = if (i + t) % 3 == 0 {
                        // Give up after a few polls: the permit may have been granted already.
                        poll_a_few_then_drop(sem.acquire(), 2)
                    } else {
                        Some(block_on(sem.acquire()))
                    };
                    if let Some(p) = permit {
                        let _p = p.unwrap();
                        assert!(held.fetch_add(1, Ordering::SeqCst) < PERMITS);
                        held.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    assert_eq!(sem.available_permits(), PERMITS, "no permit lost");
}

#[test]
fn mutex_with_abandoned_locks_never_deadlocks() {
    let m = Arc::new(Mutex::new(0u64));
    let done = Arc::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (m, done) = (m.clone(), done.clone());
            s.spawn(move || {
                for i in 0..2000 {
                    if (i + t) % 4 == 0 {
                        if let Some(mut g) = poll_a_few_then_drop(m.lock(), 1) {
                            *g += 1;
                            done.fetch_add(1, Ordering::SeqCst);
                        }
                    } else {
                        *block_on(m.lock()) += 1;
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    assert_eq!(*m.try_lock().unwrap(), done.load(Ordering::SeqCst));
}

#[test]
fn notify_one_with_abandoned_waiters_loses_no_notification() {
    // Each round: a notifier sends one notify_one; several waiters race for it, some give up.
    // The notification must reach someone who completes (or stay stored as the permit).
    const ROUNDS: usize = 500;
    let n = Arc::new(Notify::new());
    let received = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        let (n2, r2) = (n.clone(), received.clone());
        s.spawn(move || {
            for _ in 0..ROUNDS {
                n2.notify_one();
                // Wait until someone consumed it before sending the next one.
                while r2.load(Ordering::SeqCst) == 0 {
                    std::thread::yield_now();
                }
                r2.fetch_sub(1, Ordering::SeqCst);
            }
        });
        let total = Arc::new(AtomicUsize::new(0));
        for t in 0..3 {
            let (n, received, total) = (n.clone(), received.clone(), total.clone());
            s.spawn(move || loop {
                if total.load(Ordering::SeqCst) >= ROUNDS {
                    break;
                }
                let got = if t == 0 {
                    poll_a_few_then_drop(n.notified(), 3).is_some()
                } else {
                    poll_a_few_then_drop(n.notified(), 50).is_some()
                };
                if got {
                    total.fetch_add(1, Ordering::SeqCst);
                    received.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
}

#[test]
fn oneshot_storm() {
    let (req_tx, mut req_rx) = mpsc::channel::<(u64, oneshot::Sender<u64>)>(4);
    std::thread::scope(|s| {
        s.spawn(move || {
            block_on(async {
                while let Some((x, reply)) = req_rx.recv().await {
                    let _ = reply.send(x * x);
                }
            })
        });
        for t in 0..THREADS as u64 {
            let req_tx = req_tx.clone();
            s.spawn(move || {
                block_on(async {
                    for i in 0..500 {
                        let x = t * 1000 + i;
                        let (tx, rx) = oneshot::channel();
                        req_tx.send((x, tx)).await.unwrap();
                        assert_eq!(rx.await, Ok(x * x));
                    }
                })
            });
        }
        drop(req_tx);
    });
}
