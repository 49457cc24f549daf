//! Which state a TestState run tests: a name at any depth (a Parallel branch, a Map's
//! ItemProcessor), or the JSON pointer of the state, as validation findings spell locations
//! (`/States/Fulfil/Branches/1/States/Pack`).

use sfn_asl::model::{NestedScope, State};
use sfn_asl::pointer::escape_segment as escape;
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
    let mut scopes = definition.scopes();
    // `scopes()` lists each scope before the ones inside it; a stable sort by depth keeps
    // that order within a level, so shallower states are listed (and matched) first.
    scopes.sort_by_key(NestedScope::depth);
    scopes
        .iter()
        .flat_map(|s| {
            s.scope.states.iter().map(|(name, state)| Entry {
                pointer: format!("{}/States/{}", s.pointer, escape(name)),
                name,
                state,
            })
        })
        .collect()
}
