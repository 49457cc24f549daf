//! The checks emitted for the path literals: one const item per path and per different thing
//! the ways into its state hand on.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote_spanned;
use sfn_asl::model::*;

use super::built::{self, Emitter, Table};
use super::paths::Seg;
use super::{analyse_all, io_paths, narrow, raw_result_type, resolve, Base, Facts, Known};
use super::{ResultTypes, Root, Way};
use crate::lower::{PathUse, Reads};

/// The workflow's input type and name, for the generated checks.
pub(crate) struct Input<'a> {
    pub(crate) ty: &'a syn::Type,
    pub(crate) workflow: String,
}

/// Const assertions for every path literal read against what reaches its state. The states in
/// `opaque` had errors: their paths are not checked, and what they hand on is unknown, so a
/// checked path never rests on a part of the definition that was not lowered as written.
pub(crate) fn shape_checks(
    machine: &StateMachine,
    uses: &[PathUse],
    input: Input<'_>,
    results: &ResultTypes,
    opaque: &HashSet<String>,
) -> Vec<TokenStream> {
    let mut known = HashMap::new();
    let entry = Known::Seen(vec![Way::of(Root::Input)], false);
    let table = Table::default();
    let facts = Facts {
        results,
        opaque,
        built: &table,
    };
    analyse_all(
        &machine.states,
        &machine.start_at,
        entry,
        machine,
        &facts,
        &mut known,
        0,
    );
    let emitter = Emitter {
        input: input.ty,
        results,
        prefix: input.workflow.to_uppercase(),
        used: Default::default(),
    };
    let mut out = Vec::new();
    for u in uses {
        if opaque.contains(&u.state) {
            continue;
        }
        if let Some((k, state)) = known.get(u.state.as_str()) {
            out.extend(checks_of(u, k, state, results, &emitter));
        }
    }
    out.extend(emitter.built_consts(&table));
    out
}

/// The checks of one path literal: one per different thing the ways into its state hand on.
fn checks_of(
    u: &PathUse,
    k: &Known,
    state: &State,
    results: &ResultTypes,
    emitter: &Emitter<'_>,
) -> Vec<TokenStream> {
    // The `input_path` literal reads the state's input; its other paths (Parameters `.$`,
    // choice variables) read the effective input `input_path` selects; a `result_selector`
    // path reads the task's result, checked when its type is declared.
    let k = match u.reads {
        Reads::StateInput | Reads::JsonataInput => k.clone(),
        Reads::EffectiveInput => narrow(k, io_paths(state).0),
        Reads::TaskResult => match raw_result_type(&u.state, state, results) {
            Some(ty) => Known::Seen(vec![Way::of(Root::Type(ty))], false),
            None => return Vec::new(),
        },
    };
    let Known::Seen(ways, _) = &k else {
        return Vec::new();
    };
    let mut targets: Vec<(Root, Base, Vec<Seg>, Option<String>)> = Vec::new();
    for w in ways {
        if let Some((root, base, segs)) = resolve(w, &u.path) {
            if !targets
                .iter()
                .any(|t| t.0 == root && t.1 == base && t.2 == segs)
            {
                targets.push((root, base, segs, w.via.clone()));
            }
        }
    }
    let several = targets.len() > 1;
    targets
        .into_iter()
        .filter_map(|(root, base, segs, via)| {
            let via = match (several, via) {
                (true, Some(v)) => format!(" when reached from `{v}`"),
                _ => String::new(),
            };
            let root = emitter.root(&root)?;
            Some(match u.reads {
                Reads::JsonataInput => super::jsonata::emit_check(u, root, &base, &segs, &via),
                _ => emit_check(u, root, &base, &segs, &via),
            })
        })
        .collect()
}

/// The const item checking one path against one root: it panics, at the literal, with the
/// message the check returns, so the compiler's error names the literal and nothing inside sfn.
fn emit_check(
    u: &PathUse,
    root: TokenStream,
    base: &[Seg],
    segs: &[Seg],
    via: &str,
) -> TokenStream {
    let span = u.lit.span();
    let base_len = base.len();
    let segs = base.iter().chain(segs).map(built::seg_tokens);
    let expect = match u.expect {
        Some("string") => quote_spanned!(span=> ::sfn::__private::Expect::String),
        Some("number") => quote_spanned!(span=> ::sfn::__private::Expect::Number),
        Some("boolean") => quote_spanned!(span=> ::sfn::__private::Expect::Boolean),
        Some("array") => quote_spanned!(span=> ::sfn::__private::Expect::Array),
        _ => quote_spanned!(span=> ::sfn::__private::Expect::Any),
    };
    let (path, need) = (&u.path, &u.need);
    quote_spanned! {span=>
        const _: () = match ::sfn::__private::check_path(
            #root,
            &[#(#segs),*],
            ::sfn::__private::PathCheck {
                path: #path,
                expect: #expect,
                need: #need,
                base: #base_len,
                via: #via,
            },
        ) {
            ::core::result::Result::Ok(()) => (),
            ::core::result::Result::Err(e) => ::core::panic!("{}", e.as_str()),
        };
    }
}
