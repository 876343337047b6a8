//! The single-thread executor.
