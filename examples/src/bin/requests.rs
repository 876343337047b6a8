//! Three simulated one-second requests, spawned as tasks and joined with `weft::join!`.
//!
//! The requests wait concurrently, so the program finishes in about one second, not three.
//!
//! ```text
//! cargo run -p weft-examples --bin requests
//! ```

use std::time::Instant;

use weft::task;

/// Simulates a network request that takes time.
/// Returns a message when the simulated request completes.
async fn simulate_request(id: u32) -> String {
    // Sleep yields control to the runtime.
    // Other tasks can run while this one waits.
    weft::time::sleep(weft::time::Duration::from_secs(1)).await;
    format!("Request {id} completed")
}

#[weft::main]
async fn main() {
    let start = Instant::now();

    // Spawn three independent tasks.
    // They run concurrently on the runtime's thread pool.
    let handle1 = task::spawn(simulate_request(1));
    let handle2 = task::spawn(simulate_request(2));
    let handle3 = task::spawn(simulate_request(3));

    // Wait for all tasks to finish.
    // join! pauses main until all handles resolve.
    let (res1, res2, res3) = weft::join!(handle1, handle2, handle3);

    // Unwrap the results.
    // spawn returns a JoinHandle whose output is Result<T, JoinError>.
    println!("{:?}", res1.unwrap());
    println!("{:?}", res2.unwrap());
    println!("{:?}", res3.unwrap());

    println!(
        "elapsed: {:.2?} (three 1 s requests, run concurrently)",
        start.elapsed()
    );
}
