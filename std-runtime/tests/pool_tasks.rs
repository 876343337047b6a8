//! Static-pool tasks (`#[weft::task(pool_size = N)]`) on the std runtime: the runtime
//! schedules the pool's own task (no box, no wrapper), on both flavors.
//!
//! Every test has its own pool functions: pools are `static`, and tests run in parallel.

mod support;

use std::rc::Rc;

use support::{runtimes, DropCounter, Gate, Tracked};
use weft::runtime::Builder;

/// Claims a slot, waiting for one to be freed. On the multi-thread flavor the worker that
/// completed a task wakes its `JoinHandle` and only then drops its own reference to the task,
/// so the slot can still be busy for an instant after the handle resolved. The wait ends on
/// that event (the last reference dropped); a pool that never frees a slot hangs the test.
fn claim<T>(mut f: impl FnMut() -> Result<T, weft::task::SpawnError>) -> T {
    loop {
        match f() {
            Ok(t) => return t,
            Err(_) => std::thread::yield_now(),
        }
    }
}

#[weft::task(pool_size = 3)]
async fn triple(n: u32) -> u32 {
    weft::task::yield_now().await;
    n * 3
}

#[test]
fn outputs_come_back_through_join_handles() {
    for (name, rt) in runtimes() {
        let out = rt.block_on(async {
            let hs: Vec<_> = (1..=3)
                .map(|n| weft::task::spawn_token(triple(n).unwrap()))
                .collect();
            let mut out = Vec::new();
            for h in hs {
                out.push(h.await.unwrap());
            }
            out
        });
        assert_eq!(out, [3, 6, 9], "{name}");
        // From outside, through the runtime and its handle.
        let a = rt.spawn_token(triple(4).unwrap());
        let b = rt.handle().spawn_token(triple(5).unwrap());
        assert_eq!(
            rt.block_on(a).unwrap() + rt.block_on(b).unwrap(),
            27,
            "{name}"
        );
    }
}

#[weft::task(pool_size = 2)]
async fn wait_gate(gate: Gate, n: usize) -> usize {
    gate.wait().await;
    n
}

#[test]
fn full_pool_is_an_error_and_slots_are_reused() {
    for (name, rt) in runtimes() {
        let gate = Gate::default();
        let a = rt.spawn_token(wait_gate(gate.clone(), 1).unwrap());
        let b = rt.spawn_token(wait_gate(gate.clone(), 2).unwrap());
        let err = wait_gate(gate.clone(), 3).unwrap_err();
        assert_eq!(err.capacity(), 2, "{name}");
        assert!(err.to_string().contains("pool is full"), "{name}");
        gate.open();
        assert_eq!(
            rt.block_on(a).unwrap() + rt.block_on(b).unwrap(),
            3,
            "{name}"
        );
        // Both slots are free again once the tasks completed and their handles are done.
        let c = rt.spawn_token(claim(|| wait_gate(gate.clone(), 4)));
        let d = rt.spawn_token(claim(|| wait_gate(gate.clone(), 5)));
        assert_eq!(
            rt.block_on(c).unwrap() + rt.block_on(d).unwrap(),
            9,
            "{name}"
        );
    }
}

#[weft::task]
async fn forever(guard: Tracked) {
    let _guard = guard;
    std::future::pending::<()>().await;
}

#[test]
fn abort_drops_the_future_and_frees_the_slot() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let h = rt.spawn_token(forever(drops.track()).unwrap());
        assert!(forever(drops.track()).is_err(), "{name}");
        assert_eq!(drops.count(), 1, "{name}: the refused argument is dropped");
        h.abort();
        let err = rt.block_on(h).unwrap_err();
        assert!(err.is_cancelled(), "{name}");
        assert_eq!(drops.count(), 2, "{name}");
        // The slot is free again: spawn and abort once more.
        let again = DropCounter::default();
        let h = rt.spawn_token(claim(|| forever(again.track())));
        let refused = again.count();
        h.abort();
        assert!(rt.block_on(h).unwrap_err().is_cancelled(), "{name}");
        assert_eq!(again.count(), refused + 1, "{name}");
    }
}

#[weft::task(pool_size = 2)]
async fn parked(guard: Tracked) {
    let _guard = guard;
    std::future::pending::<()>().await;
}

#[test]
fn runtime_drop_drops_pool_futures_once_and_frees_slots() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let started = Gate::default();
        let s = started.clone();
        let g = drops.track();
        // One task parked after running, one maybe still queued.
        let first = rt.spawn_token(parked(g).unwrap());
        let second = rt.spawn_token(parked(drops.track()).unwrap());
        rt.block_on(async move {
            weft::spawn(async move { s.open() });
            started.wait().await;
        });
        drop(rt);
        assert_eq!(drops.count(), 2, "{name}: each future dropped exactly once");
        let rt = Builder::new_current_thread().build().unwrap();
        assert!(rt.block_on(first).unwrap_err().is_cancelled(), "{name}");
        assert!(rt.block_on(second).unwrap_err().is_cancelled(), "{name}");
        // Both slots are free.
        let a = parked(drops.track()).unwrap();
        let b = parked(drops.track()).unwrap();
        drop((a, b));
        assert_eq!(drops.count(), 4, "{name}");
    }
}

#[weft::task]
async fn local(value: Rc<u32>) -> u32 {
    weft::task::yield_now().await;
    *value + 1
}

#[test]
fn spawn_local_token_runs_not_send_pool_tasks() {
    let rt = Builder::new_current_thread().build().unwrap();
    let v = rt.block_on(async {
        let a = weft::task::spawn_local_token(local(Rc::new(1)).unwrap()).await;
        let b = weft::task::spawn_local_token(local(Rc::new(2)).unwrap()).await;
        a.unwrap() + b.unwrap()
    });
    assert_eq!(v, 5);
}

#[weft::task]
async fn boom() -> u32 {
    panic!("pool task panicked")
}

#[test]
fn pool_task_panics_reach_the_handle_and_the_shutdown_option() {
    for (name, rt) in runtimes() {
        let err = rt.block_on(rt.spawn_token(boom().unwrap())).unwrap_err();
        assert!(err.is_panic(), "{name}");
    }
    // Under ShutdownRuntime a pool task's panic shuts the runtime down like a boxed task's:
    // the scheduler learns of it from the core, no wrapper future is involved.
    support::assert_task_panic_shuts_down(|| drop(weft::task::spawn_token(boom().unwrap())));
}
