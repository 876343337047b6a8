//! The seed's first example.
fn main() {
    println!("Running inside the weft runtime");
}
