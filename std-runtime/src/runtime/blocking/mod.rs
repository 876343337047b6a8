//! The blocking pool: threads for code that must block (`spawn_blocking`, and the runtime's own
//! worker threads).
//!
//! See [`pool`] for the design.
pub(crate) mod pool;
mod task;

pub(crate) use pool::{BlockingPool, Spawner};
pub(crate) use task::spawn_blocking_on;
