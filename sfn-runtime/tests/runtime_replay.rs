//! Replay: the events a driver fed an execution, fed again to a fresh `Execution`, give the
//! identical state, history and commands, in one go and one event at a time (with the state
//! serialized and restored between events). This is what recovery from a store relies on.
//!
//! Each scenario runs on the engine with a [`Journal`] that records, per execution, every
//! event (in its stored JSON form) with the step and state it produced; [`replay`] then
//! rebuilds every recorded execution, nested children included, and fails naming the first
//! event whose step or state differs, and where.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{machine, START_MS};
use serde_json::{json, Value};
use sfn_asl::StateMachine;
use sfn_runtime::engine::Journal;
use sfn_runtime::execution::{Command, ExecutionData, Step};
use sfn_runtime::{Engine, Event, Execution, ExecutionConfig, Resources, Status, TaskError};
use tokio::sync::mpsc;

/// One recorded event: its stored form and what the execution made of it.
#[derive(Debug, Clone)]
struct Entry {
    event: String,
    step: Value,
    state: Value,
}

/// The events of one execution, in the order they were fed.
#[derive(Debug, Clone)]
struct Recorded {
    config: ExecutionConfig,
    entries: Vec<Entry>,
}

/// A journal in memory, by execution ARN. Once frozen it takes nothing more, as a process
/// that died persists nothing more.
#[derive(Debug, Default)]
struct Recorder {
    runs: Mutex<BTreeMap<String, Recorded>>,
    frozen: AtomicBool,
}

impl Journal for Recorder {
    fn append(&self, config: &ExecutionConfig, event: &Event, step: &Step, state: &ExecutionData) {
        if self.frozen.load(Ordering::SeqCst) {
            return;
        }
        let entry = Entry {
            event: serde_json::to_string(event).expect("an event serializes"),
            step: serde_json::to_value(step).expect("a step serializes"),
            state: serde_json::to_value(state).expect("a state serializes"),
        };
        let mut runs = self.runs.lock().expect("journal lock");
        runs.entry(config.execution_arn.clone())
            .or_insert_with(|| Recorded {
                config: config.clone(),
                entries: Vec::new(),
            })
            .entries
            .push(entry);
    }
}

impl Recorder {
    fn runs(&self) -> BTreeMap<String, Recorded> {
        self.runs.lock().expect("journal lock").clone()
    }
}

/// The first place two JSON values differ, as a JSON pointer with both sides.
fn first_difference(recorded: &Value, replayed: &Value, at: &str) -> Option<String> {
    match (recorded, replayed) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (x, y) = (
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                );
                first_difference(x, y, &format!("{at}/{k}"))
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}/{i}"))),
        (a, b) if a == b => None,
        (a, b) => Some(format!("{at}: recorded {a}, replayed {b}")),
    }
}

/// Checks one replayed step and state against the recording.
fn compare(arn: &str, i: usize, entry: &Entry, step: &Step, state: &ExecutionData, how: &str) {
    let step = serde_json::to_value(step).expect("a step serializes");
    let state = serde_json::to_value(state).expect("a state serializes");
    for (what, recorded, replayed) in [
        ("step", &entry.step, &step),
        ("state", &entry.state, &state),
    ] {
        if let Some(diff) = first_difference(recorded, replayed, "") {
            panic!(
                "replay ({how}) of {arn} diverges at event #{i} {}: its {what} differs at {diff}",
                entry.event
            );
        }
    }
}

