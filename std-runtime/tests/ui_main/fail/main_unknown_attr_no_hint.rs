#[weft::main(threads_per_core = 2)]
async fn main() {}
