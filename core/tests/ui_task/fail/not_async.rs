#[weft_core::task]
fn blink() {}

fn main() {}
