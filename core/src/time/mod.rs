//! Time: the driver trait, a no-alloc hierarchical timer wheel, `sleep`, `timeout`, `interval`.
//!
//! The same functions run on a microcontroller with no allocator and on the std runtime; what
//! differs is only the *driver* behind them.
//!
//! # Pieces
//!
//! * [`TimeDriver`] — `now()` in ticks and `schedule_wake(at, &Waker)`, the shape of
//!   `embassy_time_driver::Driver`, so an embassy HAL's driver plugs in (adapter in
//!   `weft-drivers`). Ticks run at [`TICK_HZ`], chosen at build time with a `tick-hz-*`
//!   feature (1 MHz by default; see [`TICK_HZ`] for the table).
//! * [`Instant`] (ticks) and [`Duration`] (`core::time::Duration`) with checked and saturating
//!   arithmetic; durations round *up* to ticks so no timer fires early.
//! * [`wheel::TimerWheel`] — the hierarchical timer wheel: 6 levels of 64 slots with an
//!   occupancy bitmap per level, intrusive entries that live inside the `Sleep` futures, O(1)
//!   insert and cancel, advance that skips empty slots. Its module docs describe the algorithm
//!   (levels, bitmaps, cascading, the overflow epoch) and why it was chosen.
//! * [`TimerQueue`] — the wheel behind a lock (a `std` mutex, or a critical section without
//!   std), waking in batches outside the lock, with an *unpark* hook for drivers that park.
//! * [`driver::WheelDriver`] — a [`Clock`] plus a [`TimerQueue`]: the driver a runtime or a
//!   bare-metal executor owns. [`driver`]'s docs show the exact sequence a runtime follows.
//! * [`sleep`]/[`sleep_until`] → [`Sleep`], [`timeout`]/[`timeout_at`] → [`Timeout`] (drops the
//!   inner future on expiry, returns [`Elapsed`]), [`interval`]/[`interval_at`] → [`Interval`]
//!   (a `futures_core::Stream`, with [`MissedTickBehavior`] `Burst`, `Delay` or `Skip`).
//!
//! # How a `Sleep` waits
//!
//! `sleep(d)` asks [`driver::current()`] for the driver (the thread's runtime on std, else the
//! global one registered with [`time_driver!`](crate::time_driver)), computes
//! `deadline = now + d` and keeps the driver's [`driver::Handle`]. On the first poll:
//!
//! 1. if the clock already passed the deadline, it is ready;
//! 2. if the driver has a [`TimerQueue`], the `Sleep` links the [`wheel::TimerEntry`] stored
//!    inside itself into the wheel (it is pinned, so the wheel may point at it). Later polls
//!    only swap the waker if the task changed. The driver's `advance` unlinks the entry, takes
//!    the waker and marks the entry fired with a `Release` store; the `Sleep` sees that with an
//!    `Acquire` load and completes without taking the lock. Dropping a `Sleep` that is still
//!    linked takes the lock and unlinks it, so the wheel never points to freed memory, even if
//!    another thread is firing the wheel at that moment (the lock orders the two);
//! 3. otherwise it calls `schedule_wake(deadline, waker)` and re-checks `now()` when woken.
//!
//! # Driving time on std
//!
//! The runtime creates one `Arc<WheelDriver<C>>` per runtime, makes it current on each worker
//! with [`driver::set_current`], sets an unpark waker with [`driver::WheelDriver::set_unpark`],
//! and in the worker that parks: `deadline = next_deadline()`, park until then (or until
//! unparked), `advance(now())`. With a paused clock (`weft_drivers::mock::MockClock`), the
//! runtime calls `clock.auto_advance_to(next_deadline)` instead of parking when every task is
//! idle, so tests with timeouts finish instantly and deterministically.
//!
//! # Driving time on bare metal
//!
//! Either implement [`TimeDriver`] directly on top of a hardware timer (as for embassy), or use
//! `static TIME: WheelDriver<MyClock>`, register it with
//! [`time_driver!`](crate::time_driver), let the executor's park driver sleep until
//! `TIME.next_deadline()` (arming a compare interrupt), and call `TIME.advance(now)` when it
//! wakes.

mod instant;
mod interval;
#[cfg_attr(loom, path = "lock_loom.rs")]
#[cfg_attr(all(not(loom), feature = "std"), path = "lock_std.rs")]
#[cfg_attr(all(not(loom), not(feature = "std")), path = "lock_cs.rs")]
mod lock;
mod queue;
mod sleep;
mod tick;
mod timeout;

pub mod driver;
pub mod wheel;

pub use core::time::Duration;

pub use driver::{Clock, TimeDriver};
pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior, Tick};
pub use queue::TimerQueue;
pub use sleep::{sleep, sleep_until, Sleep};
pub use tick::{
    duration_to_ticks_ceil, duration_to_ticks_floor, duration_to_ticks_saturating,
    ticks_to_duration, ticks_to_duration_ceil, TICK_HZ,
};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};
