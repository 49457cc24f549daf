//! `RedriveExecution` through a distributed Map, in the core: the Map Run is redriven, not run
//! again. Standard child executions that did not succeed are redriven from the state that
//! failed (same ARN, `ExecutionRedriven` in their own history); Express ones start again from
//! the first state; the ones that succeeded keep their results and do not run again.
//!
//! A small driver answers the core's commands with a Rust task handler that counts its calls per
//! item, and serializes and restores the execution between events (what a store does).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{machine, START_MS};
use serde_json::{json, Value};
use sfn_asl::StateMachine;
use sfn_runtime::execution::{Command, Event, Execution, ExecutionConfig, ExecutionData, Step};
use sfn_runtime::history::{EventType, HistoryEvent};
use sfn_runtime::Status;

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

/// A task handler: the task input, and whether the service is down.
type Handler = fn(&Value, bool) -> Result<Value, (&'static str, String)>;

/// Fails items with `"flaky": true` while the service is down; echoes the rest.
fn flaky(input: &Value, down: bool) -> Result<Value, (&'static str, String)> {
    if down && input["flaky"] == json!(true) {
        return Err(("Work.Down", format!("item {} failed", input["n"])));
    }
    Ok(json!({"done": input["n"]}))
}

/// Drives one execution to its end, as the engine would, restoring it from its serialized
/// state before every event.
struct Driver {
    machine: Arc<StateMachine>,
    state: String,
    now: u64,
    handler: Handler,
    down: bool,
    /// Task invocations per item `n`.
    calls: BTreeMap<i64, usize>,
    history: Vec<HistoryEvent>,
    /// Child histories by execution ARN, in start order of their first event.
    children: Vec<(String, Vec<HistoryEvent>)>,
    timers: Vec<(u64, Event)>,
    /// What an `ItemReader` reads (`Err`: the cause it fails with), and how often it was read.
    reader: Result<Vec<Value>, String>,
    reads: usize,
    /// The files a `ResultWriter` wrote, by key.
    written: BTreeMap<String, Value>,
}

impl Driver {
    fn new(definition: Value, handler: Handler) -> Self {
        let machine = machine(definition);
        let exec = Execution::new(machine.clone(), ExecutionConfig::new("m", "run"));
        Driver {
            machine,
            state: serde_json::to_string(exec.snapshot()).expect("serializes"),
            now: START_MS,
            handler,
            down: true,
            calls: BTreeMap::new(),
            history: Vec::new(),
            children: Vec::new(),
            timers: Vec::new(),
            reader: Ok(Vec::new()),
            reads: 0,
            written: BTreeMap::new(),
        }
    }

    fn restore(&self) -> Execution {
        let data: ExecutionData = serde_json::from_str(&self.state).expect("reads back");
        Execution::restore(self.machine.clone(), data)
    }

    fn status(&self) -> Status {
        self.restore().status()
    }

    /// Feeds `event` and everything its commands lead to, until nothing is left to do.
    fn run(&mut self, event: Event) {
        let mut queue = vec![event];
        while let Some(event) = queue.pop() {
            let mut exec = self.restore();
            let step = exec.handle(event);
            self.state = serde_json::to_string(exec.snapshot()).expect("serializes");
            queue.extend(self.record(step).into_iter().rev());
            if queue.is_empty() && !self.timers.is_empty() {
                self.timers.sort_by_key(|(at, _)| *at);
                let (at, event) = self.timers.remove(0);
                self.now = self.now.max(at);
                queue.push(event);
            }
        }
    }

    /// Keeps the step's events; answers its commands (the answers, in order).
    fn record(&mut self, step: Step) -> Vec<Event> {
        self.history.extend(step.events);
        for e in step.child_events {
            match self
                .children
                .iter_mut()
                .find(|(a, _)| *a == e.execution_arn)
            {
                Some((_, h)) => h.push(e.event),
                None => self.children.push((e.execution_arn, vec![e.event])),
            }
        }
        let mut answers = Vec::new();
        let now = self.now;
        for command in step.commands {
            match command {
                Command::InvokeTask(t) => {
                    let n = t.input["n"].as_i64().unwrap_or(-1);
                    *self.calls.entry(n).or_default() += 1;
                    answers.push(match (self.handler)(&t.input, self.down) {
                        Ok(output) => Event::TaskSucceeded {
                            task_id: t.task_id,
                            output,
                            now,
                        },
                        Err((error, cause)) => Event::TaskFailed {
                            task_id: t.task_id,
                            error: Some(error.into()),
                            cause: Some(cause),
                            now,
                        },
                    });
                }
                Command::StartTimer { timer_id, at } => {
                    self.timers
                        .push((at, Event::TimerFired { timer_id, now: at }));
                }
                Command::ReadItems(request) => {
                    self.reads += 1;
                    answers.push(Event::ItemsRead {
                        request_id: request.request_id,
                        result: self.reader.clone(),
                        now,
                    });
                }
                Command::WriteResults(request) => {
                    for (key, body) in request.files {
                        let body = serde_json::from_slice(&body).expect("JSON files");
                        self.written.insert(key, body);
                    }
                    answers.push(Event::ResultsWritten {
                        request_id: request.request_id,
                        result: Ok(()),
                        now,
                    });
                }
                Command::CancelTimer { timer_id } => self.timers.retain(
                    |(_, e)| !matches!(e, Event::TimerFired { timer_id: t, .. } if *t == timer_id),
                ),
                _ => {}
            }
        }
        answers
    }

    fn take_calls(&mut self) -> BTreeMap<i64, usize> {
        std::mem::take(&mut self.calls)
    }
}

fn types(history: &[HistoryEvent]) -> Vec<EventType> {
    history.iter().map(|e| e.event_type).collect()
}

/// A distributed Map over `$.items` running one Task, plus `extra` fields.
fn dmap(execution_type: &str, extra: Value) -> Value {
    let mut map = json!({"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": WORK, "End": true}}}});
    if let (Value::Object(m), Value::Object(e)) = (&mut map, extra) {
        m.extend(e);
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

fn items(flaky: &[i64], n: i64) -> Value {
    let items: Vec<Value> = (1..=n)
        .map(|i| json!({"n": i, "flaky": flaky.contains(&i)}))
        .collect();
    json!({"items": items})
}

/// The Map Run ARN of a parent history's `MapRunStarted`.
fn map_run_arn(history: &[HistoryEvent]) -> Value {
    let started = history
        .iter()
        .find(|e| e.event_type == EventType::MapRunStarted)
        .expect("a Map Run started");
    started.details["mapRunArn"].clone()
}

/// The output of a finished execution, from its `ExecutionSucceeded`.
fn output(d: &Driver) -> Value {
    let last = d.history.last().expect("events");
    assert_eq!(last.event_type, EventType::ExecutionSucceeded);
    let data = last.data.as_ref().expect("an output");
    serde_json::from_str(&data.text).expect("JSON")
}

/// The child execution of item `n` (children start in item order with MaxConcurrency 1).
fn child(d: &Driver, n: usize) -> &[HistoryEvent] {
    &d.children[n - 1].1
}

#[test]
fn only_the_unsuccessful_standard_children_run_again_in_the_same_map_run() {
    let definition = dmap(
        "STANDARD",
        json!({"MaxConcurrency": 1, "ToleratedFailureCount": 1}),
    );
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input: items(&[2, 4], 5),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    // Item 2's failure was tolerated, item 4's was one too many; item 5 never started.
    assert_eq!(
        d.take_calls(),
        BTreeMap::from([(1, 1), (2, 1), (3, 1), (4, 1)])
    );
    let failed_len = d.history.len();
    let kept: Vec<Vec<HistoryEvent>> = d.children.iter().map(|(_, h)| h.clone()).collect();
    assert_eq!(kept.len(), 4);

    d.down = false;
    d.now += 60_000;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(
        d.take_calls(),
        BTreeMap::from([(2, 1), (4, 1), (5, 1)]),
        "items 1 and 3 succeeded: they do not run again"
    );
    assert_eq!(
        output(&d),
        json!([{"done": 1}, {"done": 2}, {"done": 3}, {"done": 4}, {"done": 5}]),
        "kept and new results, in item order"
    );

    // The parent: the same Map Run, redriven; the Map state is not entered again.
    let after = &d.history[failed_len..];
    assert_eq!(
        types(after),
        vec![
            EventType::ExecutionRedriven,
            EventType::MapRunRedriven,
            EventType::MapRunSucceeded,
            EventType::MapStateSucceeded,
            EventType::MapStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    let redriven = &after[1];
    assert_eq!(
        redriven.details,
        json!({"mapRunArn": map_run_arn(&d.history), "redriveCount": 1})
    );
    assert_eq!(redriven.previous_event_id, after[0].id);
    assert_eq!(after[2].previous_event_id, redriven.id);
    for (i, e) in d.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
    }

    // The children: one execution per item, the failed ones redriven in their own history.
    assert_eq!(d.children.len(), 5);
    for n in [1, 3] {
        assert_eq!(child(&d, n), &kept[n - 1][..], "item {n} is untouched");
    }
    for n in [2, 4] {
        let h = child(&d, n);
        assert_eq!(
            &h[..kept[n - 1].len()],
            &kept[n - 1][..],
            "its history goes on"
        );
        let again = &h[kept[n - 1].len()..];
        assert_eq!(
            types(again),
            vec![
                EventType::ExecutionRedriven,
                EventType::TaskStateEntered,
                EventType::LambdaFunctionScheduled,
                EventType::LambdaFunctionStarted,
                EventType::LambdaFunctionSucceeded,
                EventType::TaskStateExited,
                EventType::ExecutionSucceeded,
            ],
            "item {n}"
        );
        assert_eq!(again[0].details, json!({"redriveCount": 1}));
        assert_eq!(again[0].previous_event_id, again[0].id - 1);
        assert_eq!(again[1].previous_event_id, again[0].id);
        assert_eq!(again[0].timestamp, d.now);
    }
    assert_eq!(
        types(child(&d, 5))[..2],
        [EventType::ExecutionStarted, EventType::TaskStateEntered],
        "item 5 starts for the first time"
    );
    assert_eq!(child(&d, 5)[1].previous_event_id, 1);
}

/// Item 4 always fails; the others fail while the service is down.
fn item_4_broken(input: &Value, down: bool) -> Result<Value, (&'static str, String)> {
    if input["n"] == json!(4) {
        return Err(("Work.Broken", "item 4 cannot be done".into()));
    }
    flaky(input, down)
}

#[test]
fn the_tolerance_is_judged_over_the_whole_run_after_a_redrive() {
    // One tolerated failure: after the redrive only item 4 fails, which the run tolerates.
    let definition = dmap(
        "STANDARD",
        json!({"MaxConcurrency": 1, "ToleratedFailureCount": 1}),
    );
    let mut d = Driver::new(definition, item_4_broken);
    d.run(Event::Started {
        input: items(&[2, 4], 4),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    d.take_calls();
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.take_calls(), BTreeMap::from([(2, 1), (4, 1)]));
    assert_eq!(
        output(&d),
        json!([{"done": 1}, {"done": 2}, {"done": 3},
            {"Error": "Work.Broken", "Cause": "item 4 cannot be done"}])
    );

    // No tolerance at all (a percentage of 20 over 4 items): item 4 fails the run again.
    let definition = dmap(
        "STANDARD",
        json!({"MaxConcurrency": 1, "ToleratedFailurePercentage": 20}),
    );
    let mut d = Driver::new(definition, item_4_broken);
    d.run(Event::Started {
        input: items(&[2], 4),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    let failed_len = d.history.len();
    d.take_calls();
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Failed);
    assert_eq!(
        d.take_calls(),
        BTreeMap::from([(2, 1), (3, 1), (4, 1)]),
        "item 2 runs again and succeeds, then items 3 and 4 start"
    );
    assert_eq!(
        types(&d.history[failed_len..]),
        vec![
            EventType::ExecutionRedriven,
            EventType::MapRunRedriven,
            EventType::MapRunFailed,
            EventType::MapStateFailed,
            EventType::ExecutionFailed,
        ]
    );
    let failed = d.history.last().expect("ended");
    assert_eq!(
        failed.details["error"],
        "States.ExceedToleratedFailureThreshold"
    );

    // Redriven again, the run fails again with item 4 only: the Map Run's count goes on.
    d.take_calls();
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.take_calls(), BTreeMap::from([(4, 1)]));
    let redriven: Vec<&Value> = d
        .history
        .iter()
        .filter(|e| e.event_type == EventType::MapRunRedriven)
        .map(|e| &e.details["redriveCount"])
        .collect();
    assert_eq!(redriven, vec![&json!(1), &json!(2)]);
}

/// A child that loops through Pass and Choice states until its history is near the 25,000
/// events AWS allows, then runs the Task: failed there, it cannot be redriven.
fn looping(execution_type: &str, extra: Value) -> Value {
    let mut map = json!({"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "Loop", "States": {
                "Loop": {"Type": "Pass", "Next": "More",
                    "Parameters": {"n.$": "$.n", "flaky.$": "$.flaky",
                        "i.$": "States.MathAdd($.i, 1)"}},
                "More": {"Type": "Choice", "Default": "T",
                    "Choices": [{"Variable": "$.i", "NumericLessThan": 6250, "Next": "Loop"}]},
                "T": {"Type": "Task", "Resource": WORK, "End": true}}}});
    if let (Value::Object(m), Value::Object(e)) = (&mut map, extra) {
        m.extend(e);
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

#[test]
fn a_standard_child_at_the_history_limit_keeps_its_failure_for_good() {
    // Item 2 loops 6,250 times (25,000 events) before its Task fails; item 3 fails at once.
    let input = json!({"items": [
        {"n": 1, "flaky": false, "i": 6250},
        {"n": 2, "flaky": true, "i": 0},
        {"n": 3, "flaky": true, "i": 6250}]});
    let definition = looping(
        "STANDARD",
        json!({"MaxConcurrency": 1, "ToleratedFailureCount": 1}),
    );
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input: input.clone(),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    assert!(child(&d, 2).len() > 25_000, "{}", child(&d, 2).len());
    let long = child(&d, 2).to_vec();
    d.take_calls();
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    // Item 3 is redriven and succeeds; item 2's failure stays, and the run tolerates it.
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.take_calls(), BTreeMap::from([(3, 1)]));
    assert_eq!(child(&d, 2), &long[..], "not redriven");
    let out = output(&d);
    assert_eq!(out[1]["Error"], "Work.Down");
    assert_eq!(out[2], json!({"done": 3}));

    // Without a tolerance, the failure kept for good fails the redriven run at once.
    let definition = looping("STANDARD", json!({"MaxConcurrency": 1}));
    let mut d = Driver::new(definition, flaky);
    let input =
        json!({"items": [{"n": 1, "flaky": false, "i": 6250}, {"n": 2, "flaky": true, "i": 0}]});
    d.run(Event::Started {
        input,
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    let failed_len = d.history.len();
    d.take_calls();
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Failed);
    assert!(d.take_calls().is_empty(), "nothing can run again");
    assert_eq!(
        types(&d.history[failed_len..]),
        vec![
            EventType::ExecutionRedriven,
            EventType::MapRunRedriven,
            EventType::MapRunFailed,
            EventType::MapStateFailed,
            EventType::ExecutionFailed,
        ]
    );
}

/// Two Tasks per item: `A` always succeeds, `T` (the second) fails for flaky items while down.
fn two_tasks(execution_type: &str) -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
        "MaxConcurrency": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": WORK, "ResultPath": null,
                    "Parameters": {"n.$": "$.n", "first": true}, "Next": "T"},
                "T": {"Type": "Task", "Resource": WORK, "End": true}}}}}})
}

