#[weft_core::task]
async fn greet<'a>(name: &'a str) -> usize {
    name.len()
}

fn main() {}
