//! Which states see (a part of) the workflow's input type, and the shape checks emitted for their
//! path literals.
//!
//! A state sees the input type when every way into it passes the input on: the start state;
//! after a Choice/Wait/Succeed without `input_path`/`output_path`; after a state whose result
//! is written under a sub-path (`result_path: "$.validation"`) or dropped (`result_path: null`).
//! Paths under such a sub-path are not checked (what the task returns is not typed yet).
//! The first state of a Parallel branch sees what the Parallel state sees; the first state of a
//! Map iteration sees one element of the array at `items_path` (`$.items[0]`), so paths inside
//! the iteration are checked against the element type.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::TokenStream;
use quote::quote_spanned;
use sfn_asl::model::*;

use crate::lower::PathUse;

/// Where a scope's `$` lies in the workflow input.
type Base = Vec<Seg>;

/// What is known about the input of one state.
#[derive(Clone, PartialEq)]
enum Known {
    /// Not reached yet while iterating.
    Unvisited,
    /// The workflow input seen at `base` (a path into it; empty for the whole input), plus
    /// values written at these sub-paths: a task result of a declared type (its tokens), or
    /// something unknown.
    Input(Base, Overlays),
    /// Something else.
    Unknown,
}

/// Sub-path → the type of what was written there, when known.
type Overlays = BTreeMap<String, Option<String>>;

/// What the flow analysis needs besides the machine: the declared result types of Task states
/// (state name → type tokens).
pub(crate) type ResultTypes = HashMap<String, String>;

fn merge(a: &Known, b: &Known) -> Known {
    match (a, b) {
        (Known::Unvisited, x) | (x, Known::Unvisited) => x.clone(),
        (Known::Input(bx, x), Known::Input(by, y)) if bx == by => {
            let mut ov = x.clone();
            for (k, t) in y {
                // Two ways writing different things at one path: only "something" is known.
                let e = ov.entry(k.clone()).or_insert_with(|| t.clone());
                if e != t {
                    *e = None;
                }
            }
            Known::Input(bx.clone(), ov)
        }
        _ => Known::Unknown,
    }
}

