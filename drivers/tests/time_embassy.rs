//! An embassy time driver, defined here with `time_driver_impl!` as a HAL would, works as
//! weft's time driver through `weft_drivers::embassy` with no glue.
#![cfg(feature = "embassy-time-driver")]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use weft_core::time::{sleep, timeout, Duration, Instant, TimeDriver, TICK_HZ};
use weft_drivers::embassy::{self, embassy_time_driver, EmbassyDriver};

/// The "HAL" driver: a manual counter and the wakers it was asked to schedule.
struct TestHal {
    now: AtomicU64,
    scheduled: Mutex<Vec<(u64, Waker)>>,
}

impl embassy_time_driver::Driver for TestHal {
    fn now(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        self.scheduled.lock().unwrap().push((at, waker.clone()));
    }
}

embassy_time_driver::time_driver_impl!(static HAL: TestHal = TestHal {
    now: AtomicU64::new(0),
    scheduled: Mutex::new(Vec::new()),
});

/// The HAL's alarm interrupt: advance its counter and wake what is due.
fn hal_advance_to(t: u64) {
    HAL.now.store(t, Ordering::SeqCst);
    let due: Vec<Waker> = {
        let mut s = HAL.scheduled.lock().unwrap();
        let (due, keep) = s.drain(..).partition(|(at, _)| *at <= t);
        *s = keep;
        due.into_iter().map(|(_, w)| w).collect()
    };
    for w in due {
        w.wake();
    }
}

#[derive(Default)]
struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

// One test function: the embassy driver and weft's global driver are process-wide.
#[test]
fn embassy_hal_driver_is_weft_time_driver() {
    embassy::install().unwrap();
    assert!(embassy::install().is_err(), "installed once");
    assert!(
        EmbassyDriver.timer_queue().is_none(),
        "the HAL keeps the timers"
    );
    assert_eq!(embassy_time_driver::TICK_HZ, TICK_HZ, "default rates agree");

    // now() comes from the HAL.
    hal_advance_to(1234);
    assert_eq!(Instant::now(), Instant::from_ticks(1234));

    // sleep: schedules a wake with the HAL at the right tick, completes when woken after it.
    let count = Arc::new(Count::default());
    let w = Waker::from(count.clone());
    let mut cx = Context::from_waker(&w);
    let mut s = pin!(sleep(Duration::from_millis(5)));
    assert!(s.as_mut().poll(&mut cx).is_pending());
    let at = 1234 + TICK_HZ / 200;
    assert_eq!(HAL.scheduled.lock().unwrap().last().unwrap().0, at);
    hal_advance_to(at - 1);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    hal_advance_to(at);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(s.as_mut().poll(&mut cx), Poll::Ready(()));

    // timeout: the inner future loses to the HAL's alarm.
    let mut t = pin!(timeout(
        Duration::from_millis(1),
        std::future::pending::<()>()
    ));
    assert!(t.as_mut().poll(&mut cx).is_pending());
    hal_advance_to(at + TICK_HZ / 1000);
    assert!(matches!(t.as_mut().poll(&mut cx), Poll::Ready(Err(_))));

    // timeout on a ready future returns its value.
    let mut r = pin!(timeout(Duration::from_millis(1), async { 9 }));
    assert_eq!(r.as_mut().poll(&mut cx), Poll::Ready(Ok(9)));

    // A handle works without the global too.
    let h = embassy::handle();
    assert_eq!(h.now(), Instant::from_ticks(at + TICK_HZ / 1000));
}

#[test]
fn tick_conversion_never_wakes_early() {
    use weft_drivers::embassy::{from_embassy_ticks, to_embassy_ticks};
    for t in [0, 1, 999, 1_000_000, u64::MAX / 4] {
        assert!(from_embassy_ticks(to_embassy_ticks(t)) >= t);
    }
}
