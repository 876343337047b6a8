//! Interval missed-tick behaviours on a mock clock, polled by hand.

use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use weft_core::time::{interval, interval_at, Duration, Instant, Interval, MissedTickBehavior};
use weft_drivers::mock::MockDriver;

#[derive(Default)]
struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn ms(n: u64) -> Instant {
    Instant::MIN + Duration::from_millis(n)
}

fn tick(iv: Pin<&mut Interval>, w: &Waker) -> Poll<Instant> {
    iv.poll_tick(&mut Context::from_waker(w))
}

/// Period 10 ms, first tick at 0, then the task is busy until 25 ms.
fn late_by_15ms(behavior: MissedTickBehavior) -> (MockDriver, Vec<Poll<Instant>>) {
    let time = MockDriver::new();
    let _g = time.enter();
    let count = Arc::new(Count::default());
    let w = Waker::from(count.clone());
    let mut iv = pin!(interval(Duration::from_millis(10)));
    iv.as_mut().set_missed_tick_behavior(behavior);
    let mut seen = vec![tick(iv.as_mut(), &w), tick(iv.as_mut(), &w)];
    time.advance(Duration::from_millis(25));
    assert_eq!(
        count.0.load(Ordering::SeqCst),
        1,
        "the 10 ms tick woke the task"
    );
    seen.push(tick(iv.as_mut(), &w));
    seen.push(tick(iv.as_mut(), &w));
    seen.push(tick(iv.as_mut(), &w));
    // Run the clock to the next tick.
    while tick(iv.as_mut(), &w).is_pending() {
        time.advance_to_next().expect("a tick is scheduled");
    }
    seen.push(Poll::Ready(time.clock().instant()));
    (time, seen)
}

#[test]
fn burst_catches_up_on_the_original_schedule() {
    let (_, seen) = late_by_15ms(MissedTickBehavior::Burst);
    assert_eq!(
        seen,
        vec![
            Poll::Ready(ms(0)),
            Poll::Pending,
            Poll::Ready(ms(10)),
            Poll::Ready(ms(20)),
            Poll::Pending,
            Poll::Ready(ms(30)),
        ]
    );
}

#[test]
fn delay_restarts_the_schedule_from_the_late_tick() {
    let (_, seen) = late_by_15ms(MissedTickBehavior::Delay);
    assert_eq!(
        seen,
        vec![
            Poll::Ready(ms(0)),
            Poll::Pending,
            Poll::Ready(ms(10)),
            Poll::Pending,
            Poll::Pending,
            Poll::Ready(ms(35)),
        ]
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_phase() {
    let (_, seen) = late_by_15ms(MissedTickBehavior::Skip);
    assert_eq!(
        seen,
        vec![
            Poll::Ready(ms(0)),
            Poll::Pending,
            Poll::Ready(ms(10)),
            Poll::Pending,
            Poll::Pending,
            Poll::Ready(ms(30)),
        ]
    );
}

#[test]
fn skip_on_an_exact_period_boundary_ticks_now() {
    let time = MockDriver::new();
    let w = Waker::noop();
    let mut iv = pin!(Interval::new(
        time.handle(),
        ms(0),
        Duration::from_millis(10)
    ));
    iv.as_mut()
        .set_missed_tick_behavior(MissedTickBehavior::Skip);
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(0)));
    time.advance(Duration::from_millis(30));
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(10)));
    // 30 ms is on the schedule and not missed: it ticks immediately; 20 ms is skipped.
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(30)));
    assert_eq!(tick(iv.as_mut(), w), Poll::Pending);
}

#[test]
fn small_lateness_keeps_the_schedule_for_every_behavior() {
    for b in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let time = MockDriver::new();
        let w = Waker::noop();
        let mut iv = pin!(Interval::new(
            time.handle(),
            ms(0),
            Duration::from_millis(10)
        ));
        iv.as_mut().set_missed_tick_behavior(b);
        assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(0)));
        time.advance(Duration::from_millis(12)); // 2 ms late: scheduling latency, not a miss
        assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(10)));
        assert_eq!(iv.next_tick(), ms(20), "{b:?}");
    }
}

#[test]
fn interval_at_starts_later_and_is_a_stream() {
    let time = MockDriver::new();
    let _g = time.enter();
    let w = Waker::noop();
    let mut iv = pin!(interval_at(ms(100), Duration::from_millis(50)));
    let mut cx = Context::from_waker(w);
    assert_eq!(iv.as_mut().poll_next(&mut cx), Poll::Pending);
    let mut got = Vec::new();
    while got.len() < 4 {
        time.advance_to_next().unwrap();
        while let Poll::Ready(Some(t)) = iv.as_mut().poll_next(&mut cx) {
            got.push(t);
        }
    }
    assert_eq!(got, vec![ms(100), ms(150), ms(200), ms(250)]);
}

#[test]
fn dropping_a_tick_future_loses_no_tick() {
    let time = MockDriver::new();
    let w = Waker::noop();
    let mut iv = pin!(Interval::new(
        time.handle(),
        ms(5),
        Duration::from_millis(5)
    ));
    {
        let t = pin!(iv.as_mut().tick());
        assert!(std::future::Future::poll(t, &mut Context::from_waker(w)).is_pending());
    }
    time.advance(Duration::from_millis(5));
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(5)));
}

#[test]
fn reset_variants() {
    let time = MockDriver::new();
    let w = Waker::noop();
    let mut iv = pin!(Interval::new(
        time.handle(),
        ms(0),
        Duration::from_millis(10)
    ));
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(0)));
    time.advance(Duration::from_millis(3));
    iv.as_mut().reset();
    assert_eq!(iv.next_tick(), ms(13));
    iv.as_mut().reset_immediately();
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(3)));
    iv.as_mut().reset_at(ms(40));
    assert_eq!(tick(iv.as_mut(), w), Poll::Pending);
    time.advance(Duration::from_millis(37));
    assert_eq!(tick(iv.as_mut(), w), Poll::Ready(ms(40)));
    assert_eq!(iv.next_tick(), ms(50));
}

#[test]
#[should_panic(expected = "`interval` period must be non-zero")]
fn zero_period_panics() {
    let time = MockDriver::new();
    let _ = Interval::new(time.handle(), ms(0), Duration::ZERO);
}
