//! The hot paths of the core never allocate: spawning into a static pool, waking, polling,
//! completing, reading the output, and inserting/cancelling/firing a timer. A counting global
//! allocator records every allocation made by this thread inside the measured window.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use weft_core::executor::Executor;
use weft_core::park::ThreadPark;
use weft_core::task::TaskPool;
use weft_core::time::driver::WheelDriver;
use weft_core::time::{Clock, Duration};

struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counters are thread-local `Cell`s that never
// allocate (const-initialised).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = MEASURING.try_with(|m| {
            if m.get() {
                ALLOCS.with(|a| a.set(a.get() + 1));
            }
        });
        // SAFETY: same contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn measure<R>(f: impl FnOnce() -> R) -> (R, u64) {
    ALLOCS.with(|a| a.set(0));
    MEASURING.with(|m| m.set(true));
    let r = f();
    MEASURING.with(|m| m.set(false));
    (r, ALLOCS.with(|a| a.get()))
}

/// A clock that advances by hand.
struct ManualClock(AtomicU64);
impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Pending once (waking itself), then ready with `n * 2`.
struct YieldThenDouble(u32, bool);
impl Future for YieldThenDouble {
    type Output = u32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if self.1 {
            Poll::Ready(self.0 * 2)
        } else {
            self.1 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
static POOL: TaskPool<YieldThenDouble, 8> = TaskPool::new();
static TIME: WheelDriver<ManualClock> = WheelDriver::new(ManualClock(AtomicU64::new(0)));

#[test]
fn pool_spawn_wake_poll_and_timers_do_not_allocate() {
    // Warm up once (first-use initialisation in std, e.g. thread handles, is not the hot path).
    let h = EXEC.spawn(POOL.spawn(|| YieldThenDouble(1, false)).unwrap());
    assert_eq!(EXEC.block_on(h).unwrap(), 2);

    let (sum, allocs) = measure(|| {
        let mut sum = 0;
        for round in 0..100u32 {
            let handles: [_; 8] = core::array::from_fn(|i| {
                EXEC.spawn(POOL.spawn(|| YieldThenDouble(round + i as u32, false)).unwrap())
            });
            EXEC.run_until_idle();
            for h in handles {
                assert!(h.is_finished());
                let mut h = h;
                let mut cx = Context::from_waker(std::task::Waker::noop());
                match Pin::new(&mut h).poll(&mut cx) {
                    Poll::Ready(v) => sum += v.unwrap(),
                    Poll::Pending => unreachable!(),
                }
            }
        }
        sum
    });
    assert_eq!(sum, (0..100u32).map(|r| (0..8).map(|i| (r + i) * 2).sum::<u32>()).sum());
    assert_eq!(allocs, 0, "spawning from a pool, waking and polling allocated {allocs} times");

    let handle = weft_core::time::driver::Handle::from_static(&TIME);
    let (fired, allocs) = measure(|| {
        let mut fired = 0;
        let mut cx = Context::from_waker(std::task::Waker::noop());
        for i in 0..1000u64 {
            // Insert one timer that fires and one that is cancelled by drop.
            let mut a = std::pin::pin!(handle.sleep(Duration::from_micros(10 + i % 50)));
            let mut b = std::pin::pin!(handle.sleep(Duration::from_secs(60)));
            assert!(a.as_mut().poll(&mut cx).is_pending());
            assert!(b.as_mut().poll(&mut cx).is_pending());
            let now = TIME.clock().0.fetch_add(100, Ordering::Relaxed) + 100;
            TIME.advance(now);
            if a.as_mut().poll(&mut cx).is_ready() {
                fired += 1;
            }
        }
        fired
    });
    assert_eq!(fired, 1000);
    assert_eq!(allocs, 0, "timer insert/cancel/fire allocated {allocs} times");
}
