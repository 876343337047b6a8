//! Procedural macros of weft.
#![warn(missing_docs, rust_2018_idioms)]
#![forbid(unsafe_code)]

mod select;

/// Helper of `weft_core::select!` (not a public API): returns the given pattern without `ref`,
/// `mut` and reference patterns, so `select!` can test a branch output by reference.
#[doc(hidden)]
#[proc_macro]
pub fn __select_clean_pattern(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    select::clean_pattern(input.into()).into()
}
