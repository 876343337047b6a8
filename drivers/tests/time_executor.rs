//! The core single-thread executor with the `TimerPark` time driver.

use std::sync::atomic::{AtomicU32, Ordering};

use weft_core::executor::Executor;
use weft_core::task::SpawnToken;
use weft_core::time::{interval, sleep, timeout, Duration, Instant};
use weft_drivers::clock::TimerPark;

static EXEC: Executor<TimerPark> = Executor::new(TimerPark::new());

#[test]
fn executor_parks_until_the_next_timer() {
    let _time = EXEC.park_driver().enter();
    static DONE: AtomicU32 = AtomicU32::new(0);
    let out = EXEC.block_on(async {
        let start = Instant::now();
        let task = EXEC.spawn(SpawnToken::new_boxed(async {
            sleep(Duration::from_millis(2)).await;
            DONE.fetch_add(1, Ordering::SeqCst);
        }));
        sleep(Duration::from_millis(1)).await;
        let timed_out = timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
        assert!(timed_out.is_err());
        let ready = timeout(Duration::from_millis(1), async { 5 }).await;
        let mut ticks = std::pin::pin!(interval(Duration::from_micros(300)));
        for _ in 0..3 {
            ticks.as_mut().tick().await;
        }
        task.await.unwrap();
        assert!(Instant::now() >= start + Duration::from_millis(2));
        ready.unwrap()
    });
    assert_eq!(out, 5);
    assert_eq!(DONE.load(Ordering::SeqCst), 1);
    assert!(EXEC.park_driver().time().queue().is_empty());
}
