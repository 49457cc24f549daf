//! Entering and leaving states; Pass, Choice, Wait, Succeed and Fail.

use serde_json::{Map, Value};
use sfn_asl::error::{
    message, STATES_DATA_LIMIT_EXCEEDED, STATES_NO_CHOICE_MATCHED, STATES_RUNTIME,
};
use sfn_asl::model::Dynamic;
use sfn_asl::model::{
    Choice, Condition, Fail, FailField, Pass, QueryLanguage, State, StateKind, Succeed, Wait,
    WaitFor,
};
use sfn_asl::path::{ast::Segment, PathRoot};
use sfn_asl::template::Evaluated;
use sfn_asl::EvalError;

use std::sync::Arc;

use sfn_asl::model::StateMachine;

use super::io::{self, Scope};
use super::types::FrameId;
use super::{Active, Block, Command, Execution, Failure, Work};
use crate::history::{io_details, EventType};
use crate::limits::SizeBound;

/// A state's output on its way out: the value with its size bound, its assignment, and which
/// of the state's transitions it takes.
pub(crate) struct Leave {
    pub(crate) output: Value,
    pub(crate) size: SizeBound,
    pub(crate) assign: Option<Map<String, Value>>,
    pub(crate) next: Next,
}

/// Which transition a state takes, named by where it is written (the name is read from the
/// definition when the state is left: nothing is copied per transition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// The state's own `Next`, or the end of the frame for `End` and Succeed.
    Own,
    /// A Choice rule's `Next`, by index; `None`: the `Default`.
    Choice(Option<usize>),
    /// A Catcher's `Next`, by index.
    Catcher(usize),
}

/// The state name a transition leads to (`None`: the end of the frame).
fn next_name(state: &State, next: Next) -> Option<&str> {
    match (next, &state.kind) {
        (Next::Own, _) => state.transition().and_then(|t| t.next()),
        (Next::Choice(Some(i)), StateKind::Choice(c)) => c.choices.get(i).map(|b| b.next.as_str()),
        (Next::Choice(None), StateKind::Choice(c)) => c.default.as_deref(),
        (Next::Catcher(i), _) => state
            .result_flow()
            .and_then(|f| f.catchers().get(i))
            .map(|c| c.next.as_str()),
        (Next::Choice(_), _) => None,
    }
}

/// What running a state's body decided.
pub(crate) enum Flow {
    /// Leave the state.
    Exit(Leave),
    /// Wait until `at` (ms), then leave.
    WaitUntil { at: u64, leave: Leave },
    /// A Fail state.
    Fail(Failure),
    /// The state blocked (task, children); the work was already scheduled.
    Blocked,
}

fn entered_type(kind: &StateKind) -> EventType {
    match kind {
        StateKind::Task(_) => EventType::TaskStateEntered,
        StateKind::Pass(_) => EventType::PassStateEntered,
        StateKind::Choice(_) => EventType::ChoiceStateEntered,
        StateKind::Wait(_) => EventType::WaitStateEntered,
        StateKind::Succeed(_) => EventType::SucceedStateEntered,
        StateKind::Fail(_) => EventType::FailStateEntered,
        StateKind::Parallel(_) => EventType::ParallelStateEntered,
        StateKind::Map(_) => EventType::MapStateEntered,
    }
}

fn exited_type(kind: &StateKind) -> Option<EventType> {
    Some(match kind {
        StateKind::Task(_) => EventType::TaskStateExited,
        StateKind::Pass(_) => EventType::PassStateExited,
        StateKind::Choice(_) => EventType::ChoiceStateExited,
        StateKind::Wait(_) => EventType::WaitStateExited,
        StateKind::Succeed(_) => EventType::SucceedStateExited,
        StateKind::Parallel(_) => EventType::ParallelStateExited,
        StateKind::Map(_) => EventType::MapStateExited,
        StateKind::Fail(_) => return None,
    })
}

