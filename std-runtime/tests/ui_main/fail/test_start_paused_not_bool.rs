#[weft::test(start_paused = "yes")]
async fn adds() {
    assert_eq!(1 + 1, 2);
}

fn main() {}
