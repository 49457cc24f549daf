//! What JSONata states read from `$states.input` (`"{% $states.input.ordr.id %}"`), checked
//! against what reaches the state as a JSONPath state's path literals are: each read becomes a
//! [`PathUse`] reading the state's input ([`Reads::JsonataInput`]), followed along every way
//! into the state. JSONata reads a field of every item of an array
//! (`$states.input.items.price`), so the names become the segments `check_path` follows only in
//! const evaluation, where the shape is known (`sfn_asl::shape::jsonata_segments`).

use std::collections::HashSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote_spanned;
use sfn_asl::jsonata::Jsonata;
use syn::LitStr;

use super::built;
use super::paths::Seg;
use crate::lower::{Lowered, PathUse, Reads};

/// One path use per `$states.input` read of every JSONata expression (one per state and path),
/// at the expression's string literal.
pub(crate) fn input_uses(lowered: &Lowered) -> Vec<PathUse> {
    let doc = sfn_asl::emit_value(&lowered.machine);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in sfn_asl::validate::jsonata_expressions(&doc) {
        if lowered.states_with_errors.contains(&e.state) {
            continue;
        }
        let Ok(expr) = Jsonata::compile(&e.text) else {
            continue;
        };
        let lit = match lowered.spans.lit(&e.pointer) {
            Some(l) => l.clone(),
            None => match lowered.spans.lookup(&e.pointer) {
                Some(span) => LitStr::new(&e.text, span),
                None => continue,
            },
        };
        for names in expr.input_paths() {
            let Some(path) = jsonpath_of(names) else {
                continue;
            };
            if seen.insert((e.state.clone(), path.clone())) {
                out.push(PathUse {
                    state: e.state.clone(),
                    lit: lit.clone(),
                    path,
                    expect: None,
                    need: String::new(),
                    reads: Reads::JsonataInput,
                });
            }
        }
    }
    out
}

/// `["order", "id"]` → `$.order.id` (`$['a b']` for a name that is not an identifier); `None`
/// for a name no path can spell (with `'` or `\`).
fn jsonpath_of(names: &[String]) -> Option<String> {
    let mut out = String::from("$");
    for n in names {
        if n.contains(['\'', '\\']) {
            return None;
        }
        if !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_') {
            out.push('.');
            out.push_str(n);
        } else {
            out.push_str(&format!("['{n}']"));
        }
    }
    Some(out)
}

/// The const item checking one read against one root: the names become segments in const
/// evaluation, then `check_path` follows them and, on a mismatch, panics at the literal.
pub(super) fn emit_check(
    u: &PathUse,
    root: TokenStream,
    base: &[Seg],
    segs: &[Seg],
    via: &str,
) -> TokenStream {
    let span = u.lit.span();
    let names: Vec<&str> = segs
        .iter()
        .filter_map(|s| match s {
            Seg::Field(f) => Some(f.as_str()),
            Seg::Index => None,
        })
        .collect();
    let n = Literal::usize_unsuffixed(base.len() + 2 * names.len());
    let base_len = base.len();
    let base = base.iter().map(built::seg_tokens);
    let path = format!("$states.input{}", u.path.get(1..).unwrap_or_default());
    quote_spanned! {span=>
        const _: () = {
            const ROOT: &::sfn::__private::JsonShape = #root;
            const SEGS: ([::sfn::__private::Seg; #n], usize) =
                ::sfn::__private::jsonata_segments::<#n>(ROOT, &[#(#base),*], &[#(#names),*]);
            match ::sfn::__private::check_path(
                ROOT,
                SEGS.0.split_at(SEGS.1).0,
                ::sfn::__private::PathCheck {
                    path: #path,
                    expect: ::sfn::__private::Expect::Any,
                    need: "",
                    base: #base_len,
                    via: #via,
                },
            ) {
                ::core::result::Result::Ok(()) => (),
                ::core::result::Result::Err(e) => ::core::panic!("{}", e.as_str()),
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_a_path_the_flow_reads() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            jsonpath_of(&names(&["order", "id"])).as_deref(),
            Some("$.order.id")
        );
        assert_eq!(jsonpath_of(&names(&["a b"])).as_deref(), Some("$['a b']"));
        assert_eq!(jsonpath_of(&names(&["it's"])), None);
    }
}
