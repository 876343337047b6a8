#[weft_core::task(pool_size = 2, pool_size = 4)]
async fn blink() {}

fn main() {}
