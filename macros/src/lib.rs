//! Procedural macros of weft.
#![warn(missing_docs, rust_2018_idioms)]
#![forbid(unsafe_code)]
