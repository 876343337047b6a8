#[weft::main(current_thread)]
async fn main() {}
