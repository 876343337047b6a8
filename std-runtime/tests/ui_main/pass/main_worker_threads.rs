#[weft::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let handles: Vec<_> = (0..8u64).map(|i| weft::spawn(async move { i * i })).collect();
    let mut sum = 0;
    for h in handles {
        sum += h.await.unwrap();
    }
    assert_eq!(sum, 140);
}
