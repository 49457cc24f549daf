//! What reaches each state (a part of the workflow input or of a task's declared result type), and
//! the shape checks emitted for the path literals that read it.
//!
//! What reaches each state is followed from the workflow input along every way into it: a
//! definite `output_path` (`"$.order"`) hands on the value at that path, a definite `input_path`
//! narrows what the state's own paths (Parameters `.$`, choice variables, `items_path`) read; a
//! Choice/Wait (and a Pass with neither `result` nor `parameters`) hands on its effective input;
//! a result written under a sub-path (`result_path: "$.validation"`) or dropped
//! (`result_path: null`) keeps the input around it, typed by the task's declared result type when
//! nothing reshapes it; such a result written at `$` (`result_path` absent or `"$"`) is all the
//! next state sees. The first state of a Parallel branch sees the Parallel state's effective
//! input; the first state of a Map iteration sees one element of the array at `items_path`
//! (`$.items[0]`), so paths inside the iteration are checked against the element type.
//! ResultSelector `.$` paths are checked against the task's declared result type (same
//! conditions). Everything else (Parameters, ResultSelector, an untyped result at `$`, indefinite
//! paths, JSONata) makes the input unknown, and paths reading it are not checked.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote_spanned;
use sfn_asl::model::*;
use sfn_asl::path::{Path, ReferencePath};

use crate::lower::{PathUse, Reads};

/// Where a scope's `$` lies below its root (a path into it; empty for the root itself).
type Base = Vec<Seg>;

/// What a state's input is a part of.
#[derive(Clone, PartialEq)]
enum Root {
    /// The workflow input.
    Input,
    /// A task result of a declared type (its tokens).
    Type(String),
}

/// What is known about the input of one state.
#[derive(Clone, PartialEq)]
enum Known {
    /// Not reached yet while iterating.
    Unvisited,
    /// The root seen at `base`, plus values written at these sub-paths: a task result of a
    /// declared type (its tokens), or something unknown.
    Seen(Root, Base, Overlays),
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
        (Known::Seen(rx, bx, x), Known::Seen(ry, by, y)) if rx == ry && bx == by => {
            let mut ov = x.clone();
            for (k, t) in y {
                // Two ways writing different things at one path: only "something" is known.
                let e = ov.entry(k.clone()).or_insert_with(|| t.clone());
                if e != t {
                    *e = None;
                }
            }
            Known::Seen(rx.clone(), bx.clone(), ov)
        }
        _ => Known::Unknown,
    }
}

/// A state's `input_path` and `output_path` (absent: `None`; `null`: `Some(None)`).
fn io_paths(state: &State) -> (Option<&Option<Path>>, Option<&Option<Path>>) {
    if let Some(f) = state.result_flow() {
        return (f.input_path.as_ref(), f.output_path.as_ref());
    }
    match &state.kind {
        StateKind::Pass(p) => (p.input_path.as_ref(), p.output_path.as_ref()),
        StateKind::Choice(c) => (c.input_path.as_ref(), c.output_path.as_ref()),
        StateKind::Wait(w) => (w.input_path.as_ref(), w.output_path.as_ref()),
        StateKind::Succeed(s) => (s.input_path.as_ref(), s.output_path.as_ref()),
        _ => (None, None),
    }
}

/// What an `input_path`/`output_path` selects from `k`. `null` selects `{}` (nothing known).
fn narrow(k: &Known, path: Option<&Option<Path>>) -> Known {
    match path {
        None => k.clone(),
        Some(None) => Known::Unknown,
        Some(Some(p)) => narrow_to(k, p.source()),
    }
}

