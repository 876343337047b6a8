//! Runtime drop cancels every task exactly once, wherever it is.
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{runtimes, DropCounter, Gate};

#[test]
fn drop_cancels_idle_queued_sleeping_and_running_tasks() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        let spawned = rt.block_on(async move {
            let mut n = 0;
            // Idle forever.
            for _ in 0..50 {
                let t = d.track();
                weft::spawn(async move {
                    let _t = t;
                    std::future::pending::<()>().await
                });
                n += 1;
            }
            // Sleeping on a timer far away.
            for _ in 0..50 {
                let t = d.track();
                weft::spawn(async move {
                    let _t = t;
                    weft::time::sleep(Duration::from_secs(3600)).await
                });
                n += 1;
            }
            // Always ready: keeps rescheduling itself (queued at drop time).
            for _ in 0..50 {
                let t = d.track();
                weft::spawn(async move {
                    let _t = t;
                    loop {
                        weft::task::yield_now().await;
                    }
                });
                n += 1;
            }
            // Waiting on a gate that never opens (a "channel" wait).
            let gate = Gate::default();
            for _ in 0..50 {
                let t = d.track();
                let g = gate.clone();
                weft::spawn(async move {
                    let _t = t;
                    g.wait().await
                });
                n += 1;
            }
            // Let everything get polled at least once.
            for _ in 0..10 {
                weft::task::yield_now().await;
            }
            n
        });
        // Spawned from outside after block_on returned: queued, never polled (current-thread).
        for _ in 0..50 {
            let t = drops.track();
            rt.spawn(async move {
                let _t = t;
            });
        }
        drop(rt);
        assert_eq!(drops.count(), spawned + 50, "{name}");
    }
}

#[test]
fn spawn_after_shutdown_is_cancelled() {
    for (name, rt) in runtimes() {
        let handle = rt.handle().clone();
        drop(rt);
        let drops = DropCounter::default();
        let t = drops.track();
        let h = handle.spawn(async move {
            let _t = t;
        });
        assert_eq!(drops.count(), 1, "{name}: future dropped at spawn");
        assert!(h.is_finished(), "{name}");
        let rt2 = weft::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(rt2.block_on(h).unwrap_err().is_cancelled(), "{name}");
    }
}

#[test]
fn tasks_spawned_by_drop_during_shutdown_are_cancelled() {
    struct SpawnOnDrop(DropCounter);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let t = self.0.track();
            // The runtime is shutting down: this must not run, must not leak.
            if let Ok(h) = weft::runtime::Handle::try_current() {
                h.spawn(async move {
                    let _t = t;
                });
            }
        }
    }
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        rt.block_on(async move {
            for _ in 0..20 {
                let s = SpawnOnDrop(d.clone());
                weft::spawn(async move {
                    let _s = s;
                    std::future::pending::<()>().await
                });
            }
            weft::task::yield_now().await;
        });
        drop(rt);
        assert_eq!(drops.count(), 20, "{name}");
    }
}

#[test]
fn drop_waits_for_running_blocking_closures() {
    for (name, rt) in runtimes() {
        let done = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(std::sync::Barrier::new(2));
        let (d, s) = (done.clone(), started.clone());
        rt.spawn_blocking(move || {
            s.wait();
            std::thread::sleep(Duration::from_millis(20));
            d.fetch_add(1, Ordering::SeqCst);
        });
        started.wait();
        drop(rt);
        assert_eq!(done.load(Ordering::SeqCst), 1, "{name}");
    }
}

#[test]
fn shutdown_background_and_timeout_return_while_closure_blocks() {
    for background in [false, true] {
        for (name, rt) in runtimes() {
            let started = Arc::new(std::sync::Barrier::new(2));
            let release = Arc::new(std::sync::Barrier::new(2));
            let (s, r) = (started.clone(), release.clone());
            rt.spawn_blocking(move || {
                s.wait();
                r.wait();
            });
            started.wait();
            if background {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(Duration::from_millis(10));
            }
            // The closure is still blocked, yet shutdown returned: release it now.
            release.wait();
            let _ = name;
        }
    }
}

#[test]
fn stress_drop_with_many_tasks() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        rt.block_on(async move {
            for i in 0..20_000u32 {
                let t = d.track();
                weft::spawn(async move {
                    let _t = t;
                    if i % 3 == 0 {
                        std::future::pending::<()>().await;
                    }
                    weft::task::yield_now().await;
                });
            }
        });
        drop(rt);
        assert_eq!(drops.count(), 20_000, "{name}");
    }
}
