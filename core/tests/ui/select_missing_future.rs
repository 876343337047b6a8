async fn f() -> u32 {
    weft_core::select! {
        v => v,
    }
}

fn main() {
    let _ = f();
}
