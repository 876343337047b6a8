//! sleep / timeout / the intrusive queue, driven by hand with a manual clock.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use weft_core::time::driver::{self, Handle, WheelDriver};
use weft_core::time::{
    sleep, sleep_until, timeout, timeout_at, Clock, Duration, Instant, TimeDriver, TICK_HZ,
};

#[derive(Default)]
struct Manual(AtomicU64);
impl Clock for Manual {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A waker that counts its wakes.
#[derive(Default)]
struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Count>, Waker) {
    let c = Arc::new(Count::default());
    let w = Waker::from(c.clone());
    (c, w)
}

struct Env {
    time: Arc<WheelDriver<Manual>>,
    handle: Handle,
}

impl Env {
    fn new() -> Env {
        let time = Arc::new(WheelDriver::new(Manual::default()));
        let handle = Handle::from_arc(time.clone());
        Env { time, handle }
    }
    fn set(&self, ticks: u64) -> usize {
        self.time.clock().0.store(ticks, Ordering::SeqCst);
        self.time.turn()
    }
}

fn poll<F: Future>(f: Pin<&mut F>, w: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(w))
}

#[test]
fn sleep_fires_at_deadline_and_wakes_once() {
    let env = Env::new();
    let (count, w) = counting();
    let mut s = pin!(env.handle.sleep(Duration::from_millis(10)));
    let at = s.deadline().as_ticks();
    assert_eq!(at, (TICK_HZ * 10).div_ceil(1000));
    assert!(poll(s.as_mut(), &w).is_pending());
    assert_eq!(env.time.queue().len(), 1);
    // The next deadline is exact or an earlier cascade point of the wheel.
    assert!(env.time.next_deadline().unwrap() <= at);
    assert_eq!(env.set(at - 1), 0);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    assert!(poll(s.as_mut(), &w).is_pending());
    assert_eq!(env.set(at), 1);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(s.is_elapsed());
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    assert!(env.time.queue().is_empty());
}

#[test]
fn deadline_already_passed_is_ready_without_registering() {
    let env = Env::new();
    env.set(1000);
    let (_, w) = counting();
    let mut s = pin!(env.handle.sleep_until(Instant::from_ticks(500)));
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    let mut z = pin!(env.handle.sleep(Duration::ZERO));
    assert_eq!(poll(z.as_mut(), &w), Poll::Ready(()));
    assert!(env.time.queue().is_empty());
}

#[test]
fn dropped_sleep_unlinks_and_never_fires() {
    let env = Env::new();
    let (count, w) = counting();
    {
        let mut s = Box::pin(env.handle.sleep_until(Instant::from_ticks(100)));
        assert!(poll(s.as_mut(), &w).is_pending());
        assert_eq!(env.time.queue().len(), 1);
    }
    assert!(env.time.queue().is_empty());
    assert_eq!(env.time.next_deadline(), None);
    assert_eq!(env.set(1_000_000), 0);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
}

#[test]
fn cancelled_sleeps_never_fire_while_others_do() {
    let env = Env::new();
    let wakes: Vec<_> = (0..200).map(|_| counting()).collect();
    let mut sleeps: Vec<Option<Pin<Box<_>>>> = (0..200u64)
        .map(|i| {
            Some(Box::pin(
                env.handle.sleep_until(Instant::from_ticks(1 + i * 37)),
            ))
        })
        .collect();
    for (s, (_, w)) in sleeps.iter_mut().zip(&wakes) {
        assert!(poll(s.as_mut().unwrap().as_mut(), w).is_pending());
    }
    for (i, s) in sleeps.iter_mut().enumerate() {
        if i % 3 == 0 {
            *s = None;
        }
    }
    env.set(u64::MAX / 2);
    for (i, (c, _)) in wakes.iter().enumerate() {
        let expect = usize::from(i % 3 != 0);
        assert_eq!(c.0.load(Ordering::SeqCst), expect, "sleep {i}");
    }
}

#[test]
fn new_waker_replaces_old_one() {
    let env = Env::new();
    let (a, wa) = counting();
    let (b, wb) = counting();
    let mut s = pin!(env.handle.sleep_until(Instant::from_ticks(5)));
    assert!(poll(s.as_mut(), &wa).is_pending());
    assert!(poll(s.as_mut(), &wb).is_pending());
    env.set(5);
    assert_eq!(a.0.load(Ordering::SeqCst), 0);
    assert_eq!(b.0.load(Ordering::SeqCst), 1);
}

