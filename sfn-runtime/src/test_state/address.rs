//! Which state a TestState run tests: a name at any depth (a Parallel branch, a Map's
//! ItemProcessor), or the JSON pointer of the state, as validation findings spell locations
//! (`/States/Fulfil/Branches/1/States/Pack`).

use sfn_asl::model::{State, StateKind, States};
use sfn_asl::StateMachine;

use super::TestStateError;

/// One state of the definition with its JSON pointer.
struct Entry<'a> {
    pointer: String,
    name: &'a str,
    state: &'a State,
}

/// The state `address` names, with its name: a state name (which must be used once in the
/// definition, as a valid one always is), else a JSON pointer.
pub(super) fn locate<'a>(
    definition: &'a StateMachine,
    address: &str,
) -> Result<(&'a str, &'a State), TestStateError> {
    let entries = all_states(definition);
    let named: Vec<&Entry<'_>> = entries.iter().filter(|e| e.name == address).collect();
    match named.as_slice() {
        [one] => return Ok((one.name, one.state)),
        [] => {}
        many => {
            return Err(TestStateError::AmbiguousState {
                name: address.to_owned(),
                candidates: many.iter().map(|e| e.pointer.clone()).collect(),
            })
        }
    }
    if address.starts_with('/') {
        return match entries.iter().find(|e| e.pointer == address) {
            Some(e) => Ok((e.name, e.state)),
            None => Err(TestStateError::UnknownState {
                name: address.to_owned(),
                known: join(entries.iter().map(|e| e.pointer.as_str())),
            }),
        };
    }
    Err(TestStateError::UnknownState {
        name: address.to_owned(),
        known: join(entries.iter().map(|e| e.name)),
    })
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// Every state, scope by scope: the top level first, then the scopes in the order their
/// Parallel or Map states appear (so a flat definition lists its states in order).
fn all_states(definition: &StateMachine) -> Vec<Entry<'_>> {
    let mut scopes: Vec<(String, &States)> = vec![(String::new(), &definition.states)];
    let mut entries = Vec::new();
    let mut next = 0;
    while let Some((base, states)) = scopes.get(next).cloned() {
        next += 1;
        for (name, state) in states {
            let pointer = format!("{base}/States/{}", escape(name));
            match &state.kind {
                StateKind::Parallel(p) => {
                    for (i, branch) in p.branches.iter().enumerate() {
                        scopes.push((format!("{pointer}/Branches/{i}"), &branch.states));
                    }
                }
                StateKind::Map(m) => {
                    let field = if m.item_processor.legacy_iterator {
                        "Iterator"
                    } else {
                        "ItemProcessor"
                    };
                    scopes.push((format!("{pointer}/{field}"), &m.item_processor.states));
                }
                _ => {}
            }
            entries.push(Entry {
                pointer,
                name,
                state,
            });
        }
    }
    entries
}

use sfn_asl::pointer::escape_segment as escape;
