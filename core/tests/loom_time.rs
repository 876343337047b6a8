//! Loom models of the concurrent register / fire / drop paths of `Sleep` and `TimerQueue`.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft-core --test loom_time --release`
//! (or without `--release`; the models are small).
#![cfg(loom)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering};
use weft_core::time::driver::{Handle, WheelDriver};
use weft_core::time::{Clock, Instant, Sleep};

struct Zero;
impl Clock for Zero {
    fn now(&self) -> u64 {
        0
    }
}

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Loom threads are coroutines with small stacks; the wheel (384 list heads, built on the
/// stack before it moves into its `Arc`) and debug-build frames need more.
const STACK: usize = 1 << 20;

fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> loom::thread::JoinHandle<T> {
    loom::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let f = Arc::new(f);
    loom::model(move || {
        let f = f.clone();
        spawn(move || f()).join().unwrap();
    });
}

fn setup() -> (Arc<WheelDriver<Zero>>, Pin<Box<Sleep>>, Arc<Count>, Waker) {
    let time = Arc::new(WheelDriver::new(Zero));
    let handle = Handle::from_arc(time.clone());
    let sleep = Box::pin(handle.sleep_until(Instant::from_ticks(1)));
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    (time, sleep, count, waker)
}

/// A registered sleep dropped while another thread fires the wheel: no use-after-free (loom
/// checks the entry's cells), the queue ends empty, the waker is woken at most once.
#[test]
fn drop_races_fire() {
    model(|| {
        let (time, mut sleep, count, waker) = setup();
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        let t = {
            let time = time.clone();
            spawn(move || {
                time.advance(1);
            })
        };
        drop(sleep);
        t.join().unwrap();
        assert!(time.queue().is_empty());
        assert!(count.0.load(Ordering::SeqCst) <= 1);
    });
}

/// First registration racing with the wheel advancing past the deadline: the sleep either is
/// linked before the advance (and is fired and woken) or is refused as already due (Ready).
#[test]
fn register_races_fire() {
    model(|| {
        let (time, mut sleep, count, waker) = setup();
        let t = {
            let time = time.clone();
            spawn(move || {
                time.advance(1);
            })
        };
        let first = sleep.as_mut().poll(&mut Context::from_waker(&waker));
        t.join().unwrap();
        match first {
            Poll::Ready(()) => assert_eq!(count.0.load(Ordering::SeqCst), 0),
            Poll::Pending => {
                assert_eq!(count.0.load(Ordering::SeqCst), 1);
                assert!(sleep
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready());
            }
        }
        assert!(time.queue().is_empty());
    });
}

/// Re-polling with a new waker while the wheel fires: whichever waker is stored when the entry
/// fires is woken, and a poll after that is Ready (no lost wakeup).
#[test]
fn waker_update_races_fire() {
    model(|| {
        let (time, mut sleep, first_count, first) = setup();
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&first))
            .is_pending());
        let second_count = Arc::new(Count(AtomicUsize::new(0)));
        let second = Waker::from(second_count.clone());
        let t = {
            let time = time.clone();
            spawn(move || {
                time.advance(1);
            })
        };
        let repoll = sleep.as_mut().poll(&mut Context::from_waker(&second));
        t.join().unwrap();
        let woken = first_count.0.load(Ordering::SeqCst) + second_count.0.load(Ordering::SeqCst);
        match repoll {
            Poll::Ready(()) => assert_eq!(woken, 1),
            Poll::Pending => {
                // Fired after the waker swap: the new waker was the one woken.
                assert_eq!(second_count.0.load(Ordering::SeqCst), 1);
                assert_eq!(first_count.0.load(Ordering::SeqCst), 0);
            }
        }
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&second))
            .is_ready());
    });
}
