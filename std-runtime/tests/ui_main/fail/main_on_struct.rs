#[weft::main]
struct Main;

fn main() {}
