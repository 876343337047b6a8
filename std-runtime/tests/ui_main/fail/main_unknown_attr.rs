#[weft::main(worker_thread = 4)]
async fn main() {}
