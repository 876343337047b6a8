//! `#[weft_core::task(pool_size = N)]`: a static pool for one `async fn`, on stable Rust.
//!
//! The future of an `async fn` has no name on stable Rust, so a `static TaskPool<Fut, N>`
//! cannot be written. The expansion sizes raw storage from the *function item* instead:
//! const fns in `weft_core::task` that are generic over `F: Copy + FnOnce(Args) -> Fut`
//! infer `Fut` from the function item and return the size and alignment of
//! `TaskPool<Fut, N>`. Those consts size a `TaskPoolRaw<SIZE, ALIGN, N>` (aligned bytes,
//! const-constructible from the same function item), and a checked cast turns the raw
//! storage back into `&'static TaskPool<Fut, N>`:
//!
//! ```text
//! #[task(pool_size = 4)]                      #(attrs)*
//! async fn echo(n: u32) -> u32 { n }   ==>    fn echo(n: u32) -> Result<<core>::task::SpawnToken<u32, impl Sized>,
//!                                                                      <core>::task::SpawnError> {
//!                                                 async fn __weft_task_fn((n,): (u32,)) -> u32 { n }
//!                                                 const __WEFT_POOL_SIZE: usize = 4;
//!                                                 static __WEFT_POOL: <core>::task::TaskPoolRaw<
//!                                                     { <core>::task::task_pool_size::<_, _, _, __WEFT_POOL_SIZE>(__weft_task_fn) },
//!                                                     { <core>::task::task_pool_align::<_, _, _, __WEFT_POOL_SIZE>(__weft_task_fn) },
//!                                                     __WEFT_POOL_SIZE,
//!                                                 > = <core>::task::TaskPoolRaw::new(__weft_task_fn);
//!                                                 // SAFETY: built from this very function item.
//!                                                 unsafe { __WEFT_POOL.pool(__weft_task_fn) }
//!                                                     .spawn(move || __weft_task_fn((n,)))
//!                                             }
//! ```
//!
//! The body keeps its own `async fn` (taking the arguments as one tuple, so the const fns
//! need one impl instead of one per arity), nested in the generated function so that it sees
//! exactly the scope the user's function saw. The generated names all start with `__weft`.
//!
//! `<core>` is `::weft_core` for `#[weft_core::task]` and `::weft::__core` for
//! `#[weft::task]`; `crate = "path"` names the crate the macro was reached through.
//!
//! `SpawnToken<T, F>` carries the future type `F` as a marker so that the token is `Send`
//! exactly when the future is. `F` cannot be named here, so the function returns
//! `SpawnToken<T, impl Sized>`: an opaque type leaks its auto traits, so a token of a `Send`
//! future is still `Send` and can go to `Executor::spawn`, while a `!Send` one goes to a
//! `Spawner`.
//!
//! A task that never returns (`-> !`) yields `SpawnToken<core::convert::Infallible, _>`,
//! because `!` cannot be written as a type argument on stable Rust.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, FnArg, Ident, ItemFn, Lit, Pat, PatIdent, Path, ReturnType, Type};

use crate::args::{self, Arg, Seen};

/// Which crate the macro was reached through; decides the default path of weft-core.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Via {
    /// `#[weft_core::task]`: `crate = ` names weft-core.
    Core,
    /// `#[weft::task]`: `crate = ` names weft, which re-exports weft-core as `__core`.
    Weft,
}

impl Via {
    fn name(self) -> &'static str {
        match self {
            Via::Core => "#[weft_core::task]",
            Via::Weft => "#[weft::task]",
        }
    }
}

const VALID: &[(&str, &str)] = &[("pool_size", "N"), ("crate", "\"path\"")];

struct Config {
    pool_size: Expr,
    core: TokenStream,
}

