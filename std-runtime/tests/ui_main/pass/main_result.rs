use std::num::ParseIntError;

#[weft::main]
async fn main() -> Result<(), ParseIntError> {
    // `?` works as in a plain `fn main() -> Result<..>`.
    let n: u32 = "42".parse()?;
    if n != 42 {
        return Ok(());
    }
    assert_eq!(weft::spawn(async move { n + 1 }).await.unwrap(), 43);
    Ok(())
}
