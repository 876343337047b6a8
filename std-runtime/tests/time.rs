//! Timers driven by the runtime's driver, on every flavor.
mod support;

use std::time::Duration;

use support::runtimes;

#[test]
fn sleep_completes_and_never_early() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let start = weft::time::Instant::now();
            weft::time::sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20), "{name}");
        });
    }
}

#[test]
fn many_sleeping_tasks_on_workers() {
    for (name, rt) in runtimes() {
        let n = rt.block_on(async {
            let hs: Vec<_> = (0..200u64)
                .map(|i| {
                    weft::spawn(async move {
                        weft::time::sleep(Duration::from_millis(1 + i % 10)).await;
                        1u32
                    })
                })
                .collect();
            let mut n = 0;
            for h in hs {
                n += h.await.unwrap();
            }
            n
        });
        assert_eq!(n, 200, "{name}");
    }
}

#[test]
fn timeout_fires_on_pending_future() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let r =
                weft::time::timeout(Duration::from_millis(10), std::future::pending::<()>()).await;
            assert!(r.is_err(), "{name}");
            let r = weft::time::timeout(Duration::from_secs(60), async { 3 }).await;
            assert_eq!(r.unwrap(), 3, "{name}");
        });
    }
}

#[test]
fn paused_clock_auto_advances() {
    let rt = weft::runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let start = weft::time::Instant::now();
        // An hour of timers runs instantly.
        let hs: Vec<_> = (1..=60u64)
            .map(|m| {
                weft::spawn(async move {
                    weft::time::sleep(Duration::from_secs(60 * m)).await;
                    m
                })
            })
            .collect();
        let mut order = Vec::new();
        for h in hs {
            order.push(h.await.unwrap());
        }
        assert_eq!(order, (1..=60).collect::<Vec<_>>());
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
    });
}

#[test]
fn paused_clock_manual_advance() {
    let rt = weft::runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let h = weft::spawn(weft::time::sleep(Duration::from_secs(10)));
        weft::time::advance(Duration::from_secs(9)).await;
        assert!(!h.is_finished());
        weft::time::advance(Duration::from_secs(1)).await;
        h.await.unwrap();
    });
}

#[test]
#[should_panic(expected = "current-thread flavor")]
fn start_paused_rejects_multi_thread() {
    let _ = weft::runtime::Builder::new_multi_thread()
        .start_paused(true)
        .build();
}
