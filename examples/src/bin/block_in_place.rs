//! `weft::task::block_in_place`: run blocking code on a worker thread without starving the
//! other tasks. The worker hands its queue to a replacement thread while the closure runs.
//!
//! ```text
//! cargo run -p weft-examples --bin block_in_place
//! ```

use std::time::{Duration, Instant};

/// A CPU-heavy or blocking computation (here: a blocking sleep standing in for a slow
/// synchronous library call, then a checksum).
fn blocking_work(input: &[u8]) -> u64 {
    std::thread::sleep(Duration::from_millis(500));
    input.iter().map(|&b| u64::from(b)).sum()
}

#[weft::main(worker_threads = 2)]
async fn main() {
    let start = Instant::now();

    // A task that keeps ticking while the blocking call runs: it keeps making progress
    // because block_in_place gave the worker's queue to another thread.
    let ticker = weft::spawn(async move {
        let mut ticks = 0u32;
        for _ in 0..5 {
            weft::time::sleep(Duration::from_millis(100)).await;
            ticks += 1;
        }
        ticks
    });

    let data = vec![1u8; 1024];
    // Never call block_on inside async code; use block_in_place for blocking code.
    let sum = weft::task::block_in_place(|| blocking_work(&data));
    println!("checksum = {sum} after {:.2?}", start.elapsed());

    let ticks = ticker.await.unwrap();
    println!(
        "the ticker task ticked {ticks} times meanwhile; total {:.2?}",
        start.elapsed()
    );
}
