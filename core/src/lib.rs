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
// Under loom the static storage (which needs const atomics) is compiled out.
#![cfg_attr(loom, allow(dead_code, unused_imports))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub(crate) mod loom;

/// Declares a `const fn`, except under `cfg(loom)` where loom's atomics have no const
/// constructors (loom models build their objects at run time).
#[doc(hidden)]
#[macro_export]
macro_rules! maybe_const_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$m])* $vis const fn $name $($rest)*
        #[cfg(loom)]
        $(#[$m])* $vis fn $name $($rest)*
    };
}

pub mod executor;
pub mod io;
pub mod macros;
pub mod park;
pub mod sync;
pub mod task;
pub use weft_macros::task;
pub mod time;
mod wake_list;
