//! The crash test: N durable Standard executions (Task, Retry, Wait, Map, Parallel, a
//! `.waitForTaskToken` callback and a nested `.sync:2` child execution) run in a child process on a SQLite file; the child is killed
//! with `SIGKILL` at random moments K times and restarted on the same file each time, and every
//! execution's status, output and history are then compared with an uninterrupted reference run.
//!
//! Its own `main` (no test harness): the child is this binary again. Arguments
//! `--executions N --kills K [--seed S]` (defaults 20, 3, from the clock); `scripts/crash-test`
//! passes them. The last line reads
//! `crash-test: N executions, K kills, L lost, D duplicated, W wrong`.
//!
//! Histories are compared as multisets of events without `id`, `previousEventId` and
//! `timestamp`, and with the nested child's `StartDate` and `StopDate` zeroed and its start's
//! HTTP metadata left out (the clock is real, and concurrent branches may finish in another
//! order), after checking that ids run
//! 1, 2, … without a gap or a repeat. Child executions are compared like their parents.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, ExecutionQuery, HistoryQuery, Store};
use sfn_runtime::{Engine, EngineError, Resources, Status, TaskError};

const CHILD: &str = "SFN_CRASH_CHILD";
const OK: &str = "arn:aws:lambda:us-east-1:123456789012:function:ok";
const FLAKY: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let executions = arg(&args, "--executions").unwrap_or(20);
    if let Some(path) = std::env::var_os(CHILD) {
        worker(Path::new(&path), executions);
        return;
    }
    let kills = arg(&args, "--kills").unwrap_or(3);
    let seed = arg(&args, "--seed").unwrap_or_else(clock_seed);
    let counts = crash_test(executions, kills, seed);
    println!(
        "crash-test: {executions} executions, {} kills, {} lost, {} duplicated, {} wrong",
        counts.kills, counts.lost, counts.duplicated, counts.wrong
    );
    if counts.lost + counts.duplicated + counts.wrong > 0 {
        std::process::exit(1);
    }
}

/// The number after `name` in `args`.
fn arg(args: &[String], name: &str) -> Option<u64> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64)
}

/// The nested child: a task, then a 1 s Wait.
fn child_definition() -> String {
    json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": OK, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "End": true}}})
    .to_string()
}

/// Task, Retry (twice, 1 s apart), Wait, then a Parallel of an inline Map, a callback and a
/// nested child execution.
fn definition() -> String {
    json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": OK, "Parameters": {"i.$": "$.i"},
            "ResultPath": "$.work", "Next": "Flaky"},
        "Flaky": {"Type": "Task", "Resource": FLAKY,
            "Parameters": {"i.$": "$.i", "retry.$": "$$.State.RetryCount"},
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 3,
                "BackoffRate": 1}],
            "ResultPath": "$.flaky", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "ResultPath": "$.fan", "End": true, "Branches": [
            {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Square", "States": {
                    "Square": {"Type": "Task", "Resource": OK, "End": true}}},
                "End": true}}},
            {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": CALLBACK,
                "Parameters": {"i.$": "$.i", "token.$": "$$.Task.Token"}, "End": true}}},
            {"StartAt": "Nest", "States": {"Nest": {"Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {
                    "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:crash-child",
                    "Name.$": "States.Format('{}-child', $$.Execution.Name)",
                    "Input": {"i.$": "$.i"}},
                "ResultSelector": {"out.$": "$.Output"}, "End": true}}}]}}})
    .to_string()
}

/// Handlers: `OK` echoes after a few ms; `FLAKY` fails its first two attempts; `CALLBACK` posts
/// its token and input to the outbox (the callback's "queue", a file that survives the kill).
fn resources(
    outbox: PathBuf,
    answers: tokio::sync::mpsc::UnboundedSender<(String, Value)>,
) -> Resources {
    let mut r = Resources::new();
    r.register(OK, |req| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok::<_, TaskError>(json!({"echo": req.input}))
    });
    r.register(FLAKY, |req| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        match req.input["retry"].as_u64() {
            Some(n) if n >= 2 => Ok(json!({"passed": req.input["i"]})),
            _ => Err(TaskError::new("Flaky", "not yet")),
        }
    });
    r.register(CALLBACK, move |req| {
        let token = req.token.clone().unwrap_or_default();
        let line = format!("{token}\t{}\n", req.input["i"]);
        let posted = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&outbox)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        let _ = answers.send((token, req.input["i"].clone()));
        async move {
            posted.map_err(|e| TaskError::new("Outbox", e.to_string()))?;
            Ok(json!({"MessageId": "m"}))
        }
    });
    r
}

/// The child: opens the store (resuming what runs), starts the executions not yet started,
/// answers callbacks (those posted before a kill too) and exits once none is running.
fn worker(path: &Path, executions: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        if let Err(e) = drive(path, executions).await {
            eprintln!("worker: {e}");
            std::process::exit(2);
        }
    });
}