/// Feeds every recorded execution's events back: in one go into one execution, then one at a
/// time into an execution restored from the serialized state after each event.
fn replay(runs: &BTreeMap<String, Recorded>, machines: &BTreeMap<String, Arc<StateMachine>>) {
    assert!(!runs.is_empty(), "nothing was recorded");
    for (arn, run) in runs {
        let machine = machines
            .get(&run.config.state_machine_arn)
            .unwrap_or_else(|| panic!("no machine for {}", run.config.state_machine_arn))
            .clone();
        let read = |e: &Entry| -> Event {
            serde_json::from_str(&e.event)
                .unwrap_or_else(|err| panic!("{} reads back: {err}", e.event))
        };
        let mut exec = Execution::new(machine.clone(), run.config.clone());
        let mut issued = Vec::new();
        for (i, entry) in run.entries.iter().enumerate() {
            let step = exec.handle(read(entry));
            compare(arn, i, entry, &step, exec.snapshot(), "in one go");
            issued.extend(step.commands);
        }
        assert_eq!(
            exec.pending(&issued),
            Vec::<&Command>::new(),
            "{arn} ended: nothing pending"
        );
        let mut saved: Option<String> = None;
        for (i, entry) in run.entries.iter().enumerate() {
            let mut exec = match &saved {
                None => Execution::new(machine.clone(), run.config.clone()),
                Some(text) => {
                    let data = serde_json::from_str(text).expect("a saved state reads back");
                    Execution::restore(machine.clone(), data)
                }
            };
            let step = exec.handle(read(entry));
            compare(
                arn,
                i,
                entry,
                &step,
                exec.snapshot(),
                "restored after each event",
            );
            saved = Some(serde_json::to_string(exec.snapshot()).expect("a state serializes"));
        }
        assert_ne!(
            exec.status(),
            Status::Running,
            "{arn} was replayed to its end"
        );
    }
}

const OK: &str = "arn:aws:lambda:us-east-1:123456789012:function:ok";
const FLAKY: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";
const BROKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:broken";
const SLOW: &str = "arn:aws:lambda:us-east-1:123456789012:function:slow";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
const CHILD: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:child";

/// Handlers that succeed, fail twice then succeed, always fail, outlast any timeout, and hand
/// their task token to the test.
fn resources(tokens: mpsc::UnboundedSender<String>) -> Resources {
    let mut r = Resources::new();
    r.register(OK, |req| async move {
        Ok::<_, TaskError>(json!({"echo": req.input}))
    });
    let calls = Arc::new(AtomicU64::new(0));
    r.register(FLAKY, move |_| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            match n % 3 {
                2 => Ok(json!({"attempt": n})),
                _ => Err(TaskError::new("Flaky", format!("attempt {n}"))),
            }
        }
    });
    r.register(BROKEN, |_| async {
        Err::<Value, _>(TaskError::new("Broken", "always"))
    });
    r.register(SLOW, |_| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok::<_, TaskError>(json!("late"))
    });
    r.register(CALLBACK, move |req| {
        let tx = tokens.clone();
        async move {
            let token = req.input["token"].as_str().unwrap_or_default().to_owned();
            let _ = tx.send(token);
            Ok::<_, TaskError>(json!({"MessageId": "m-1"}))
        }
    });
    r
}

/// An engine recording into a fresh journal, the test's end of the token channel, and the
/// machines by ARN (for the replay).
struct Bench {
    engine: Engine,
    journal: Arc<Recorder>,
    tokens: mpsc::UnboundedReceiver<String>,
    machines: BTreeMap<String, Arc<StateMachine>>,
}

fn bench() -> Bench {
    let (tx, tokens) = mpsc::unbounded_channel();
    let journal = Arc::new(Recorder::default());
    let engine = Engine::new(resources(tx))
        .with_start_time(START_MS)
        .with_journal(journal.clone());
    Bench {
        engine,
        journal,
        tokens,
        machines: BTreeMap::new(),
    }
}

impl Bench {
    async fn run(
        &mut self,
        name: &str,
        definition: Value,
        input: Value,
    ) -> sfn_runtime::ExecutionResult {
        let m = machine(definition);
        let config = ExecutionConfig::new(name, "run");
        self.machines
            .insert(config.state_machine_arn.clone(), m.clone());
        self.engine.start_sync_execution(m, input, config).await
    }

    fn child(&mut self, definition: Value) {
        let m = machine(definition);
        self.engine.register_state_machine(CHILD, m.clone());
        self.machines.insert(CHILD.to_owned(), m);
    }

    fn replay(&self) {
        replay(&self.journal.runs(), &self.machines);
    }
}

