//! Blocking-code workloads: the blocking pool and `block_in_place`.

use super::{timed, Measure, Scale};
use crate::rt::RtBlocking;
use std::hint::black_box;

/// A task runs `blocking` tiny closures on the blocking pool and awaits them.
pub fn spawn_blocking<R: RtBlocking>(rt: &R, s: &Scale) -> Measure {
    let n = s.blocking;
    timed(rt, async move {
        let handles: Vec<_> = (0..n)
            .map(|i| R::spawn_blocking(move || black_box(i) + 1))
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await, i + 1);
        }
    })
}

/// A task calls `block_in_place` with a tiny closure `in_place` times,
/// yielding after each call: the round-trip cost of handing the worker's
/// queue to another thread and getting a worker back. (Without the yield only
/// the first call of a poll hands off: later calls in the same poll find the
/// queue already handed away and cost nothing, on tokio and weft alike.)
pub fn block_in_place<R: RtBlocking>(rt: &R, s: &Scale) -> Measure {
    let n = s.in_place;
    timed(rt, async move {
        for i in 0..n {
            assert_eq!(R::block_in_place(|| black_box(i) + 1), i + 1);
            R::yield_now().await;
        }
    })
}
