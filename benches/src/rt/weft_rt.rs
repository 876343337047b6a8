//! weft's std runtime. Compiled only with the `weft-rt` feature, and each
//! extra trait only with its own feature, so that the harness builds while
//! the runtime is being written; see the `[features]` table of `Cargo.toml`.

use super::Flavor;

/// A weft runtime of either flavor.
#[derive(Debug)]
pub struct Weft {
    rt: weft::runtime::Runtime,
    flavor: Flavor,
}

impl Weft {
    fn new_runtime(flavor: Flavor, threads: usize) -> weft::runtime::Runtime {
        let mut b = match flavor {
            Flavor::MultiThread => {
                let mut b = weft::runtime::Builder::new_multi_thread();
                b.worker_threads(threads);
                b
            }
            Flavor::CurrentThread => weft::runtime::Builder::new_current_thread(),
        };
        b.enable_all().build().expect("weft runtime")
    }
}

impl_rt!(Weft, weft);
#[cfg(feature = "weft-sync")]
impl_sync!(Weft, weft);
#[cfg(feature = "weft-time")]
impl_time!(Weft, weft);
#[cfg(feature = "weft-blocking")]
impl_blocking!(Weft, weft);
#[cfg(feature = "weft-net")]
impl_net!(Weft, weft);
