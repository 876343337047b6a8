//! Task model tests on the single-thread executor: outputs, detach, abort at every stage,
//! wakes from other threads, static pools, and that every future is dropped exactly once.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use weft_core::executor::Executor;
use weft_core::park::ThreadPark;
use weft_core::task::{
    JoinHandle, Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken, TaskPool, TaskStorage,
};

/// Counts drops of the value it wraps.
struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A future that is pending until its gate is opened, storing the last waker.
#[derive(Clone, Default)]
struct Gate(Arc<Mutex<(bool, Option<Waker>)>>);
impl Gate {
    fn open(&self) {
        let w = {
            let mut g = self.0.lock().unwrap();
            g.0 = true;
            g.1.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    }
    fn wait(&self) -> GateWait {
        GateWait(self.clone())
    }
    fn has_waker(&self) -> bool {
        self.0.lock().unwrap().1.is_some()
    }
}
struct GateWait(Gate);
impl Future for GateWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = (self.0).0.lock().unwrap();
        if g.0 {
            Poll::Ready(())
        } else {
            g.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A scheduler that only collects tasks, so tests decide exactly when each runs.
#[derive(Default)]
struct Manual(Mutex<Vec<Notified>>);
impl Schedule for Manual {
    fn schedule(&self, task: Notified) {
        self.0.lock().unwrap().push(task);
    }
}
impl Manual {
    fn run_all(&self) -> usize {
        let tasks: Vec<_> = std::mem::take(&mut *self.0.lock().unwrap());
        let n = tasks.len();
        for t in tasks {
            t.run();
        }
        n
    }
    fn queued(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn manual() -> Arc<SchedulerCell<Manual>> {
    Arc::new(SchedulerCell::new(Manual::default()))
}

fn spawn_manual<F: Future + Send + 'static>(
    s: &Arc<SchedulerCell<Manual>>,
    f: F,
) -> JoinHandle<F::Output> {
    let (n, h) = SpawnToken::new_boxed(f).bind(RawScheduler::from_arc(s.clone()));
    s.schedule(n);
    h
}

#[test]
fn output_reaches_join_handle() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    let h = EXEC.spawn(SpawnToken::new_boxed(async { String::from("out") }));
    assert_eq!(EXEC.block_on(h).unwrap(), "out");
}

#[test]
fn join_handle_awaited_from_another_thread() {
    let s = manual();
    let gate = Gate::default();
    let g2 = gate.clone();
    let h = spawn_manual(&s, async move {
        g2.wait().await;
        5
    });
    s.run_all();
    let t = std::thread::spawn(move || weft_core::executor::block_on(h));
    gate.open(); // wakes the task: Manual queues it
    while s.queued() == 0 {
        std::thread::yield_now();
    }
    s.run_all();
    assert_eq!(t.join().unwrap().unwrap(), 5);
}

#[test]
fn detached_task_still_runs_and_drops_output() {
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let h = spawn_manual(&s, async move { DropCount(d) });
    drop(h);
    s.run_all();
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the output of a detached task is dropped once"
    );
}

#[test]
fn output_dropped_once_when_handle_dropped_after_completion() {
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let h = spawn_manual(&s, async move { DropCount(d) });
    s.run_all();
    assert!(h.is_finished());
    assert_eq!(drops.load(SeqCst), 0, "output kept for the handle");
    drop(h);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn abort_before_first_poll() {
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let h = spawn_manual(&s, async move {
        let _d = d;
        1
    });
    h.abort();
    s.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    let err = weft_core::executor::block_on(h).unwrap_err();
    assert!(err.is_cancelled());
    assert!(err.to_string().contains("was cancelled"));
}

#[test]
fn abort_idle_task_schedules_it_and_its_executor_drops_the_future() {
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let gate = Gate::default();
    let g2 = gate.clone();
    let h = spawn_manual(&s, async move {
        let _d = d;
        g2.wait().await;
    });
    s.run_all();
    assert!(gate.has_waker());
    assert_eq!(s.queued(), 0);
    h.abort();
    assert_eq!(s.queued(), 1, "abort of an idle task queues it");
    assert_eq!(drops.load(SeqCst), 0);
    s.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    assert!(h.is_finished());
    // A wake after cancellation does nothing.
    gate.open();
    assert_eq!(s.queued(), 0);
    assert!(weft_core::executor::block_on(h).unwrap_err().is_cancelled());
}

#[test]
fn abort_while_running_drops_after_the_poll() {
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let slot: Arc<Mutex<Option<weft_core::task::AbortHandle>>> = Arc::default();
    let slot2 = slot.clone();
    let observed = Arc::new(AtomicUsize::new(usize::MAX));
    let obs2 = observed.clone();
    let drops2 = drops.clone();
    let h = spawn_manual(&s, async move {
        let _d = d;
        // Abort ourselves mid-poll: the future must survive until this poll returns.
        slot2.lock().unwrap().as_ref().unwrap().abort();
        obs2.store(drops2.load(SeqCst), SeqCst);
        std::future::pending::<()>().await;
    });
    *slot.lock().unwrap() = Some(h.abort_handle());
    s.run_all();
    assert_eq!(observed.load(SeqCst), 0, "not dropped during its own poll");
    assert_eq!(drops.load(SeqCst), 1, "dropped right after the poll");
    assert!(weft_core::executor::block_on(h).unwrap_err().is_cancelled());
}

#[test]
fn abort_after_completion_keeps_output() {
    let s = manual();
    let h = spawn_manual(&s, async { 3 });
    s.run_all();
    h.abort();
    assert_eq!(s.queued(), 0);
    assert_eq!(weft_core::executor::block_on(h).unwrap(), 3);
}

#[test]
fn wake_from_other_thread_during_poll_repolls_exactly_once() {
    let s = manual();
    let polls = Arc::new(AtomicUsize::new(0));
    let p2 = polls.clone();
    let (tx, rx) = std::sync::mpsc::channel::<Waker>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let h = spawn_manual(
        &s,
        std::future::poll_fn(move |cx| {
            let n = p2.fetch_add(1, SeqCst);
            if n == 0 {
                tx.send(cx.waker().clone()).unwrap();
                // Wait until the other thread has woken us while we are still in poll.
                go_rx.lock().unwrap().recv().unwrap();
                Poll::Pending
            } else {
                Poll::Ready(n)
            }
        }),
    );
    let waker_thread = std::thread::spawn(move || {
        let w = rx.recv().unwrap();
        w.wake_by_ref();
        w.wake_by_ref();
        w.wake();
        go_tx.send(()).unwrap();
    });
    s.run_all();
    waker_thread.join().unwrap();
    assert_eq!(
        s.queued(),
        1,
        "three wakes during a poll queue the task once"
    );
    s.run_all();
    assert_eq!(polls.load(SeqCst), 2);
    assert_eq!(weft_core::executor::block_on(h).unwrap(), 1);
}

#[test]
fn panic_becomes_join_error_with_payload() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    let h = EXEC.spawn(SpawnToken::new_boxed(async {
        panic!("kaboom");
    }));
    let err: weft_core::task::JoinError = EXEC.block_on(h).unwrap_err();
    assert!(err.is_panic());
    assert!(err.to_string().contains("kaboom"), "{err}");
    let payload = err.into_panic();
    assert_eq!(*payload.downcast::<&str>().unwrap(), "kaboom");
}

#[test]
fn static_pool_reuses_slots_and_reports_full() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    static POOL: TaskPool<GateWait, 3> = TaskPool::new();
    let gates: Vec<Gate> = (0..3).map(|_| Gate::default()).collect();
    let handles: Vec<_> = gates
        .iter()
        .map(|g| EXEC.spawn(POOL.spawn(|| g.wait()).unwrap()))
        .collect();
    let err = POOL.spawn(|| Gate::default().wait()).unwrap_err();
    assert_eq!(err.capacity(), 3);
    assert!(err.to_string().contains("pool_size"), "{err}");
    EXEC.run_until_idle();
    // Finish one: its slot is busy until the handle is consumed.
    gates[1].open();
    EXEC.run_until_idle();
    assert!(POOL.spawn(|| Gate::default().wait()).is_err());
    let mut handles = handles;
    let h1 = handles.remove(1);
    EXEC.block_on(h1).unwrap();
    let again = POOL
        .spawn(|| gates[1].wait())
        .expect("slot freed after output was read");
    drop(again); // unspawned token frees the slot
    let h = EXEC.spawn(POOL.spawn(|| gates[1].wait()).unwrap());
    EXEC.block_on(h).unwrap(); // gate 1 is already open
    for (i, g) in gates.iter().enumerate() {
        if i != 1 {
            g.open();
        }
    }
    for h in handles {
        EXEC.block_on(h).unwrap();
    }
    assert_eq!(format!("{POOL:?}"), "TaskPool { capacity: 3, busy: 0 }");
}

