#[weft::test]
async fn adds(a: u32) {
    assert_eq!(a + 1, 2);
}

fn main() {}
