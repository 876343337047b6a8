#[weft::main(worker_threads = many)]
async fn main() {}
