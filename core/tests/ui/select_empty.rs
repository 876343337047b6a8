async fn f() {
    weft_core::select! {}
}

async fn g() {
    weft_core::select! { biased; }
}

async fn h() {
    weft_core::select! { else => () }
}

fn main() {
    let _ = (f(), g(), h());
}