#[test]
fn express_children_start_again_where_standard_ones_go_on() {
    for (kind, calls_of_2) in [("STANDARD", 1), ("EXPRESS", 2)] {
        let mut d = Driver::new(two_tasks(kind), flaky);
        d.run(Event::Started {
            input: items(&[2], 3),
            now: START_MS,
        });
        assert_eq!(d.status(), Status::Failed, "{kind}");
        assert_eq!(d.take_calls(), BTreeMap::from([(1, 2), (2, 2)]), "{kind}");
        let arns: Vec<String> = d.children.iter().map(|(a, _)| a.clone()).collect();
        let before = child(&d, 2).len();
        d.down = false;
        d.now += 1000;
        d.run(Event::Redriven { now: d.now });
        assert_eq!(d.status(), Status::Succeeded, "{kind}");
        assert_eq!(
            d.take_calls(),
            BTreeMap::from([(2, calls_of_2), (3, 2)]),
            "{kind}: a Standard child goes on from `T`, an Express one starts from `A`"
        );
        assert_eq!(
            d.children
                .iter()
                .map(|(a, _)| a.clone())
                .collect::<Vec<_>>()[..2],
            arns[..],
            "{kind}: the same execution ARNs"
        );
        let again = &child(&d, 2)[before..];
        let first = if kind == "STANDARD" {
            EventType::ExecutionRedriven
        } else {
            EventType::ExecutionStarted
        };
        assert_eq!(again[0].event_type, first, "{kind}");
        let expected_id = if kind == "STANDARD" {
            before as u64 + 1
        } else {
            1
        };
        assert_eq!(again[0].id, expected_id, "{kind}: {:?}", types(again));
        assert_eq!(
            again.last().map(|e| e.event_type),
            Some(EventType::ExecutionSucceeded)
        );
    }
}

