//! # weft
//!
//! One task model from bare metal to servers.
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod io;
pub mod net;