impl Execution {
    /// Enters state `idx` of the frame's scope with `input`, then runs it. `machine` is
    /// `self.machine`, cloned once by the caller for a whole run of transitions (each clone is
    /// two atomic operations).
    pub(crate) fn enter(
        &mut self,
        machine: &Arc<StateMachine>,
        frame: FrameId,
        idx: usize,
        input: Value,
        size: SizeBound,
    ) {
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(states) = super::resolve_scope(machine, &f.scope) else {
            return;
        };
        let Some((name, state)) = states.get_index(idx) else {
            return;
        };
        let entered_prev = f.last_event;
        let id = self.emit_with(frame, entered_type(&state.kind), Some(&input), || {
            io_details(Some(name), "input")
        });
        let now = self.data.now;
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.active = Some(Active {
                state: idx,
                raw_input: input,
                raw_size: size,
                entered_event: id,
                entered_prev,
                entered_time: now,
                retry_counts: Vec::new(),
                retry_count: 0,
                block: Block::Running,
            });
        }
        self.execute_in(machine, frame);
    }

    /// Runs the active state's body from its raw input (first attempt and every retry).
    pub(crate) fn execute(&mut self, frame: FrameId) {
        let machine = self.machine.clone();
        self.execute_in(&machine, frame);
    }

    /// [`Execution::execute`] with `self.machine` cloned by the caller.
    fn execute_in(&mut self, machine: &Arc<StateMachine>, frame: FrameId) {
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let Some(states) = super::resolve_scope(machine, &f.scope) else {
            return;
        };
        let Some((name, state)) = states.get_index(active.state) else {
            return;
        };
        let lang = machine.effective_language(state);
        let retry = matches!(state.kind, StateKind::Task(_)).then_some(active.retry_count);
        self.set_state_context_to(frame, name, active.entered_time, retry);
        let flow = match &state.kind {
            StateKind::Task(t) => self.start_task(frame, t, lang),
            StateKind::Parallel(p) => self.start_parallel(frame, p, lang),
            StateKind::Map(m) => self.start_map(frame, m, lang),
            kind => {
                // Pass, Choice, Wait, Succeed and Fail are never retried: the raw input moves,
                // and comes back if the state fails (a redrive runs it again with it). A Wait
                // keeps a copy while it waits, for the same reason.
                let keep = matches!(kind, StateKind::Wait(_));
                let (raw, raw_size) = self
                    .data
                    .frames
                    .get_mut(&frame)
                    .and_then(|f| f.active.as_mut())
                    .map(|a| {
                        let raw = if keep {
                            a.raw_input.clone()
                        } else {
                            std::mem::take(&mut a.raw_input)
                        };
                        (raw, a.raw_size)
                    })
                    .unwrap_or_default();
                let mut members = std::mem::take(&mut self.members);
                let scope = self.scope(frame);
                let now = self.data.now;
                let limit = self.data.config.max_payload_bytes;
                let mut raw = (raw, raw_size);
                let flow = match kind {
                    StateKind::Pass(p) => pass(&scope, p, lang, &mut raw, limit, &mut members),
                    StateKind::Choice(c) => choice(&scope, c, lang, &mut raw),
                    StateKind::Wait(w) => wait(&scope, w, lang, &mut raw, now),
                    StateKind::Succeed(s) => succeed(&scope, s, lang, &mut raw),
                    StateKind::Fail(fl) => fail(&scope, fl, lang, &raw.0),
                    _ => Ok(Flow::Blocked),
                };
                self.members = members;
                if !keep && matches!(flow, Err(_) | Ok(Flow::Fail(_))) {
                    if let Some(a) = self
                        .data
                        .frames
                        .get_mut(&frame)
                        .and_then(|f| f.active.as_mut())
                    {
                        a.raw_input = raw.0;
                    }
                }
                flow
            }
        };
        self.apply_flow_in(machine, frame, flow);
    }

    pub(crate) fn apply_flow(&mut self, frame: FrameId, flow: Result<Flow, EvalError>) {
        let machine = self.machine.clone();
        self.apply_flow_in(&machine, frame, flow);
    }

    /// [`Execution::apply_flow`] with `self.machine` cloned by the caller.
    #[inline]
    fn apply_flow_in(
        &mut self,
        machine: &Arc<StateMachine>,
        frame: FrameId,
        flow: Result<Flow, EvalError>,
    ) {
        match flow {
            Ok(Flow::Exit(leave)) => self.exit_to_in(machine, frame, leave),
            Ok(Flow::WaitUntil { at, leave }) if at <= self.data.now => {
                self.exit_to_in(machine, frame, leave)
            }
            Ok(Flow::WaitUntil { at, leave }) => {
                let timer_id = self.new_timer_id();
                self.data.timers.insert(timer_id, frame);
                if let Some(a) = self
                    .data
                    .frames
                    .get_mut(&frame)
                    .and_then(|f| f.active.as_mut())
                {
                    a.block = Block::Wait {
                        timer_id,
                        output: leave.output,
                        size: leave.size,
                        assign: leave.assign,
                    };
                }
                self.out.commands.push(Command::StartTimer { timer_id, at });
            }
            Ok(Flow::Fail(failure)) => self.fail_state(frame, failure),
            Ok(Flow::Blocked) => {}
            Err(e) => {
                let failure = self.eval_failure(frame, e);
                self.fail_state(frame, failure);
            }
        }
    }

    /// Leaves the active state after a Wait timer, to the state's own transition.
    pub(crate) fn exit_state(
        &mut self,
        frame: FrameId,
        output: Value,
        size: SizeBound,
        assign: Option<Map<String, Value>>,
    ) {
        let leave = Leave {
            output,
            size,
            assign,
            next: Next::Own,
        };
        self.exit_to(frame, leave);
    }

    /// Leaves the active state: size check, `…StateExited`, variables, then `next` or the
    /// end of the frame.
    pub(crate) fn exit_to(&mut self, frame: FrameId, leave: Leave) {
        let machine = self.machine.clone();
        self.exit_to_in(&machine, frame, leave);
    }

    /// The `…StateExited` event of a state leaving with `output` and `assign`.
    fn emit_exited(
        &mut self,
        frame: FrameId,
        state: &State,
        name: &str,
        output: &Value,
        assign: Option<&Map<String, Value>>,
    ) {
        let Some(ty) = exited_type(&state.kind) else {
            return;
        };
        self.emit_with(frame, ty, Some(output), || {
            let mut d = io_details(Some(name), "output");
            if let (Some(assign), Value::Object(m)) = (assign.filter(|a| !a.is_empty()), &mut d) {
                let vars: Map<String, Value> = assign
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                    .collect();
                m.insert("assignedVariables".into(), Value::Object(vars));
                m.insert(
                    "assignedVariablesDetails".into(),
                    serde_json::json!({"truncated": false}),
                );
            }
            d
        });
    }

    /// [`Execution::exit_to`] with `self.machine` cloned by the caller.
    #[inline]
    fn exit_to_in(&mut self, machine: &Arc<StateMachine>, frame: FrameId, leave: Leave) {
        let Leave {
            output,
            size,
            assign,
            next,
        } = leave;
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let Some(states) = super::resolve_scope(machine, &f.scope) else {
            return;
        };
        let Some((name, state)) = states.get_index(active.state) else {
            return;
        };
        let following = active.state + 1;
        let limit = self.data.config.max_payload_bytes;
        let Some(size) = crate::limits::fits(&output, size, limit) else {
            let cause = message::data_limit_exceeded(name);
            self.fail_state(frame, Failure::new(STATES_DATA_LIMIT_EXCEEDED, cause));
            return;
        };
        let vars_bytes = match assign.as_ref().map(|a| self.check_assign(frame, name, a)) {
            Some(Err(failure)) => {
                // Not a failure of the state's work: no Retrier or Catcher applies.
                self.stash(frame);
                if let Some(f) = self.data.frames.get_mut(&frame) {
                    f.active = None;
                }
                self.frame_end(frame, Err(failure));
                return;
            }
            Some(Ok(bytes)) => Some(bytes),
            None => None,
        };
        self.emit_exited(frame, state, name, &output, assign.as_ref());
        // States are usually written in the order they run: the one after the active state is
        // tried first, which compares one name instead of hashing it.
        let next_idx = match next_name(state, next) {
            Some(n) => match states
                .get_index(following)
                .filter(|(k, _)| k.as_str() == n)
                .map(|_| following)
                .or_else(|| states.get_index_of(n))
            {
                Some(i) => Some(i),
                None => {
                    let failure = Failure::new(
                        STATES_RUNTIME,
                        format!("The state '{name}' transitions to '{n}', which does not exist."),
                    );
                    self.stash(frame);
                    if let Some(f) = self.data.frames.get_mut(&frame) {
                        f.active = None;
                    }
                    self.frame_end(frame, Err(failure));
                    return;
                }
            },
            None => None,
        };
        if let Some(f) = self.data.frames.get_mut(&frame) {
            f.active = None;
            if let Some(assign) = assign {
                f.vars.extend(assign);
            }
            if let Some(bytes) = vars_bytes {
                f.vars_bytes = bytes;
            }
        }
        match next_idx {
            Some(state) => self.queue.push_front(Work::Enter {
                frame,
                state,
                input: output,
                size: Some(size),
            }),
            None => self.frame_end(frame, Ok(output)),
        }
    }
}