/// Records the task inputs it is given.
fn echo_input(input: &Value, down: bool) -> Result<Value, (&'static str, String)> {
    flaky(input, down).map(|_| input.clone())
}

#[test]
fn a_redriven_child_sees_its_own_redrive_in_the_context_object() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
        "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": WORK, "End": true,
                "Parameters": {"n.$": "$.n", "flaky.$": "$.flaky", "execution.$": "$$.Execution"}}}}}}});
    let mut d = Driver::new(definition, echo_input);
    d.run(Event::Started {
        input: items(&[1], 1),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    d.down = false;
    d.now += 5000;
    d.run(Event::Redriven { now: d.now });
    let out = output(&d);
    let execution = &out[0]["execution"];
    assert_eq!(execution["Id"], json!(d.children[0].0));
    assert_eq!(execution["RedriveCount"], 1);
    assert_eq!(execution["RedriveTime"], "2024-01-01T00:00:05.000Z");
    assert_eq!(
        execution["StartTime"], "2024-01-01T00:00:00.000Z",
        "it is the same execution"
    );
}

/// Each item waits 10 s, then runs the Task (`wait_first`), or the other way round.
fn waiting(wait_first: bool, extra: Value) -> Value {
    let states = if wait_first {
        json!({"W": {"Type": "Wait", "Seconds": 10, "Next": "T"},
            "T": {"Type": "Task", "Resource": WORK, "End": true}})
    } else {
        json!({"T": {"Type": "Task", "Resource": WORK, "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 10, "End": true}})
    };
    let start = if wait_first { "W" } else { "T" };
    let mut map = json!({"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": start, "States": states}});
    if let (Value::Object(m), Value::Object(e)) = (&mut map, extra) {
        m.extend(e);
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

/// The times of the `ExecutionRedriven` events of the children.
fn redrive_times(d: &Driver) -> Vec<u64> {
    let mut times: Vec<u64> = d
        .children
        .iter()
        .flat_map(|(_, h)| h.iter())
        .filter(|e| e.event_type == EventType::ExecutionRedriven)
        .map(|e| e.timestamp - START_MS)
        .collect();
    times.sort_unstable();
    times
}

#[test]
fn redriven_children_beyond_max_concurrency_wait_for_a_place() {
    // Two at a time, two failures tolerated: items 1, 2 and 3 fail, item 4 is aborted. Each
    // redriven child goes on from its Task, then waits 10 s.
    let definition = waiting(
        false,
        json!({"MaxConcurrency": 2, "ToleratedFailureCount": 2}),
    );
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input: items(&[1, 2, 3], 4),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    // Item 4 had done its Task and was waiting when item 3's failure stopped it.
    let h4 = types(child(&d, 4));
    assert_eq!(
        h4[h4.len() - 3..],
        [
            EventType::WaitStateEntered,
            EventType::WaitStateAborted,
            EventType::ExecutionAborted
        ]
    );
    d.take_calls();
    d.down = false;
    d.now = START_MS + 100_000;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(
        d.take_calls(),
        BTreeMap::from([(1, 1), (2, 1), (3, 1)]),
        "item 4 goes on from its Wait"
    );
    // Two are redriven at once, the next two as places free up, 10 s later.
    assert_eq!(redrive_times(&d), vec![100_000, 100_000, 110_000, 110_000]);
    let h4 = child(&d, 4);
    let at = h4
        .iter()
        .position(|e| e.event_type == EventType::ExecutionRedriven)
        .expect("redriven");
    assert_eq!(h4[at - 1].event_type, EventType::ExecutionAborted);
    assert_eq!(h4[at + 1].event_type, EventType::WaitStateEntered);
}

#[test]
fn a_stopped_execution_redrives_the_children_it_stopped() {
    let definition = waiting(true, json!({"MaxConcurrency": 2}));
    let mut d = Driver::new(definition, flaky);
    d.down = false;
    let mut exec = d.restore();
    let step = exec.handle(Event::Started {
        input: items(&[], 3),
        now: START_MS,
    });
    d.state = serde_json::to_string(exec.snapshot()).expect("serializes");
    d.record(step);
    // Stopped while items 1 and 2 wait; item 3 has not started.
    d.timers.clear();
    d.run(Event::StopRequested {
        error: None,
        cause: None,
        now: START_MS + 1000,
    });
    assert_eq!(d.status(), Status::Aborted);
    assert_eq!(d.children.len(), 2);
    d.now = START_MS + 60_000;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.take_calls(), BTreeMap::from([(1, 1), (2, 1), (3, 1)]));
    assert_eq!(redrive_times(&d), vec![60_000, 60_000]);
    assert_eq!(d.children.len(), 3);
    assert_eq!(output(&d), json!([{"done": 1}, {"done": 2}, {"done": 3}]));
}

#[test]
fn a_map_run_is_redriven_at_most_1000_times() {
    let mut d = Driver::new(dmap("STANDARD", json!({})), flaky);
    d.run(Event::Started {
        input: items(&[1], 1),
        now: START_MS,
    });
    for _ in 0..1000 {
        d.run(Event::Redriven { now: d.now });
        assert_eq!(d.status(), Status::Failed);
    }
    assert_eq!(d.take_calls(), BTreeMap::from([(1, 1001)]));
    let len = d.history.len();
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Failed);
    assert!(d.take_calls().is_empty());
    let after = &d.history[len..];
    assert_eq!(
        types(after),
        vec![EventType::ExecutionRedriven, EventType::ExecutionFailed]
    );
    assert_eq!(after[1].details["error"], "States.Runtime");
    assert!(
        after[1].details["cause"]
            .as_str()
            .is_some_and(|c| c.contains("1000 times")),
        "{}",
        after[1].details
    );
}

/// A distributed Map reading its items from an object and exporting its results.
fn reading_and_writing() -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 1,
        "ToleratedFailureCount": 1,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "data", "Key": "items.json"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": WORK, "End": true}}}}}})
}

#[test]
fn a_redriven_map_run_reads_no_items_and_writes_every_result() {
    let mut d = Driver::new(reading_and_writing(), flaky);
    d.reader = Ok(items(&[1, 3], 3)["items"]
        .as_array()
        .cloned()
        .expect("items"));
    d.run(Event::Started {
        input: json!({}),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    assert_eq!((d.reads, d.written.len()), (1, 0));
    // The object changes: the redriven Map Run still runs the items it read.
    d.reader = Ok(vec![json!({"n": 99, "flaky": false})]);
    d.take_calls();
    d.down = false;
    d.now += 1000;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.reads, 1, "the items are not read again");
    assert_eq!(d.take_calls(), BTreeMap::from([(1, 1), (3, 1)]));
    let run_arn = map_run_arn(&d.history);
    assert_eq!(output(&d)["MapRunArn"], run_arn, "the same Map Run");
    let manifest = d
        .written
        .iter()
        .find(|(k, _)| k.ends_with("manifest.json"))
        .map(|(_, v)| v.clone())
        .expect("a manifest");
    assert_eq!(manifest["MapRunArn"], run_arn);
    assert_eq!(manifest["ResultFiles"]["FAILED"], json!([]));
    let succeeded = d
        .written
        .iter()
        .find(|(k, _)| k.ends_with("SUCCEEDED_0.json"))
        .map(|(_, v)| v.clone())
        .expect("the succeeded results");
    let entries = succeeded.as_array().expect("a list");
    let outputs: Vec<&Value> = entries.iter().map(|e| &e["Output"]).collect();
    assert_eq!(
        outputs,
        vec![
            &json!(r#"{"done":1}"#),
            &json!(r#"{"done":2}"#),
            &json!(r#"{"done":3}"#)
        ],
        "the kept result of item 2 with the redriven ones, in item order"
    );
    let counts: Vec<&Value> = entries.iter().map(|e| &e["RedriveCount"]).collect();
    assert_eq!(counts, vec![&json!(1), &json!(0), &json!(1)]);
    assert_eq!(entries[0]["RedriveDate"], "2024-01-01T00:00:01.000Z");
    assert!(entries[1].get("RedriveDate").is_none());
}

#[test]
fn a_map_state_whose_reader_failed_is_entered_again_and_reads_again() {
    let mut d = Driver::new(reading_and_writing(), flaky);
    d.reader = Err("the bucket is gone".into());
    d.run(Event::Started {
        input: json!({}),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    let failed_len = d.history.len();
    d.reader = Ok(items(&[], 2)["items"].as_array().cloned().expect("items"));
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.reads, 2);
    let after = types(&d.history[failed_len..]);
    assert_eq!(
        after[..4],
        [
            EventType::ExecutionRedriven,
            EventType::MapStateEntered,
            EventType::MapStateStarted,
            EventType::MapRunStarted
        ],
        "its Map Run starts for the first time"
    );
    assert!(!after.contains(&EventType::MapRunRedriven));
}

#[test]
fn inside_a_redriven_child_only_the_failed_branch_runs_again() {
    // Each child runs a Parallel state: branch 0 always succeeds, branch 1 is the flaky Task.
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
    "End": true,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": WORK, "End": true,
                "Parameters": {"n.$": "$.n"}}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": WORK, "End": true}}}
        ]}}}}}});
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input: items(&[1], 1),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    assert_eq!(d.take_calls(), BTreeMap::from([(1, 2)]));
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.take_calls(), BTreeMap::from([(1, 1)]), "branch B only");
    assert_eq!(output(&d), json!([[{"done": 1}, {"done": 1}]]));
    let h = types(child(&d, 1));
    let at = h
        .iter()
        .position(|t| *t == EventType::ExecutionRedriven)
        .expect("redriven");
    assert_eq!(
        h.iter()
            .filter(|t| **t == EventType::ParallelStateEntered)
            .count(),
        1,
        "the Parallel state is not entered again: {h:?}"
    );
    assert_eq!(h[at + 1], EventType::TaskStateEntered);
}