#[tokio::test(start_paused = true)]
async fn tasks_retries_and_catchers_replay() {
    let mut b = bench();
    let def = json!({"StartAt": "Ok", "States": {
        "Ok": {"Type": "Task", "Resource": OK, "ResultPath": "$.ok", "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": FLAKY, "ResultPath": "$.flaky",
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3,
                       "MaxAttempts": 4, "JitterStrategy": "FULL"}], "Next": "Broken"},
        "Broken": {"Type": "Task", "Resource": BROKEN,
            "Catch": [{"ErrorEquals": ["Broken"], "ResultPath": "$.caught", "Next": "Done"}],
            "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let result = b.run("tasks", def, json!({"n": 1})).await;
    let out = result.outcome.output.expect("succeeded");
    assert_eq!(out["flaky"], json!({"attempt": 2}));
    assert_eq!(out["caught"]["Error"], "Broken");
    b.replay();
}

#[tokio::test(start_paused = true)]
async fn waits_parallel_map_and_jsonata_clock_replay() {
    let mut b = bench();
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 90, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": OK, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 5, "Next": "B2"},
                                        "B2": {"Type": "Task", "Resource": OK, "End": true}}}]},
        "Each": {"Type": "Map", "Items": "{% [1, 2, 3] %}", "MaxConcurrency": 2, "Next": "Clock",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "W",
                "States": {"W": {"Type": "Wait", "Seconds": "{% $states.input %}", "Next": "T"},
                           "T": {"Type": "Task", "Resource": OK, "End": true}}}},
        "Clock": {"Type": "Pass", "End": true,
            "Output": "{% {'millis': $millis(), 'now': $now(), 'entered': $states.context.State.EnteredTime, 'started': $states.context.Execution.StartTime} %}"}}});
    let result = b.run("fan", def, json!({})).await;
    let out = result.outcome.output.expect("succeeded");
    // The clock is the event's: 90 s of Wait, 5 s of branch B, then 2 + 3 s of Map waits
    // (items 1 and 2 run together, item 3 after item 1).
    let at = START_MS + 90_000 + 5_000 + 4_000;
    assert_eq!(out["millis"], json!(at), "{out}");
    assert_eq!(out["now"], "2024-01-01T00:01:39.000Z");
    assert_eq!(out["entered"], out["now"]);
    assert_eq!(out["started"], "2024-01-01T00:00:00.000Z");
    b.replay();
}

#[tokio::test(start_paused = true)]
async fn callbacks_heartbeats_and_timeouts_replay() {
    let mut b = bench();
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Beat", "States": {"Beat": {"Type": "Task", "Resource": CALLBACK,
                "Parameters": {"token.$": "$$.Task.Token"}, "HeartbeatSeconds": 10,
                "TimeoutSeconds": 100, "End": true}}},
            {"StartAt": "Late", "States": {"Late": {"Type": "Task", "Resource": SLOW,
                "TimeoutSeconds": 30,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Pass", "Result": "timed out", "End": true}}},
            {"StartAt": "Silent", "States": {"Silent": {"Type": "Task", "Resource": CALLBACK,
                "Parameters": {"token.$": "$$.Task.Token"}, "HeartbeatSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "NoBeat"}],
                "End": true},
                "NoBeat": {"Type": "Pass", "Result": "no heartbeat", "End": true}}}]}}});
    let m = machine(def);
    let config = ExecutionConfig::new("callbacks", "run");
    b.machines
        .insert(config.state_machine_arn.clone(), m.clone());
    let handle = b.engine.start_execution(m, json!({}), config);
    let first = b.tokens.recv().await.expect("a token");
    let second = b.tokens.recv().await.expect("a token");
    // Branch order decides which token is whose; the heartbeating one is asked first.
    let beating = first;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(8)).await;
        b.engine
            .send_task_heartbeat(&beating)
            .await
            .expect("still waiting");
    }
    b.engine
        .send_task_success(&beating, json!({"approved": true}))
        .await
        .expect("still waiting");
    let result = handle.result().await.expect("ends");
    assert_eq!(
        result.outcome.output,
        Some(json!([{"approved": true}, "timed out", "no heartbeat"]))
    );
    assert!(
        b.engine.send_task_success(&second, json!(1)).await.is_err(),
        "timed out tokens are gone"
    );
    b.replay();
    pending_after_the_last_heartbeat(&b);
}

