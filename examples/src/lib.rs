//! Runnable examples of weft; see `src/bin/`.
#![forbid(unsafe_code)]