/// A raw input with its size bound.
type Raw = (Value, SizeBound);

/// A Pass state. `raw` is borrowed, not moved in: a Pass chain changes it in place and moves
/// it once, into its output (copying a value between frames right after writing it stalls).
fn pass(
    scope: &Scope<'_>,
    p: &Pass,
    lang: QueryLanguage,
    raw: &mut Raw,
    limit: usize,
    members: &mut Vec<Value>,
) -> Result<Flow, EvalError> {
    if lang == QueryLanguage::Jsonata {
        let assign = match &p.assign {
            Some(t) => Some(io::eval_assign(scope, t, &raw.0, &raw.0, None, None)?),
            None => None,
        };
        let (output, size) = match &p.output {
            Some(t) => (t.eval(&scope.jsonata(&raw.0, None, None), "Output")?, None),
            None => std::mem::take(raw),
        };
        return Ok(Flow::Exit(Leave {
            output,
            size,
            assign,
            next: Next::Own,
        }));
    }
    if let Some(done) = pass_in_place(scope, p, raw, limit, members) {
        done?;
        let (output, size) = std::mem::take(raw);
        return Ok(Flow::Exit(Leave {
            output,
            size,
            assign: None,
            next: Next::Own,
        }));
    }
    let effective = io::input_path(scope, &p.input_path, &raw.0)?;
    let (result, result_size) = match (&p.result, &p.parameters) {
        (Some(r), _) => (r.clone(), None),
        (None, Some(params)) => (io::template(scope, params, &effective)?, None),
        (None, None) => (
            effective.into_owned(),
            io::selected_size(&p.input_path, raw.1),
        ),
    };
    // A new result is usually small next to the input it is written into: measuring it keeps
    // the output's bound, so the output itself is not walked. (A walk stopped at the limit
    // gives a count over it, so the bound then fails and the output is measured.)
    let result_size = result_size.or_else(|| Some(crate::limits::json_size(&result, limit)));
    let assign = match &p.assign {
        Some(t) => Some(io::eval_assign(scope, t, &result, &raw.0, None, None)?),
        None => None,
    };
    // The input moves into the output from here (a failure past this point loses it).
    let (raw, raw_size) = std::mem::take(raw);
    let size = io::result_path_size(&p.result_path, raw_size, result_size);
    let output = io::apply_result_path(&p.result_path, raw, result).map_err(|e| e.1)?;
    let output = io::output_path(scope, &p.output_path, output)?;
    Ok(Flow::Exit(Leave {
        output,
        size: io::selected_size(&p.output_path, size),
        assign,
        next: Next::Own,
    }))
}