/// What a state hands on along its `Next`, given what it received.
fn after(
    name: &str,
    state: &State,
    machine: &StateMachine,
    results: &ResultTypes,
    input: &Known,
) -> Known {
    let Known::Input(base, ov) = input else {
        return input.clone();
    };
    if machine.effective_language(state) == QueryLanguage::Jsonata {
        return Known::Unknown;
    }
    // A task's result is its method's result type when nothing reshapes it on the way: no
    // ResultSelector, no Lambda envelope (`lambda:invoke`), no callback (answered by token).
    let typed = match &state.kind {
        StateKind::Task(t)
            if t.result_selector.is_none()
                && !t.resource.starts_with("arn:aws:states:::lambda:invoke")
                && !t.resource.ends_with(".waitForTaskToken") =>
        {
            results.get(name).cloned()
        }
        _ => None,
    };
    let through = |result_path: &Option<Option<sfn_asl::path::ReferencePath>>| -> Known {
        match result_path {
            Some(None) => Known::Input(base.clone(), ov.clone()),
            Some(Some(p)) if !p.is_root() => {
                let mut ov = ov.clone();
                ov.insert(p.source().to_owned(), typed.clone());
                Known::Input(base.clone(), ov)
            }
            _ => Known::Unknown,
        }
    };
    let same = || Known::Input(base.clone(), ov.clone());
    match &state.kind {
        StateKind::Choice(c) if c.input_path.is_none() && c.output_path.is_none() => same(),
        StateKind::Wait(w) if w.input_path.is_none() && w.output_path.is_none() => same(),
        StateKind::Pass(p) if p.output_path.is_none() => {
            if p.result.is_none()
                && p.parameters.is_none()
                && p.input_path.is_none()
                && p.result_path.is_none()
            {
                same()
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
    let mut out: Vec<&str> = state
        .transition()
        .and_then(Transition::next)
        .into_iter()
        .collect();
    if let StateKind::Choice(c) = &state.kind {
        out.extend(c.choices.iter().map(|b| b.next.as_str()));
        out.extend(c.default.as_deref());
    }
    out
}

/// The known input of every state of one scope, given what its first state receives.
fn analyse<'m>(
    states: &'m States,
    start_at: &str,
    entry: Known,
    machine: &StateMachine,
    results: &ResultTypes,
) -> HashMap<&'m str, Known> {
    let mut known: HashMap<&str, Known> = states
        .keys()
        .map(|k| (k.as_str(), Known::Unvisited))
        .collect();
    if let Some(k) = known.get_mut(start_at) {
        *k = entry;
    }
    // The lattice is finite (overlays only come from the definition), so this settles; the cap
    // keeps it bounded whatever happens.
    for _ in 0..(states.len() * 4 + 4) {
        let mut changed = false;
        for (name, state) in states {
            let input = known.get(name.as_str()).cloned().unwrap_or(Known::Unknown);
            if input == Known::Unvisited {
                continue;
            }
            let mut edges: Vec<(&str, Known)> = nexts(state)
                .into_iter()
                .map(|n| (n, after(name, state, machine, results, &input)))
                .collect();
            for c in catchers(state) {
                let k = match (&input, &c.result_path) {
                    (Known::Input(b, ov), Some(None)) => Known::Input(b.clone(), ov.clone()),
                    (Known::Input(b, ov), Some(Some(p))) if !p.is_root() => {
                        let mut ov = ov.clone();
                        ov.insert(p.source().to_owned(), None);
                        Known::Input(b.clone(), ov)
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

/// Scope depth cap (the linter's is lower).
const MAX_DEPTH: usize = 64;

/// The known input of every state of the workflow, nested scopes included.
fn analyse_all<'m>(
    states: &'m States,
    start_at: &str,
    entry: Known,
    machine: &'m StateMachine,
    results: &ResultTypes,
    out: &mut HashMap<&'m str, (Known, &'m State)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let known = analyse(states, start_at, entry, machine, results);
    for (name, state) in states {
        let k = known.get(name.as_str()).cloned().unwrap_or(Known::Unknown);
        let jsonpath = machine.effective_language(state) == QueryLanguage::JsonPath;
        match &state.kind {
            StateKind::Parallel(p) => {
                let entry = match (
                    &k,
                    jsonpath && p.input_path.is_none() && p.parameters.is_none(),
                ) {
                    (Known::Input(..), true) => k.clone(),
                    _ => Known::Unknown,
                };
                for b in &p.branches {
                    analyse_all(
                        &b.states,
                        &b.start_at,
                        entry.clone(),
                        machine,
                        results,
                        out,
                        depth + 1,
                    );
                }
            }
            StateKind::Map(m) => {
                let plain = jsonpath
                    && m.input_path.is_none()
                    && m.item_selector.is_none()
                    && m.parameters.is_none()
                    && m.item_reader.is_none()
                    && m.item_batcher.is_none();
                let entry = match (&k, plain) {
                    (Known::Input(base, ov), true) => {
                        let items = m.items_path.as_ref().map_or("$", |p| p.source());
                        match segments(items) {
                            Some((segs, true)) if overlay_of(items, ov).is_none() => {
                                let mut base = base.clone();
                                base.extend(segs);
                                base.push(Seg::Index);
                                Known::Input(base, Overlays::new())
                            }
                            _ => Known::Unknown,
                        }
                    }
                    _ => Known::Unknown,
                };
                let p = &m.item_processor;
                analyse_all(
                    &p.states,
                    &p.start_at,
                    entry,
                    machine,
                    results,
                    out,
                    depth + 1,
                );
            }
            _ => {}
        }
        out.insert(name.as_str(), (k, state));
    }
}

/// One segment of a simple path.
#[derive(Clone, PartialEq)]
enum Seg {
    Field(String),
    Index,
}

/// `$.a.b[0]['c d']` → segments, and whether the whole path was read. Reading stops at the first
/// construct that is not a plain member or index (wildcards, filters, slices, `..`): only the
/// prefix before it is checked. `None` for `$$` and variable paths.
fn segments(path: &str) -> Option<(Vec<Seg>, bool)> {
    let mut rest = path.strip_prefix('$')?;
    if rest.starts_with('$') || rest.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return None; // context object or variable
    }
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if r.starts_with('.') || r.starts_with('*') {
                return Some((out, false));
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.contains('\\') {
                return Some((out, false));
            }
            out.push(Seg::Field(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let Some(end) = r.find("']") else {
                return Some((out, false));
            };
            out.push(Seg::Field(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Some((out, false));
            };
            if end > 0 && r[..end].chars().all(|c| c.is_ascii_digit()) {
                out.push(Seg::Index);
                rest = &r[end + 1..];
            } else {
                return Some((out, false));
            }
        } else {
            return Some((out, false));
        }
    }
    Some((out, true))
}

/// The overlay `path` lies under, if any: its prefix and what is known of its type.
fn overlay_of<'o>(path: &str, ov: &'o Overlays) -> Option<(&'o str, &'o Option<String>)> {
    ov.iter()
        .find(|(p, _)| {
            path == p.as_str()
                || path.starts_with(&format!("{p}."))
                || path.starts_with(&format!("{p}["))
        })
        .map(|(p, t)| (p.as_str(), t))
}

/// The states whose input is exactly the workflow input (nothing written into it yet): a Task
/// state among them gets the input type as its method's input.
pub(crate) fn whole_input_states(machine: &StateMachine) -> BTreeSet<String> {
    let mut known = HashMap::new();
    let entry = Known::Input(Vec::new(), Overlays::new());
    analyse_all(
        &machine.states,
        &machine.start_at,
        entry,
        machine,
        &ResultTypes::new(),
        &mut known,
        0,
    );
    known
        .into_iter()
        .filter(
            |(_, (k, _))| matches!(k, Known::Input(base, ov) if base.is_empty() && ov.is_empty()),
        )
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Const assertions for every path literal read against the workflow input type.
pub(crate) fn shape_checks(
    machine: &StateMachine,
    uses: &[PathUse],
    input: &syn::Type,
    results: &ResultTypes,
) -> Vec<TokenStream> {
    let mut known = HashMap::new();
    let entry = Known::Input(Vec::new(), Overlays::new());
    analyse_all(
        &machine.states,
        &machine.start_at,
        entry,
        machine,
        results,
        &mut known,
        0,
    );
    let mut out = Vec::new();
    for u in uses {
        let Some((Known::Input(base, ov), state)) = known.get(u.state.as_str()) else {
            continue;
        };
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
        let Some((segs, _)) = segments(&text) else {
            continue;
        };
        // A path under a task's result is checked against its declared result type.
        let (ty, base, segs): (syn::Type, &[Seg], Vec<Seg>) = match overlay_of(&text, ov) {
            None => (input.clone(), base, segs),
            Some((prefix, Some(ty))) => {
                let Some((prefix_segs, true)) = segments(prefix) else {
                    continue;
                };
                let Ok(ty) = syn::parse_str::<syn::Type>(ty) else {
                    continue;
                };
                (
                    ty,
                    &[],
                    segs.get(prefix_segs.len()..)
                        .map(<[Seg]>::to_vec)
                        .unwrap_or_default(),
                )
            }
            Some((_, None)) => continue,
        };
        let span = u.lit.span();
        let segs = base.iter().chain(&segs).map(|s| match s {
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
            const _: () = ::sfn::__private::check_path::<#ty>(&[#(#segs),*], #text, #expect);
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_split_into_segments() {
        let (segs, complete) = segments("$.a.b[0]['c d']").unwrap_or_default();
        assert!(complete);
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
        assert!(matches!(segments("$.a[*].b"), Some((s, false)) if s.len() == 1));
        assert!(matches!(segments("$..b"), Some((s, false)) if s.is_empty()));
        assert!(segments("$$.Execution.Id").is_none());
        assert!(segments("$var.x").is_none());
    }

    #[test]
    fn overlays_cover_sub_paths_only() {
        let ov = Overlays::from([("$.validation".to_owned(), None)]);
        assert!(overlay_of("$.validation.ok", &ov).is_some());
        assert!(overlay_of("$.validation", &ov).is_some());
        assert!(overlay_of("$.validations", &ov).is_none());
    }
}
