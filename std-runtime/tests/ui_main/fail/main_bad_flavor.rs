#[weft::main(flavor = "multi_threaded")]
async fn main() {}
