//! The recipe the std runtime follows, end to end with real threads: one driver per runtime
//! (`WheelDriver<Arc<dyn Clock>>`), current on every worker, a parked thread that sleeps until
//! `next_deadline()` and is unparked when a sooner timer appears, `advance(now)` after parking.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use weft_core::park::{Park, ThreadPark};
use weft_core::time::driver::{self, Handle, WheelDriver};
use weft_core::time::{sleep, ticks_to_duration_ceil, timeout, Clock, Duration, Instant};
use weft_drivers::clock::StdClock;
use weft_drivers::mock::MockClock;

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

/// The unpark waker: wakes the parked driver thread (token semantics from ThreadPark).
struct ParkWaker(Arc<ThreadPark>);
impl Wake for ParkWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

#[test]
fn parked_driver_thread_serves_workers_on_other_threads() {
    let clock: Arc<dyn Clock> = Arc::new(StdClock::new());
    let time = Arc::new(WheelDriver::new(clock));
    let park = Arc::new(ThreadPark::new());
    time.set_unpark(Some(Waker::from(Arc::new(ParkWaker(park.clone())))));
    let stop = Arc::new(AtomicBool::new(false));

    let driver_thread = {
        let (time, park, stop) = (time.clone(), park.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match time.next_deadline() {
                    None => park.park(),
                    Some(d) => {
                        let t = ticks_to_duration_ceil(d.saturating_sub(time.now()));
                        park.park_timeout(t);
                    }
                }
                time.turn();
            }
        })
    };

    let handle = Handle::from_arc(time.clone());
    let workers: Vec<_> = (0..3u64)
        .map(|w| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                let _current = driver::set_current(handle);
                for i in 0..40u64 {
                    let start = Instant::now();
                    let d = Duration::from_micros(20 * ((i + w) % 7));
                    block_on(sleep(d));
                    assert!(Instant::now() >= start + d, "a sleep never ends early");
                    if i % 10 == 0 {
                        let r = block_on(timeout(
                            Duration::from_micros(100),
                            std::future::pending::<()>(),
                        ));
                        assert!(r.is_err());
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    park.unpark();
    driver_thread.join().unwrap();
    time.set_unpark(None);
    assert!(time.queue().is_empty());
}

#[test]
fn paused_clock_behind_a_dyn_clock_driver() {
    let mock = MockClock::new();
    let clock: Arc<dyn Clock> = Arc::new(mock.clone());
    let time = Arc::new(WheelDriver::new(clock));
    let _current = driver::set_current(Handle::from_arc(time.clone()));
    let waker = Waker::noop();
    let mut s = pin!(sleep(Duration::from_secs(86_400)));
    assert!(s
        .as_mut()
        .poll(&mut Context::from_waker(waker))
        .is_pending());
    // The runtime's idle hook, repeated until the task is woken.
    while !s.is_elapsed() {
        assert!(mock.auto_advance_to(time.next_deadline()));
        time.advance(mock.now_ticks());
    }
    assert_eq!(Instant::now(), Instant::MIN + Duration::from_secs(86_400));
}
