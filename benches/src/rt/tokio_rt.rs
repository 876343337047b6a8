//! tokio, the reference: `tokio::runtime::Builder` with `enable_all`.

impl_rt!(Tokio, tokio);
impl_sync!(Tokio, tokio);
impl_time!(Tokio, tokio);
impl_blocking!(Tokio, tokio);
impl_net!(Tokio, tokio);