#[test]
fn reset_moves_a_registered_sleep_and_keeps_its_waker() {
    let env = Env::new();
    let (count, w) = counting();
    let mut s = pin!(env.handle.sleep_until(Instant::from_ticks(100)));
    assert!(poll(s.as_mut(), &w).is_pending());
    s.as_mut().reset(Instant::from_ticks(300));
    assert_eq!(env.time.queue().len(), 1);
    assert!(env.time.next_deadline().unwrap() > 100);
    assert_eq!(env.set(299), 0);
    assert!(!s.is_elapsed());
    assert_eq!(env.set(300), 1);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    // Reset after completion: pending again.
    s.as_mut().reset(Instant::from_ticks(400));
    assert!(!s.is_elapsed());
    assert!(poll(s.as_mut(), &w).is_pending());
    env.set(400);
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    // Reset a registered sleep into the past: woken at once.
    let mut t = pin!(env.handle.sleep_until(Instant::from_ticks(1000)));
    assert!(poll(t.as_mut(), &w).is_pending());
    let before = count.0.load(Ordering::SeqCst);
    t.as_mut().reset(Instant::from_ticks(10));
    assert_eq!(count.0.load(Ordering::SeqCst), before + 1);
    assert_eq!(poll(t.as_mut(), &w), Poll::Ready(()));
    assert!(env.time.queue().is_empty());
}

#[test]
fn unpark_is_woken_only_for_a_new_earliest_deadline() {
    let env = Env::new();
    let (unparks, u) = counting();
    env.time.set_unpark(Some(u));
    let (_, w) = counting();
    let mut a = pin!(env.handle.sleep_until(Instant::from_ticks(1000)));
    assert!(poll(a.as_mut(), &w).is_pending());
    assert_eq!(
        unparks.0.load(Ordering::SeqCst),
        1,
        "first timer is the earliest"
    );
    let mut b = pin!(env.handle.sleep_until(Instant::from_ticks(5000)));
    assert!(poll(b.as_mut(), &w).is_pending());
    assert_eq!(
        unparks.0.load(Ordering::SeqCst),
        1,
        "a later timer does not unpark"
    );
    let mut c = pin!(env.handle.sleep_until(Instant::from_ticks(10)));
    assert!(poll(c.as_mut(), &w).is_pending());
    assert_eq!(
        unparks.0.load(Ordering::SeqCst),
        2,
        "an earlier timer unparks"
    );
    env.time.set_unpark(None);
}

#[test]
fn timeout_returns_ready_value_even_with_zero_duration() {
    let env = Env::new();
    let (_, w) = counting();
    let mut t = pin!(env.handle.timeout(Duration::ZERO, async { 42 }));
    assert_eq!(poll(t.as_mut(), &w), Poll::Ready(Ok(42)));
    let mut t = pin!(env
        .handle
        .timeout(Duration::from_secs(1), std::future::ready("x")));
    assert_eq!(poll(t.as_mut(), &w), Poll::Ready(Ok("x")));
    assert!(env.time.queue().is_empty());
}

struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn timeout_expiry_drops_inner_future_immediately() {
    let env = Env::new();
    let (count, w) = counting();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let inner = async move {
        let _flag = flag;
        std::future::pending::<u32>().await
    };
    let mut t = pin!(env.handle.timeout_at(Instant::from_ticks(50), inner));
    assert!(poll(t.as_mut(), &w).is_pending());
    assert!(!dropped.load(Ordering::SeqCst));
    env.set(50);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    let Poll::Ready(Err(e)) = poll(t.as_mut(), &w) else {
        panic!("timeout should have elapsed")
    };
    assert_eq!(e.to_string(), "deadline has elapsed");
    // The future was dropped when the timeout fired, while `t` is still alive.
    assert!(dropped.load(Ordering::SeqCst));
    assert!(t.get_ref().is_none());
}

#[test]
#[should_panic(expected = "`Timeout` polled after completion")]
fn timeout_polled_after_completion_panics() {
    let env = Env::new();
    let (_, w) = counting();
    let mut t = pin!(env.handle.timeout(Duration::ZERO, async { 1 }));
    let _ = poll(t.as_mut(), &w);
    let _ = poll(t.as_mut(), &w);
}

#[test]
fn free_functions_use_the_current_driver() {
    let env = Env::new();
    let _guard = driver::set_current(env.handle.clone());
    env.set(7);
    assert_eq!(Instant::now(), Instant::from_ticks(7));
    let (_, w) = counting();
    let mut s = pin!(sleep(Duration::from_micros(10)));
    assert_eq!(
        s.deadline(),
        Instant::from_ticks(7) + Duration::from_micros(10)
    );
    assert!(poll(s.as_mut(), &w).is_pending());
    let mut u = pin!(sleep_until(Instant::from_ticks(8)));
    assert!(poll(u.as_mut(), &w).is_pending());
    let mut t = pin!(timeout(
        Duration::from_secs(1),
        std::future::pending::<()>()
    ));
    assert!(poll(t.as_mut(), &w).is_pending());
    let mut ta = pin!(timeout_at(
        Instant::from_ticks(9),
        std::future::pending::<()>()
    ));
    assert!(poll(ta.as_mut(), &w).is_pending());
    assert_eq!(env.time.queue().len(), 4);
    env.set(u64::MAX - 1);
    assert!(poll(ta.as_mut(), &w).is_ready());
    assert!(poll(s.as_mut(), &w).is_ready());
}

#[test]
fn sleep_duration_max_saturates_to_forever() {
    let env = Env::new();
    env.set(10);
    let s = env.handle.sleep(Duration::MAX);
    assert_eq!(s.deadline(), Instant::MAX);
}

