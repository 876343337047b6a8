//! `#[weft::main]` and `#[weft::test]`.
//!
//! Both turn an `async fn` into a plain `fn` that builds a fresh runtime and blocks on the
//! body. The body stays an `async fn` nested inside the generated function, so its return
//! type, `?` conversions and early `return`s type-check exactly as the user wrote them; the
//! outer function only adds the runtime:
//!
//! ```text
//! #[weft::main(worker_threads = 2)]          #(attrs)*
//! async fn main() -> R { body }       ==>    fn main() -> R {
//!                                                async fn __weft_body() -> R { body }
//!                                                <crate>::runtime::Builder::new_multi_thread()
//!                                                    .worker_threads(2)
//!                                                    .enable_all()
//!                                                    .build()
//!                                                    .expect("...")
//!                                                    .block_on(__weft_body())
//!                                            }
//! ```
//!
//! `#[weft::test]` is the same with `#[::core::prelude::v1::test]` added, the current-thread
//! flavor by default, and `.start_paused(true)` when asked. The only names the expansion uses
//! are reached through `<crate>` (default `::weft`, changed with `crate = "path"`), so a crate
//! that re-exports weft can offer the macros to its own users.
//!
//! Mistakes are reported on the offending token with what to write instead; when the
//! signature is wrong we still emit a plain function of the same name so that the one real
//! error is not buried under "`main` not found" follow-ups.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, ItemFn, LitInt, Path, ReturnType};

use crate::args::{self, Arg, Seen};

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "#[weft::main]",
            Kind::Test => "#[weft::test]",
        }
    }

    fn valid_keys(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Main => &[
                ("flavor", "\"multi_thread\" | \"current_thread\""),
                ("worker_threads", "N"),
                ("crate", "\"path\""),
            ],
            Kind::Test => &[
                ("flavor", "\"current_thread\" | \"multi_thread\""),
                ("worker_threads", "N"),
                ("start_paused", "true | false"),
                ("crate", "\"path\""),
            ],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flavor {
    CurrentThread,
    MultiThread,
}

/// The checked configuration of one entry point.
struct Config {
    flavor: Flavor,
    worker_threads: Option<LitInt>,
    start_paused: Option<bool>,
    krate: Path,
}

fn config(kind: Kind, list: Vec<Arg>) -> syn::Result<Config> {
    let mut seen = Seen::default();
    let mut flavor = None;
    let mut worker_threads: Option<(LitInt, Span)> = None;
    let mut start_paused = None;
    let mut krate = None;
    for Arg { key, value } in list {
        seen.check(&key)?;
        match key.to_string().as_str() {
            "flavor" => {
                let (name, span) = args::string(&key, &value, "\"current_thread\"")?;
                flavor = Some(match name.as_str() {
                    "multi_thread" => Flavor::MultiThread,
                    "current_thread" => Flavor::CurrentThread,
                    other => {
                        return Err(syn::Error::new(
                            span,
                            format!(
                                "unknown runtime flavor \"{other}\"; write `flavor = \"multi_thread\"` \
                                 (a work-stealing pool of worker threads) or `flavor = \"current_thread\"` \
                                 (everything runs on the thread that calls block_on)"
                            ),
                        ))
                    }
                });
            }
            "worker_threads" => {
                let n = args::int(&key, &value)?;
                if n.base10_parse::<usize>()? == 0 {
                    return Err(syn::Error::new(
                        n.span(),
                        "`worker_threads` must be at least 1; leave it out to get one worker per CPU core",
                    ));
                }
                worker_threads = Some((n, key.span()));
            }
            "start_paused" if kind == Kind::Test => {
                start_paused = Some((args::boolean(&key, &value)?.value, key.span()));
            }
            "start_paused" => {
                return Err(syn::Error::new(
                    key.span(),
                    "`start_paused` is only available on #[weft::test]: a paused clock makes every \
                     sleep finish at once, which is what a test wants and never what a program wants; \
                     remove it, or build a paused runtime yourself with \
                     `weft::runtime::Builder::new_current_thread().start_paused(true)`",
                ));
            }
            "crate" => krate = Some(args::crate_path(&key, &value)?),
            _ => return Err(args::unknown(&key, kind.name(), kind.valid_keys())),
        }
    }
    let default_flavor = match kind {
        Kind::Main => Flavor::MultiThread,
        Kind::Test => Flavor::CurrentThread,
    };
    let flavor = flavor.unwrap_or(default_flavor);
    if let (Flavor::MultiThread, Some((true, span))) = (flavor, start_paused) {
        return Err(syn::Error::new(
            span,
            "`start_paused` needs the current-thread flavor: with several worker threads the \
             paused clock cannot tell when every task is idle, so it could not auto-advance; \
             remove `flavor = \"multi_thread\"` (tests default to current_thread)",
        ));
    }
    let start_paused = start_paused.map(|(paused, _)| paused);
    if let (Flavor::CurrentThread, Some((_, span))) = (flavor, &worker_threads) {
        return Err(syn::Error::new(
            *span,
            format!(
                "`worker_threads` needs the multi-thread flavor: the current_thread flavor runs every \
                 task on the thread that calls block_on. Remove `worker_threads`, or add \
                 `flavor = \"multi_thread\"`{}",
                if kind == Kind::Test { " (tests default to current_thread)" } else { "" }
            ),
        ));
    }
    Ok(Config {
        flavor,
        worker_threads: worker_threads.map(|(n, _)| n),
        start_paused,
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::weft)),
    })
}

