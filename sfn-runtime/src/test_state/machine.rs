//! The machine a TestState run executes: the tested state, its transitions pointed at
//! stand-in `Succeed` states, and the way back from a stand-in to the state it stands for.

use std::collections::HashMap;

use serde_json::Value;
use sfn_asl::model::{Catcher, DataFlow, State, StateKind, States, Succeed, Task, Transition};
use sfn_asl::StateMachine;

use crate::history::HistoryEvent;

/// The machine that runs `state` (named `state_name`, from `definition`) once, with its stand-ins.
pub(super) fn one_state_machine(
    definition: &StateMachine,
    state_name: &str,
    mut state: State,
) -> (StateMachine, StandIns) {
    let stand_ins = StandIns::redirect(&mut state, state_name);
    let mut states = States::default();
    states.insert(state_name.to_owned(), state);
    for name in stand_ins.names() {
        states.insert(name, stand_in_state());
    }
    let machine = StateMachine {
        comment: None,
        version: None,
        timeout_seconds: None,
        query_language: definition.query_language,
        start_at: state_name.to_owned(),
        states,
    };
    (machine, stand_ins)
}

/// The state as it runs with a mock: a Task as is, a Map or Parallel as a Task with the same
/// data flow, Retry and Catch whose result the mock gives. `Err` holds the type of a state
/// that calls nothing.
pub(super) fn mocked_form(state: State) -> Result<State, &'static str> {
    let task = |flow: DataFlow, transition| Task {
        resource: "arn:aws:states:::mock".into(),
        parameters: None,
        arguments: None,
        timeout_seconds: None,
        heartbeat_seconds: None,
        credentials: None,
        flow,
        transition,
    };
    let kind = match state.kind {
        StateKind::Task(t) => StateKind::Task(t),
        StateKind::Parallel(p) => StateKind::Task(Box::new(task(p.flow, p.transition))),
        StateKind::Map(m) => StateKind::Task(Box::new(task(m.flow, m.transition))),
        other => return Err(other.type_name()),
    };
    Ok(State { kind, ..state })
}

/// A state the tested state can go to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Target {
    /// Its name in the definition.
    pub(super) name: String,
    /// Reached through a Catcher.
    pub(super) caught: bool,
}

/// The stand-in states of one test, by index: stand-in `i` is named `{PREFIX}{i}`, a name no
/// definition state can collide with but the tested state itself (checked).
#[derive(Debug, Default)]
pub(super) struct StandIns {
    prefix: String,
    targets: Vec<Target>,
}

impl StandIns {
    /// Points every transition of `state` at a stand-in and records where it pointed.
    fn redirect(state: &mut State, state_name: &str) -> StandIns {
        let mut prefix = String::from("\u{0}next ");
        while state_name.starts_with(&prefix) {
            prefix.push('\u{0}');
        }
        let mut s = StandIns {
            prefix,
            targets: Vec::new(),
        };
        match &mut state.kind {
            StateKind::Task(t) => {
                s.transition(&mut t.transition);
                s.catchers(&mut t.flow.catch);
            }
            StateKind::Parallel(p) => {
                s.transition(&mut p.transition);
                s.catchers(&mut p.flow.catch);
            }
            StateKind::Map(m) => {
                s.transition(&mut m.transition);
                s.catchers(&mut m.flow.catch);
            }
            StateKind::Pass(p) => s.transition(&mut p.transition),
            StateKind::Wait(w) => s.transition(&mut w.transition),
            StateKind::Choice(c) => {
                for branch in &mut c.choices {
                    branch.next = s.stand_in(&branch.next, false);
                }
                if let Some(d) = &mut c.default {
                    *d = s.stand_in(d, false);
                }
            }
            StateKind::Succeed(_) | StateKind::Fail(_) => {}
        }
        s
    }

    fn catchers(&mut self, catch: &mut Option<Vec<Catcher>>) {
        for c in catch.iter_mut().flatten() {
            c.next = self.stand_in(&c.next, true);
        }
    }

    fn transition(&mut self, t: &mut Transition) {
        if let Transition::Next(n) = t {
            *n = self.stand_in(n, false);
        }
    }

    /// The stand-in name for `name` reached normally or through a Catcher.
    fn stand_in(&mut self, name: &str, caught: bool) -> String {
        let target = Target {
            name: name.to_owned(),
            caught,
        };
        let index = match self.targets.iter().position(|t| *t == target) {
            Some(i) => i,
            None => {
                self.targets.push(target);
                self.targets.len() - 1
            }
        };
        format!("{}{index}", self.prefix)
    }

    fn names(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.targets.len()).map(|i| format!("{}{i}", self.prefix))
    }

    /// The stand-in the execution entered (its event's position in `history`), if any.
    pub(super) fn entered<'a>(&'a self, history: &[HistoryEvent]) -> Option<(usize, &'a Target)> {
        let by_name: HashMap<String, &Target> = self.names().zip(&self.targets).collect();
        history.iter().enumerate().rev().find_map(|(i, e)| {
            let name = e.details.get("name")?.as_str()?;
            by_name.get(name).map(|t| (i, *t))
        })
    }
}

/// A stand-in target: `Succeed` passes its input on, so the execution output is the tested
/// state's output.
fn stand_in_state() -> State {
    State {
        comment: None,
        query_language: None,
        kind: StateKind::Succeed(Box::new(Succeed {
            input_path: None,
            output_path: None,
            output: None,
        })),
    }
}

/// The error and cause a Catcher took: from the last failure event before the catch, else from
/// the error output (`{"Error", "Cause"}`) when the Catcher kept it whole.
pub(super) fn caught_failure(
    before: &[HistoryEvent],
    output: Option<&Value>,
) -> (Option<String>, Option<String>) {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(d) = before
        .iter()
        .rev()
        .map(|e| &e.details)
        .find(|d| d.get("error").is_some_and(Value::is_string))
    {
        return (text(d, "error"), text(d, "cause"));
    }
    match output {
        Some(o) => (text(o, "Error"), text(o, "Cause")),
        None => (None, None),
    }
}
