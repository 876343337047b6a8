async fn f() -> u32 {
    weft_core::select! {
        else => 0,
        v = std::future::ready(1) => v,
    }
}

fn main() {
    let _ = f();
}
