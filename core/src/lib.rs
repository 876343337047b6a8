//! # weft-core
//!
//! The part of weft that runs everywhere: the task model (one task header for static and heap
//! tasks), `JoinHandle`, a single-thread executor with a pluggable park driver, the time driver
//! trait and timer wheel, `join!`/`select!`, and channels and locks that need neither std nor an
//! allocator.
//!
//! Features: `alloc` (heap tasks and growable channels), `std` (implies `alloc`; thread-local
//! context, a thread park driver, panic capture). Build with `--no-default-features` for a
//! target that has neither.
#![no_std]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub(crate) mod loom;

pub mod executor;
pub mod io;
pub mod macros;
pub mod park;
pub mod sync;
pub mod task;
pub mod time;
