//! Which top-level states still see the workflow's input type, and the shape checks emitted for
//! their path literals.
//!
//! A state sees the input type when every way into it passes the input on: the start state;
//! after a Choice/Wait/Succeed without `input_path`/`output_path`; after a state whose result
//! is written under a sub-path (`result_path: "$.validation"`) or dropped (`result_path: null`).
//! Paths under such a sub-path are not checked (what the task returns is not typed yet).

use std::collections::{BTreeSet, HashMap};

use proc_macro2::TokenStream;
use quote::quote_spanned;
use sfn_asl::model::*;

use crate::lower::PathUse;

/// What is known about the input of one state.
#[derive(Clone, PartialEq)]
enum Known {
    /// Not reached yet while iterating.
    Unvisited,
    /// The workflow input, plus values written at these sub-paths.
    Input(BTreeSet<String>),
    /// Something else.
    Unknown,
}

fn merge(a: &Known, b: &Known) -> Known {
    match (a, b) {
        (Known::Unvisited, x) | (x, Known::Unvisited) => x.clone(),
        (Known::Input(x), Known::Input(y)) => Known::Input(x.union(y).cloned().collect()),
        _ => Known::Unknown,
    }
}

/// What a state hands on along its `Next`, given what it received.
fn after(state: &State, machine: &StateMachine, input: &Known) -> Known {
    let Known::Input(ov) = input else { return input.clone() };
    if machine.effective_language(state) == QueryLanguage::Jsonata {
        return Known::Unknown;
    }
    let through = |result_path: &Option<Option<sfn_asl::path::ReferencePath>>| -> Known {
        match result_path {
            Some(None) => Known::Input(ov.clone()),
            Some(Some(p)) if !p.is_root() => {
                let mut ov = ov.clone();
                ov.insert(p.source().to_owned());
                Known::Input(ov)
            }
            _ => Known::Unknown,
        }
    };
    match &state.kind {
        StateKind::Choice(c) if c.input_path.is_none() && c.output_path.is_none() => Known::Input(ov.clone()),
        StateKind::Wait(w) if w.input_path.is_none() && w.output_path.is_none() => Known::Input(ov.clone()),
        StateKind::Pass(p) if p.output_path.is_none() => {
            if p.result.is_none() && p.parameters.is_none() && p.input_path.is_none() && p.result_path.is_none() {
                Known::Input(ov.clone())
            } else {
                through(&p.result_path)
            }
        }
        StateKind::Task(t) if t.output_path.is_none() => through(&t.result_path),
        StateKind::Parallel(p) if p.output_path.is_none() => through(&p.result_path),
        StateKind::Map(m) if m.output_path.is_none() => through(&m.result_path),
        _ => Known::Unknown,
    }
}

fn catchers(state: &State) -> &[Catcher] {
    match &state.kind {
        StateKind::Task(t) => t.catch.as_deref().unwrap_or(&[]),
        StateKind::Parallel(p) => p.catch.as_deref().unwrap_or(&[]),
        StateKind::Map(m) => m.catch.as_deref().unwrap_or(&[]),
        _ => &[],
    }
}

fn nexts(state: &State) -> Vec<&str> {
    let mut out: Vec<&str> = state.transition().and_then(Transition::next).into_iter().collect();
    if let StateKind::Choice(c) = &state.kind {
        out.extend(c.choices.iter().map(|b| b.next.as_str()));
        out.extend(c.default.as_deref());
    }
    out
}

