//! The one part of `weft_core::select!` that a declarative macro cannot do: turning a branch
//! pattern into a binding-free *check* pattern.
//!
//! `select!` must find out whether a finished branch's output matches the branch pattern
//! *before* it commits to that branch (a mismatch disables the branch and the race goes on), and
//! it must do so without moving the output, because the handler still needs it. It therefore
//! matches `&output` against the pattern. Binding modifiers (`ref`, `mut`, `ref mut`) and
//! reference patterns (`&p`, `&mut p`) are not allowed, or mean something else, under a
//! by-reference match, so this macro strips them; everything else (paths, literals, ranges,
//! nested patterns, `|`, `@`) stays as written, so refutability is unchanged.
//!
//! A `macro_rules!` macro receives the pattern as an opaque `$p:pat` fragment and cannot look
//! inside it; munching raw tokens instead would cost one expansion level per token and blow the
//! default recursion limit for a 64-branch `select!`.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parser;
use syn::Pat;

/// Parses a pattern and returns it without binding modifiers or reference patterns.
pub(crate) fn clean_pattern(input: TokenStream) -> TokenStream {
    match Pat::parse_multi_with_leading_vert.parse2(input) {
        Ok(mut pat) => {
            clean(&mut pat);
            pat.into_token_stream()
        }
        Err(err) => err.to_compile_error(),
    }
}

fn clean(pat: &mut Pat) {
    match pat {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, sub)) = &mut ident.subpat {
                clean(sub);
            }
        }
        Pat::Reference(reference) => {
            let mut inner = (*reference.pat).clone();
            clean(&mut inner);
            *pat = inner;
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(clean),
        Pat::Paren(paren) => clean(&mut paren.pat),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(clean),
        Pat::Struct(strukt) => strukt.fields.iter_mut().for_each(|field| {
            clean(&mut field.pat);
        }),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(clean),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(clean),
        Pat::Type(typed) => clean(&mut typed.pat),
        // Literals, paths, ranges, `_`, `..`, macros and verbatim tokens bind nothing.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::clean_pattern;
    use quote::quote;

    fn cleaned(tokens: TokenStream) -> String {
        clean_pattern(tokens).to_string()
    }
    use proc_macro2::TokenStream;

    #[test]
    fn strips_binding_modifiers_and_references() {
        assert_eq!(cleaned(quote!(Some(mut x))), quote!(Some(x)).to_string());
        assert_eq!(cleaned(quote!(ref mut y)), quote!(y).to_string());
        assert_eq!(
            cleaned(quote!(Foo { a: &mut b, ref c, .. })),
            quote!(Foo { a: b, c, .. }).to_string()
        );
        assert_eq!(
            cleaned(quote!(Ok(mut v @ 1..=3) | Err(&v))),
            quote!(Ok(v @ 1..=3) | Err(v)).to_string()
        );
        assert_eq!(
            cleaned(quote!([mut a, .., ref b])),
            quote!([a, .., b]).to_string()
        );
        assert_eq!(cleaned(quote!(None)), quote!(None).to_string());
    }
}