fn config(via: Via, list: Vec<Arg>) -> syn::Result<Config> {
    let mut seen = Seen::default();
    let mut pool_size = None;
    let mut krate: Option<Path> = None;
    for Arg { key, value } in list {
        seen.check(&key)?;
        match key.to_string().as_str() {
            "pool_size" => {
                if let Expr::Lit(lit) = &value {
                    match &lit.lit {
                        Lit::Int(n) => {
                            if n.base10_parse::<usize>()? == 0 {
                                return Err(syn::Error::new(
                                    n.span(),
                                    "`pool_size = 0` makes a pool that can never run the task; \
                                     use `pool_size = 1` (the default) or more, one slot per copy \
                                     of the task that may run at the same time",
                                ));
                            }
                        }
                        _ => {
                            return Err(syn::Error::new(
                                lit.span(),
                                "`pool_size` takes a number of slots, for example `pool_size = 4`",
                            ))
                        }
                    }
                }
                pool_size = Some(value);
            }
            "crate" => krate = Some(args::crate_path(&key, &value)?),
            _ => return Err(args::unknown(&key, via.name(), VALID)),
        }
    }
    let core = match (via, krate) {
        (Via::Core, Some(p)) => p.into_token_stream(),
        (Via::Core, None) => quote!(::weft_core),
        (Via::Weft, Some(p)) => quote!(#p::__core),
        (Via::Weft, None) => quote!(::weft::__core),
    };
    Ok(Config {
        pool_size: pool_size.unwrap_or_else(|| syn::parse_quote!(1)),
        core,
    })
}

/// Finds `impl Trait` and non-`'static` references in an argument type.
struct ArgTypeCheck {
    errors: Vec<syn::Error>,
}

impl<'ast> Visit<'ast> for ArgTypeCheck {
    fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
        self.errors.push(syn::Error::new_spanned(
            t,
            "a pool task cannot take `impl Trait` arguments: `impl Trait` in argument position is a \
             hidden generic parameter, and a static pool is sized for exactly one future type; \
             take a concrete type instead",
        ));
    }

    fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
        let is_static = r.lifetime.as_ref().is_some_and(|l| l.ident == "static");
        if !is_static {
            self.errors.push(syn::Error::new_spanned(
                r,
                "arguments of a pool task must be `'static`: the task lives in a static pool and \
                 may run long after the caller returns; write `&'static T` or pass an owned value",
            ));
        }
        // The reference's own lifetime was judged above; look only inside the referent.
        self.visit_type(&r.elem);
    }

    fn visit_lifetime(&mut self, l: &'ast syn::Lifetime) {
        if l.ident != "static" {
            self.errors.push(syn::Error::new(
                l.span(),
                "arguments of a pool task must be `'static`: the task lives in a static pool and \
                 may run long after the caller returns; use `'static` or an owned value",
            ));
        }
    }
}

