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
    JoinHandle, Notified, RawScheduler, Schedule, SpawnToken, TaskPool, TaskStorage,
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

fn manual() -> Arc<Manual> {
    Arc::new(Manual::default())
}

fn spawn_manual<F: Future + Send + 'static>(s: &Arc<Manual>, f: F) -> JoinHandle<F::Output> {
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
fn shutdown_through_owned_list_drops_every_future_once() {
    use weft_core::task::{OwnedList, TaskRef};
    #[derive(Default)]
    struct Owning {
        queue: Mutex<Vec<Notified>>,
        owned: Mutex<OwnedList>,
    }
    impl Schedule for Owning {
        fn schedule(&self, t: Notified) {
            self.queue.lock().unwrap().push(t);
        }
        fn release(&self, t: &TaskRef) {
            // SAFETY: tasks are linked only in this list and are alive during release.
            unsafe { self.owned.lock().unwrap().remove(t.as_ptr()) };
        }
    }
    let s = Arc::new(Owning::default());
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
        // SAFETY: alive (we hold `n`), in no list yet.
        unsafe { s.owned.lock().unwrap().push_front(n.header().into()) };
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
    // Shutdown: cancel every owned task, then drop the still-queued Notified refs.
    loop {
        let Some(t) = s.owned.lock().unwrap().pop_front() else {
            break;
        };
        t.shutdown();
    }
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

#[test]
fn per_task_overhead() {
    // Printed for the record (the issue asks for sizes); asserted only against the layout we
    // document so a change is noticed.
    let header = std::mem::size_of::<weft_core::task::Header>();
    println!("task header: {header} bytes");
    assert_eq!(header, 10 * std::mem::size_of::<usize>());
    let storage = std::mem::size_of::<TaskStorage<std::future::Ready<[u8; 64]>>>();
    println!("static storage around a 64-byte future: {storage} bytes");
    assert!(storage <= header + 64 + 32);
}