#[tokio::test(start_paused = true)]
async fn activities_taken_by_workers_replay() {
    let mut b = bench();
    let activity = b.engine.create_activity("review").await.expect("created");
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Taken", "States": {"Taken": {"Type": "Task", "Resource": activity.arn,
                "HeartbeatSeconds": 10, "End": true}}},
            {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": activity.arn,
                "TimeoutSeconds": 30,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Pass", "Result": "nobody came", "End": true}}}]}}});
    let m = machine(def);
    let config = ExecutionConfig::new("activities", "run");
    b.machines
        .insert(config.state_machine_arn.clone(), m.clone());
    let handle = b.engine.start_execution(m, json!({"n": 1}), config);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let task = b
        .engine
        .try_get_activity_task(&activity.arn, Some("w-1"))
        .await
        .expect("exists")
        .expect("a task");
    // Heartbeats past the other branch's timeout (30 s after the scheduling).
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(8)).await;
        b.engine
            .send_task_heartbeat(&task.token)
            .await
            .expect("taken");
    }
    b.engine
        .send_task_success(&task.token, json!("reviewed"))
        .await
        .expect("still waiting");
    let result = handle.result().await.expect("ends");
    assert_eq!(
        result.outcome.output,
        Some(json!(["reviewed", "nobody came"]))
    );
    b.replay();
}

/// Recovery's view: replaying the events up to the last heartbeat leaves pending exactly what a
/// new driver must carry on with: the execution's timer, the waiting task, its timeout and its
/// restarted heartbeat timer (the other branches are over).
fn pending_after_the_last_heartbeat(b: &Bench) {
    let runs = b.journal.runs();
    let run = runs
        .values()
        .find(|r| r.config.state_machine_name == "callbacks")
        .expect("recorded");
    let last_beat = run
        .entries
        .iter()
        .rposition(|e| e.event.contains("\"TaskHeartbeat\""))
        .expect("heartbeats were recorded");
    let machine = b.machines[&run.config.state_machine_arn].clone();
    let mut exec = Execution::new(machine, run.config.clone());
    let mut issued = Vec::new();
    let mut beat_at = 0;
    for entry in &run.entries[..=last_beat] {
        let event: Event = serde_json::from_str(&entry.event).expect("reads back");
        if let Event::TaskHeartbeat { now, .. } = &event {
            beat_at = *now;
        }
        issued.extend(exec.handle(event).commands);
    }
    let pending = exec.pending(&issued);
    let timers: Vec<u64> = pending
        .iter()
        .filter_map(|c| match c {
            Command::StartTimer { at, .. } => Some(*at - START_MS),
            _ => None,
        })
        .collect();
    let year_ms = sfn_runtime::limits::STANDARD_MAX_SECONDS * 1000;
    let beat_ms = beat_at + 10_000 - START_MS;
    assert_eq!(timers, vec![year_ms, 100_000, beat_ms], "{pending:?}");
    let tasks: Vec<&str> = pending
        .iter()
        .filter_map(|c| match c {
            Command::InvokeTask(t) => Some(t.state_name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(tasks, vec!["Beat"], "{pending:?}");
}

#[tokio::test(start_paused = true)]
async fn an_execution_timeout_replays() {
    let mut b = bench();
    let def = json!({"TimeoutSeconds": 60, "StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let result = b.run("timeout", def, json!({})).await;
    assert_eq!(result.outcome.status, Status::TimedOut);
    b.replay();
}

#[tokio::test(start_paused = true)]
async fn nested_executions_replay() {
    let mut b = bench();
    b.child(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 30, "Next": "T"},
        "T": {"Type": "Task", "Resource": OK, "End": true}}}));
    let def = json!({"StartAt": "Sync", "States": {
        "Sync": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": CHILD, "Input": {"from": "parent"}, "Name": "sync-child"},
            "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"},
            "ResultPath": "$.sync", "Next": "Fire"},
        "Fire": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {"StateMachineArn": CHILD, "Name": "detached-child"},
            "ResultPath": "$.fired", "End": true}}});
    let result = b.run("parent", def, json!({})).await;
    let out = result.outcome.output.expect("succeeded");
    assert_eq!(out["sync"]["status"], "SUCCEEDED");
    assert_eq!(out["sync"]["out"], json!({"echo": {"from": "parent"}}));
    assert!(out["fired"]["ExecutionArn"]
        .as_str()
        .is_some_and(|a| a.ends_with(":execution:child:detached-child")));
    // Let the detached child finish before the replay reads its journal.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let runs = b.journal.runs();
    assert_eq!(
        runs.len(),
        3,
        "the parent and both children: {:?}",
        runs.keys()
    );
    b.replay();
}

