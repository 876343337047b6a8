#[weft_core::task]
async fn log(value: impl core::fmt::Debug + Send + 'static) {
    let _ = value;
}

fn main() {}
