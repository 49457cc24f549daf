//! Engine semantics that no AWS recording covers, checked against the ASL checklist: retrier
//! counters and delays, heartbeats and timeouts, Parallel/Map failure and cancellation, tolerance
//! boundaries, variable scopes, null paths and the uncatchable `States.Runtime`.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{count, engine, machine, run, types, START_MS};
use serde_json::{json, Value};
use sfn_runtime::history::EventType;
use sfn_runtime::{ExecutionConfig, ExecutionResult, Resources, Status, TaskError};
use tokio::time::Instant;

const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// A function whose n-th call fails with `errors[n]`, then answers `{"calls": n + 1}`; it also
/// echoes `$$.State.RetryCount` when the state passes it as `rc`.
fn scripted(errors: &[&str]) -> (Resources, Arc<AtomicUsize>) {
    let errors: Vec<String> = errors.iter().map(|e| (*e).to_owned()).collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let outcome = match errors.get(n) {
            Some(e) if !e.is_empty() => Err(TaskError::new(e.clone(), format!("call {n}"))),
            _ => Ok(json!({"calls": n + 1, "rc": req.input.get("rc").cloned()})),
        };
        async move { outcome }
    });
    (r, calls)
}

/// Milliseconds after the start at which each event of `ty` happened.
fn times_of(result: &ExecutionResult, ty: EventType) -> Vec<u64> {
    result
        .history
        .iter()
        .filter(|e| e.event_type == ty)
        .map(|e| e.timestamp - START_MS)
        .collect()
}

/// A Task state on [`FN`] with `extra` fields; `End` unless `extra` names a `Next`.
fn task(extra: Value) -> Value {
    state(json!({"Type": "Task", "Resource": FN}), extra)
}

fn state(mut base: Value, extra: Value) -> Value {
    if let (Some(t), Value::Object(extra)) = (base.as_object_mut(), extra) {
        if !extra.contains_key("Next") {
            t.insert("End".into(), json!(true));
        }
        t.extend(extra);
    }
    base
}

/// A callback task whose worker takes the token and never answers nor heartbeats.
fn silent_worker() -> Resources {
    let mut r = Resources::new();
    r.register(CALLBACK, |_| async { Ok(json!({"MessageId": "m-1"})) });
    r
}

fn callback_task(extra: Value) -> Value {
    let base = json!({"Type": "Task", "Resource": CALLBACK,
        "Parameters": {"QueueUrl": "q", "token.$": "$$.Task.Token"}});
    state(base, extra)
}

/// Flags telling whether a handler future finished or was dropped unfinished.
#[derive(Clone, Default)]
struct Lifecycle {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicBool>,
    dropped: Arc<AtomicBool>,
}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Lifecycle {
    /// A resource sleeping `secs` seconds, tracked by these flags.
    fn register(&self, r: &mut Resources, resource: &str, secs: u64) {
        let me = self.clone();
        r.register(resource, move |_| {
            let me = me.clone();
            me.started.fetch_add(1, Ordering::SeqCst);
            let flag = DropFlag(me.dropped.clone());
            async move {
                let _flag = flag;
                tokio::time::sleep(Duration::from_secs(secs)).await;
                me.finished.store(true, Ordering::SeqCst);
                Ok(json!("slow"))
            }
        });
    }

    /// Whether the handler started and was cancelled before finishing.
    async fn was_cancelled(&self) -> bool {
        // Aborted tasks are dropped when the runtime next runs them.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        self.started.load(Ordering::SeqCst) == 1
            && self.dropped.load(Ordering::SeqCst)
            && !self.finished.load(Ordering::SeqCst)
    }
}

/// A resource sleeping `input.secs`, counting concurrent calls and their peak.
fn in_flight() -> (Resources, Arc<AtomicUsize>) {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (running2, peak2) = (running.clone(), peak.clone());
    let mut r = Resources::new();
    r.register(FN, move |req| {
        let (running, peak) = (running2.clone(), peak2.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let secs = req.input.get("secs").and_then(Value::as_u64).unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(secs)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            if req.input.get("fail").is_some() {
                return Err(TaskError::new("ItemFailed", req.input.to_string()));
            }
            Ok(req.input.get("id").cloned().unwrap_or(Value::Null))
        }
    });
    (r, peak)
}

// A test crate root resolves `mod` like a `mod.rs`, so the topic files name their folder.
#[path = "runtime_semantics/branches.rs"]
mod branches;
#[path = "runtime_semantics/data.rs"]
mod data;
#[path = "runtime_semantics/retry.rs"]
mod retry;
#[path = "runtime_semantics/timeouts.rs"]
mod timeouts;
