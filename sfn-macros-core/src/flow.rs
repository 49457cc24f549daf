//! What reaches each state (a part of the workflow input, of a task's declared result type, or
//! of what a template built), and the shape checks emitted for the path literals that read it.
//!
//! What reaches each state is followed from the workflow input along every way into it: a
//! definite `output_path` (`"$.order"`) hands on the value at that path, a definite `input_path`
//! narrows what the state's own paths (Parameters `.$`, choice variables, `items_path`) read; a
//! Choice/Wait (and a Pass with neither `result` nor `parameters`) hands on its effective input;
//! a result written under a sub-path (`result_path: "$.validation"`) or dropped
//! (`result_path: null`) keeps the input around it, typed by the task's declared result type
//! (or the shape its `result_selector` builds); such a result written at `$` is all the next
//! state sees. A `parameters`/`result_selector`/`item_selector` template or a Pass `result`
//! builds a shape known from the template ([`built`]). The first state of a Parallel branch sees
//! the Parallel state's effective input (or its `parameters`); the first state of a Map
//! iteration sees one element of the array at `items_path` (or its `item_selector`).
//!
//! A state reached along ways that hand on different things keeps each of them (up to
//! [`MAX_WAYS`]), and its paths are checked against each, the message naming the way. A way
//! that hands on something unknown (an untyped result at `$`, an indefinite path, JSONata) is
//! not checked.

mod built;
mod checks;
mod jsonata;
mod paths;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sfn_asl::model::*;
use sfn_asl::path::{Path, ReferencePath};

use built::{template_node, Built, Node, Table};
pub(crate) use checks::{shape_checks, Input};
pub(crate) use jsonata::input_uses;
use paths::{canonical, overlay_of, segments, Seg};

/// Where a scope's `$` lies below its root (a path into it; empty for the root itself).
type Base = Vec<Seg>;

/// What a state's input is a part of.
#[derive(Clone, Debug, PartialEq)]
enum Root {
    /// The workflow input.
    Input,
    /// A task result of a declared type (its tokens).
    Type(String),
    /// A shape built from the definition (an index into [`Table`]).
    Built(usize),
}

/// One way a state can be reached: the root seen at `base`, plus values written at sub-paths.
#[derive(Clone, Debug)]
struct Way {
    root: Root,
    base: Base,
    ov: Overlays,
    /// The state it came from, where that tells it apart from another way into the same state.
    via: Option<String>,
}

impl PartialEq for Way {
    /// Two ways that hand on the same thing are one, whichever state they came from.
    fn eq(&self, other: &Way) -> bool {
        self.root == other.root && self.base == other.base && self.ov == other.ov
    }
}

impl Way {
    fn of(root: Root) -> Way {
        Way {
            root,
            base: Vec::new(),
            ov: Overlays::new(),
            via: None,
        }
    }
}

/// How many different ways into one state are told apart; past that, its input is unknown.
const MAX_WAYS: usize = 8;

/// What is known about the input of one state.
#[derive(Clone, Debug, PartialEq)]
enum Known {
    /// Not reached yet while iterating.
    Unvisited,
    /// The known ways into the state, and whether some other way hands on something unknown.
    Seen(Vec<Way>, bool),
    /// More than [`MAX_WAYS`] ways: nothing is checked.
    TooMany,
}

/// Nothing known.
fn unknown() -> Known {
    Known::Seen(Vec::new(), true)
}

/// Sub-path → what was written there, when known (a typed result or a built shape).
type Overlays = BTreeMap<String, Option<Root>>;

pub(crate) use crate::tasks::ResultTypes;

fn merge(a: &Known, b: &Known) -> Known {
    match (a, b) {
        (Known::Unvisited, x) | (x, Known::Unvisited) => x.clone(),
        (Known::TooMany, _) | (_, Known::TooMany) => Known::TooMany,
        (Known::Seen(x, ux), Known::Seen(y, uy)) => {
            let mut ways = x.clone();
            for w in y {
                if !ways.contains(w) {
                    ways.push(w.clone());
                }
            }
            if ways.len() > MAX_WAYS {
                return Known::TooMany;
            }
            Known::Seen(ways, *ux || *uy)
        }
    }
}

