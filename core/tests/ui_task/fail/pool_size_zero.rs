#[weft_core::task(pool_size = 0)]
async fn blink() {}

fn main() {
    let _ = blink();
}