fn check_signature(via: Via, f: &ItemFn) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let sig = &f.sig;
    let name = via.name();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            format!(
                "{name} goes on an `async fn`: write `async fn {}(..)`; the pool stores the \
                 future that calling it returns",
                sig.ident
            ),
        ));
    }
    let generic = !sig.generics.params.is_empty() || sig.generics.where_clause.is_some();
    if generic {
        let only_lifetimes = sig
            .generics
            .params
            .iter()
            .all(|p| matches!(p, syn::GenericParam::Lifetime(_)));
        let msg = if only_lifetimes && sig.generics.where_clause.is_none() {
            "a pool task cannot have lifetime parameters: the task lives in a static pool and may \
             run long after the caller returns, so everything it holds must be `'static`; take \
             `&'static T` or an owned value instead"
        } else {
            "a pool task cannot be generic: its pool is one `static` whose size is the size of \
             this function's future, and Rust has no generic statics, so one pool cannot hold \
             the futures of every instantiation. Write one non-generic task per concrete type \
             (each gets its own pool), or spawn the generic future as a heap task instead \
             (`weft::spawn`, or `SpawnToken::new_boxed` with the `alloc` feature)"
        };
        errors.push(syn::Error::new_spanned(&sig.generics, msg));
    }
    if let Some(c) = &sig.constness {
        errors.push(syn::Error::new(
            c.span,
            format!("a {name} function cannot be `const`"),
        ));
    }
    if let Some(u) = &sig.unsafety {
        errors.push(syn::Error::new(
            u.span,
            format!(
                "a {name} function cannot be `unsafe`: the executor calls it with no caller to \
                 uphold its contract; keep the function safe and use `unsafe` blocks inside"
            ),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new(
            abi.span(),
            format!("a {name} function cannot have an ABI"),
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new(
            v.span(),
            format!("a {name} function cannot be variadic"),
        ));
    }
    let mut types = ArgTypeCheck { errors: Vec::new() };
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => errors.push(syn::Error::new_spanned(
                r,
                "a pool task cannot take `self`: its pool is a static and the task must own \
                 everything it uses; make it a free function that takes the value as an argument",
            )),
            FnArg::Typed(t) if !generic => types.visit_type(&t.ty),
            FnArg::Typed(_) => {}
        }
    }
    errors.extend(types.errors);
    if let ReturnType::Type(_, ty) = &sig.output {
        if let Some(t) = find_impl_trait(ty) {
            errors.push(syn::Error::new(
                t,
                "a pool task cannot return `impl Trait`: the output type is part of the \
                 `SpawnToken<T>` the function returns, and must be nameable; return a concrete type",
            ));
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

fn find_impl_trait(ty: &Type) -> Option<Span> {
    struct Find(Option<Span>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            self.0.get_or_insert(t.impl_token.span);
        }
    }
    let mut find = Find(None);
    find.visit_type(ty);
    find.0
}

/// Expands `#[weft_core::task]` / `#[weft::task]`.
pub(crate) fn expand(via: Via, attr: TokenStream, item: TokenStream) -> TokenStream {
    let f: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                format!("{} goes on an `async fn`", via.name()),
            )
            .into_compile_error();
            return quote!(#err #item);
        }
    };
    let config = args::parse(attr).and_then(|list| config(via, list));
    let checked = check_signature(via, &f);
    match (config, checked) {
        (Ok(config), Ok(())) => generate(&config, f),
        (config, checked) => {
            let core = config
                .as_ref()
                .map(|c| c.core.clone())
                .unwrap_or_else(|_| match via {
                    Via::Core => quote!(::weft_core),
                    Via::Weft => quote!(::weft::__core),
                });
            let mut err: Option<syn::Error> = None;
            for e in [config.err(), checked.err()].into_iter().flatten() {
                match &mut err {
                    Some(first) => first.combine(e),
                    None => err = Some(e),
                }
            }
            let err = err.map(syn::Error::into_compile_error);
            let stub = stub(&core, &f);
            quote!(#err #stub)
        }
    }
}

/// The task's output type as written in `SpawnToken<T>`.
fn output_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => match &**ty {
            Type::Never(n) => quote_spanned!(n.span()=> ::core::convert::Infallible),
            ty => ty.to_token_stream(),
        },
    }
}

/// The user's signature (minus `async`) returning the spawn result, with a body that never
/// runs: emitted next to an error so that callers still type-check.
fn stub(core: &TokenStream, f: &ItemFn) -> TokenStream {
    let attrs = &f.attrs;
    let vis = &f.vis;
    let ident = &f.sig.ident;
    let generics = &f.sig.generics;
    let where_clause = &f.sig.generics.where_clause;
    let inputs = &f.sig.inputs;
    let out = match &f.sig.output {
        ReturnType::Type(_, ty) if find_impl_trait(ty).is_some() => quote!(()),
        output => output_type(output),
    };
    quote! {
        #(#attrs)*
        #[allow(unused_variables, dead_code, clippy::diverging_sub_expression)]
        #vis fn #ident #generics (#inputs)
            -> ::core::result::Result<#core::task::SpawnToken<#out>, #core::task::SpawnError>
            #where_clause
        {
            ::core::unimplemented!()
        }
    }
}

