async fn f() {
    let _ = weft_core::try_join!(async { Ok::<u8, ()>(1) }, async { 2 });
}

fn main() {
    let _ = f();
}
