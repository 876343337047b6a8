//! Timer workloads.

use super::{join_all, timed, Measure, Scale};
use crate::rt::RtTime;
use futures_lite::future::poll_once;
use std::pin::pin;
use std::time::Duration;

/// Tasks that together create `timers` sleeps of one minute, poll each once
/// (so it is registered with the timer driver) and drop it (cancel).
pub fn timer_insert_cancel<R: RtTime>(rt: &R, s: &Scale) -> Measure {
    let (tasks, per, sp) = (s.timer_tasks, s.timers / s.timer_tasks, rt.spawner());
    timed(rt, async move {
        join_all::<R, _>(&sp, tasks, |_| async move {
            for _ in 0..per {
                let mut sleep = pin!(R::sleep(Duration::from_secs(60)));
                assert!(poll_once(sleep.as_mut()).await.is_none());
            }
        })
        .await
    })
}

/// `sleepers` tasks each sleep 1 ms `sleeps` times in a row: the time is the
/// timer granularity plus the cost of firing `sleepers * sleeps` timers.
pub fn timers_fire<R: RtTime>(rt: &R, s: &Scale) -> Measure {
    let (tasks, sleeps, sp) = (s.sleepers, s.sleeps, rt.spawner());
    timed(rt, async move {
        join_all::<R, _>(&sp, tasks, |_| async move {
            for _ in 0..sleeps {
                R::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
    })
}
