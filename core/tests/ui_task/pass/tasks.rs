// Every accepted form of #[weft_core::task] compiles, in a crate that forbids unsafe code
// and denies warnings: the expansion's one `unsafe` block belongs to the macro.
#![forbid(unsafe_code)]
#![deny(warnings)]

use weft_core::task::{SpawnError, SpawnToken};

/// A documented task with the default pool of one.
#[weft_core::task]
async fn unit() {}

#[weft_core::task(pool_size = 4)]
pub async fn echo(mut n: u32, (a, b): (u8, u8), label: &'static str) -> u32 {
    n += u32::from(a) + u32::from(b) + label.len() as u32;
    n
}

#[weft_core::task]
async fn forever() -> ! {
    loop {
        core::future::pending::<()>().await;
    }
}

const SLOTS: usize = 3;

#[weft_core::task(pool_size = SLOTS)]
async fn from_const() -> Result<u8, &'static str> {
    Ok(1)
}

mod reexport {
    pub use weft_core as core_again;
}

#[weft_core::task(crate = "reexport::core_again")]
async fn through_reexport() {}

fn main() {
    // The outputs are typed; the marker parameter is opaque.
    fn output<T, M>(_: &Result<SpawnToken<T, M>, SpawnError>) -> core::marker::PhantomData<T> {
        core::marker::PhantomData
    }
    let _: core::marker::PhantomData<()> = output(&unit());
    let _: core::marker::PhantomData<u32> = output(&echo(1, (2, 3), "four"));
    let _: core::marker::PhantomData<core::convert::Infallible> = output(&forever());
    let _: core::marker::PhantomData<Result<u8, &'static str>> = output(&from_const());
    let _ = through_reexport();
}
