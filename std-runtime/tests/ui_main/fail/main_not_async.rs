#[weft::main]
fn main() {
    println!("hi");
}
