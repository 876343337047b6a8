#[weft_core::task]
async fn greet(name: &str) -> usize {
    name.len()
}

fn main() {}
