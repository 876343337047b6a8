//! The task model.