/// `k` with `f` applied to each way; a way `f` knows nothing of counts as unknown.
fn each(k: &Known, f: impl Fn(&Way) -> Option<Way>) -> Known {
    match k {
        Known::Seen(ways, unknown) => {
            let mut out = Vec::new();
            let mut lost = *unknown;
            for w in ways {
                match f(w) {
                    Some(mut n) => {
                        n.via = w.via.clone();
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                    None => lost = true,
                }
            }
            Known::Seen(out, lost)
        }
        other => other.clone(),
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
        Some(None) => each(k, |_| None),
        Some(Some(p)) => each(k, |w| narrow_to(w, p.source())),
    }
}

/// The value at a definite `path` of `w`: the root seen at `base` + the path's segments, with
/// the overlays under it re-rooted (`$.order.check` under `$.order` becomes `$.check`); a path
/// into a known overlay selects (a part of) it. Indefinite paths are not followed.
fn narrow_to(w: &Way, path: &str) -> Option<Way> {
    let Some((segs, true)) = segments(path) else {
        return None;
    };
    if segs.is_empty() {
        return Some(w.clone());
    }
    if let Some((prefix, written)) = overlay_of(path, &w.ov) {
        let (Some(root), Some((pre, true))) = (written, segments(prefix)) else {
            return None;
        };
        let mut n = Way::of(root.clone());
        n.base = segs
            .get(pre.len()..)
            .map(<[Seg]>::to_vec)
            .unwrap_or_default();
        return Some(n);
    }
    let mut base = w.base.clone();
    base.extend(segs);
    let ov =
        w.ov.iter()
            .filter_map(|(k, t)| {
                let rest = k.strip_prefix(canonical(path).as_str())?;
                (rest.starts_with('.') || rest.starts_with('['))
                    .then(|| (format!("${rest}"), t.clone()))
            })
            .collect();
    Some(Way {
        root: w.root.clone(),
        base,
        ov,
        via: None,
    })
}

/// The root, base and remaining segments a path of `w` reads: a path under a known overlay
/// reads what was written there. `None` when that is unknown.
fn resolve(w: &Way, path: &str) -> Option<(Root, Base, Vec<Seg>)> {
    let (segs, _) = segments(path)?;
    match overlay_of(path, &w.ov) {
        None => Some((w.root.clone(), w.base.clone(), segs)),
        Some((prefix, Some(root))) => {
            let (pre, true) = segments(prefix)? else {
                return None;
            };
            let own = segs
                .get(pre.len()..)
                .map(<[Seg]>::to_vec)
                .unwrap_or_default();
            Some((root.clone(), Vec::new(), own))
        }
        Some((_, None)) => None,
    }
}

/// The shape a `$.x` path of a template copies from `w` (`Any` where it is not known).
fn read_node(w: Option<&Way>, path: &str) -> Node {
    match (w, segments(path)) {
        (Some(w), Some((_, true))) => match resolve(w, path) {
            Some((root, mut base, segs)) => {
                base.extend(segs);
                Node::At(root, base)
            }
            None => Node::Leaf("Any"),
        },
        _ => Node::Leaf("Any"),
    }
}

/// The shape `template` builds from what it reads (`w`), named for messages.
fn build(table: &Table, name: String, template: &serde_json::Value, w: Option<&Way>) -> Root {
    let node = template_node(template, &|p| read_node(w, p), 0);
    table.intern(Built { name, node })
}

/// What a catcher hands on: the error name and its cause, both strings.
fn error_output(table: &Table) -> Root {
    let string = || Node::Leaf("String");
    table.intern(Built {
        name: "a catcher's error output".to_owned(),
        node: Node::Object(vec![
            ("Error".to_owned(), string()),
            ("Cause".to_owned(), string()),
        ]),
    })
}

/// `w` with `value` (a known result, or something unknown) written at `result_path`.
fn write(w: &Way, result_path: &Option<Option<ReferencePath>>, value: Option<Root>) -> Option<Way> {
    match result_path {
        Some(None) => Some(w.clone()),
        Some(Some(p)) if !p.is_root() => {
            let mut n = w.clone();
            n.ov.insert(canonical(p.source()), value);
            Some(n)
        }
        _ => value.map(Way::of),
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

/// What a Task state's result is: the shape its `result_selector` builds from its declared
/// result type, or that type itself.
fn task_result(name: &str, state: &State, t: &Task, facts: &Facts<'_>) -> Option<Root> {
    let raw = raw_result_type(name, state, facts.results).map(Root::Type);
    match &t.flow.result_selector {
        None => raw,
        Some(sel) => {
            let read = raw.map(Way::of);
            let what = format!("the ResultSelector of `{name}`");
            Some(build(facts.built, what, sel.source(), read.as_ref()))
        }
    }
}

/// What a Pass state hands on along one way, before its `output_path`.
fn pass_result(
    name: &str,
    p: &Pass,
    input: &Way,
    effective: Option<&Way>,
    facts: &Facts<'_>,
) -> Option<Way> {
    let value = match (&p.result, &p.parameters) {
        (Some(result), _) => {
            let what = format!("the Result of `{name}`");
            build(facts.built, what, result, None)
        }
        (None, Some(params)) => {
            let what = format!("the Parameters of `{name}`");
            build(facts.built, what, params.source(), effective)
        }
        // Without `result`/`parameters` a Pass state's result is its effective input.
        (None, None) => match &p.result_path {
            Some(Some(r)) if !r.is_root() => return write(input, &p.result_path, None),
            Some(None) => return Some(input.clone()),
            _ => return effective.cloned(),
        },
    };
    write(input, &p.result_path, Some(value))
}

/// What a state hands on along its `Next` for one way into it.
fn after_way(name: &str, state: &State, input: &Way, facts: &Facts<'_>) -> Option<Way> {
    let (input_path, output_path) = io_paths(state);
    let effective = match input_path {
        None => Some(input.clone()),
        Some(None) => None,
        Some(Some(p)) => narrow_to(input, p.source()),
    };
    let result = match &state.kind {
        StateKind::Choice(_) | StateKind::Wait(_) => effective,
        StateKind::Pass(p) => pass_result(name, p, input, effective.as_ref(), facts),
        StateKind::Task(t) => write(
            input,
            &t.flow.result_path,
            task_result(name, state, t, facts),
        ),
        StateKind::Parallel(p) => write(input, &p.flow.result_path, None),
        StateKind::Map(m) => write(input, &m.flow.result_path, None),
        _ => None,
    }?;
    match output_path {
        None => Some(result),
        Some(None) => None,
        Some(Some(p)) => narrow_to(&result, p.source()),
    }
}

/// What a state hands on along its `Next`, given what it received.
fn after(
    name: &str,
    state: &State,
    machine: &StateMachine,
    facts: &Facts<'_>,
    input: &Known,
) -> Known {
    if machine.effective_language(state) == QueryLanguage::Jsonata {
        return each(input, |_| None);
    }
    each(input, |w| after_way(name, state, w, facts))
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
    /// The shapes built from templates.
    built: &'a Table,
}

/// `k` handed on from state `from`: a way keeps the state it came from where `from` was
/// reached along several; otherwise `from` is the way.
fn from(k: Known, from: &str, input: &Known) -> Known {
    let several = matches!(input, Known::Seen(ways, _) if ways.len() > 1);
    match k {
        Known::Seen(mut ways, u) => {
            for w in &mut ways {
                if !several || w.via.is_none() {
                    w.via = Some(from.to_owned());
                }
            }
            Known::Seen(ways, u)
        }
        other => other,
    }
}

/// Where each state of one scope leads, with what: its `Next`s and its catchers.
fn edges<'s>(
    name: &str,
    state: &'s State,
    input: &Known,
    machine: &StateMachine,
    facts: &Facts<'_>,
) -> Vec<(&'s str, Known)> {
    // What a state with errors hands on is not what the user wrote: unknown.
    let opaque = facts.opaque.contains(name);
    let mut out: Vec<(&str, Known)> = nexts(state)
        .into_iter()
        .map(|n| match opaque {
            true => (n, unknown()),
            false => (
                n,
                from(after(name, state, machine, facts, input), name, input),
            ),
        })
        .collect();
    for c in catchers(state) {
        // A catcher writes the error output (`{"Error": .., "Cause": ..}`) into the state's raw
        // input, or replaces it with that.
        let error = Some(error_output(facts.built));
        let k = match opaque {
            true => unknown(),
            false => from(
                each(input, |w| write(w, &c.result_path, error.clone())),
                name,
                input,
            ),
        };
        out.push((c.next.as_str(), k));
    }
    out
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
    // Each state's input only grows (ways are added, up to MAX_WAYS, then TooMany stays), so
    // this settles; the cap keeps it bounded whatever happens.
    for _ in 0..(states.len() * (MAX_WAYS + 3) + 4) {
        let mut changed = false;
        for (name, state) in states {
            let input = known.get(name.as_str()).cloned().unwrap_or_else(unknown);
            if input == Known::Unvisited {
                continue;
            }
            for (target, k) in edges(name, state, &input, machine, facts) {
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

/// What the first state of each branch of a Parallel state sees.
fn branch_entry(name: &str, p: &Parallel, k: &Known, facts: &Facts<'_>) -> Known {
    let effective = narrow(k, p.flow.input_path.as_ref());
    match &p.parameters {
        None => effective,
        Some(params) => each(&effective, |w| {
            let what = format!("the Parameters of `{name}`");
            Some(Way::of(build(facts.built, what, params.source(), Some(w))))
        }),
    }
}

/// What the first state of a Map iteration sees: an element of the array at `items_path`, or
/// what the `item_selector` builds.
fn item_entry(name: &str, m: &Map, k: &Known, facts: &Facts<'_>) -> Known {
    if m.item_reader.is_some() || m.item_batcher.is_some() {
        return each(k, |_| None);
    }
    let effective = narrow(k, m.flow.input_path.as_ref());
    let selector = match (&m.item_selector, &m.parameters) {
        (Some(Template::JsonPath(t)), _) | (None, Some(t)) => Some(t),
        (Some(Template::Jsonata(_)), _) => return each(k, |_| None),
        (None, None) => None,
    };
    if let Some(sel) = selector {
        // `$.x` reads the Map's effective input; `$$.Map.Item.Value` is not followed.
        return each(&effective, |w| {
            let what = format!("the ItemSelector of `{name}`");
            Some(Way::of(build(facts.built, what, sel.source(), Some(w))))
        });
    }
    let items = m.items_path.as_ref().map_or("$", |p| p.source());
    each(&effective, |w| {
        let mut n = narrow_to(w, items)?;
        n.base.push(Seg::Index);
        Some(n)
    })
}

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
            true => unknown(),
            false => known.get(name.as_str()).cloned().unwrap_or_else(unknown),
        };
        let jsonpath = machine.effective_language(state) == QueryLanguage::JsonPath;
        let scopes: Vec<(&States, &str, Known)> = match &state.kind {
            StateKind::Parallel(p) => {
                let entry = match jsonpath {
                    true => branch_entry(name, p, &k, facts),
                    false => unknown(),
                };
                p.branches
                    .iter()
                    .map(|b| (&b.states, b.start_at.as_str(), entry.clone()))
                    .collect()
            }
            StateKind::Map(m) => {
                let entry = match jsonpath {
                    true => item_entry(name, m, &k, facts),
                    false => unknown(),
                };
                let p = &m.item_processor;
                vec![(&p.states, p.start_at.as_str(), entry)]
            }
            _ => Vec::new(),
        };
        for (states, start_at, entry) in scopes {
            analyse_all(states, start_at, entry, machine, facts, out, depth + 1);
        }
        out.insert(name.as_str(), (k, state));
    }
}

/// The states whose input is exactly the workflow input (nothing written into it yet, along
/// every way): a Task state among them gets the input type as its method's input.
pub(crate) fn whole_input_states(machine: &StateMachine) -> BTreeSet<String> {
    let mut known = HashMap::new();
    let entry = Known::Seen(vec![Way::of(Root::Input)], false);
    let table = Table::default();
    let facts = Facts {
        results: &ResultTypes::new(),
        opaque: &HashSet::new(),
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
    known
        .into_iter()
        .filter(|(_, (k, _))| match k {
            Known::Seen(ways, false) => {
                ways.len() == 1
                    && ways[0].root == Root::Input
                    && ways[0].base.is_empty()
                    && ways[0].ov.is_empty()
            }
            _ => false,
        })
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests;