/// Three Parallel branches whose tasks time out at the same instant: the same run gives the
/// same history every time (the timers fire by deadline, then id).
#[tokio::test(start_paused = true)]
async fn tasks_timing_out_together_give_one_history() {
    let branch = |name: &str| {
        json!({"StartAt": name, "States": {name: {"Type": "Task", "Resource": SLOW,
            "TimeoutSeconds": 5, "End": true}}})
    };
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel",
        "Branches": [branch("A"), branch("B"), branch("C")],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let mut histories = BTreeSet::new();
    for _ in 0..20 {
        let mut b = bench();
        let result = b.run("together", def.clone(), json!({})).await;
        assert_eq!(result.outcome.status, Status::Succeeded);
        let history: Vec<Value> = result.history.iter().map(|e| e.to_aws_json()).collect();
        histories.insert(serde_json::to_string(&history).expect("serializable"));
        b.replay();
    }
    assert_eq!(
        histories.len(),
        1,
        "20 identical runs gave {} histories",
        histories.len()
    );
}

/// A divergence fails loudly and names the event: a recording with one event's output changed
/// does not replay.
#[tokio::test(start_paused = true)]
#[should_panic(expected = "diverges at event #1")]
async fn a_divergence_names_the_first_differing_event() {
    let mut b = bench();
    let def =
        json!({"StartAt": "Ok", "States": {"Ok": {"Type": "Task", "Resource": OK, "End": true}}});
    b.run("diverge", def, json!({})).await;
    let mut runs = b.journal.runs();
    for run in runs.values_mut() {
        let entry = &mut run.entries[1];
        entry.event = entry.event.replace("\"echo\"", "\"other\"");
    }
    replay(&runs, &b.machines);
}

