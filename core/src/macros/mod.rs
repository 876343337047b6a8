//! `join!`, `try_join!` and `select!`.
