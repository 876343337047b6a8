#[weft_core::task(pool_size = "4")]
async fn blink() {}

fn main() {}