/// Checks the signature; returns every problem found at once.
fn check_signature(kind: Kind, f: &ItemFn) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let sig = &f.sig;
    let is_main = sig.ident == "main";
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            format!(
                "{} goes on an `async fn`: write `async fn {}`",
                kind.name(),
                sig.ident
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        let msg = match (kind, is_main) {
            (Kind::Main, true) => {
                "`main` cannot take arguments; read command-line arguments inside the body with \
                 `std::env::args()`"
                    .to_string()
            }
            (Kind::Main, false) => {
                "a #[weft::main] function cannot take arguments: it is called with none".to_string()
            }
            (Kind::Test, _) => {
                "a #[weft::test] function cannot take arguments: the test harness calls it with none; \
                 build the values inside the test"
                    .to_string()
            }
        };
        errors.push(syn::Error::new_spanned(&sig.inputs, msg));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!(
                "a {} function cannot be generic: it is called once, with no type to pick; \
                 remove the generic parameters",
                kind.name()
            ),
        ));
    }
    if let Some(c) = &sig.constness {
        errors.push(syn::Error::new(
            c.span,
            format!("a {} function cannot be `const`", kind.name()),
        ));
    }
    if let Some(u) = &sig.unsafety {
        errors.push(syn::Error::new(
            u.span,
            format!("a {} function cannot be `unsafe`", kind.name()),
        ));
    }
    if kind == Kind::Test {
        for attr in &f.attrs {
            let p = attr.path();
            let is_test = p.is_ident("test")
                || (p.segments.len() >= 2 && p.segments.last().is_some_and(|s| s.ident == "test"));
            if is_test {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "#[weft::test] already marks the function as a test; remove this second test attribute",
                ));
            }
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            errors.for_each(|e| first.combine(e));
            Err(first)
        }
    }
}

/// Expands `#[weft::main]` / `#[weft::test]`.
pub(crate) fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let f: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                format!("{} goes on an `async fn`", kind.name()),
            );
            let err = err.into_compile_error();
            return quote!(#err #item);
        }
    };
    let config = args::parse(attr).and_then(|list| config(kind, list));
    let checked = check_signature(kind, &f);
    match (config, checked) {
        (Ok(config), Ok(())) => generate(kind, &config, f),
        (config, checked) => {
            let mut err: Option<syn::Error> = None;
            for e in [config.err(), checked.err()].into_iter().flatten() {
                match &mut err {
                    Some(first) => first.combine(e),
                    None => err = Some(e),
                }
            }
            let err = err.map(syn::Error::into_compile_error);
            let stub = stub(&f);
            quote!(#err #stub)
        }
    }
}

