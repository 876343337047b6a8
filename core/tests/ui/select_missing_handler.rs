async fn f() -> u32 {
    weft_core::select! {
        v = std::future::ready(1) =>
    }
}

fn main() {
    let _ = f();
}
