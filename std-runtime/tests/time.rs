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

#[test]
fn resume_continues_from_the_frozen_time_however_long_the_pause() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        weft::time::pause();
        let frozen = weft::time::Instant::now();
        // Real time passes while the clock is paused (a blocking wait is the point here).
        std::thread::sleep(std::time::Duration::from_millis(200));
        let real_start = std::time::Instant::now();
        weft::time::resume();
        let jump = weft::time::Instant::now().saturating_duration_since(frozen);
        let real = real_start.elapsed();
        // The clock goes on from `frozen`: it may only have moved by the real time since
        // `resume` (plus a tick of rounding), not by the 200 ms that passed while paused.
        // No guessed bound: both sides are measured.
        assert!(
            jump <= real + std::time::Duration::from_millis(1),
            "clock jumped by {jump:?} in {real:?} of real time"
        );
    });
}

#[test]
fn advance_by_duration_max_saturates_paused_and_running_clocks() {
    use std::time::Duration;
    let rt = weft::runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        weft::time::advance(Duration::from_secs(1)).await;
        let before = weft::time::Instant::now();
        weft::time::advance(Duration::MAX).await;
        assert!(
            weft::time::Instant::now() >= before,
            "paused clock went backwards"
        );
    });
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let before = weft::time::Instant::now();
        weft::time::advance(Duration::MAX).await;
        let after = weft::time::Instant::now(); // must not overflow
        assert!(after >= before);
        assert!(
            weft::time::Instant::now() >= after,
            "and it keeps running forward"
        );
    });
}

#[test]
#[should_panic(expected = "`weft::time::pause` needs the current-thread flavor")]
fn pause_on_the_multi_thread_flavor_panics_with_advice() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async { weft::time::pause() });
}

#[test]
#[should_panic(expected = "a timer was polled after its runtime shut down")]
fn a_sleep_polled_after_its_runtime_shut_down_panics_instead_of_completing_at_once() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    drop(rt);
    let _guard = handle.enter();
    let sleep = std::pin::pin!(weft::time::sleep(Duration::from_secs(3600)));
    let _ = std::future::Future::poll(
        sleep,
        &mut std::task::Context::from_waker(std::task::Waker::noop()),
    );
}
