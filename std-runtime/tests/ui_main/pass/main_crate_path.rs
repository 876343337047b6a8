// A crate that re-exports weft can point the macro at its re-export.
mod my_framework {
    pub use weft as rt;
}

#[weft::main(crate = "my_framework::rt")]
async fn main() {
    assert_eq!(weft::spawn(async { 1 }).await.unwrap(), 1);
}
