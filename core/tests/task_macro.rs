//! `#[weft_core::task]` end to end: pool tasks spawned on the bare-metal executor (with the
//! std park driver), outputs through `JoinHandle`, a full pool, slot reuse, `!Send` tasks.

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use weft_core::executor::Executor;
use weft_core::park::ThreadPark;

#[weft_core::task(pool_size = 3)]
async fn double(n: u32) -> u32 {
    weft_core::task::yield_now().await;
    n * 2
}

#[weft_core::task]
async fn concat(a: String, b: &'static str) -> String {
    a + b
}

#[weft_core::task(pool_size = 2)]
async fn hold(gate: &'static AtomicUsize) -> usize {
    while gate.load(Ordering::Acquire) == 0 {
        weft_core::task::yield_now().await;
    }
    gate.load(Ordering::Acquire)
}

#[weft_core::task]
async fn not_send(value: Rc<u32>) -> u32 {
    *value + 1
}

#[test]
fn outputs_come_back_through_join_handles() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    let handles: Vec<_> = (1..=3).map(|n| EXEC.spawn(double(n).unwrap())).collect();
    let outputs: Vec<u32> = handles
        .into_iter()
        .map(|h| EXEC.block_on(h).unwrap())
        .collect();
    assert_eq!(outputs, [2, 4, 6]);

    let joined = EXEC.spawn(concat(String::from("we"), "ft").unwrap());
    assert_eq!(EXEC.block_on(joined).unwrap(), "weft");
}

#[test]
fn a_full_pool_is_an_error_until_a_task_finishes() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    static GATE: AtomicUsize = AtomicUsize::new(0);
    // A slot is taken from spawn until the task completes (not polled yet here).
    let first = EXEC.spawn(hold(&GATE).unwrap());
    let second = EXEC.spawn(hold(&GATE).unwrap());
    let err = hold(&GATE).unwrap_err();
    assert_eq!(err.capacity(), 2);
    assert!(err.to_string().contains("pool_size"), "{err}");

    GATE.store(7, Ordering::Release);
    assert_eq!(EXEC.block_on(first).unwrap(), 7);
    assert_eq!(EXEC.block_on(second).unwrap(), 7);
    // Both slots are free again.
    let again = EXEC.spawn(hold(&GATE).unwrap());
    assert_eq!(EXEC.block_on(again).unwrap(), 7);
}

#[test]
fn dropping_a_token_frees_its_slot() {
    let token = concat(String::from("a"), "b").unwrap();
    assert!(concat(String::from("c"), "d").is_err());
    drop(token);
    let token = concat(String::from("e"), "f").unwrap();
    drop(token);
}

#[test]
fn non_send_tasks_run_through_a_spawner() {
    static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    let out = EXEC.block_on_with(|spawner| async move {
        let handle = spawner.spawn(not_send(Rc::new(41)).unwrap());
        handle.await.unwrap()
    });
    assert_eq!(out, 42);
}
