//! The workloads the benchmarks share: ASL files in `benches/workloads/`, each with its input and
//! expected output, so any engine can run the same files and check its answer.
#![allow(dead_code)]

pub mod cpu_time;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use sfn_asl::StateMachine;
use sfn_runtime::{Engine, ExecutionConfig, Resources, Status};

/// One workload: a definition, its input and the output it must produce.
pub struct Workload {
    /// The file stem, e.g. `pass-chain-100`.
    pub name: &'static str,
    /// The parsed definition.
    pub machine: Arc<StateMachine>,
    /// `<name>.input.json`.
    pub input: Value,
    /// `<name>.output.json`.
    pub output: Value,
}

fn read(name: &str, suffix: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "benches", "workloads"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{name}.{suffix}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn json(name: &str, suffix: &str) -> Value {
    serde_json::from_str(&read(name, suffix))
        .unwrap_or_else(|e| panic!("{name}.{suffix}.json is not JSON: {e}"))
}

/// Loads `benches/workloads/<name>.*.json`; the files are fixed, so a bad one stops the bench.
pub fn load(name: &'static str) -> Workload {
    let machine = match sfn_asl::parse(&read(name, "asl")) {
        Ok(m) => Arc::new(m),
        Err(f) => panic!("{name}.asl.json is invalid: {:?}", f.0),
    };
    Workload {
        name,
        machine,
        input: json(name, "input"),
        output: json(name, "output"),
    }
}

/// Express semantics, no history: the shape of a high-rate execution. AWS applies no 25,000-event
/// history limit to Express workflows, so neither does this configuration.
pub fn express(execution_name: &str) -> ExecutionConfig {
    let mut config = ExecutionConfig::new("bench", execution_name);
    config.express = true;
    config.record_history = false;
    config.max_history_events = u64::MAX;
    config
}

/// A single-threaded runtime: the targets are stated for one core.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime")
}

/// Runs the workload once through the engine and checks its output, so a bench never times a
/// wrong answer.
pub fn check(rt: &tokio::runtime::Runtime, engine: &Engine, w: &Workload, config: ExecutionConfig) {
    let result =
        rt.block_on(engine.start_sync_execution(w.machine.clone(), w.input.clone(), config));
    assert_eq!(
        result.outcome.status,
        Status::Succeeded,
        "{} failed: {:?} {:?}",
        w.name,
        result.outcome.error,
        result.outcome.cause
    );
    assert_eq!(
        result.outcome.output.as_ref(),
        Some(&w.output),
        "{} output differs",
        w.name
    );
}

/// An engine with no task resources (the workloads have no Task states).
pub fn engine() -> Engine {
    Engine::new(Resources::new()).with_start_time(1_704_067_200_000)
}
