async fn f() -> u32 {
    weft_core::select! {
        v = std::future::ready(1) => v
        w = std::future::ready(2) => w,
    }
}

fn main() {
    let _ = f();
}