/// A crash, simulated: the journal takes no more events from `crash_s` on and that run is
/// stopped unrecorded; the execution is rebuilt from its journal and resumed on a fresh engine
/// whose clock starts at the crash. It ends as the uninterrupted run does, with the same output
/// and history (persisted events, then the resumed run's).
#[tokio::test(start_paused = true)]
async fn an_execution_resumed_from_its_journal_ends_as_an_uninterrupted_one() {
    let def = json!({"StartAt": "Ok", "States": {
        "Ok": {"Type": "Task", "Resource": OK, "ResultPath": "$.ok", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Ask"},
        "Ask": {"Type": "Task", "Resource": CALLBACK, "Parameters": {"token.$": "$$.Task.Token"},
            "TimeoutSeconds": 3600, "ResultPath": "$.answer", "Next": "Last"},
        "Last": {"Type": "Task", "Resource": OK, "End": true}}});
    let reference = run_answering_at_120_s(&def, None).await;
    assert!(reference.0.is_some(), "the reference run succeeds");
    // During the Wait (the callback task not yet run), and during the callback (submitted).
    for crash_s in [30, 90] {
        let resumed = run_answering_at_120_s(&def, Some(crash_s)).await;
        assert_eq!(resumed, reference, "crash at {crash_s} s");
    }
}

/// Runs `def`, answering its callback 120 s in; with `crash_s`, crashes then and resumes from
/// the journal. The output and the history (AWS JSON).
async fn run_answering_at_120_s(def: &Value, crash_s: Option<u64>) -> (Option<Value>, Vec<Value>) {
    let at = |s: u64| tokio::time::Instant::now() + Duration::from_secs(s);
    let answer_at = at(120);
    let mut b = bench();
    let m = machine(def.clone());
    let config = ExecutionConfig::new("resume", "run");
    let handle = b
        .engine
        .start_execution(m.clone(), json!({}), config.clone());
    let Some(crash_s) = crash_s else {
        let token = b.tokens.recv().await.expect("a token");
        tokio::time::sleep_until(answer_at).await;
        b.engine
            .send_task_success(&token, json!("yes"))
            .await
            .expect("waiting");
        let r = handle.result().await.expect("ends");
        return (
            r.outcome.output,
            r.history.iter().map(|e| e.to_aws_json()).collect(),
        );
    };
    tokio::time::sleep_until(answer_at - Duration::from_secs(120 - crash_s)).await;
    b.journal.frozen.store(true, Ordering::SeqCst);
    handle.stop(None, None).expect("still running");
    let mut run = b.journal.runs();
    let run = run.remove(&config.execution_arn).expect("recorded");
    let mut exec = Execution::new(m, config);
    let (mut issued, mut history) = (Vec::new(), Vec::new());
    for entry in &run.entries {
        let step = exec.handle(serde_json::from_str(&entry.event).expect("reads back"));
        history.extend(step.events.iter().map(|e| e.to_aws_json()));
        issued.extend(step.commands);
    }
    let pending: Vec<Command> = exec.pending(&issued).into_iter().cloned().collect();
    let (tx, mut tokens) = mpsc::unbounded_channel();
    let engine = Engine::new(resources(tx)).with_start_time(START_MS + crash_s * 1000);
    let resumed = engine.resume_execution(exec, pending);
    // A task submitted before the crash is not run again: its token came to the first run.
    let token = match b.tokens.try_recv() {
        Ok(token) => token,
        Err(_) => tokens.recv().await.expect("a token"),
    };
    tokio::time::sleep_until(answer_at).await;
    engine
        .send_task_success(&token, json!("yes"))
        .await
        .expect("waiting");
    let r = resumed.result().await.expect("ends");
    history.extend(r.history.iter().map(|e| e.to_aws_json()));
    (r.outcome.output, history)
}

/// A distributed Map: the items read and the results written come back as events
/// (`ItemsRead`, `ResultsWritten`), the children's histories as the steps' child events.
#[tokio::test(start_paused = true)]
async fn a_distributed_map_replays() {
    use sfn_runtime::{LocalObjectStore, ObjectStore};
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Arc::new(LocalObjectStore::new(dir.path()));
    store
        .put("data", "rows.csv", b"id,kind\n1,a\n2,b\n3,a\n")
        .expect("written");
    let mut b = bench();
    b.engine = b.engine.clone().with_object_store(store.clone());
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "data", "Key": "rows.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 3, "Next": "T"},
                "T": {"Type": "Task", "Resource": OK, "End": true}}}}}});
    let result = b.run("distributed", def, json!({})).await;
    let out = result.outcome.output.expect("succeeded");
    assert_eq!(out["ResultWriterDetails"]["Bucket"], "out");
    let runs = b.journal.runs();
    let entries = &runs.values().next().expect("recorded").entries;
    for kind in ["\"ItemsRead\"", "\"ResultsWritten\""] {
        assert!(
            entries.iter().any(|e| e.event.contains(kind)),
            "{kind} recorded"
        );
    }
    b.replay();
}

/// The tasks a step invokes, by state name.
fn invoked(step: &Step) -> Vec<(String, sfn_runtime::execution::TaskId)> {
    step.commands
        .iter()
        .filter_map(|c| match c {
            Command::InvokeTask(t) => Some((t.state_name.clone(), t.task_id)),
            _ => None,
        })
        .collect()
}