/// The value at a definite `path` of `k`: the root seen at `base` + the path's segments, with
/// the overlays under it re-rooted (`$.order.check` under `$.order` becomes `$.check`); a path
/// into a typed overlay selects (a part of) that type. Indefinite paths are not followed.
fn narrow_to(k: &Known, path: &str) -> Known {
    let Known::Seen(root, base, ov) = k else {
        return k.clone();
    };
    let Some((segs, true)) = segments(path) else {
        return Known::Unknown;
    };
    if segs.is_empty() {
        return k.clone();
    }
    if let Some((prefix, t)) = overlay_of(path, ov) {
        let (Some(ty), Some((pre, true))) = (t, segments(prefix)) else {
            return Known::Unknown;
        };
        let rest = segs
            .get(pre.len()..)
            .map(<[Seg]>::to_vec)
            .unwrap_or_default();
        return Known::Seen(Root::Type(ty.clone()), rest, Overlays::new());
    }
    let mut base = base.clone();
    base.extend(segs);
    let ov = ov
        .iter()
        .filter_map(|(k, t)| {
            let rest = k.strip_prefix(canonical(path).as_str())?;
            (rest.starts_with('.') || rest.starts_with('['))
                .then(|| (format!("${rest}"), t.clone()))
        })
        .collect();
    Known::Seen(root.clone(), base, ov)
}

/// `k` with `typed` (a result of that type, or something unknown) written at `result_path`.
fn written(k: &Known, result_path: &Option<Option<ReferencePath>>, typed: Option<String>) -> Known {
    let Known::Seen(root, base, ov) = k else {
        return k.clone();
    };
    match result_path {
        Some(None) => k.clone(),
        Some(Some(p)) if !p.is_root() => {
            let mut ov = ov.clone();
            ov.insert(canonical(p.source()), typed);
            Known::Seen(root.clone(), base.clone(), ov)
        }
        _ => Known::Unknown,
    }
}