/// The Pass state most chains are made of: `Parameters`, `ResultPath: $.member`, no `Result`
/// or `Assign`, over an object. Its new result is written over the previous one in place,
/// reusing its allocations when it has the same keys, and `raw` becomes the state's output
/// with its bound. `None` when the state is not of that shape (`raw` is then untouched).
fn pass_in_place(
    scope: &Scope<'_>,
    p: &Pass,
    raw: &mut Raw,
    limit: usize,
    members: &mut Vec<Value>,
) -> Option<Result<(), EvalError>> {
    let (None, Some(params), None, Some(Some(path))) =
        (&p.result, &p.parameters, &p.assign, &p.result_path)
    else {
        return None;
    };
    let ([Segment::Name(member)], PathRoot::Input, true) =
        (path.segments(), path.root(), raw.0.is_object())
    else {
        return None;
    };
    // `InputPath` absent or `$` (the usual case) reads the input where it is.
    let selected;
    let effective = match &p.input_path {
        None => &raw.0,
        Some(Some(ip)) if ip.is_root() => &raw.0,
        Some(_) => match io::input_path(scope, &p.input_path, &raw.0) {
            Ok(v) => {
                selected = v.into_owned();
                &selected
            }
            Err(e) => return Some(Err(e)),
        },
    };
    let parts = match params.eval_parts(&scope.env(effective), members) {
        Ok(parts) => parts,
        Err(e) => return Some(Err(e)),
    };
    // Only what the template read from the input is measured (its constant parts were
    // measured when it was compiled).
    let result_size = Some(parts.json_size(|v| crate::limits::json_size(v, limit)));
    let size = io::result_path_size(&p.result_path, raw.1, result_size);
    raw.1 = io::selected_size(&p.output_path, size);
    Some(write_in_place(scope, p, &mut raw.0, parts, member))
}