/// A redrive is an event like the others: a Parallel state whose second branch failed,
/// redriven, replays to the same steps and states, its kept frames serialized and restored
/// between events; only the failed branch runs again.
#[test]
fn a_redrive_replays() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": OK, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": FLAKY, "End": true}}}]}}});
    let m = machine(definition);
    let config = ExecutionConfig::new("redriven", "run-1");
    let mut exec = Execution::new(m.clone(), config.clone());
    let mut entries = Vec::new();
    let mut feed = |exec: &mut Execution, event: Event| -> Step {
        let step = exec.handle(event.clone());
        entries.push(Entry {
            event: serde_json::to_string(&event).expect("an event serializes"),
            step: serde_json::to_value(&step).expect("a step serializes"),
            state: serde_json::to_value(exec.snapshot()).expect("a state serializes"),
        });
        step
    };
    let now = START_MS;
    let step = feed(
        &mut exec,
        Event::Started {
            input: json!({}),
            now,
        },
    );
    let tasks = invoked(&step);
    assert_eq!(tasks.len(), 2, "{step:?}");
    let (a, b) = (tasks[0].1, tasks[1].1);
    feed(
        &mut exec,
        Event::TaskSucceeded {
            task_id: a,
            output: json!(1),
            now,
        },
    );
    let error = Some("Flaky.Broken".into());
    feed(
        &mut exec,
        Event::TaskFailed {
            task_id: b,
            error,
            cause: None,
            now,
        },
    );
    assert_eq!(exec.status(), Status::Failed);
    assert!(exec.redrivable());
    let step = feed(&mut exec, Event::Redriven { now: now + 1000 });
    let again = invoked(&step);
    assert_eq!(again.len(), 1, "only branch B runs again: {step:?}");
    assert_eq!(again[0].0, "B");
    assert_eq!(exec.redrive_count(), 1);
    let step = feed(
        &mut exec,
        Event::TaskSucceeded {
            task_id: again[0].1,
            output: json!(2),
            now: now + 2000,
        },
    );
    let outcome = step.commands.iter().find_map(|c| match c {
        Command::Finished(o) => Some(o.clone()),
        _ => None,
    });
    let outcome = outcome.expect("it ends");
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome.output,
        Some(json!([1, 2])),
        "branch A keeps its first result"
    );
    assert!(!exec.redrivable(), "a succeeded execution is not redriven");
    let runs = BTreeMap::from([(
        config.execution_arn.clone(),
        Recorded {
            config: config.clone(),
            entries,
        },
    )]);
    let machines = BTreeMap::from([(config.state_machine_arn.clone(), m)]);
    replay(&runs, &machines);
}

/// A redrive through a distributed Map redrives its Map Run: the failed child execution goes on
/// in its own history, the others keep their results. Replayed in one go and one event at a
/// time, with the closed child histories and the queue of children to redrive serialized and
/// restored between events.
#[test]
fn a_map_run_redrive_replays() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": OK, "End": true}}}}}});
    let m = machine(definition);
    let config = ExecutionConfig::new("map-redriven", "run-1");
    let mut exec = Execution::new(m.clone(), config.clone());
    let mut entries = Vec::new();
    let mut child_events = 0;
    // Answers every task until nothing is invoked any more; items in `failing` fail.
    let mut drive = |exec: &mut Execution, first: Event, failing: &[i64], now: u64| {
        let mut queue = vec![first];
        let mut ran = Vec::new();
        while let Some(event) = queue.pop() {
            let step = exec.handle(event.clone());
            entries.push(Entry {
                event: serde_json::to_string(&event).expect("an event serializes"),
                step: serde_json::to_value(&step).expect("a step serializes"),
                state: serde_json::to_value(exec.snapshot()).expect("a state serializes"),
            });
            child_events += step.child_events.len();
            for c in &step.commands {
                let Command::InvokeTask(t) = c else { continue };
                let n = t.input["n"].as_i64().expect("an item number");
                ran.push(n);
                queue.push(if failing.contains(&n) {
                    Event::TaskFailed {
                        task_id: t.task_id,
                        error: Some("Flaky.Broken".into()),
                        cause: None,
                        now,
                    }
                } else {
                    Event::TaskSucceeded {
                        task_id: t.task_id,
                        output: json!(n),
                        now,
                    }
                });
            }
        }
        ran
    };
    let items = json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]});
    let now = START_MS;
    let ran = drive(
        &mut exec,
        Event::Started { input: items, now },
        &[2, 3],
        now,
    );
    assert_eq!(ran, vec![1, 2, 3]);
    assert_eq!(exec.status(), Status::Failed);
    let ran = drive(
        &mut exec,
        Event::Redriven { now: now + 1000 },
        &[],
        now + 1000,
    );
    assert_eq!(
        ran,
        vec![2, 3, 4],
        "the failed children, then the one not started"
    );
    assert_eq!(exec.status(), Status::Succeeded);
    assert!(child_events > 0);
    let runs = BTreeMap::from([(
        config.execution_arn.clone(),
        Recorded {
            config: config.clone(),
            entries,
        },
    )]);
    let machines = BTreeMap::from([(config.state_machine_arn.clone(), m)]);
    replay(&runs, &machines);
}