#[test]
#[should_panic(
    expected = "no time driver: call sleep inside a weft runtime or register one with weft_core::time_driver!"
)]
fn sleep_without_driver_panics_with_advice() {
    drop(sleep(Duration::from_secs(1)));
}

/// A driver without a queue: `Sleep` must use `schedule_wake` and re-check `now()`.
#[derive(Default)]
struct EmbassyStyle {
    now: AtomicU64,
    scheduled: Mutex<Vec<(u64, Waker)>>,
}
impl TimeDriver for EmbassyStyle {
    fn now(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        self.scheduled.lock().unwrap().push((at, waker.clone()));
    }
}

#[test]
fn plain_driver_uses_schedule_wake() {
    let d = Arc::new(EmbassyStyle::default());
    let handle = Handle::from_arc(d.clone());
    let (count, w) = counting();
    let mut s = pin!(handle.sleep_until(Instant::from_ticks(100)));
    assert!(poll(s.as_mut(), &w).is_pending());
    assert_eq!(d.scheduled.lock().unwrap()[0].0, 100);
    // An early (spurious) wake: still pending, schedules again.
    d.now.store(50, Ordering::SeqCst);
    assert!(poll(s.as_mut(), &w).is_pending());
    assert_eq!(d.scheduled.lock().unwrap().len(), 2);
    d.now.store(100, Ordering::SeqCst);
    for (_, w) in d.scheduled.lock().unwrap().drain(..) {
        w.wake();
    }
    assert!(count.0.load(Ordering::SeqCst) >= 1);
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
}

#[test]
fn loose_schedule_wake_on_wheel_driver() {
    let env = Env::new();
    let wakes: Vec<_> = (0..12).map(|_| counting()).collect();
    for (i, (_, w)) in wakes.iter().enumerate() {
        env.time.schedule_wake(100 + i as u64, w);
    }
    // Capacity 8: the four latest were woken early rather than lost.
    let early: usize = wakes.iter().map(|(c, _)| c.0.load(Ordering::SeqCst)).sum();
    assert_eq!(early, 4);
    assert_eq!(env.time.next_deadline(), Some(100));
    assert_eq!(env.set(200), 8);
    for (c, _) in &wakes {
        assert_eq!(c.0.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn sleeps_dropped_on_other_threads_while_the_wheel_fires() {
    // Stress the register / fire / drop race: every sleep either fires or is unlinked, never
    // both, and nothing dangles (run under Miri/ASan-like conditions by loom separately).
    let env = Env::new();
    let fired = Arc::new(AtomicUsize::new(0));
    struct Fire(Arc<AtomicUsize>);
    impl Wake for Fire {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let firing = {
        let time = env.time.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut t = 0;
            while !stop.load(Ordering::SeqCst) {
                t += 3;
                time.clock().0.store(t, Ordering::SeqCst);
                time.turn();
            }
        })
    };
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let handle = env.handle.clone();
            let fired = fired.clone();
            std::thread::spawn(move || {
                let w = Waker::from(Arc::new(Fire(fired)));
                for i in 0..2000u64 {
                    let mut s = Box::pin(handle.sleep(Duration::from_micros(1 + i % 50)));
                    let _ = s.as_mut().poll(&mut Context::from_waker(&w));
                    drop(s);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    firing.join().unwrap();
    assert!(env.time.queue().is_empty());
    assert!(fired.load(Ordering::SeqCst) <= 8000);
}

#[test]
fn reset_earlier_on_a_plain_driver_schedules_the_new_deadline() {
    let d = Arc::new(EmbassyStyle::default());
    let handle = Handle::from_arc(d.clone());
    let (count, w) = counting();
    let mut s = pin!(handle.sleep_until(Instant::from_ticks(1000)));
    assert!(poll(s.as_mut(), &w).is_pending());
    s.as_mut().reset(Instant::from_ticks(10));
    let earliest = d.scheduled.lock().unwrap().iter().map(|(at, _)| *at).min();
    assert_eq!(
        earliest,
        Some(10),
        "a wake-up is asked for at the new deadline"
    );
    // The driver fires it at 10: the sleep completes then, not at 1000.
    d.now.store(10, Ordering::SeqCst);
    let due: Vec<Waker> = d
        .scheduled
        .lock()
        .unwrap()
        .iter()
        .filter(|(at, _)| *at <= 10)
        .map(|(_, w)| w.clone())
        .collect();
    for w in due {
        w.wake();
    }
    assert!(count.0.load(Ordering::SeqCst) >= 1);
    assert_eq!(poll(s.as_mut(), &w), Poll::Ready(()));
    // Reset to a deadline already reached: woken at once.
    let before = count.0.load(Ordering::SeqCst);
    let mut s2 = pin!(handle.sleep_until(Instant::from_ticks(500)));
    assert!(poll(s2.as_mut(), &w).is_pending());
    s2.as_mut().reset(Instant::from_ticks(5));
    assert_eq!(count.0.load(Ordering::SeqCst), before + 1);
}
