#[weft_core::task]
async fn make() -> impl core::fmt::Debug {
    5u32
}

fn main() {}
