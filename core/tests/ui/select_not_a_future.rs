async fn f() -> u32 {
    weft_core::select! {
        v = 5u32 => v,
    }
}

fn main() {
    let _ = f();
}