#[test]
fn a_map_run_inside_a_parallel_branch_is_redriven_too() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
    "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
            "MaxConcurrency": 1,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": WORK, "End": true}}}}}},
        {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": WORK, "End": true,
            "Parameters": {"n": 0}}}}
    ]}}});
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input: items(&[2], 3),
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    assert_eq!(d.take_calls(), BTreeMap::from([(0, 1), (1, 1), (2, 1)]));
    // The other branch's Task had not answered when the Map failed: it was aborted.
    let aborted = d
        .history
        .iter()
        .filter(|e| e.event_type == EventType::TaskStateAborted)
        .count();
    assert_eq!(aborted, 1);
    let failed_len = d.history.len();
    d.down = false;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(
        d.take_calls(),
        BTreeMap::from([(0, 1), (2, 1), (3, 1)]),
        "the aborted branch and items 2 and 3; item 1 succeeded"
    );
    assert_eq!(
        output(&d),
        json!([[{"done": 1}, {"done": 2}, {"done": 3}], {"done": 0}])
    );
    let after = types(&d.history[failed_len..]);
    assert_eq!(
        after[..2],
        [EventType::ExecutionRedriven, EventType::MapRunRedriven]
    );
    assert!(!after.contains(&EventType::ParallelStateEntered));
}

