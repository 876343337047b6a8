//! The mock clock: paused time, auto-advance to the next deadline when every task is idle, and
//! 100,000 concurrent sleeps firing in deadline order.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};

use weft_core::time::{sleep, timeout, Duration, Instant};
use weft_drivers::mock::{MockClock, MockDriver};

/// A waker that sets a flag.
struct Flag(AtomicBool);
impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// The loop a runtime with `start_paused = true` runs: poll woken tasks; when every task is
/// idle, let the mock clock jump to the next deadline instead of parking.
fn run_paused(time: &MockDriver, tasks: Vec<Task>) {
    let mut tasks: Vec<(Option<Task>, Arc<Flag>)> = tasks
        .into_iter()
        .map(|t| (Some(t), Arc::new(Flag(AtomicBool::new(true)))))
        .collect();
    loop {
        let mut progressed = false;
        for (task, flag) in &mut tasks {
            if task.is_some() && flag.0.swap(false, Ordering::SeqCst) {
                progressed = true;
                let waker = Waker::from(flag.clone());
                if task
                    .as_mut()
                    .unwrap()
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready()
                {
                    *task = None;
                }
            }
        }
        if tasks.iter().all(|(t, _)| t.is_none()) {
            return;
        }
        if !progressed {
            let driver = time.driver();
            assert!(
                time.clock().auto_advance_to(driver.next_deadline()),
                "deadlock: every task idle and no timer pending"
            );
            driver.advance(time.clock().now_ticks());
        }
    }
}

#[test]
fn paused_time_runs_an_hour_of_timeouts_instantly() {
    let time = MockDriver::new();
    let _g = time.enter();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l1 = log.clone();
    let l2 = log.clone();
    let l3 = log.clone();
    run_paused(
        &time,
        vec![
            Box::pin(async move {
                sleep(Duration::from_secs(3600)).await;
                l1.lock().unwrap().push(("hour", Instant::now()));
            }),
            Box::pin(async move {
                let r = timeout(Duration::from_secs(30), std::future::pending::<()>()).await;
                assert!(r.is_err());
                l2.lock().unwrap().push(("timeout", Instant::now()));
            }),
            Box::pin(async move {
                let r = timeout(Duration::from_secs(30), sleep(Duration::from_secs(29))).await;
                assert!(r.is_ok());
                l3.lock().unwrap().push(("inner", Instant::now()));
            }),
        ],
    );
    let at = |s: u64| Instant::MIN + Duration::from_secs(s);
    assert_eq!(
        *log.lock().unwrap(),
        vec![("inner", at(29)), ("timeout", at(30)), ("hour", at(3600))]
    );
}

#[test]
fn auto_advance_off_leaves_time_alone() {
    let clock = MockClock::new();
    clock.set_auto_advance(false);
    assert!(!clock.auto_advance_to(Some(100)));
    assert_eq!(clock.now_ticks(), 0);
    clock.set_auto_advance(true);
    assert!(clock.auto_advance_to(Some(100)));
    assert_eq!(clock.now_ticks(), 100);
    // Never backwards.
    assert!(clock.auto_advance_to(Some(50)));
    assert_eq!(clock.now_ticks(), 100);
}

#[test]
fn sleep_forever_under_paused_clock_takes_few_steps() {
    let time = MockDriver::new();
    let s = Box::pin(time.handle().sleep(Duration::MAX));
    let mut s = s;
    let w = Waker::noop();
    assert!(s.as_mut().poll(&mut Context::from_waker(w)).is_pending());
    let mut steps = 0;
    while !s.is_elapsed() {
        time.advance_to_next().unwrap();
        steps += 1;
        assert!(steps < 20, "overflow epochs must be jumped, not walked");
    }
    assert_eq!(time.clock().instant(), Instant::MAX);
}

/// Records the order in which sleeps fire and the time at which each fired.
struct Recorder {
    id: usize,
    clock: MockClock,
    log: Arc<Mutex<Vec<(usize, u64)>>>,
}
impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.log
            .lock()
            .unwrap()
            .push((self.id, self.clock.now_ticks()));
    }
}

#[test]
fn hundred_thousand_sleeps_fire_in_deadline_order_none_lost() {
    const N: usize = 100_000;
    let time = MockDriver::new();
    let handle = time.handle();
    let log = Arc::new(Mutex::new(Vec::with_capacity(N)));
    // Deterministic pseudo-random deadlines spread over ~3 levels and beyond the wheel.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut sleeps = Vec::with_capacity(N);
    for id in 0..N {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = match id % 10 {
            0 => x % (1 << 40),
            1..=3 => x % 1_000,
            _ => x % 5_000_000,
        };
        let mut s = Box::pin(handle.sleep_until(Instant::from_ticks(1 + delay)));
        let w = Waker::from(Arc::new(Recorder {
            id,
            clock: time.clock().clone(),
            log: log.clone(),
        }));
        assert!(s.as_mut().poll(&mut Context::from_waker(&w)).is_pending());
        sleeps.push(Some(s));
    }
    // Cancel every seventh: they must never fire.
    for (id, s) in sleeps.iter_mut().enumerate() {
        if id % 7 == 3 {
            *s = None;
        }
    }
    let live = sleeps.iter().filter(|s| s.is_some()).count();
    assert_eq!(time.driver().queue().len(), live);
    while time.advance_to_next().is_some() {}
    let log = log.lock().unwrap();
    let expected = sleeps.iter().filter(|s| s.is_some()).count();
    assert_eq!(log.len(), expected, "every live sleep fired exactly once");
    let mut seen = vec![false; N];
    let mut last = 0;
    for &(id, at) in log.iter() {
        assert!(!seen[id], "sleep {id} fired twice");
        seen[id] = true;
        assert!(id % 7 != 3, "cancelled sleep {id} fired");
        let s = sleeps[id].as_ref().unwrap();
        assert_eq!(
            at,
            s.deadline().as_ticks(),
            "sleep {id} fired at the wrong tick"
        );
        assert!(at >= last, "fired out of deadline order");
        last = at;
        assert!(s.is_elapsed());
    }
    assert!(time.driver().queue().is_empty());
}
