//! tokio, the reference: `tokio::runtime::Builder` with `enable_all`.

use super::Flavor;

/// A tokio runtime of either flavor.
#[derive(Debug)]
pub struct Tokio {
    rt: tokio::runtime::Runtime,
    flavor: Flavor,
}

impl Tokio {
    fn new_runtime(flavor: Flavor, threads: usize) -> tokio::runtime::Runtime {
        let mut b = match flavor {
            Flavor::MultiThread => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(threads);
                b
            }
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        };
        b.enable_all().build().expect("tokio runtime")
    }
}

impl_rt!(Tokio, tokio);
impl_sync!(Tokio, tokio);
impl_time!(Tokio, tokio);
impl_blocking!(Tokio, tokio);
impl_net!(Tokio, tokio);
