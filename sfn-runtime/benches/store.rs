//! Durable transitions per second on the SQLite store (`cargo bench -p sfn-runtime --features
//! sqlite --bench store`).
//!
//! - `many`: 1,000 Standard executions commit 20 transitions each concurrently through one
//!   [`GroupCommitter`]; transitions per second, median of 5 runs, for both durability levels.
//! - `store`: the same transitions prebuilt and committed 800 a transaction from one thread,
//!   without the committer and the tasks: what the store's own thread can do at most.
//! - `lone`: one execution commits 500 transitions one after another; the median latency of a
//!   commit (each is its own transaction, so with `Full` each waits for a flush of the disk).
//! - `starts`: an engine on a fresh store starts 10,000 Standard executions (one Pass state)
//!   concurrently with `start_standard_execution`; starts per second, until every start has
//!   returned (each returns once its execution's row is durable).
//! - `engine-lone`: one Standard execution of 200 Task states (a handler that returns at once)
//!   on an engine; the time per state, each one transition committed before the next task runs.
//!
//! A transition here is what a Pass or Task state persists: one journal event and two history
//! events (StateExited + StateEntered) of realistic size.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use sfn_runtime::execution::Status;
use sfn_runtime::store::group::GroupCommitter;
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, ExecutionRecord, Store, Transition};
use sfn_runtime::{Engine, Resources, TaskError};

const RUNS: usize = 5;

fn execution(i: usize) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:bench:run-{i}"),
        name: format!("run-{i}"),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:bench".into(),
        status: Status::Running,
        input: "{\"order\":{\"id\":\"o-1\",\"total\":42.5}}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: 0,
        stopped_ms: None,
        redrive_count: 0,
        redrive_ms: None,
        parent: None,
        map_run_arn: None,
    }
}

fn transition(arn: &str, n: u64) -> Transition {
    let payload = "{\"order\":{\"id\":\"o-1\",\"total\":42.5},\"step\":17}";
    Transition {
        execution_arn: arn.into(),
        first_event: n,
        journal: vec![format!(
            "{{\"type\":\"task_succeeded\",\"task_id\":{n},\"output\":{payload},\"now\":1700000000000}}"
        )],
        history: vec![
            (
                2 * n + 1,
                format!("{{\"type\":\"TaskStateExited\",\"name\":\"Step{n}\",\"output\":{payload:?}}}"),
            ),
            (
                2 * n + 2,
                format!("{{\"type\":\"TaskStateEntered\",\"name\":\"Step{}\",\"input\":{payload:?}}}", n + 1),
            ),
        ],
        ..Transition::default()
    }
}

fn fresh_store(dir: &std::path::Path, durability: Durability, executions: usize) -> SqliteStore {
    let path = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = SqliteStore::open(&path, durability).expect("open");
    for i in 0..executions {
        store.create_execution(&execution(i)).expect("create");
    }
    store
}

