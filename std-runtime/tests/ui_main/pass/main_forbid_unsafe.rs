// The expansion contains no code that lints of the user's crate object to.
#![forbid(unsafe_code)]
#![deny(warnings, clippy::all)]

/// Documented main.
#[weft::main]
async fn main() {}