#[test]
fn a_standard_child_that_ended_14_days_before_the_redrive_keeps_its_failure() {
    // Item 1 fails at once (tolerated); item 2 waits 15 days, then fails the run.
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
        "End": true, "MaxConcurrency": 2, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "W", "States": {
                "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "T"},
                "T": {"Type": "Task", "Resource": WORK, "End": true}}}}}});
    let day = 24 * 3600;
    let input = json!({"items": [{"n": 1, "flaky": true, "wait": 0},
        {"n": 2, "flaky": true, "wait": 15 * day}]});
    let mut d = Driver::new(definition, flaky);
    d.run(Event::Started {
        input,
        now: START_MS,
    });
    assert_eq!(d.status(), Status::Failed);
    assert_eq!(d.now, START_MS + 15 * day * 1000);
    let first = child(&d, 1).to_vec();
    d.take_calls();
    d.down = false;
    // Within the parent's 14 days, but item 1 ended 15 days ago.
    d.now += 3600 * 1000;
    d.run(Event::Redriven { now: d.now });
    assert_eq!(d.status(), Status::Succeeded);
    assert_eq!(d.take_calls(), BTreeMap::from([(2, 1)]));
    assert_eq!(child(&d, 1), &first[..], "item 1 is not redriven");
    let out = output(&d);
    assert_eq!(out[0]["Error"], "Work.Down");
    assert_eq!(out[1], json!({"done": 2}));
}