fn generate(config: &Config, f: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let core = &config.core;
    let ident = &sig.ident;
    let pool_size = &config.pool_size;
    let inner = Ident::new("__weft_task_fn", Span::call_site());
    let pool = Ident::new("__WEFT_POOL", Span::call_site());
    let size = Ident::new("__WEFT_POOL_SIZE", Span::call_site());

    // Each argument: the outer function binds it to a plain name (the user's, when the
    // pattern is a plain identifier) and the inner function destructures the tuple with the
    // user's own pattern, so `mut x` and `(a, b): (u8, u8)` behave as written.
    let mut outer_args = Vec::new();
    let mut names = Vec::new();
    let mut pats = Vec::new();
    let mut tys = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(t) = input else {
            unreachable!("receivers are rejected")
        };
        let name = match &*t.pat {
            Pat::Ident(PatIdent {
                ident,
                subpat: None,
                by_ref: None,
                ..
            }) => ident.clone(),
            _ => Ident::new(&format!("__weft_arg{i}"), t.pat.span()),
        };
        let ty = &t.ty;
        let arg_attrs = &t.attrs;
        outer_args.push(quote!(#(#arg_attrs)* #name: #ty));
        names.push(name);
        pats.push(t.pat.clone());
        tys.push(ty.clone());
    }
    let out = output_type(&sig.output);
    let inner_output = match &sig.output {
        ReturnType::Default => quote!(),
        ReturnType::Type(arrow, _) => quote!(#arrow #out),
    };
    let size_check = match pool_size {
        Expr::Lit(_) => None,
        other => Some(quote_spanned! {other.span()=>
            const _: () = ::core::assert!(
                #size > 0,
                "pool_size must be at least 1: a pool with no slot can never run the task"
            );
        }),
    };
    // Call-site spans (not the user's) on the `unsafe` block: lints such as
    // `forbid(unsafe_code)` treat it as the macro's code, which it is.
    let spawn = quote! {
        // SAFETY: `#pool` was built just above by `TaskPoolRaw::new` from this same function
        // item with `#size` slots, which is what `pool` requires.
        unsafe { #pool.pool(#inner) }.spawn(move || #inner((#(#names,)*)))
    };
    quote! {
        #(#attrs)*
        #vis fn #ident(#(#outer_args),*)
            -> ::core::result::Result<
                #core::task::SpawnToken<#out, impl ::core::marker::Sized>,
                #core::task::SpawnError,
            >
        {
            async fn #inner((#(#pats,)*): (#(#tys,)*)) #inner_output #block
            const #size: usize = #pool_size;
            #size_check
            static #pool: #core::task::TaskPoolRaw<
                { #core::task::task_pool_size::<_, _, _, #size>(#inner) },
                { #core::task::task_pool_align::<_, _, _, #size>(#inner) },
                #size,
            > = #core::task::TaskPoolRaw::new(#inner);
            #spawn
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squash(s: &str) -> String {
        s.split_whitespace().collect()
    }

    fn run(via: Via, attr: TokenStream, item: TokenStream) -> String {
        squash(&expand(via, attr, item).to_string())
    }

    #[test]
    fn default_pool_of_one() {
        let out = run(
            Via::Core,
            quote!(),
            quote!(
                async fn blink() {
                    led().await
                }
            ),
        );
        assert!(out.contains("fnblink()->::core::result::Result<::weft_core::task::SpawnToken<(),impl::core::marker::Sized>,::weft_core::task::SpawnError,>"), "{out}");
        assert!(out.contains("asyncfn__weft_task_fn(():())"), "{out}");
        assert!(out.contains("const__WEFT_POOL_SIZE:usize=1;"), "{out}");
        assert!(
            out.contains("=::weft_core::task::TaskPoolRaw::new(__weft_task_fn);"),
            "{out}"
        );
        assert!(out.contains(".spawn(move||__weft_task_fn(()))"), "{out}");
        assert!(!out.contains("const_:()"), "{out}");
    }

    #[test]
    fn arguments_and_output() {
        let out = run(
            Via::Core,
            quote!(pool_size = 4),
            quote!(
                pub async fn echo(mut n: u32, (a, b): (u8, u8)) -> u32 {
                    n += 1;
                    n
                }
            ),
        );
        assert!(out.contains("pubfnecho(n:u32,__weft_arg1:(u8,u8))->::core::result::Result<::weft_core::task::SpawnToken<u32,impl::core::marker::Sized>,"), "{out}");
        assert!(
            out.contains("asyncfn__weft_task_fn((mutn,(a,b),):(u32,(u8,u8),))->u32{n+=1;n}"),
            "{out}"
        );
        assert!(out.contains("const__WEFT_POOL_SIZE:usize=4;"), "{out}");
        assert!(out.contains("__weft_task_fn((n,__weft_arg1,))"), "{out}");
    }

    #[test]
    fn never_returning_task() {
        let out = run(
            Via::Core,
            quote!(),
            quote!(
                async fn forever() -> ! {
                    loop {}
                }
            ),
        );
        assert!(
            out.contains("SpawnToken<::core::convert::Infallible,impl::core::marker::Sized>"),
            "{out}"
        );
        assert!(
            out.contains("asyncfn__weft_task_fn(():())->::core::convert::Infallible{loop{}}"),
            "{out}"
        );
    }

    #[test]
    fn const_expression_pool_size_is_checked_at_compile_time() {
        let out = run(
            Via::Core,
            quote!(pool_size = SLOTS),
            quote!(
                async fn t() {}
            ),
        );
        assert!(out.contains("const__WEFT_POOL_SIZE:usize=SLOTS;"), "{out}");
        assert!(
            out.contains("const_:()=::core::assert!(__WEFT_POOL_SIZE>0"),
            "{out}"
        );
    }

    #[test]
    fn crate_paths() {
        let out = run(
            Via::Weft,
            quote!(),
            quote!(
                async fn t() {}
            ),
        );
        assert!(out.contains("::weft::__core::task::TaskPoolRaw"), "{out}");
        let out = run(
            Via::Weft,
            quote!(crate = "my::weft"),
            quote!(
                async fn t() {}
            ),
        );
        assert!(out.contains("my::weft::__core::task::TaskPoolRaw"), "{out}");
        let out = run(
            Via::Core,
            quote!(crate = "my::core"),
            quote!(
                async fn t() {}
            ),
        );
        assert!(out.contains("my::core::task::TaskPoolRaw"), "{out}");
    }

    fn error_of(attr: TokenStream, item: TokenStream) -> String {
        let out = expand(Via::Core, attr, item).to_string();
        assert!(out.contains("compile_error"), "{out}");
        out
    }

    #[test]
    fn errors() {
        let e = error_of(
            quote!(),
            quote!(
                fn t() {}
            ),
        );
        assert!(e.contains("goes on an `async fn`"), "{e}");
        let e = error_of(
            quote!(pool_size = 0),
            quote!(
                async fn t() {}
            ),
        );
        assert!(e.contains("`pool_size = 0`"), "{e}");
        let e = error_of(
            quote!(pool_size = "2"),
            quote!(
                async fn t() {}
            ),
        );
        assert!(e.contains("takes a number of slots"), "{e}");
        let e = error_of(
            quote!(pool = 2),
            quote!(
                async fn t() {}
            ),
        );
        assert!(e.contains("unknown attribute `pool`"), "{e}");
        let e = error_of(
            quote!(),
            quote!(
                async fn t<T: Send>(x: T) {}
            ),
        );
        assert!(e.contains("cannot be generic"), "{e}");
        let e = error_of(
            quote!(),
            quote!(
                async fn t(x: impl Send) {}
            ),
        );
        assert!(e.contains("`impl Trait` arguments"), "{e}");
        let e = error_of(
            quote!(),
            quote!(
                async fn t(x: &str) {}
            ),
        );
        assert!(e.contains("must be `'static`"), "{e}");
        let e = error_of(
            quote!(),
            quote!(
                async fn t(&self) {}
            ),
        );
        assert!(e.contains("cannot take `self`"), "{e}");
        let e = error_of(
            quote!(),
            quote!(
                async fn t() -> impl Sized {}
            ),
        );
        assert!(e.contains("cannot return `impl Trait`"), "{e}");
    }

    #[test]
    fn static_references_are_fine() {
        let out = run(
            Via::Core,
            quote!(),
            quote!(
                async fn t(name: &'static str) {}
            ),
        );
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn error_stub_keeps_the_signature() {
        let out = run(
            Via::Core,
            quote!(pool_size = 0),
            quote!(
                async fn t(x: u8) -> u8 {
                    x
                }
            ),
        );
        assert!(out.contains("fnt(x:u8)->::core::result::Result<::weft_core::task::SpawnToken<u8>,::weft_core::task::SpawnError>{::core::unimplemented!()}"), "{out}");
    }
}
