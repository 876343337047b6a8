use std::sync::atomic::{AtomicBool, Ordering};

static RAN: AtomicBool = AtomicBool::new(false);

#[weft::main]
async fn main() {
    let handle = weft::spawn(async { 40 + 2 });
    assert_eq!(handle.await.unwrap(), 42);
    RAN.store(true, Ordering::SeqCst);
    assert!(RAN.load(Ordering::SeqCst));
}
