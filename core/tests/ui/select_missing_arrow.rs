use std::future::ready;

async fn f() -> u32 {
    weft_core::select! {
        v = ready(1) { v }
    }
}

fn main() {
    let _ = f();
}