async fn drive(path: &Path, executions: u64) -> Result<(), EngineError> {
    let outbox = path.with_extension("outbox");
    let (tx, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let (engine, _resumed) = Engine::open_durable(
        path,
        resources(outbox.clone(), tx.clone()),
        Durability::Full,
    )
    .await?;
    engine
        .create_state_machine("crash-child", &child_definition())
        .await?;
    let arn = engine.create_state_machine("crash", &definition()).await?;
    for i in 0..executions {
        let input = json!({"i": i, "items": [i, i + 1, i + 2]});
        match engine
            .start_standard_execution(&arn, &format!("exec-{i}"), input)
            .await
        {
            Ok(_) | Err(EngineError::ExecutionAlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // Callbacks posted before a kill: answered again (a closed token is refused, harmlessly).
    for line in std::fs::read_to_string(&outbox).unwrap_or_default().lines() {
        if let Some((token, i)) = line.split_once('\t') {
            let _ = tx.send((
                token.to_owned(),
                serde_json::from_str(i).unwrap_or(Value::Null),
            ));
        }
    }
    println!("ready");
    let answerer = engine.clone();
    tokio::spawn(async move {
        while let Some((token, i)) = answers.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = answerer
                .send_task_success(&token, json!({"approved": i}))
                .await;
        }
    });
    let running = ExecutionQuery {
        status: Some(Status::Running),
        limit: 1,
        ..ExecutionQuery::default()
    };
    while !engine
        .list_executions(running.clone())
        .await?
        .items
        .is_empty()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("done");
    Ok(())
}

/// What the crash run counted.
#[derive(Debug, Default)]
struct Counts {
    kills: u64,
    lost: u64,
    duplicated: u64,
    wrong: u64,
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-crash-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Runs the reference, then the killed run, and compares them.
fn crash_test(executions: u64, kills: u64, seed: u64) -> Counts {
    let reference = temp_dir("reference").join("store.db");
    let crashed = temp_dir("killed").join("store.db");
    run_child(&reference, executions, None);
    let mut rng = seed;
    let mut counts = Counts::default();
    while counts.kills < kills {
        let (next, draw) = sfn_asl::random::splitmix64(rng);
        rng = next;
        let delay = Duration::from_millis(10 + draw % 150);
        if run_child(&crashed, executions, Some(delay)) {
            counts.kills += 1;
        } else {
            break;
        }
    }
    // After the last kill: to the end, uninterrupted.
    run_child(&crashed, executions, None);
    compare(&reference, &crashed, executions, &mut counts);
    for path in [&reference, &crashed] {
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    counts
}

/// Runs the worker on `path`; with `kill_after`, kills it that long after it is ready.
/// Whether it was killed (not already finished).
fn run_child(path: &Path, executions: u64, kill_after: Option<Duration>) -> bool {
    let exe = std::env::current_exe().expect("this binary");
    let mut child = Command::new(exe)
        .args(["--executions", &executions.to_string()])
        .env(CHILD, path)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the worker starts");
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines.next().and_then(Result::ok);
    assert_eq!(
        ready.as_deref(),
        Some("ready"),
        "the worker opened the store"
    );
    let Some(delay) = kill_after else {
        let status = child.wait().expect("the worker ends");
        assert!(status.success(), "the worker failed: {status}");
        return false;
    };
    std::thread::sleep(delay);
    if child.try_wait().ok().flatten().is_some() {
        return false;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    true
}

/// An execution as stored: status, output, and its history as a multiset of events.
type Stored = (Status, Option<Value>, BTreeMap<String, u64>, bool);

fn read_all(path: &Path) -> BTreeMap<String, Stored> {
    let store = SqliteStore::open(path, Durability::Full).expect("the store opens");
    let all = store
        .executions(&ExecutionQuery::default())
        .expect("readable");
    let mut out = BTreeMap::new();
    for record in all.items {
        let history = store
            .history(&record.arn, &HistoryQuery::default())
            .expect("readable");
        let contiguous = history
            .items
            .iter()
            .enumerate()
            .all(|(i, (id, _))| *id == i as u64 + 1);
        let mut events = BTreeMap::new();
        for (_, text) in history.items {
            let mut event: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut event {
                for key in ["id", "previousEventId", "timestamp"] {
                    map.remove(key);
                }
            }
            without_child_times(&mut event);
            *events.entry(event.to_string()).or_insert(0) += 1;
        }
        let output = record.output.and_then(|o| serde_json::from_str(&o).ok());
        out.insert(record.name, (record.status, output, events, contiguous));
    }
    out
}

/// `event` without what the real clock writes into a nested child's task events: the
/// `StartDate` and `StopDate` of the child (zeroed) and the HTTP metadata of its start
/// (`Date`, and the `Content-Length` that the date's digits change), in each event's `output`.
fn without_child_times(event: &mut Value) {
    let Value::Object(members) = event else {
        return;
    };
    for details in members.values_mut() {
        let Some(text) = details.get("output").and_then(Value::as_str) else {
            continue;
        };
        let Ok(Value::Object(mut output)) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        output.remove("SdkHttpMetadata");
        for key in ["StartDate", "StopDate"] {
            if let Some(v) = output.get_mut(key) {
                *v = json!(0);
            }
        }
        details["output"] = Value::String(Value::Object(output).to_string());
    }
}

/// Counts each execution once: lost (missing or still running), duplicated (an event twice as
/// often as in the reference, or ids with a repeat or a gap), or wrong (anything else differs).
fn compare(reference: &Path, crashed: &Path, executions: u64, counts: &mut Counts) {
    let expected = read_all(reference);
    let got = read_all(crashed);
    assert_eq!(
        expected.len() as u64,
        2 * executions,
        "the reference ran every execution and its child"
    );
    for (name, (status, output, events, _)) in &expected {
        assert_eq!(*status, Status::Succeeded, "reference {name}: {output:?}");
        let Some((s, o, e, contiguous)) = got.get(name) else {
            counts.lost += 1;
            eprintln!("{name}: lost");
            continue;
        };
        if *s == Status::Running {
            counts.lost += 1;
            eprintln!("{name}: still running");
        } else if !contiguous || e.iter().any(|(k, n)| events.get(k).is_some_and(|r| n > r)) {
            counts.duplicated += 1;
            eprintln!("{name}: duplicated events");
        } else if (s, o, e) != (status, output, events) {
            counts.wrong += 1;
            eprintln!("{name}: {s:?} {o:?}, expected {status:?} {output:?}");
        }
    }
}
