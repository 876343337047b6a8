//! Stress: many tasks, wake storms from other threads, cooperative budget.
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use support::{runtimes, DropCounter};

#[test]
fn hundred_thousand_tasks() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        let n = rt.block_on(async move {
            let hs: Vec<_> = (0..100_000u32)
                .map(|i| {
                    let t = d.track();
                    weft::spawn(async move {
                        let _t = t;
                        i & 1
                    })
                })
                .collect();
            let mut n = 0;
            for h in hs {
                n += h.await.unwrap();
            }
            n
        });
        assert_eq!(n, 50_000, "{name}");
        assert_eq!(drops.count(), 100_000, "{name}");
    }
}

/// A million short tasks on the default (multi-thread) runtime, spawned from inside it in
/// waves so that queues overflow into the injection queue and workers steal; every task runs
/// and every future is dropped exactly once.
#[test]
fn a_million_short_tasks() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let drops = DropCounter::default();
    let d = drops.clone();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    rt.block_on(async move {
        for _wave in 0..10 {
            let hs: Vec<_> = (0..100_000)
                .map(|_| {
                    let t = d.track();
                    let r = r.clone();
                    weft::spawn(async move {
                        let _t = t;
                        r.fetch_add(1, Ordering::Relaxed);
                    })
                })
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        }
    });
    drop(rt);
    assert_eq!(ran.load(Ordering::Relaxed), 1_000_000);
    assert_eq!(drops.count(), 1_000_000);
}

#[test]
fn spawn_from_many_threads() {
    for (name, rt) in runtimes() {
        let handle = rt.handle().clone();
        let done = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (h, d) = (handle.clone(), done.clone());
                std::thread::spawn(move || {
                    (0..2_000)
                        .map(|_| {
                            let d = d.clone();
                            h.spawn(async move {
                                d.fetch_add(1, Ordering::SeqCst);
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let handles: Vec<_> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        rt.block_on(async {
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 8_000, "{name}");
    }
}

/// A future that completes after being woken `n` times, wakers fired from other threads.
struct WakeCounter {
    left: usize,
    waker: Arc<std::sync::Mutex<Option<std::task::Waker>>>,
}

impl std::future::Future for WakeCounter {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.left == 0 {
            return std::task::Poll::Ready(());
        }
        self.left -= 1;
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        std::task::Poll::Pending
    }
}

#[test]
fn wake_storm_from_other_threads() {
    for (name, rt) in runtimes() {
        let slots: Vec<_> = (0..64)
            .map(|_| Arc::new(std::sync::Mutex::new(None::<std::task::Waker>)))
            .collect();
        let handles: Vec<_> = slots
            .iter()
            .map(|s| {
                rt.spawn(WakeCounter {
                    left: 200,
                    waker: s.clone(),
                })
            })
            .collect();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let wakers: Vec<_> = (0..3)
            .map(|k| {
                let slots = slots.clone();
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        for (i, s) in slots.iter().enumerate() {
                            if i % 3 == k {
                                if let Some(w) = s.lock().unwrap().take() {
                                    w.wake();
                                }
                            }
                        }
                        std::thread::yield_now();
                    }
                })
            })
            .collect();
        rt.block_on(async {
            for h in handles {
                h.await.unwrap();
            }
        });
        stop.store(true, Ordering::SeqCst);
        for w in wakers {
            w.join().unwrap();
        }
        let _ = name;
    }
}

#[test]
fn coop_budget_lets_others_run() {
    // A task that is always ready (consume_budget never blocks) must not starve another task
    // on a one-worker / current-thread runtime.
    let rts = vec![
        weft::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        weft::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap(),
    ];
    for rt in rts {
        rt.block_on(async {
            weft::spawn(async {
                let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let f = flag.clone();
                let other = weft::spawn(async move { f.store(true, Ordering::SeqCst) });
                let mut spins = 0u64;
                while !flag.load(Ordering::SeqCst) {
                    weft::task::coop::consume_budget().await;
                    spins += 1;
                }
                other.await.unwrap();
                assert!(spins >= 1);
            })
            .await
            .unwrap();
        });
    }
}

#[test]
fn ping_pong_does_not_starve_others() {
    // Two tasks waking each other through the LIFO slot, plus a third task that must finish.
    for (name, rt) in runtimes() {
        rt.block_on(async {
            weft::spawn(async {
                let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let s = stop.clone();
                let third = weft::spawn(async move { s.store(true, Ordering::SeqCst) });
                let a_waker: Arc<std::sync::Mutex<Option<std::task::Waker>>> = Default::default();
                let b_waker: Arc<std::sync::Mutex<Option<std::task::Waker>>> = Default::default();
                let mk = |me: Arc<std::sync::Mutex<Option<std::task::Waker>>>,
                          other: Arc<std::sync::Mutex<Option<std::task::Waker>>>,
                          stop: Arc<std::sync::atomic::AtomicBool>| {
                    weft::spawn(std::future::poll_fn(move |cx| {
                        if stop.load(Ordering::SeqCst) {
                            if let Some(w) = other.lock().unwrap().take() {
                                w.wake()
                            }
                            return std::task::Poll::Ready(());
                        }
                        *me.lock().unwrap() = Some(cx.waker().clone());
                        if let Some(w) = other.lock().unwrap().take() {
                            w.wake()
                        }
                        std::task::Poll::Pending
                    }))
                };
                let a = mk(a_waker.clone(), b_waker.clone(), stop.clone());
                let b = mk(b_waker, a_waker, stop.clone());
                third.await.unwrap();
                a.await.unwrap();
                b.await.unwrap();
            })
            .await
            .unwrap();
        });
        let _ = name;
    }
}
