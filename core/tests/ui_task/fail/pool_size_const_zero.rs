const SLOTS: usize = 0;

#[weft_core::task(pool_size = SLOTS)]
async fn blink() {}

fn main() {
    let _ = blink();
}
