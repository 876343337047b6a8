async fn f() {
    let _ = weft_core::join!(async { 1 } async { 2 });
}

fn main() {
    let _ = f();
}
