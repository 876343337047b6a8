#[weft_core::task]
async fn log<T: core::fmt::Debug + Send + 'static>(value: T) {
    let _ = value;
}

fn main() {
    let _ = log(5u32);
}
