//! The standalone std timer thread with a tiny block_on. Waits wait on wake events; no
//! assertion depends on how long anything took.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use weft_core::time::{sleep, timeout, Duration, Instant};
use weft_drivers::clock::TimerThread;

struct Unpark {
    thread: Thread,
    woken: AtomicBool,
}
impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.thread.unpark();
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let unpark = Arc::new(Unpark {
        thread: std::thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(unpark.clone());
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) {
            return v;
        }
        while !unpark.woken.swap(false, Ordering::SeqCst) {
            std::thread::park();
        }
    }
}

#[test]
fn sleeps_and_timeouts_complete_on_the_timer_thread() {
    let timers = TimerThread::start();
    let _g = timers.enter();
    let start = Instant::now();
    block_on(sleep(Duration::from_millis(2)));
    assert!(
        Instant::now() >= start + Duration::from_millis(2),
        "never early"
    );
    let r = block_on(timeout(
        Duration::from_millis(1),
        std::future::pending::<()>(),
    ));
    assert!(r.is_err());
    let r = block_on(timeout(
        Duration::from_secs(60),
        sleep(Duration::from_millis(1)),
    ));
    assert!(r.is_ok());
    assert!(timers.driver().queue().is_empty());
}

#[test]
fn earlier_timer_registered_while_thread_waits_for_a_later_one() {
    let timers = TimerThread::start();
    let handle = timers.handle();
    // A far timer makes the thread wait for a long time...
    let mut far = Box::pin(handle.sleep(Duration::from_secs(3600)));
    let _ = far.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    // ...a sooner one must unpark it and complete.
    let _g = timers.enter();
    block_on(sleep(Duration::from_millis(1)));
    drop(far);
    assert!(timers.driver().queue().is_empty());
}

#[test]
fn many_threads_share_one_timer_thread() {
    let timers = TimerThread::start();
    let handle = timers.handle();
    let joins: Vec<_> = (0..4)
        .map(|i| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                for j in 0..20u64 {
                    block_on(handle.sleep(Duration::from_micros(100 * (i + j % 3))));
                }
            })
        })
        .collect();
    for j in joins {
        j.join().unwrap();
    }
    drop(timers); // stops and joins the thread
}