/// The declared result type of a Task state as the engine receives it: not under a Lambda
/// envelope (`lambda:invoke`), not answered by token (a callback).
fn raw_result_type(name: &str, state: &State, results: &ResultTypes) -> Option<String> {
    match &state.kind {
        StateKind::Task(t)
            if !t.resource.invokes_function_by_name() && !t.resource.is_callback() =>
        {
            results.get(name).cloned()
        }
        _ => None,
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
    if !matches!(input, Known::Seen(..)) {
        return input.clone();
    }
    if machine.effective_language(state) == QueryLanguage::Jsonata {
        return Known::Unknown;
    }
    // A task's result is its method's result type when no ResultSelector reshapes it.
    let typed = match &state.kind {
        StateKind::Task(t) if t.flow.result_selector.is_none() => {
            raw_result_type(name, state, results)
        }
        _ => None,
    };
    let (input_path, output_path) = io_paths(state);
    let effective = narrow(input, input_path);
    let result = match &state.kind {
        StateKind::Choice(_) | StateKind::Wait(_) => effective,
        StateKind::Pass(p) => {
            // Without `result`/`parameters` a Pass state's result is its effective input.
            let replaces = p
                .result_path
                .as_ref()
                .is_none_or(|r| r.as_ref().is_some_and(|r| r.is_root()));
            if p.result.is_none() && p.parameters.is_none() && replaces {
                effective
            } else {
                written(input, &p.result_path, None)
            }
        }
        StateKind::Task(t) => match (&t.flow.result_path, typed) {
            // The typed result replaces the whole input: the next state sees the result type.
            (None, Some(ty)) => Known::Seen(Root::Type(ty), Vec::new(), Overlays::new()),
            (Some(Some(r)), Some(ty)) if r.is_root() => {
                Known::Seen(Root::Type(ty), Vec::new(), Overlays::new())
            }
            (result_path, typed) => written(input, result_path, typed),
        },
        StateKind::Parallel(p) => written(input, &p.flow.result_path, None),
        StateKind::Map(m) => written(input, &m.flow.result_path, None),
        _ => Known::Unknown,
    };
    narrow(&result, output_path)
}

fn catchers(state: &State) -> &[Catcher] {
    state.result_flow().map_or(&[], |f| f.catchers())
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

/// What the analysis needs besides the machine.
struct Facts<'a> {
    /// The declared result types of Task states.
    results: &'a ResultTypes,
    /// The states with errors: what they hand on is unknown.
    opaque: &'a HashSet<String>,
}

/// The known input of every state of one scope, given what its first state receives.
fn analyse<'m>(
    states: &'m States,
    start_at: &str,
    entry: Known,
    machine: &StateMachine,
    facts: &Facts<'_>,
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
            // What a state with errors hands on is not what the user wrote: unknown.
            let opaque = facts.opaque.contains(name);
            let mut edges: Vec<(&str, Known)> = nexts(state)
                .into_iter()
                .map(|n| match opaque {
                    true => (n, Known::Unknown),
                    false => (n, after(name, state, machine, facts.results, &input)),
                })
                .collect();
            for c in catchers(state) {
                // A catcher writes the error output into the state's raw input.
                let k = match opaque {
                    true => Known::Unknown,
                    false => written(&input, &c.result_path, None),
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
    facts: &Facts<'_>,
    out: &mut HashMap<&'m str, (Known, &'m State)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let known = analyse(states, start_at, entry, machine, facts);
    for (name, state) in states {
        let k = match facts.opaque.contains(name) {
            true => Known::Unknown,
            false => known.get(name.as_str()).cloned().unwrap_or(Known::Unknown),
        };
        let jsonpath = machine.effective_language(state) == QueryLanguage::JsonPath;
        match &state.kind {
            StateKind::Parallel(p) => {
                // Each branch starts from the Parallel state's effective input.
                let entry = if jsonpath && p.parameters.is_none() {
                    narrow(&k, p.flow.input_path.as_ref())
                } else {
                    Known::Unknown
                };
                for b in &p.branches {
                    analyse_all(
                        &b.states,
                        &b.start_at,
                        entry.clone(),
                        machine,
                        facts,
                        out,
                        depth + 1,
                    );
                }
            }
            StateKind::Map(m) => {
                let plain = jsonpath
                    && m.item_selector.is_none()
                    && m.parameters.is_none()
                    && m.item_reader.is_none()
                    && m.item_batcher.is_none();
                // `items_path` is read from the effective input (after `input_path`).
                let items = m.items_path.as_ref().map_or("$", |p| p.source());
                let entry = match (narrow(&k, m.flow.input_path.as_ref()), plain) {
                    (Known::Seen(root, base, ov), true) => match segments(items) {
                        Some((segs, true)) if overlay_of(items, &ov).is_none() => {
                            let mut base = base;
                            base.extend(segs);
                            base.push(Seg::Index);
                            Known::Seen(root, base, Overlays::new())
                        }
                        _ => Known::Unknown,
                    },
                    _ => Known::Unknown,
                };
                let p = &m.item_processor;
                analyse_all(
                    &p.states,
                    &p.start_at,
                    entry,
                    machine,
                    facts,
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

/// `path` spelled one way (`$['a'].b` → `$.a.b`), so that overlays and the paths read under them
/// compare as text. Paths with indexes or indefinite parts stay as written.
fn canonical(path: &str) -> String {
    match segments(path) {
        Some((segs, true)) if segs.iter().all(|s| matches!(s, Seg::Field(_))) => {
            let mut out = String::from("$");
            for s in segs {
                if let Seg::Field(f) = s {
                    if !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        out.push('.');
                        out.push_str(&f);
                    } else {
                        out.push_str("['");
                        out.push_str(&f);
                        out.push_str("']");
                    }
                }
            }
            out
        }
        _ => path.to_owned(),
    }
}

/// The overlay `path` lies under, if any: its prefix and what is known of its type.
fn overlay_of<'o>(path: &str, ov: &'o Overlays) -> Option<(&'o str, &'o Option<String>)> {
    let path = canonical(path);
    let path = path.as_str();
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
    let entry = Known::Seen(Root::Input, Vec::new(), Overlays::new());
    analyse_all(
        &machine.states,
        &machine.start_at,
        entry,
        machine,
        &Facts {
            results: &ResultTypes::new(),
            opaque: &HashSet::new(),
        },
        &mut known,
        0,
    );
    known
        .into_iter()
        .filter(
            |(_, (k, _))| matches!(k, Known::Seen(Root::Input, base, ov) if base.is_empty() && ov.is_empty()),
        )
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Const assertions for every path literal read against the workflow input type. The states in
/// `opaque` had errors: their paths are not checked, and what they hand on is unknown, so a
/// checked path never rests on a part of the definition that was not lowered as written.
pub(crate) fn shape_checks(
    machine: &StateMachine,
    uses: &[PathUse],
    input: &syn::Type,
    results: &ResultTypes,
    opaque: &HashSet<String>,
) -> Vec<TokenStream> {
    let mut known = HashMap::new();
    let entry = Known::Seen(Root::Input, Vec::new(), Overlays::new());
    analyse_all(
        &machine.states,
        &machine.start_at,
        entry,
        machine,
        &Facts { results, opaque },
        &mut known,
        0,
    );
    let mut out = Vec::new();
    for u in uses {
        if opaque.contains(&u.state) {
            continue;
        }
        let Some((k, state)) = known.get(u.state.as_str()) else {
            continue;
        };
        let text = u.lit.value();
        // The `input_path` literal reads the state's input; its other paths (Parameters `.$`,
        // choice variables) read the effective input `input_path` selects; a `result_selector`
        // path reads the task's result, checked when its type is declared.
        let k = match u.reads {
            Reads::StateInput => k.clone(),
            Reads::EffectiveInput => narrow(k, io_paths(state).0),
            Reads::TaskResult => match raw_result_type(&u.state, state, results) {
                Some(ty) => Known::Seen(Root::Type(ty), Vec::new(), Overlays::new()),
                None => continue,
            },
        };
        let Known::Seen(root, base, ov) = &k else {
            continue;
        };
        let Some((segs, _)) = segments(&text) else {
            continue;
        };
        let root_ty = match root {
            Root::Input => input.clone(),
            Root::Type(t) => match syn::parse_str::<syn::Type>(t) {
                Ok(t) => t,
                Err(_) => continue,
            },
        };
        // A path under a task's result is checked against its declared result type.
        let (ty, base, segs): (syn::Type, &[Seg], Vec<Seg>) = match overlay_of(&text, ov) {
            None => (root_ty, base, segs),
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
        out.push(emit_check(u, &ty, base, &segs, &text));
    }
    out
}

/// The const item checking one path literal: it panics, at the literal, with the message the
/// check returns, so the compiler's error names the literal and nothing inside sfn.
fn emit_check(u: &PathUse, ty: &syn::Type, base: &[Seg], segs: &[Seg], text: &str) -> TokenStream {
    let span = u.lit.span();
    let base_len = base.len();
    let segs = base.iter().chain(segs).map(|s| match s {
        Seg::Field(f) => quote_spanned!(span=> ::sfn::__private::Seg::Field(#f)),
        Seg::Index => quote_spanned!(span=> ::sfn::__private::Seg::Index),
    });
    let expect = match u.expect {
        Some("string") => quote_spanned!(span=> ::sfn::__private::Expect::String),
        Some("number") => quote_spanned!(span=> ::sfn::__private::Expect::Number),
        Some("boolean") => quote_spanned!(span=> ::sfn::__private::Expect::Boolean),
        _ => quote_spanned!(span=> ::sfn::__private::Expect::Any),
    };
    let need = "the rule compares it with";
    quote_spanned! {span=>
        const _: () = match ::sfn::__private::check_path(
            <#ty as ::sfn::__private::Shape>::SHAPE,
            &[#(#segs),*],
            ::sfn::__private::PathCheck {
                path: #text,
                expect: #expect,
                need: #need,
                base: #base_len,
                via: "",
            },
        ) {
            ::core::result::Result::Ok(()) => (),
            ::core::result::Result::Err(e) => ::core::panic!("{}", e.as_str()),
        };
    }
}

#[cfg(test)]
mod tests;
