#[weft::test(worker_threads = 2)]
async fn adds() {
    assert_eq!(1 + 1, 2);
}

fn main() {}
