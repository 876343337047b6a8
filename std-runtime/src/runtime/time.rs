//! The runtime's clock and timer driver.
//!
//! # Design
//!
//! Each runtime owns one [`WheelDriver`] (weft-core's lock-protected hierarchical timer wheel)
//! reading a [`RuntimeClock`]. `sleep`, `timeout` and `interval` find it through weft-core's
//! thread-local current driver, which the runtime installs on every worker thread, in
//! `block_on` and in `Handle::enter`. The worker that parks in the driver sleeps until the
//! wheel's next deadline at most, then advances the wheel to "now", waking the tasks whose
//! timers expired. When a task registers a timer earlier than every other, the wheel wakes the
//! parked driver (`set_unpark`) so it can shorten its sleep.
//!
//! # The clock, and pausing it
//!
//! Ticks count from one process-wide origin, so `Instant`s of different runtimes compare.
//! [`Builder::start_paused`](crate::runtime::Builder::start_paused) freezes the clock: time
//! then moves only through `weft::time::advance`, or by **auto-advance** — when the runtime is
//! idle (the driver would block) and a timer is pending, the clock jumps straight to that
//! timer's deadline instead of sleeping. Tests of timeouts and intervals therefore run
//! instantly and deterministically. Auto-advance looks only at the scheduler's own queues: a
//! `spawn_blocking` closure still running on another thread does not hold the clock back, so
//! tests that mix paused time with blocking work should wait for that work explicitly.
//!
//! # Why not weft-drivers' clocks
//!
//! `StdClock`/`ProcessClock` only run and `MockClock` only stands still, while a runtime's
//! clock must do both in one type (`pause` and `resume` at any moment, keeping the offset
//! skipped while paused), and the wheel is typed by its clock. Wrapping one of them would keep
//! all of this file's state and logic and only move the one-line `elapsed()` read; and
//! weft-drivers is not built under loom, where this file still is. So the runtime keeps its
//! own clock, which, like `StdClock`, rounds `now()` down.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use weft_core::time::driver::WheelDriver;
use weft_core::time::{duration_to_ticks_floor, duration_to_ticks_saturating, Clock};

/// The timer driver type of a runtime.
pub(crate) type TimeDriver = WheelDriver<RuntimeClock>;

/// Process-wide origin of every runtime clock.
fn origin() -> std::time::Instant {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    *ORIGIN.get_or_init(std::time::Instant::now)
}

/// Real time in ticks, rounded **down**: rounding up would run the clock ahead of real time
/// and fire a timer up to a tick early.
fn real_ticks() -> u64 {
    duration_to_ticks_floor(origin().elapsed())
}

/// A monotonic clock that can be paused and advanced by hand (for tests).
#[derive(Debug)]
pub(crate) struct RuntimeClock {
    paused: AtomicBool,
    /// While paused: the frozen time. While running: unused.
    frozen: AtomicU64,
    /// Ticks added to the real clock, as an `i64` stored in a `u64`: positive after
    /// `advance`, negative after a pause longer than the time skipped so far.
    offset: AtomicU64,
}

impl RuntimeClock {
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn new(start_paused: bool) -> RuntimeClock {
        let c = RuntimeClock {
            paused: AtomicBool::new(false),
            frozen: AtomicU64::new(0),
            offset: AtomicU64::new(0),
        };
        if start_paused {
            c.pause();
        }
        c
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Freezes the clock at the current time.
    pub(crate) fn pause(&self) {
        if self.is_paused() {
            return;
        }
        self.frozen.store(self.now(), Ordering::Release);
        self.paused.store(true, Ordering::Release);
    }

    /// Lets the clock run again from where it stands.
    pub(crate) fn resume(&self) {
        if !self.is_paused() {
            return;
        }
        // Continue from the frozen time: the offset may be negative (the pause lasted longer
        // than all the time skipped so far), so it is signed.
        let frozen = self.frozen.load(Ordering::Acquire) as i128;
        let offset = (frozen - real_ticks() as i128).clamp(i64::MIN as i128, i64::MAX as i128);
        self.offset.store(offset as i64 as u64, Ordering::Release);
        self.paused.store(false, Ordering::Release);
    }

    /// Moves the clock forward by `d`.
    pub(crate) fn advance(&self, d: Duration) {
        // Saturating both ways: `advance(Duration::MAX)` parks the clock at the end of time
        // instead of wrapping it backwards (or overflowing `now`).
        let t = duration_to_ticks_saturating(d);
        if self.is_paused() {
            let _ = self
                .frozen
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |f| {
                    Some(f.saturating_add(t))
                });
        } else {
            let t = i64::try_from(t).unwrap_or(i64::MAX);
            let _ = self
                .offset
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |o| {
                    Some((o as i64).saturating_add(t) as u64)
                });
        }
    }

    /// Moves a paused clock forward to `tick` (never backwards).
    pub(crate) fn advance_to(&self, tick: u64) {
        self.frozen.fetch_max(tick, Ordering::AcqRel);
    }
}

impl Clock for RuntimeClock {
    fn now(&self) -> u64 {
        if self.is_paused() {
            self.frozen.load(Ordering::Acquire)
        } else {
            let offset = self.offset.load(Ordering::Acquire) as i64;
            (real_ticks() as i128 + offset as i128).clamp(0, u64::MAX as i128) as u64
        }
    }
}

/// A new time driver for a runtime.
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn new_driver(start_paused: bool) -> Arc<TimeDriver> {
    Arc::new(WheelDriver::new(RuntimeClock::new(start_paused)))
}
