//! weft's std runtime. Compiled only with the `weft-rt` feature, and each
//! extra trait only with its own feature, so that the harness builds while
//! the runtime is being written; see the `[features]` table of `Cargo.toml`.

impl_rt!(Weft, weft);
#[cfg(feature = "weft-sync")]
impl_sync!(Weft, weft);
#[cfg(feature = "weft-time")]
impl_time!(Weft, weft);
#[cfg(feature = "weft-blocking")]
impl_blocking!(Weft, weft);
#[cfg(feature = "weft-net")]
impl_net!(Weft, weft);

// The same runtime on the `polling` reactor instead of the default `mio` one.
#[cfg(feature = "weft-net")]
impl_rt!(WeftPolling, weft, |b| {
    b.reactor(weft::net::driver::ReactorKind::Polling);
});
#[cfg(feature = "weft-net")]
impl_net!(WeftPolling, weft);
