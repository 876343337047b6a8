//! Loom models of shutdown racing with spawn, wake and a running poll, on the runtime's own
//! pieces: the sharded owned-task list (`owned.rs`), the global queue (`inject.rs`) and
//! weft-core tasks. Shutdown is what `Handle::shutdown` plus the last core do: close the
//! global queue, close the owned-task set and cancel every task in it, drain the queue.
//! Whatever the interleaving, every future is dropped exactly once, every `JoinHandle`
//! finishes, and no task stays linked.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test -p weft --release --test loom_shutdown`.
#![cfg(loom)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;
use weft::__core::task::{
    JoinHandle, Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken, TaskRef,
};
use weft::__loom::{Inject, OwnedTasks};

/// A scheduler reduced to what shutdown touches: the global queue and the owned-task set.
struct Sched {
    inject: Inject<Notified>,
    owned: OwnedTasks,
}

impl Schedule for Sched {
    fn schedule(&self, task: Notified) {
        // Refused after close: dropping the `Notified` cancels the task (as the runtime does).
        if let Err(task) = self.inject.push(task) {
            drop(task);
        }
    }

    fn release(&self, task: &TaskRef) {
        self.owned.remove(task);
    }
}

fn new_sched() -> std::sync::Arc<SchedulerCell<Sched>> {
    std::sync::Arc::new(SchedulerCell::new(Sched {
        inject: Inject::new(),
        // One shard (`0` workers rounds up to one): tasks are sharded by address, and with
        // several shards the shard a task lands in could change between loom iterations.
        owned: OwnedTasks::new(0),
    }))
}

/// `Runtime::spawn`: bind, link, queue.
fn spawn<F>(sched: &std::sync::Arc<SchedulerCell<Sched>>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send,
{
    let token = SpawnToken::new_boxed(future);
    let (notified, join) = sched
        .owned
        .bind(token, RawScheduler::from_arc(sched.clone()));
    if let Some(n) = notified {
        sched.schedule(n);
    }
    join
}

/// `Handle::shutdown` followed by the last core's drain.
fn shutdown(sched: &Sched) {
    sched.inject.close();
    sched.owned.close_and_shutdown_all(0);
    while let Some(task) = sched.inject.pop() {
        drop(task);
    }
}

/// Pending forever; stores its waker for another thread; counts its drop.
struct Parked {
    drops: Arc<AtomicUsize>,
    waker: Arc<Mutex<Option<Waker>>>,
}

impl Future for Parked {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Parked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

/// Counts its drop.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn parked() -> (Parked, Arc<AtomicUsize>, Arc<Mutex<Option<Waker>>>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let waker = Arc::new(Mutex::new(None));
    let p = Parked {
        drops: drops.clone(),
        waker: waker.clone(),
    };
    (p, drops, waker)
}

fn assert_all_done(sched: &Sched, drops: &AtomicUsize, join: &JoinHandle<()>) {
    assert_eq!(drops.load(SeqCst), 1, "the future is dropped exactly once");
    assert!(join.is_finished(), "the JoinHandle resolves");
    assert_eq!(sched.owned.len(), 0, "no task stays linked");
    assert!(sched.inject.pop().is_none(), "nothing stays queued");
}

#[test]
fn shutdown_races_with_spawn() {
    loom::model(|| {
        let sched = new_sched();
        let (fut, drops, _waker) = parked();
        let spawner = {
            let sched = sched.clone();
            thread::spawn(move || spawn(&sched, fut))
        };
        shutdown(&sched);
        let join = spawner.join().unwrap();
        assert_all_done(&sched, &drops, &join);
    });
}

#[test]
fn shutdown_races_with_wake() {
    loom::model(|| {
        let sched = new_sched();
        let (fut, drops, waker) = parked();
        let join = spawn(&sched, fut);
        // A worker polls it once: it parks and leaves its waker.
        sched.inject.pop().expect("spawned task is queued").run();
        let w = waker
            .lock()
            .unwrap()
            .take()
            .expect("the task stored its waker");
        let waking = thread::spawn(move || w.wake());
        shutdown(&sched);
        waking.join().unwrap();
        assert_all_done(&sched, &drops, &join);
    });
}

#[test]
fn shutdown_races_with_a_running_poll() {
    loom::model(|| {
        let sched = new_sched();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = Counted(drops.clone());
        let join = spawn(&sched, async move {
            let _guard = guard;
            std::future::pending::<()>().await
        });
        let task = sched.inject.pop().expect("spawned task is queued");
        // A worker is polling the task while another thread shuts down: the cancellation
        // waits for the poll to return, then drops the future on whichever thread is last.
        let worker = thread::spawn(move || task.run());
        shutdown(&sched);
        worker.join().unwrap();
        assert_all_done(&sched, &drops, &join);
    });
}
