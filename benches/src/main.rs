//! Benchmark harness (to be written).
fn main() {}
