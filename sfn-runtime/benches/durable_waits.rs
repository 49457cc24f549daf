//! Waiting costs nothing: memory of persisted Standard executions that wait, and how fast a store
//! holding them reopens (`cargo bench -p sfn-runtime --features sqlite --bench durable_waits`).
//!
//! Starts `SFN_BENCH_WAITING` executions (default 100,000; 300 under `cargo test --benches`) on
//! an engine opened on a fresh SQLite file, a third each waiting in a one-year `Wait`, in a retry
//! back-off of a year, and on a `.waitForTaskToken` task. Once every one has left memory it
//! prints the live heap and resident memory they hold (target: under 100 MiB for 100,000), and
//! the store's size; then it drops the engine, opens the file again, and prints how long the
//! reopening took (target: under 2 s) and what it holds in memory, and answers one token to show
//! the executions still work. `SFN_BENCH_DURABILITY=full` commits with `Durability::Full`
//! (default `process`: starting 100,000 executions then does not wait for the disk).

#[path = "common/memory.rs"]
mod memory;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use memory::{mib, proc_status, LIVE};
use serde_json::json;
use sfn_runtime::store::Durability;
use sfn_runtime::{Engine, Resources, Status, TaskError};
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

const FAILS: &str = "arn:aws:lambda:us-east-1:123456789012:function:fails";
const CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
const YEAR: u64 = 365 * 24 * 3600;

/// A Choice sends each execution to one way of waiting.
fn definition() -> String {
    json!({"StartAt": "How", "States": {
        "How": {"Type": "Choice", "Choices": [
            {"Variable": "$.how", "StringEquals": "wait", "Next": "Wait"},
            {"Variable": "$.how", "StringEquals": "retry", "Next": "Retry"}],
            "Default": "Ask"},
        "Wait": {"Type": "Wait", "Seconds": YEAR, "End": true},
        "Retry": {"Type": "Task", "Resource": FAILS, "End": true,
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": YEAR, "MaxAttempts": 1}]},
        "Ask": {"Type": "Task", "Resource": CALLBACK, "Parameters": {"token.$": "$$.Task.Token"},
            "End": true}}})
    .to_string()
}

fn resources(tokens: mpsc::UnboundedSender<String>) -> Resources {
    let mut r = Resources::new();
    r.register(FAILS, |_| async {
        Err::<serde_json::Value, _>(TaskError::new("Busy", "later"))
    });
    r.register(CALLBACK, move |req| {
        let _ = tokens.send(req.token.clone().unwrap_or_default());
        async { Ok::<_, TaskError>(json!({"MessageId": "m-1"})) }
    });
    r
}

fn file_size(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

async fn open(path: &Path, durability: Durability) -> (Engine, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (engine, resumed) = Engine::open_durable(path, resources(tx), durability)
        .await
        .expect("the store opens");
    assert!(
        resumed.is_empty(),
        "waiting executions are not loaded at open"
    );
    (engine, rx)
}

/// Starts `n` executions, 1,000 at a time.
async fn start_all(engine: &Engine, machine: &str, n: usize) {
    let ways = ["wait", "retry", "token"];
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut set = tokio::task::JoinSet::new();
        for &i in chunk {
            let (engine, machine) = (engine.clone(), machine.to_owned());
            set.spawn(async move {
                let input = json!({"how": ways[i % 3], "i": i});
                let name = format!("w-{i}");
                let started = engine
                    .start_standard_execution(&machine, &name, input)
                    .await;
                drop(started.expect("starts"));
            });
        }
        while set.join_next().await.is_some() {}
    }
}

/// Waits until no persisted execution is in memory.
async fn until_parked(engine: &Engine) {
    while engine.executions_in_memory() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SFN_BENCH_WAITING")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 300 });
    let durability = match std::env::var("SFN_BENCH_DURABILITY").as_deref() {
        Ok("full") => Durability::Full,
        _ => Durability::Process,
    };
    let dir = std::env::temp_dir().join(format!("sfn-bench-waits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("store.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");

    let (live0, rss0) = (LIVE.load(Ordering::Relaxed), proc_status("VmRSS"));
    let started = Instant::now();
    let tokens = rt.block_on(async {
        let (engine, tokens) = open(&path, durability).await;
        let machine = engine
            .create_state_machine("waits", &definition())
            .await
            .expect("valid");
        start_all(&engine, &machine, n).await;
        until_parked(&engine).await;
        engine.halt();
        tokens
    });
    let parked_in = started.elapsed();
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(live0) as u64;
    let rss = proc_status("VmRSS").saturating_sub(rss0);
    println!(
        "durable-waits: {n} Standard executions waiting ({durability:?}), started and out of memory in {:.1}s",
        parked_in.as_secs_f64()
    );
    println!(
        "  held in memory: live heap +{:.1} MiB ({} B/execution), RSS +{:.1} MiB; target < 100 MiB for 100,000",
        mib(live),
        live / n as u64,
        mib(rss)
    );
    println!(
        "  store: {:.1} MiB on disk ({} B/execution)",
        mib(file_size(&path)),
        file_size(&path) / n as u64
    );

    let tokens = Arc::new(std::sync::Mutex::new(tokens));
    let (live1, rss1) = (LIVE.load(Ordering::Relaxed), proc_status("VmRSS"));
    rt.block_on(async {
        let reopened = Instant::now();
        let (engine, _) = open(&path, durability).await;
        let took = reopened.elapsed();
        let live = LIVE.load(Ordering::Relaxed).saturating_sub(live1) as u64;
        let rss = proc_status("VmRSS").saturating_sub(rss1);
        println!(
            "  reopened and resumed in {:.3}s (target < 2 s): {} executions in memory, live heap +{:.1} MiB, RSS +{:.1} MiB",
            took.as_secs_f64(),
            engine.executions_in_memory(),
            mib(live),
            mib(rss)
        );
        // They still work: one token answered, its execution comes back and succeeds.
        let token = tokens.lock().expect("not poisoned").try_recv().expect("a token was issued");
        engine.send_task_success(&token, json!("yes")).await.expect("the token works");
        let answered = n - n / 3;
        let list = sfn_runtime::store::ExecutionQuery {
            status: Some(Status::Succeeded),
            ..Default::default()
        };
        loop {
            let page = engine.list_executions(list.clone()).await.expect("listable");
            if page.items.len() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        println!("  a token answered after the reopening: its execution succeeded ({answered} others wait on)");
    });
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
}