/// The write of a [`pass_in_place`] Pass, then `OutputPath`, in place.
fn write_in_place(
    scope: &Scope<'_>,
    p: &Pass,
    raw: &mut Value,
    parts: Evaluated<'_, '_>,
    member: &str,
) -> Result<(), EvalError> {
    match &mut *raw {
        Value::Object(members) => match sfn_asl::path::member_mut(members, member) {
            Some(slot) => parts.write_into(slot),
            None => {
                members.insert(member.to_owned(), parts.into_value());
            }
        },
        // Not reached (`pass_in_place` checked that the input is an object); written the
        // general way all the same.
        other => {
            let written =
                io::apply_result_path(&p.result_path, std::mem::take(other), parts.into_value());
            *other = written.map_err(|e| e.1)?;
        }
    }
    if p.output_path.is_some() {
        *raw = io::output_path(scope, &p.output_path, std::mem::take(raw))?;
    }
    Ok(())
}

fn choice(
    scope: &Scope<'_>,
    c: &Choice,
    lang: QueryLanguage,
    input: &mut Raw,
) -> Result<Flow, EvalError> {
    let (raw, raw_size) = (&input.0, input.1);
    // Rules read the input in place; a copy is made only when `InputPath` selects a part.
    let effective = match lang {
        QueryLanguage::JsonPath => io::input_path(scope, &c.input_path, raw)?,
        QueryLanguage::Jsonata => std::borrow::Cow::Borrowed(raw),
    };
    let matched =
        first_match(scope, c, &effective, raw)?.and_then(|i| c.choices.get(i).map(|b| (i, b)));
    let (assign_t, output_t, next) = match matched {
        Some((i, b)) => (b.assign.as_ref(), b.output.as_ref(), Next::Choice(Some(i))),
        None => (c.assign.as_ref(), c.output.as_ref(), Next::Choice(None)),
    };
    // AWS names a rule's fields by index in `EvaluationFailed.location`.
    let prefix = || match matched {
        Some((i, _)) => format!("Choices[{i}]/"),
        None => String::new(),
    };
    if matched.is_none() && c.default.is_none() {
        return Err(EvalError {
            error: STATES_NO_CHOICE_MATCHED.into(),
            cause: "No Matches!".into(),
            location: None,
        });
    };
    let assign = match assign_t {
        Some(t) => {
            let location = format!("{}Assign", prefix());
            Some(io::eval_assign_at(
                scope, t, &effective, raw, None, None, &location,
            )?)
        }
        None => None,
    };
    let (output, size) = match lang {
        QueryLanguage::JsonPath => {
            let size = io::selected_size(&c.input_path, raw_size);
            let effective = match effective {
                std::borrow::Cow::Owned(v) => v,
                std::borrow::Cow::Borrowed(_) => std::mem::take(&mut input.0),
            };
            let output = io::output_path(scope, &c.output_path, effective)?;
            (output, io::selected_size(&c.output_path, size))
        }
        QueryLanguage::Jsonata => match output_t {
            Some(t) => {
                let location = format!("{}Output", prefix());
                (t.eval(&scope.jsonata(raw, None, None), &location)?, None)
            }
            None => std::mem::take(input),
        },
    };
    Ok(Flow::Exit(Leave {
        output,
        size,
        assign,
        next,
    }))
}

