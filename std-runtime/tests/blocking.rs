//! spawn_blocking and block_in_place.
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use support::{runtimes, Gate};

#[test]
fn spawn_blocking_results_and_panics() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let hs: Vec<_> = (0..64u64)
                .map(|i| weft::task::spawn_blocking(move || i * 3))
                .collect();
            let mut sum = 0;
            for h in hs {
                sum += h.await.unwrap();
            }
            assert_eq!(sum, 3 * 63 * 64 / 2, "{name}");
            let e = weft::task::spawn_blocking(|| -> u8 { panic!("blocking boom") })
                .await
                .unwrap_err();
            assert!(e.is_panic(), "{name}");
        });
    }
}

#[test]
fn spawn_blocking_queues_beyond_cap() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let hs: Vec<_> = (0..16)
            .map(|_| {
                let (r, p) = (running.clone(), peak.clone());
                weft::task::spawn_blocking(move || {
                    let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                    p.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(2));
                    r.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    assert!(
        peak.load(Ordering::SeqCst) <= 2,
        "cap exceeded: {}",
        peak.load(Ordering::SeqCst)
    );
}

#[test]
fn block_in_place_keeps_one_worker_runtime_going() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let done = Arc::new(AtomicUsize::new(0));
        let all_done = Gate::default();
        // The blocking task waits (on a plain std barrier: really blocked) until 100 other
        // tasks and a timer have completed on the single worker.
        let barrier = Arc::new(Barrier::new(2));
        let b = barrier.clone();
        let blocker = weft::spawn(async move {
            weft::task::block_in_place(|| {
                b.wait();
            });
            "unblocked"
        });
        let mut hs = Vec::new();
        for _ in 0..100 {
            let d = done.clone();
            hs.push(weft::spawn(async move {
                weft::task::yield_now().await;
                d.fetch_add(1, Ordering::SeqCst);
            }));
        }
        let timer = weft::spawn(weft::time::sleep(Duration::from_millis(5)));
        for h in hs {
            h.await.unwrap();
        }
        timer.await.unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 100);
        all_done.open();
        // Only now release the blocked worker thread.
        let b2 = barrier.clone();
        weft::task::spawn_blocking(move || b2.wait()).await.unwrap();
        assert_eq!(blocker.await.unwrap(), "unblocked");
    });
}

#[test]
fn block_in_place_nested_and_repeated() {
    for (name, rt) in support::multi_thread_runtimes() {
        let v = rt.block_on(async {
            weft::spawn(async {
                let mut acc = 0;
                for i in 0..20 {
                    acc += weft::task::block_in_place(|| weft::task::block_in_place(|| i));
                    weft::task::yield_now().await;
                }
                acc
            })
            .await
            .unwrap()
        });
        assert_eq!(v, 190, "{name}");
    }
}

#[test]
fn block_in_place_outside_runtime_just_runs() {
    assert_eq!(weft::task::block_in_place(|| 5), 5);
}

#[test]
fn block_in_place_on_block_on_thread_of_multi_thread() {
    let rt = weft::runtime::Runtime::new().unwrap();
    assert_eq!(rt.block_on(async { weft::task::block_in_place(|| 1) }), 1);
}

#[test]
fn block_in_place_many_tasks_at_once() {
    for (name, rt) in support::multi_thread_runtimes() {
        let n = rt.block_on(async {
            let hs: Vec<_> = (0..50)
                .map(|i| {
                    weft::spawn(async move {
                        weft::task::yield_now().await;
                        weft::task::block_in_place(move || i)
                    })
                })
                .collect();
            let mut n = 0;
            for h in hs {
                n += h.await.unwrap();
            }
            n
        });
        assert_eq!(n, 49 * 50 / 2, "{name}");
    }
}

#[test]
fn runtimes_keep_working_after_block_in_place() {
    for (name, rt) in runtimes().into_iter().skip(1) {
        rt.block_on(async {
            weft::spawn(async { weft::task::block_in_place(|| ()) })
                .await
                .unwrap();
            let hs: Vec<_> = (0..1000).map(|i| weft::spawn(async move { i })).collect();
            for (i, h) in hs.into_iter().enumerate() {
                assert_eq!(h.await.unwrap(), i, "{name}");
            }
        });
    }
}