/// The known input of every top-level state.
fn analyse(machine: &StateMachine) -> HashMap<&str, Known> {
    let mut known: HashMap<&str, Known> = machine.states.keys().map(|k| (k.as_str(), Known::Unvisited)).collect();
    if let Some(k) = known.get_mut(machine.start_at.as_str()) {
        *k = Known::Input(BTreeSet::new());
    }
    // The lattice is finite (overlays only come from the definition), so this settles; the cap
    // keeps it bounded whatever happens.
    for _ in 0..(machine.states.len() * 4 + 4) {
        let mut changed = false;
        for (name, state) in &machine.states {
            let input = known.get(name.as_str()).cloned().unwrap_or(Known::Unknown);
            if input == Known::Unvisited {
                continue;
            }
            let mut edges: Vec<(&str, Known)> =
                nexts(state).into_iter().map(|n| (n, after(state, machine, &input))).collect();
            for c in catchers(state) {
                let k = match (&input, &c.result_path) {
                    (Known::Input(ov), Some(None)) => Known::Input(ov.clone()),
                    (Known::Input(ov), Some(Some(p))) if !p.is_root() => {
                        let mut ov = ov.clone();
                        ov.insert(p.source().to_owned());
                        Known::Input(ov)
                    }
                    _ => Known::Unknown,
                };
                edges.push((c.next.as_str(), k));
            }
            for (target, k) in edges {
                if let Some(slot) = known.get_mut(target) {
                    let merged = merge(slot, &k);
                    if merged != *slot {
                        *slot = merged;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    known
}

/// One segment of a simple path.
enum Seg {
    Field(String),
    Index,
}

/// `$.a.b[0]['c d']` → segments; stops at the first construct that is not a plain member or
/// index (wildcards, filters, slices, `..`): only the prefix before it is checked.
fn segments(path: &str) -> Option<Vec<Seg>> {
    let mut rest = path.strip_prefix('$')?;
    if rest.starts_with('$') || rest.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return None; // context object or variable
    }
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if r.starts_with('.') || r.starts_with('*') {
                break;
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.contains('\\') {
                break;
            }
            out.push(Seg::Field(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let Some(end) = r.find("']") else { break };
            out.push(Seg::Field(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            if r[..end].chars().all(|c| c.is_ascii_digit()) && end > 0 {
                out.push(Seg::Index);
                rest = &r[end + 1..];
            } else {
                break;
            }
        } else {
            break;
        }
    }
    Some(out)
}

/// Whether `path` lies under one of the overlay prefixes.
fn under(path: &str, prefixes: &BTreeSet<String>) -> bool {
    prefixes.iter().any(|p| path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}[")))
}

/// Const assertions for every path literal read against the workflow input type.
pub(crate) fn shape_checks(machine: &StateMachine, uses: &[PathUse], input: &syn::Type) -> Vec<TokenStream> {
    let known = analyse(machine);
    let mut out = Vec::new();
    for u in uses {
        let Some(Known::Input(ov)) = known.get(u.state.as_str()) else { continue };
        let Some(state) = machine.states.get(&u.state) else { continue };
        let text = u.lit.value();
        // With an `input_path`, other paths of the state read its result, not the input.
        let input_path = match &state.kind {
            StateKind::Task(t) => t.input_path.as_ref(),
            StateKind::Pass(p) => p.input_path.as_ref(),
            StateKind::Choice(c) => c.input_path.as_ref(),
            StateKind::Parallel(p) => p.input_path.as_ref(),
            StateKind::Map(m) => m.input_path.as_ref(),
            _ => None,
        };
        if let Some(Some(ip)) = input_path {
            if !ip.is_root() && ip.source() != text {
                continue;
            }
        }
        if under(&text, ov) {
            continue;
        }
        let Some(segs) = segments(&text) else { continue };
        let span = u.lit.span();
        let segs = segs.iter().map(|s| match s {
            Seg::Field(f) => quote_spanned!(span=> ::sfn::__private::Seg::Field(#f)),
            Seg::Index => quote_spanned!(span=> ::sfn::__private::Seg::Index),
        });
        let expect = match u.expect {
            Some("string") => quote_spanned!(span=> ::sfn::__private::Expect::String),
            Some("number") => quote_spanned!(span=> ::sfn::__private::Expect::Number),
            Some("boolean") => quote_spanned!(span=> ::sfn::__private::Expect::Boolean),
            _ => quote_spanned!(span=> ::sfn::__private::Expect::Any),
        };
        out.push(quote_spanned! {span=>
            const _: () = ::sfn::__private::check_path::<#input>(&[#(#segs),*], #text, #expect);
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_split_into_segments() {
        let segs = segments("$.a.b[0]['c d']").unwrap_or_default();
        let names: Vec<String> = segs
            .iter()
            .map(|s| match s {
                Seg::Field(f) => f.clone(),
                Seg::Index => "#".into(),
            })
            .collect();
        assert_eq!(names, ["a", "b", "#", "c d"]);
    }

    #[test]
    fn indefinite_parts_stop_the_check() {
        assert_eq!(segments("$.a[*].b").map(|s| s.len()), Some(1));
        assert_eq!(segments("$..b").map(|s| s.len()), Some(0));
        assert!(segments("$$.Execution.Id").is_none());
        assert!(segments("$var.x").is_none());
    }

    #[test]
    fn overlays_cover_sub_paths_only() {
        let ov = BTreeSet::from(["$.validation".to_owned()]);
        assert!(under("$.validation.ok", &ov));
        assert!(under("$.validation", &ov));
        assert!(!under("$.validations", &ov));
    }
}