/// The index of the first Choice rule that matches, if any.
fn first_match(
    scope: &Scope<'_>,
    c: &Choice,
    effective: &Value,
    raw: &Value,
) -> Result<Option<usize>, EvalError> {
    for (i, branch) in c.choices.iter().enumerate() {
        let hit = match &branch.condition {
            Condition::JsonPath(rule) => rule.eval(&scope.env(effective))?,
            Condition::Jsonata(t) => {
                // AWS names a rule's fields by index in `EvaluationFailed.location`.
                let location = format!("Choices[{i}]/Condition");
                match t.eval(&scope.jsonata(raw, None, None), &location)? {
                    Value::Bool(b) => b,
                    other => {
                        return Err(EvalError::query(
                            format!(
                                "The Condition field evaluated to a non-boolean value: {other}"
                            ),
                            Some(location),
                        ))
                    }
                }
            }
        };
        if hit {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn wait(
    scope: &Scope<'_>,
    w: &Wait,
    lang: QueryLanguage,
    input: &mut Raw,
    now: u64,
) -> Result<Flow, EvalError> {
    let (raw, raw_size) = (&input.0, input.1);
    let effective = match lang {
        QueryLanguage::JsonPath => io::input_path(scope, &w.input_path, raw)?,
        QueryLanguage::Jsonata => std::borrow::Cow::Borrowed(raw),
    };
    let at = wait_until(scope, w, &effective, raw, now)?;
    // AWS keeps a wait's delay in a signed 32-bit count of seconds.
    if at.saturating_sub(now) > u64::from(i32::MAX.unsigned_abs()) * 1000 {
        return Err(EvalError::runtime("Wait state delay is too long."));
    }
    let assign = match &w.assign {
        Some(t) => Some(io::eval_assign(scope, t, &effective, raw, None, None)?),
        None => None,
    };
    let (output, size) = match lang {
        QueryLanguage::JsonPath => {
            let size = io::selected_size(&w.input_path, raw_size);
            let effective = match effective {
                std::borrow::Cow::Owned(v) => v,
                std::borrow::Cow::Borrowed(_) => std::mem::take(&mut input.0),
            };
            let output = io::output_path(scope, &w.output_path, effective)?;
            (output, io::selected_size(&w.output_path, size))
        }
        QueryLanguage::Jsonata => match &w.output {
            Some(t) => (t.eval(&scope.jsonata(raw, None, None), "Output")?, None),
            None => std::mem::take(input),
        },
    };
    Ok(Flow::WaitUntil {
        at,
        leave: Leave {
            output,
            size,
            assign,
            next: Next::Own,
        },
    })
}

/// When a Wait state ends (ms since the epoch), from `Seconds`/`Timestamp` or their `…Path`.
fn wait_until(
    scope: &Scope<'_>,
    w: &Wait,
    effective: &Value,
    raw: &Value,
    now: u64,
) -> Result<u64, EvalError> {
    Ok(match &w.wait_for {
        WaitFor::Seconds(Dynamic::Path(p)) => {
            let env = scope.env(effective);
            let v = p.select(&env).map_err(|_| {
                EvalError::runtime(format!(
                    "The SecondsPath parameter does not reference an input value: {}",
                    p.source()
                ))
            })?;
            let secs = match v.as_ref() {
                Value::Number(n) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
                Value::Number(n) if n.as_i64().is_some() => {
                    return Err(EvalError::runtime(format!(
                        "The SecondsPath parameter references a negative value: {} == {n}",
                        p.source()
                    )))
                }
                other => {
                    return Err(EvalError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.source(),
                        io::value_text(other)
                    )))
                }
            };
            now.saturating_add(secs.saturating_mul(1000))
        }
        WaitFor::Seconds(d) => {
            now.saturating_add(io::dynamic_u64(scope, d, raw, "Seconds")?.saturating_mul(1000))
        }
        WaitFor::Timestamp(Dynamic::Literal(s)) => parse_timestamp(s)
            .ok_or_else(|| EvalError::runtime(message::timestamp_unparsable(s)))?,
        WaitFor::Timestamp(Dynamic::Path(p)) => {
            let env = scope.env(effective);
            let v = p.select(&env).map_err(|_| {
                EvalError::runtime(format!(
                    "The TimestampPath parameter does not reference an input value: {}",
                    p.source()
                ))
            })?;
            let text = io::value_text(&v);
            v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                EvalError::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {text}",
                    p.source()
                ))
            })?
        }
        WaitFor::Timestamp(Dynamic::Jsonata(j)) => {
            let v = j.eval(&scope.jsonata(raw, None, None), "Timestamp")?;
            v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                EvalError::query(
                    message::timestamp_unparsable(&io::value_text(&v)),
                    Some("Timestamp".into()),
                )
            })?
        }
    })
}

