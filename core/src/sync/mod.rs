//! Channels and locks for tasks.
