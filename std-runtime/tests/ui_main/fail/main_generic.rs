#[weft::main]
async fn main<T: Default>() {}
