#[weft::main(flavor = "current_thread")]
async fn main() {
    let main_thread = std::thread::current().id();
    let handle = weft::spawn(async move { std::thread::current().id() });
    // The current-thread flavor runs every task on the thread that called block_on.
    assert_eq!(handle.await.unwrap(), main_thread);
}