#[test]
fn static_storage_detached_frees_on_completion() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    static SLOT: TaskStorage<std::future::Ready<u8>> = TaskStorage::new();
    drop(EXEC.spawn(SLOT.spawn(|| std::future::ready(1)).unwrap()));
    assert!(SLOT.is_busy());
    EXEC.run_until_idle();
    assert!(
        !SLOT.is_busy(),
        "detached task frees its slot when it completes"
    );
}

#[test]
fn unbound_token_drops_future_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let t = SpawnToken::new_boxed(async move {
        let _d = d;
    });
    drop(t);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn shutdown_through_owned_set_drops_every_future_once() {
    // A scheduler that tracks its tasks in a set of addresses (as the std runtime does) and
    // cancels them all at shutdown: completed tasks leave the set in `release`, idle and queued
    // ones are found there.
    use std::collections::HashSet;
    use std::ptr::NonNull;
    use weft_core::task::{Header, SchedulerCell, TaskRef};
    #[derive(Default)]
    struct Owning {
        queue: Mutex<Vec<Notified>>,
        owned: Mutex<HashSet<usize>>,
    }
    impl Schedule for Owning {
        fn schedule(&self, t: Notified) {
            self.queue.lock().unwrap().push(t);
        }
        fn release(&self, t: &TaskRef) {
            // Absent once shutdown has drained the set.
            self.owned
                .lock()
                .unwrap()
                .remove(&t.as_ptr().as_ptr().expose_provenance());
        }
    }
    let s = Arc::new(SchedulerCell::new(Owning::default()));
    let drops = Arc::new(AtomicUsize::new(0));
    let mut handles = vec![];
    let gate = Gate::default();
    for i in 0..50 {
        let d = DropCount(drops.clone());
        let g = gate.clone();
        let (n, h) = SpawnToken::new_boxed(async move {
            let _d = d;
            if i % 2 == 0 {
                g.wait().await;
            }
        })
        .bind(RawScheduler::from_arc(s.clone()));
        s.owned
            .lock()
            .unwrap()
            .insert(n.as_ptr().as_ptr().expose_provenance());
        s.schedule(n);
        handles.push(h);
    }
    // Run half of the queue: some tasks complete, some idle on the gate, some stay queued.
    let queued: Vec<_> = std::mem::take(&mut *s.queue.lock().unwrap());
    let mut rest = vec![];
    for (i, t) in queued.into_iter().enumerate() {
        if i < 25 {
            t.run();
        } else {
            rest.push(t);
        }
    }
    assert_eq!(
        s.owned.lock().unwrap().len(),
        50 - 12,
        "the 12 odd tasks that ran completed and left"
    );
    // Shutdown: take a counted reference to every owned task under the lock, cancel outside it,
    // then drop the still-queued Notified refs.
    let tasks: Vec<TaskRef> = s
        .owned
        .lock()
        .unwrap()
        .drain()
        // SAFETY: a task in the set has not been released yet, so it is alive.
        .map(|a| unsafe {
            TaskRef::clone_from_raw(
                NonNull::new(std::ptr::with_exposed_provenance_mut::<Header>(a)).unwrap(),
            )
        })
        .collect();
    for t in &tasks {
        t.shutdown();
    }
    drop(tasks);
    drop(rest);
    assert_eq!(drops.load(SeqCst), 50, "every future dropped exactly once");
    for h in handles {
        assert!(h.is_finished());
    }
    gate.open();
    assert_eq!(drops.load(SeqCst), 50);
}

