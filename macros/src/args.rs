//! Parsing of `key = value` attribute arguments, shared by every macro of this crate.
//!
//! The grammar is deliberately small: a comma-separated list of `ident = expr`, where the
//! ident may be a keyword (so `crate = "path"` parses). Each macro then checks the keys it
//! knows, so an unknown key gets an error that lists the valid ones, with a "did you mean"
//! hint when the key is a likely typo.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, LitBool, LitInt, Path, Token};

/// One `key = value` argument.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.call(Ident::parse_any)?;
        if !input.peek(Token![=]) {
            let msg = match key.to_string().as_str() {
                flavor @ ("current_thread" | "multi_thread") => {
                    format!("the runtime flavor is given as `flavor = \"{flavor}\"`")
                }
                _ => format!(
                    "expected `{key} = <value>`: every attribute argument is a `key = value` pair"
                ),
            };
            return Err(syn::Error::new(key.span(), msg));
        }
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Arg { key, value })
    }
}

/// Parses the attribute's argument list (possibly empty).
pub(crate) fn parse(args: TokenStream) -> syn::Result<Vec<Arg>> {
    let list = Punctuated::<Arg, Token![,]>::parse_terminated.parse2(args)?;
    Ok(list.into_iter().collect())
}

/// Remembers which keys were seen, to reject a key given twice.
#[derive(Default)]
pub(crate) struct Seen(Vec<String>);

impl Seen {
    pub(crate) fn check(&mut self, key: &Ident) -> syn::Result<()> {
        let name = key.unraw().to_string();
        if self.0.contains(&name) {
            return Err(syn::Error::new(
                key.span(),
                format!("`{name}` is given twice; keep only one"),
            ));
        }
        self.0.push(name);
        Ok(())
    }
}

/// The error for a key the macro does not know.
pub(crate) fn unknown(key: &Ident, macro_name: &str, valid: &[(&str, &str)]) -> syn::Error {
    let name = key.unraw().to_string();
    let list = valid
        .iter()
        .map(|(k, v)| format!("`{k} = {v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = valid
        .iter()
        .map(|(k, _)| (*k, edit_distance(&name, k)))
        .filter(|(k, d)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(_, d)| *d)
        .map(|(k, _)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    syn::Error::new(
        key.span(),
        format!("unknown attribute `{name}` for {macro_name}{hint}; the valid ones are: {list}"),
    )
}

/// Levenshtein distance, for the "did you mean" hint.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        Expr::Group(g) => literal(&g.expr),
        _ => None,
    }
}

/// A string literal value, such as `flavor = "current_thread"`.
pub(crate) fn string(key: &Ident, value: &Expr, example: &str) -> syn::Result<(String, Span)> {
    match literal(value) {
        Some(Lit::Str(s)) => Ok((s.value(), s.span())),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` takes a string literal, for example `{key} = {example}`"),
        )),
    }
}

/// An integer literal value, such as `worker_threads = 4`.
pub(crate) fn int(key: &Ident, value: &Expr) -> syn::Result<LitInt> {
    match literal(value) {
        Some(Lit::Int(i)) => Ok(i.clone()),
        Some(Lit::Str(s)) => s.parse::<LitInt>().map_err(|_| {
            syn::Error::new(
                s.span(),
                format!("`{key}` takes an integer, for example `{key} = 4`"),
            )
        }),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` takes an integer literal, for example `{key} = 4`"),
        )),
    }
}

/// A boolean literal value, such as `start_paused = true`.
pub(crate) fn boolean(key: &Ident, value: &Expr) -> syn::Result<LitBool> {
    match literal(value) {
        Some(Lit::Bool(b)) => Ok(b.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` takes `true` or `false`, for example `{key} = true`"),
        )),
    }
}

/// The `crate = "path"` value: a string holding a path (tokio's convention), or a bare path.
pub(crate) fn crate_path(key: &Ident, value: &Expr) -> syn::Result<Path> {
    match value {
        Expr::Path(p) if p.qself.is_none() => Ok(p.path.clone()),
        _ => match literal(value) {
            Some(Lit::Str(s)) => s.parse::<Path>().map_err(|_| {
                syn::Error::new(
                    s.span(),
                    format!("`{key}` takes the path of the crate, for example `{key} = \"my_lib::weft\"`"),
                )
            }),
            _ => Err(syn::Error::new_spanned(
                value,
                format!("`{key}` takes the path of the crate as a string, for example `{key} = \"my_lib::weft\"`"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_keyword_keys_and_trailing_comma() {
        let args = parse(quote!(crate = "a::b", flavor = "x",)).unwrap();
        assert_eq!(args.len(), 2);
        assert_eq!(args[0].key.to_string(), "crate");
        assert_eq!(
            crate_path(&args[0].key, &args[0].value)
                .unwrap()
                .segments
                .len(),
            2
        );
    }

    #[test]
    fn empty_list_is_fine() {
        assert!(parse(TokenStream::new()).unwrap().is_empty());
    }

    #[test]
    fn key_without_value_is_an_error() {
        let err = parse(quote!(flavor)).err().unwrap();
        assert!(err.to_string().contains("`flavor = <value>`"), "{err}");
        let err = parse(quote!(current_thread)).err().unwrap();
        assert!(
            err.to_string().contains("`flavor = \"current_thread\"`"),
            "{err}"
        );
    }

    #[test]
    fn typo_hint() {
        let key = Ident::new("worker_thread", Span::call_site());
        let err = unknown(
            &key,
            "#[weft::main]",
            &[("flavor", "\"x\""), ("worker_threads", "N")],
        );
        assert!(
            err.to_string().contains("did you mean `worker_threads`?"),
            "{err}"
        );
        let key = Ident::new("zzz", Span::call_site());
        let err = unknown(&key, "#[weft::main]", &[("flavor", "\"x\"")]);
        assert!(!err.to_string().contains("did you mean"), "{err}");
    }

    #[test]
    fn duplicate_key() {
        let mut seen = Seen::default();
        let key = Ident::new("flavor", Span::call_site());
        seen.check(&key).unwrap();
        assert!(seen.check(&key).is_err());
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("pool_size", "pool_size"), 0);
    }
}
