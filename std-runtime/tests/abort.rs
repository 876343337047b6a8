//! abort before / while / after running, and panics into JoinError.
mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use support::{runtimes, DropCounter, Gate};

#[test]
fn abort_before_first_poll() {
    // Deterministic only where nothing else can run the task meanwhile: the current-thread
    // flavor (spawned from block_on), and a one-worker runtime (spawned from the only worker).
    let rts = vec![
        (
            "current_thread",
            weft::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        ),
        (
            "multi_thread(1)",
            weft::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .unwrap(),
        ),
    ];
    for (name, rt) in rts {
        let ran = Arc::new(AtomicBool::new(false));
        let drops = DropCounter::default();
        let r = ran.clone();
        let t = drops.track();
        rt.block_on(async move {
            weft::spawn(async move {
                let h = weft::spawn(async move {
                    let _t = t;
                    r.store(true, Ordering::SeqCst);
                });
                h.abort();
                let err = h.await.unwrap_err();
                assert!(err.is_cancelled(), "{name}");
            })
            .await
            .unwrap();
        });
        assert!(!ran.load(Ordering::SeqCst), "{name}");
        assert_eq!(drops.count(), 1, "{name}");
    }
}

#[test]
fn abort_while_pending() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let t = drops.track();
        rt.block_on(async move {
            let started = Gate::default();
            let s = started.clone();
            let h = weft::spawn(async move {
                let _t = t;
                s.open();
                std::future::pending::<()>().await;
            });
            started.wait().await;
            h.abort();
            assert!(h.await.unwrap_err().is_cancelled(), "{name}");
        });
        assert_eq!(drops.count(), 1, "{name}");
    }
}

#[test]
fn abort_while_running_on_other_thread() {
    for (name, rt) in support::multi_thread_runtimes() {
        rt.block_on(async {
            let started = Gate::default();
            let release = Arc::new(AtomicBool::new(false));
            let (s, r) = (started.clone(), release.clone());
            let h = weft::spawn(async move {
                s.open();
                // Busy inside one poll until the abort was requested.
                while !r.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                weft::task::yield_now().await;
                unreachable!("aborted task resumed");
            });
            started.wait().await;
            let ah = h.abort_handle();
            ah.abort();
            release.store(true, Ordering::SeqCst);
            assert!(h.await.unwrap_err().is_cancelled(), "{name}");
        });
    }
}

#[test]
fn abort_after_completion_keeps_output() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let h = weft::spawn(async { 5 });
            while !h.is_finished() {
                weft::task::yield_now().await;
            }
            h.abort();
            assert_eq!(h.await.unwrap(), 5, "{name}");
        });
    }
}

#[test]
fn panic_becomes_join_error_with_payload() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let n = std::hint::black_box(7);
            let h = weft::spawn(async move {
                if n == 7 {
                    panic!("boom {n}");
                }
            });
            let err = h.await.unwrap_err();
            assert!(err.is_panic(), "{name}");
            assert!(err.to_string().contains("panicked"), "{name}: {err}");
            let payload = err.into_panic();
            assert_eq!(
                payload.downcast_ref::<String>().unwrap(),
                "boom 7",
                "{name}"
            );
            // The worker survived.
            assert_eq!(weft::spawn(async { 1 }).await.unwrap(), 1, "{name}");
        });
    }
}

#[test]
fn abort_storm() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        rt.block_on(async move {
            let mut hs = Vec::new();
            for i in 0..2000u32 {
                let t = d.track();
                hs.push(weft::spawn(async move {
                    let _t = t;
                    for _ in 0..(i % 5) {
                        weft::task::yield_now().await;
                    }
                    i
                }));
            }
            for h in hs.iter().step_by(2) {
                h.abort();
            }
            for (i, h) in hs.into_iter().enumerate() {
                match h.await {
                    Ok(v) => assert_eq!(v, i as u32, "{name}"),
                    Err(e) => assert!(e.is_cancelled() && i % 2 == 0, "{name}"),
                }
            }
        });
        assert_eq!(drops.count(), 2000, "{name}");
    }
}
