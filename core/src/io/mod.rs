//! I/O readiness: the reactor driver trait.
