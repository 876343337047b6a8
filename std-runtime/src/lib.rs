//! # weft
//!
//! One task model from bare metal to servers. This crate is what server code depends on: a
//! multi-thread work-stealing scheduler and a current-thread scheduler for weft-core tasks,
//! a blocking pool, timers and I/O, and the familiar entry points.
//!
//! ```
//! let rt = weft::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let a = weft::spawn(async { 1 });
//!     let b = weft::task::spawn_blocking(|| 2);
//!     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
//! });
//! ```
//!
//! ## Map of the crate
//!
//! * [`runtime`] — `Runtime`, `Builder`, `Handle`; the schedulers, drivers and blocking pool.
//! * [`task`](mod@task) — `spawn`, `spawn_blocking`, `block_in_place`, `spawn_local`, `JoinSet`, `coop`.
//! * [`sync`] — weft-core's channels and locks.
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(clippy::undocumented_unsafe_blocks)]

// The I/O types need the reactors of weft-drivers, which loom models do not build.
#[cfg(not(loom))]
pub mod io;
pub(crate) mod loom;
#[cfg(not(loom))]
pub mod net;
pub mod runtime;
pub mod task;
pub mod time;

pub use task::spawn;

// Entry-point and pool-task macros (MACROS engineer); `join!`/`select!` from weft-core.
pub use weft_core::{join, select, try_join};
pub use weft_macros::weft_task as task;
pub use weft_macros::{main, test};

/// weft-core, for the code `#[weft::task]` generates (not a public API).
#[doc(hidden)]
pub use weft_core as __core;

/// Channels and locks for tasks (weft-core's, usable with or without this runtime).
pub use weft_core::sync;

/// The workspace README's Rust blocks, compiled and run as doctests (`cargo test --doc -p weft`)
/// so its quick start cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    //! Internals exposed to the loom models in `tests/loom_*.rs`.
    pub use crate::runtime::driver::Driver;
    pub use crate::runtime::park::{Parker, Shared as ParkShared, Unparker};
    pub use crate::runtime::park_thread::ParkThread;
    pub use crate::runtime::scheduler::inject::Inject;
    pub use crate::runtime::scheduler::multi_thread::handoff::CoreSlot;
    pub use crate::runtime::scheduler::multi_thread::idle::Idle;
    pub use crate::runtime::scheduler::multi_thread::queue::{local, Local, Steal, CAPACITY};
    pub use crate::runtime::scheduler::owned::OwnedTasks;
}
