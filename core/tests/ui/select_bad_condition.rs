async fn f(ok: bool) -> u32 {
    weft_core::select! {
        v = std::future::ready(1), ok => v,
    }
}

fn main() {
    let _ = f(true);
}
