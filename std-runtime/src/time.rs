//! Time: `sleep`, `timeout`, `interval`, `Instant` — weft-core's, driven by the runtime.
//!
//! Everything in weft-core's `time` module is re-exported here unchanged: the same `sleep`
//! works on a microcontroller and on this runtime. The runtime adds the functions that act on
//! *its* clock: [`pause`], [`resume`] and [`advance`], for tests (see also
//! [`Builder::start_paused`](crate::runtime::Builder::start_paused)).
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
//! rt.block_on(async {
//!     let start = weft::time::Instant::now();
//!     weft::time::sleep(Duration::from_secs(3600)).await; // instant: the clock auto-advances
//!     assert!(start.elapsed() >= Duration::from_secs(3600));
//! });
//! ```

use crate::runtime::context;
pub use weft_core::time::*;

fn with_clock<R>(what: &str, f: impl FnOnce(&crate::runtime::time::TimeDriver) -> R) -> R {
    context::with_current(|h| match h.and_then(|h| h.driver().time()) {
        Some(t) => f(t),
        None => panic!(
            "`weft::time::{what}` called outside a weft runtime: call it from inside `block_on` \
             or a task"
        ),
    })
}

/// Freezes the current runtime's clock: from now on time moves only through [`advance`], or
/// by jumping to the next timer when the runtime is idle.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// use std::time::Duration;
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     weft::time::pause();
///     let t = weft::time::Instant::now();
///     assert_eq!(weft::time::Instant::now(), t);
///     weft::time::resume();
/// });
/// ```
#[track_caller]
pub fn pause() {
    with_clock("pause", |t| t.clock().pause())
}

/// Lets the current runtime's clock run again.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async { weft::time::resume() });
/// ```
#[track_caller]
pub fn resume() {
    with_clock("resume", |t| t.clock().resume())
}

/// Moves the current runtime's clock forward by `duration`, fires the timers that became due,
/// and yields so the woken tasks can run.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// use std::time::Duration;
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let t = weft::time::Instant::now();
///     weft::time::advance(Duration::from_secs(5)).await;
///     assert_eq!(t.elapsed(), Duration::from_secs(5));
/// });
/// ```
pub async fn advance(duration: Duration) {
    with_clock("advance", |t| {
        t.clock().advance(duration);
        t.advance(weft_core::time::Clock::now(t.clock()));
    });
    weft_core::task::yield_now().await;
}
