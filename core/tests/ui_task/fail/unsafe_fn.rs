#[weft_core::task]
async unsafe fn poke() {}

fn main() {}