/// A plain function with the user's name and return type, emitted next to an error so the
/// error is the only one reported.
fn stub(f: &ItemFn) -> TokenStream {
    let attrs = f.attrs.iter().filter(|a| !a.path().is_ident("test"));
    let vis = &f.vis;
    let ident = &f.sig.ident;
    let output = &f.sig.output;
    quote! {
        #(#attrs)*
        #[allow(dead_code, unreachable_code, clippy::diverging_sub_expression)]
        #vis fn #ident() #output { ::core::unimplemented!() }
    }
}

fn generate(kind: Kind, config: &Config, f: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let krate = &config.krate;
    let ident = &sig.ident;
    let output = &sig.output;
    let body_ident = Ident::new("__weft_body", Span::call_site());
    // Spans of the generated runtime code point at the attribute's function, so a missing
    // runtime method is reported on the user's `async fn` line rather than nowhere.
    let span = sig.fn_token.span;
    let builder = match config.flavor {
        Flavor::MultiThread => quote_spanned!(span=> #krate::runtime::Builder::new_multi_thread()),
        Flavor::CurrentThread => {
            quote_spanned!(span=> #krate::runtime::Builder::new_current_thread())
        }
    };
    let workers = config
        .worker_threads
        .as_ref()
        .map(|n| quote_spanned!(span=> .worker_threads(#n)));
    let paused = config
        .start_paused
        .map(|p| quote_spanned!(span=> .start_paused(#p)));
    let expect = match kind {
        Kind::Main => "weft: could not build the runtime for #[weft::main]",
        Kind::Test => "weft: could not build the runtime for #[weft::test]",
    };
    let test_attr = match kind {
        Kind::Main => None,
        Kind::Test => Some(quote!(#[::core::prelude::v1::test])),
    };
    let inner_output = match output {
        ReturnType::Default => quote!(),
        ReturnType::Type(arrow, ty) => quote!(#arrow #ty),
    };
    quote! {
        #test_attr
        #(#attrs)*
        #vis fn #ident() #output {
            async fn #body_ident() #inner_output #block
            #builder #workers #paused
                .enable_all()
                .build()
                .expect(#expect)
                .block_on(#body_ident())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(kind: Kind, attr: TokenStream, item: TokenStream) -> String {
        expand(kind, attr, item).to_string()
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect()
    }

    #[test]
    fn main_default_is_multi_thread() {
        let out = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                async fn main() {
                    println!("hi");
                }
            ),
        );
        let out = squash(&out);
        assert!(
            out.contains("fnmain(){asyncfn__weft_body(){println!(\"hi\");}"),
            "{out}"
        );
        assert!(
            out.contains(
                "::weft::runtime::Builder::new_multi_thread().enable_all().build().expect("
            ),
            "{out}"
        );
        assert!(out.ends_with(".block_on(__weft_body())}"), "{out}");
        assert!(!out.contains("test"), "{out}");
    }

    #[test]
    fn main_keeps_result_return_type() {
        let out = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                async fn main() -> Result<(), Box<dyn std::error::Error>> {
                    Ok(())
                }
            ),
        );
        let out = squash(&out);
        assert!(out.contains("fnmain()->Result<(),Box<dynstd::error::Error>>{asyncfn__weft_body()->Result<(),Box<dynstd::error::Error>>{Ok(())}"), "{out}");
    }

    #[test]
    fn main_current_thread_and_crate_path() {
        let out = expand_str(
            Kind::Main,
            quote!(flavor = "current_thread", crate = "my::rt"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(
            squash(&out).contains("my::rt::runtime::Builder::new_current_thread().enable_all()"),
            "{out}"
        );
    }

    #[test]
    fn main_worker_threads() {
        let out = expand_str(
            Kind::Main,
            quote!(worker_threads = 3),
            quote!(
                async fn main() {}
            ),
        );
        assert!(
            squash(&out).contains("new_multi_thread().worker_threads(3).enable_all()"),
            "{out}"
        );
    }

    #[test]
    fn test_defaults_and_start_paused() {
        let out = expand_str(
            Kind::Test,
            quote!(start_paused = true),
            quote!(
                #[should_panic]
                async fn t() {
                    panic!()
                }
            ),
        );
        let out = squash(&out);
        assert!(
            out.starts_with("#[::core::prelude::v1::test]#[should_panic]fnt(){"),
            "{out}"
        );
        assert!(
            out.contains("new_current_thread().start_paused(true).enable_all()"),
            "{out}"
        );
    }

    #[test]
    fn test_multi_thread_with_workers() {
        let out = expand_str(
            Kind::Test,
            quote!(flavor = "multi_thread", worker_threads = 2),
            quote!(
                async fn t() {}
            ),
        );
        assert!(
            squash(&out).contains("new_multi_thread().worker_threads(2).enable_all()"),
            "{out}"
        );
    }

    fn error_of(kind: Kind, attr: TokenStream, item: TokenStream) -> String {
        let out = expand_str(kind, attr, item);
        assert!(out.contains("compile_error"), "{out}");
        out
    }

    #[test]
    fn errors() {
        let e = error_of(
            Kind::Main,
            quote!(),
            quote!(
                fn main() {}
            ),
        );
        assert!(e.contains("goes on an `async fn`"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(),
            quote!(
                async fn main(x: u32) {}
            ),
        );
        assert!(e.contains("std::env::args()"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(flavour = "x"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(e.contains("did you mean `flavor`?"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(flavor = "current_thread", worker_threads = 2),
            quote!(
                async fn main() {}
            ),
        );
        assert!(e.contains("needs the multi-thread flavor"), "{e}");
        let e = error_of(
            Kind::Test,
            quote!(worker_threads = 2),
            quote!(
                async fn t() {}
            ),
        );
        assert!(e.contains("tests default to current_thread"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(start_paused = true),
            quote!(
                async fn main() {}
            ),
        );
        assert!(e.contains("only available on #[weft::test]"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(worker_threads = 0),
            quote!(
                async fn main() {}
            ),
        );
        assert!(e.contains("at least 1"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(flavor = "fast"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(e.contains("unknown runtime flavor"), "{e}");
        let e = error_of(
            Kind::Test,
            quote!(),
            quote!(
                #[test]
                async fn t() {}
            ),
        );
        assert!(e.contains("already marks the function as a test"), "{e}");
        let e = error_of(
            Kind::Main,
            quote!(),
            quote!(
                async fn main<T>() {}
            ),
        );
        assert!(e.contains("cannot be generic"), "{e}");
    }

    #[test]
    fn start_paused_needs_current_thread() {
        let e = error_of(
            Kind::Test,
            quote!(flavor = "multi_thread", start_paused = true),
            quote!(
                async fn t() {}
            ),
        );
        assert!(e.contains("needs the current-thread flavor"), "{e}");
        let out = expand_str(
            Kind::Test,
            quote!(flavor = "multi_thread", start_paused = false),
            quote!(
                async fn t() {}
            ),
        );
        assert!(squash(&out).contains(".start_paused(false)"), "{out}");
    }

    #[test]
    fn error_keeps_a_stub_function() {
        let out = squash(&expand_str(
            Kind::Main,
            quote!(),
            quote!(
                fn main() -> u8 {
                    1
                }
            ),
        ));
        assert!(
            out.contains("fnmain()->u8{::core::unimplemented!()}"),
            "{out}"
        );
    }
}
