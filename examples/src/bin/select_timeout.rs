//! `weft::select!` racing an operation against a timer: the pattern for timeouts and
//! cancellation. The losing branch is dropped, which cancels it.
//!
//! ```text
//! cargo run -p weft-examples --bin select_timeout
//! ```

use std::time::Duration;

/// A slow operation: answers after `delay`.
async fn slow_answer(delay: Duration) -> u32 {
    weft::time::sleep(delay).await;
    42
}

#[weft::main]
async fn main() {
    // The answer arrives first.
    weft::select! {
        answer = slow_answer(Duration::from_millis(100)) => println!("got the answer: {answer}"),
        _ = weft::time::sleep(Duration::from_secs(1)) => println!("timed out"),
    }

    // The timer fires first; the slow operation is dropped (cancelled).
    weft::select! {
        answer = slow_answer(Duration::from_secs(5)) => println!("got the answer: {answer}"),
        _ = weft::time::sleep(Duration::from_millis(200)) => println!("timed out after 200 ms"),
    }

    // The same with the timeout helper.
    match weft::time::timeout(
        Duration::from_millis(50),
        slow_answer(Duration::from_secs(5)),
    )
    .await
    {
        Ok(answer) => println!("got the answer: {answer}"),
        Err(elapsed) => println!("timeout(): {elapsed}"),
    }
}
