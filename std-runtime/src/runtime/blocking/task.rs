//! A `spawn_blocking` closure as a weft-core task.
//!
//! The closure is wrapped in a future that runs it to completion on its first poll, so the
//! caller gets the core's ordinary `JoinHandle` (await, `abort`, `is_finished`), and a panic
//! in the closure is caught by the core's `Notified::run` and becomes a `JoinError` carrying
//! the payload. Blocking tasks are not in any owned-task set: shutdown cancels the ones still
//! queued (dropping the `Notified` cancels the task) and waits for the running ones.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use weft_core::task::{JoinHandle, Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken};

use super::pool::{Job, Spawner};
use crate::runtime::scheduler;

/// Runs the closure on its first poll.
struct BlockingTask<F> {
    func: Option<F>,
}

// The closure is moved out before it runs; nothing is pinned structurally.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("blocking task polled after it completed");
        // Blocking code is not subject to the cooperative budget.
        Poll::Ready(weft_core::task::coop::unconstrained(func))
    }
}

/// The scheduler blocking tasks are bound to. Their future completes on its first poll, so a
/// wake-up can only come from `abort()` racing with the run; the pool already owns the task
/// then, so the extra `Notified` is simply dropped, which cancels it if it has not run.
struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        drop(task);
    }
}

static BLOCKING_SCHEDULE: SchedulerCell<BlockingSchedule> = SchedulerCell::new(BlockingSchedule);

/// Queues `func` on `spawner`'s pool; `rt` becomes the current runtime of the thread running it.
pub(crate) fn spawn_blocking_on<F, R>(
    spawner: &Spawner,
    rt: &scheduler::Handle,
    func: F,
) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let token = SpawnToken::new_boxed(BlockingTask { func: Some(func) });
    let (notified, join) = token.bind(RawScheduler::from_static(&BLOCKING_SCHEDULE));
    spawner.spawn(Job::Task(notified), rt);
    join
}