/// An RFC 3339 timestamp with an uppercase `T` and a zone, in ms since the epoch (0 for
/// instants before 1970: they are in the past anyway).
pub(crate) fn parse_timestamp(s: &str) -> Option<u64> {
    if s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    Some(u64::try_from(t.timestamp_millis()).unwrap_or(0))
}

fn succeed(
    scope: &Scope<'_>,
    s: &Succeed,
    lang: QueryLanguage,
    input: &mut Raw,
) -> Result<Flow, EvalError> {
    let (output, size) = match lang {
        QueryLanguage::JsonPath => {
            let size = io::selected_size(&s.input_path, input.1);
            let effective = match io::input_path(scope, &s.input_path, &input.0)? {
                std::borrow::Cow::Owned(v) => v,
                std::borrow::Cow::Borrowed(_) => std::mem::take(&mut input.0),
            };
            let output = io::output_path(scope, &s.output_path, effective)?;
            (output, io::selected_size(&s.output_path, size))
        }
        QueryLanguage::Jsonata => match &s.output {
            Some(t) => (
                t.eval(&scope.jsonata(&input.0, None, None), "Output")?,
                None,
            ),
            None => std::mem::take(input),
        },
    };
    Ok(Flow::Exit(Leave {
        output,
        size,
        assign: None,
        next: Next::Own,
    }))
}

fn fail(scope: &Scope<'_>, f: &Fail, _lang: QueryLanguage, raw: &Value) -> Result<Flow, EvalError> {
    let field = |field: &Option<FailField>, name: &str| -> Result<Option<String>, EvalError> {
        Ok(match field {
            None => None,
            Some(FailField::Literal(s)) => Some(s.clone()),
            Some(FailField::Path(expr)) => {
                let field = format!("{name}Path");
                match expr.eval(&scope.env(raw), &field)? {
                    Value::String(s) => Some(s),
                    other => {
                        return Err(EvalError::runtime(message::fail_path_not_a_string(
                            expr.source(),
                            &field,
                            &other,
                        )))
                    }
                }
            }
            Some(FailField::Jsonata(j)) => match j.eval(&scope.jsonata(raw, None, None), name)? {
                Value::String(s) => Some(s),
                other => return Err(j.unexpected_type(name, "string", &other)),
            },
        })
    };
    let error = field(&f.error, "Error")?;
    let cause = field(&f.cause, "Cause")?;
    Ok(Flow::Fail(Failure {
        error,
        cause,
        heartbeat: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_need_t_and_zone() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_timestamp("1970-01-01T01:00:01+01:00"), Some(1000));
        assert_eq!(parse_timestamp("2016-12-05 21:29:29Z"), None);
        assert_eq!(parse_timestamp("2016-12-05T21:29:29"), None);
        assert_eq!(parse_timestamp("2016-13-05T21:29:29Z"), None);
    }
}
