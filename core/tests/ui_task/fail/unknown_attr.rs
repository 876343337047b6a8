#[weft_core::task(pool_sizes = 4)]
async fn blink() {}

fn main() {}