fn many(dir: &std::path::Path, durability: Durability) -> (f64, f64) {
    const EXECUTIONS: usize = 1000;
    const STEPS: u64 = 20;
    let store = fresh_store(dir, durability, EXECUTIONS);
    let committer = Arc::new(GroupCommitter::start(store, 4096));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let start = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..EXECUTIONS {
            let c = committer.clone();
            tasks.push(tokio::spawn(async move {
                let arn = execution(i).arn;
                for n in 0..STEPS {
                    c.commit(transition(&arn, n)).await.expect("commit");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let stats = committer.stats();
    (
        stats.transitions as f64 / secs,
        stats.transitions as f64 / stats.batches.max(1) as f64,
    )
}

/// The store alone: the same transitions as `many`, prebuilt into transactions of 800 and
/// committed from one thread; transitions per second (what the store's thread can do at most).
fn store_only(dir: &std::path::Path, durability: Durability) -> f64 {
    const EXECUTIONS: usize = 1000;
    const STEPS: u64 = 20;
    let mut store = fresh_store(dir, durability, EXECUTIONS);
    let arns: Vec<String> = (0..EXECUTIONS).map(|i| execution(i).arn).collect();
    let all: Vec<Transition> = (0..STEPS)
        .flat_map(|n| arns.iter().map(move |arn| transition(arn, n)))
        .collect();
    let start = Instant::now();
    for batch in all.chunks(800) {
        store.commit(batch).expect("commit");
    }
    all.len() as f64 / start.elapsed().as_secs_f64()
}

fn lone(dir: &std::path::Path, durability: Durability) -> f64 {
    let mut store = fresh_store(dir, durability, 1);
    let arn = execution(0).arn;
    let mut latencies: Vec<f64> = (0..500)
        .map(|n| {
            let t = Instant::now();
            store.commit(&[transition(&arn, n)]).expect("commit");
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    median(&mut latencies)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// An engine on a fresh store at `dir/engine.db`.
async fn fresh_engine(
    dir: &std::path::Path,
    durability: Durability,
    resources: Resources,
) -> Engine {
    let path = dir.join("engine.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Engine::open_durable(&path, resources, durability)
        .await
        .expect("open")
        .0
}

fn starts(dir: &std::path::Path, durability: Durability) -> f64 {
    const STARTS: usize = 10_000;
    runtime().block_on(async {
        let engine = fresh_engine(dir, durability, Resources::new()).await;
        let machine = engine
            .create_state_machine(
                "bench",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .await
            .expect("machine");
        let start = Instant::now();
        let tasks: Vec<_> = (0..STARTS)
            .map(|i| {
                let (engine, machine) = (engine.clone(), machine.clone());
                tokio::spawn(async move {
                    engine
                        .start_standard_execution(&machine, &format!("run-{i}"), json!({"i": i}))
                        .await
                        .expect("start")
                })
            })
            .collect();
        let mut started = Vec::with_capacity(STARTS);
        for t in tasks {
            started.push(t.await.expect("task"));
        }
        let rate = STARTS as f64 / start.elapsed().as_secs_f64();
        for s in started {
            s.handle
                .expect("a new execution")
                .result()
                .await
                .expect("result");
        }
        rate
    })
}

fn engine_lone(dir: &std::path::Path, durability: Durability) -> f64 {
    const STATES: usize = 200;
    const ECHO: &str = "arn:aws:lambda:us-east-1:123456789012:function:echo";
    let states: serde_json::Map<String, serde_json::Value> = (0..STATES)
        .map(|n| {
            let mut state = json!({"Type": "Task", "Resource": ECHO});
            if n + 1 < STATES {
                state["Next"] = json!(format!("T{}", n + 1));
            } else {
                state["End"] = json!(true);
            }
            (format!("T{n}"), state)
        })
        .collect();
    let definition = json!({"StartAt": "T0", "States": states}).to_string();
    let mut resources = Resources::new();
    resources.register(ECHO, |req| async move { Ok::<_, TaskError>(req.input) });
    runtime().block_on(async {
        let engine = fresh_engine(dir, durability, resources).await;
        let machine = engine
            .create_state_machine("chain", &definition)
            .await
            .expect("machine");
        let start = Instant::now();
        let started = engine
            .start_standard_execution(&machine, "lone", json!({"n": 1}))
            .await
            .expect("start");
        let result = started.handle.expect("new").result().await.expect("result");
        assert_eq!(
            result.outcome.status,
            Status::Succeeded,
            "{:?}",
            result.outcome
        );
        start.elapsed().as_secs_f64() * 1e6 / STATES as f64
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects `many` or `lone`.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = std::env::temp_dir().join(format!("sfn-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for durability in [Durability::Full, Durability::Process] {
        if filter.as_deref().is_none_or(|f| "many".contains(f)) {
            let mut rates = Vec::new();
            let mut per_batch = Vec::new();
            for _ in 0..RUNS {
                let (rate, batch) = many(&dir, durability);
                rates.push(rate);
                per_batch.push(batch);
            }
            println!(
                "store/many/{durability:?}: median {:.0} transitions/s over {RUNS} runs \
                 (min {:.0}, max {:.0}), {:.0} transitions a transaction",
                median(&mut rates),
                rates[0],
                rates[RUNS - 1],
                median(&mut per_batch)
            );
        }
        if filter.as_deref().is_none_or(|f| "store".contains(f)) {
            let mut rates: Vec<f64> = (0..RUNS).map(|_| store_only(&dir, durability)).collect();
            println!(
                "store/store-only/{durability:?}: median {:.0} transitions/s",
                median(&mut rates)
            );
        }
        if filter.as_deref().is_none_or(|f| "starts".contains(f)) {
            let mut rates: Vec<f64> = (0..RUNS).map(|_| starts(&dir, durability)).collect();
            println!(
                "store/starts/{durability:?}: median {:.0} starts/s over {RUNS} runs \
                 (10,000 concurrent)",
                median(&mut rates)
            );
        }
        if filter.as_deref().is_none_or(|f| "engine-lone".contains(f)) {
            let mut lat: Vec<f64> = (0..RUNS).map(|_| engine_lone(&dir, durability)).collect();
            println!(
                "store/engine-lone/{durability:?}: median {:.0} µs a transition (one execution, \
                 200 Task states)",
                median(&mut lat)
            );
        }
        if filter.as_deref().is_none_or(|f| "lone".contains(f)) {
            let mut lat: Vec<f64> = (0..RUNS).map(|_| lone(&dir, durability)).collect();
            println!(
                "store/lone/{durability:?}: median commit latency {:.0} µs",
                median(&mut lat)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
