//! # weft-drivers
//!
//! Implementations of the driver traits that `weft-core` defines.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "std")]
pub mod clock;
#[cfg(feature = "embassy-time-driver")]
pub mod embassy;
#[cfg(feature = "std")]
pub mod fd_reactor;
#[cfg(feature = "mio")]
pub mod mio;
#[cfg(feature = "std")]
pub mod mock;
#[cfg(feature = "polling")]
pub mod polling;
