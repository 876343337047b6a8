//! `#[weft::test]` and `#[weft::main]`-style entry points, run for real: each test below is
//! expanded by the macro and runs on its own fresh runtime.

use std::time::Duration;

#[weft::test]
async fn default_flavor_is_current_thread() {
    let test_thread = std::thread::current().id();
    let task_thread = weft::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_eq!(task_thread, test_thread);
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_with_two_workers() {
    let handles: Vec<_> = (0..16u64).map(|i| weft::spawn(async move { i })).collect();
    let mut sum = 0;
    for h in handles {
        sum += h.await.unwrap();
    }
    assert_eq!(sum, 120);
}

#[weft::test(start_paused = true)]
async fn start_paused_makes_sleep_instant_and_exact() {
    let start = weft::time::Instant::now();
    weft::time::sleep(Duration::from_secs(3600)).await;
    // The paused clock jumped straight to the timer: exactly one hour passed on it.
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
}

#[weft::test(start_paused = true)]
async fn start_paused_timeout_is_deterministic() {
    let slow = weft::time::sleep(Duration::from_secs(60));
    let res = weft::time::timeout(Duration::from_secs(1), slow).await;
    assert!(res.is_err());
}

#[weft::test]
async fn tests_may_return_a_result() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "7".parse()?;
    assert_eq!(weft::spawn(async move { n * 6 }).await.unwrap(), 42);
    Ok(())
}

#[weft::test]
#[should_panic(expected = "boom")]
async fn should_panic_applies_to_the_test() {
    panic!("boom");
}

mod reexport {
    pub use weft as rt;
}

#[weft::test(crate = "reexport::rt")]
async fn crate_path_through_a_reexport() {
    assert_eq!(weft::spawn(async { 1 }).await.unwrap(), 1);
}

/// `#[weft::task]` (weft's re-export of the pool-task macro) expands against
/// `weft::__core`, so users of `weft` alone need no `weft_core` dependency.
#[weft::task(pool_size = 2)]
async fn pooled(n: u32) -> u32 {
    n + 1
}

#[test]
fn pool_task_through_weft() {
    let a = pooled(1).unwrap();
    let b = pooled(2).unwrap();
    assert_eq!(pooled(3).unwrap_err().capacity(), 2);
    drop((a, b));
    assert!(pooled(4).is_ok());
}

#[weft::task(pool_size = 2)]
async fn pooled_on_runtime(n: u32) -> u32 {
    n * 10
}

/// A pool task made by `#[weft::task]` runs on the std runtime through `spawn_token`.
#[weft::test]
async fn pool_task_spawned_on_the_runtime() {
    let h = weft::task::spawn_token(pooled_on_runtime(4).unwrap());
    assert_eq!(h.await.unwrap(), 40);
}
