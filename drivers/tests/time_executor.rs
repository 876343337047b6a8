//! The core single-thread executor with the `TimerPark` time driver.

use std::future::Future;
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

static EXEC2: Executor<TimerPark> = Executor::new(TimerPark::new());

#[test]
fn timer_registered_from_another_thread_unparks_the_executor() {
    let handle = EXEC2.park_driver().handle();
    let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
    // The executor's main future waits for a flag set by a sleep polled on another thread.
    static FIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let helper = std::thread::spawn(move || {
        let waker = rx.recv().unwrap();
        struct Set(std::task::Waker);
        impl std::task::Wake for Set {
            fn wake(self: std::sync::Arc<Self>) {
                FIRED.store(true, Ordering::SeqCst);
                self.0.wake_by_ref();
            }
        }
        let w = std::task::Waker::from(std::sync::Arc::new(Set(waker)));
        let mut s = Box::pin(handle.sleep(Duration::from_millis(1)));
        // Registering this (earliest) timer unparks the executor, which re-arms its timeout.
        assert!(s
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&w))
            .is_pending());
        s
    });
    EXEC2.block_on(std::future::poll_fn(|cx| {
        if FIRED.load(Ordering::SeqCst) {
            return std::task::Poll::Ready(());
        }
        let _ = tx.send(cx.waker().clone());
        std::task::Poll::Pending
    }));
    drop(helper.join().unwrap());
}
