//! The seed's first example: `#[weft::main]` turns `async fn main` into a `fn main` that
//! builds a multi-thread runtime and blocks on the body.
//!
//! ```text
//! cargo run -p weft-examples --bin hello
//! ```

// The #[weft::main] macro expands this function.
// It creates a multi-threaded runtime and blocks the main thread.
#[weft::main]
async fn main() {
    // Code here runs as a task within the runtime.
    // You can use `await` to pause and resume execution.
    println!("Running inside the weft runtime");
}