#[test]
fn many_tasks_spawned_from_threads() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    let counter = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let c = counter.clone();
            std::thread::spawn(move || {
                (0..250)
                    .map(|_| {
                        let c = c.clone();
                        EXEC.spawn(SpawnToken::new_boxed(async move {
                            weft_core::task::yield_now().await;
                            c.fetch_add(1, SeqCst)
                        }))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let handles: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    EXEC.block_on(async move {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(counter.load(SeqCst), 1000);
}

#[test]
#[should_panic(expected = "already running")]
fn nested_block_on_panics_with_advice() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    EXEC.block_on(async { EXEC.block_on(async {}) });
}

/// Static storage and the future it holds, for a future type that cannot be named.
fn storage_and_future<F: Future>(_: &F) -> (usize, usize) {
    (
        std::mem::size_of::<TaskStorage<F>>(),
        std::mem::size_of::<F>(),
    )
}

#[test]
fn per_task_overhead() {
    // The budget: at most 48 bytes per static task on x86_64, everything but the
    // future/output. Sizes are deterministic, so they are asserted, and printed for the record.
    let word = std::mem::size_of::<usize>();
    let header = std::mem::size_of::<weft_core::task::Header>();
    println!("task header: {header} bytes");
    assert_eq!(
        header,
        6 * word,
        "state, queue link, vtable, scheduler, join waker (2)"
    );

    // A typical task: an `async` block holding 64 bytes (8-aligned, so no padding) across an await. Its state machine has
    // The stage (future, then output) is a union whose live half the task state decides, so it
    // needs no tag and the whole overhead is the header.
    let buf = [7u64; 8];
    let fut = async move {
        weft_core::task::yield_now().await;
        buf.iter().sum::<u64>()
    };
    let (storage, future) = storage_and_future(&fut);
    println!(
        "static storage around a {future}-byte async block: {storage} bytes, overhead {}",
        storage - future
    );
    assert!(
        storage - future <= 48 || word != 8,
        "per-task overhead {} > 48 bytes",
        storage - future
    );
    assert_eq!(storage - future, header);

    // Any other 8-aligned future whose output fits in its size: the same, no tag either.
    let (storage, future) = storage_and_future(&std::future::ready([0u64; 8]));
    println!(
        "static storage around a {future}-byte Ready: {storage} bytes, overhead {}",
        storage - future
    );
    assert_eq!(storage - future, header);
}

#[test]
fn every_output_dropped_exactly_once_whoever_owns_it() {
    // The stage has no tag: which of future/output is live follows from the task state, and
    // each output must be dropped once by exactly one owner. Count every path.
    let drops = Arc::new(AtomicUsize::new(0));
    let s = manual();

    // 1. The handle reads the output; its new owner drops it.
    let d = DropCount(drops.clone());
    let h = spawn_manual(&s, async move { d });
    s.run_all();
    let out = weft_core::executor::block_on(h).unwrap();
    assert_eq!(drops.load(SeqCst), 0);
    drop(out);
    assert_eq!(drops.load(SeqCst), 1);

    // 2. The task completes first, then the handle is dropped unread: the handle drops it.
    let d = DropCount(drops.clone());
    let h = spawn_manual(&s, async move { d });
    s.run_all();
    assert!(h.is_finished());
    assert_eq!(drops.load(SeqCst), 1);
    drop(h);
    assert_eq!(drops.load(SeqCst), 2);

    // 3. The handle is dropped first (detached): the completer drops the output.
    let d = DropCount(drops.clone());
    let h = spawn_manual(&s, async move { d });
    drop(h);
    assert_eq!(drops.load(SeqCst), 2);
    s.run_all();
    assert_eq!(drops.load(SeqCst), 3);

    // 4. Static storage: the same, and the slot is reusable afterwards.
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    static POOL: TaskPool<std::future::Ready<DropCount>, 1> = TaskPool::new();
    for round in 0..3 {
        let h = EXEC.spawn(
            POOL.spawn(|| std::future::ready(DropCount(drops.clone())))
                .unwrap(),
        );
        let out = EXEC.block_on(h).unwrap();
        drop(out);
        assert_eq!(drops.load(SeqCst), 4 + round);
    }
}

#[test]
#[should_panic(expected = "`JoinHandle` polled after it returned `Poll::Ready`")]
fn join_handle_polled_after_ready_panics_instead_of_reading_twice() {
    let s = manual();
    let mut h = spawn_manual(&s, async { String::from("once") });
    s.run_all();
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(Pin::new(&mut h).poll(&mut cx).is_ready());
    let _ = Pin::new(&mut h).poll(&mut cx);
}

#[test]
fn a_panicking_join_waker_neither_escapes_nor_leaks_the_task() {
    struct PanicWaker;
    impl std::task::Wake for PanicWaker {
        fn wake(self: Arc<Self>) {
            panic!("this join waker panics");
        }
    }
    let s = manual();
    let drops = Arc::new(AtomicUsize::new(0));
    let d = DropCount(drops.clone());
    let mut h = spawn_manual(&s, async move {
        let _d = d;
        weft_core::task::yield_now().await;
        5
    });
    let w = Waker::from(Arc::new(PanicWaker));
    assert!(Pin::new(&mut h)
        .poll(&mut Context::from_waker(&w))
        .is_pending());
    s.run_all(); // yields
    s.run_all(); // completes and wakes the panicking join waker: caught
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(weft_core::executor::block_on(h).unwrap(), 5);
    // The task released its scheduler handle: it was freed.
    assert_eq!(Arc::strong_count(&s), 1);
}

#[test]
fn an_output_whose_drop_panics_panics_the_handle_drop_after_freeing_the_task() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("output drop panics");
        }
    }
    let s = manual();
    let h = spawn_manual(&s, async { PanicOnDrop });
    s.run_all();
    assert!(h.is_finished());
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(h))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"output drop panics"));
    // The panic did not skip the handle's reference: the task was freed.
    assert_eq!(Arc::strong_count(&s), 1);
}
