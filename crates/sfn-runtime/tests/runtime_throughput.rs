//! Throughput of the core on a 100-Pass chain with Parameters and ResultPath, history off.
//! Run with `cargo test --release -p sfn-runtime --test runtime_throughput -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use serde_json::{json, Map, Value};
use sfn_runtime::core::{Event, Execution, ExecutionConfig};
use sfn_runtime::Status;

fn chain(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let mut s = json!({"Type": "Pass", "Parameters": {"step": i, "value.$": "$.value"}, "ResultPath": "$.last"});
        if i + 1 == n {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("S{}", i + 1));
        }
        states.insert(format!("S{i}"), s);
    }
    json!({"StartAt": "S0", "States": states})
}

#[test]
fn pass_chain_runs_to_the_end() {
    let machine = common::machine(chain(100));
    let mut config = ExecutionConfig::new("bench", "run");
    config.record_history = false;
    let mut exec = Execution::new(machine, config);
    exec.handle(Event::Started {
        input: json!({"value": 1}),
        now: 0,
    });
    assert_eq!(exec.status(), Status::Succeeded);
    assert_eq!(exec.event_count(), 1 + 200 + 1);
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn pass_transitions_per_second() {
    let machine = common::machine(chain(100));
    let runs = 20_000;
    let start = Instant::now();
    for _ in 0..runs {
        let mut config = ExecutionConfig::new("bench", "run");
        config.record_history = false;
        let mut exec = Execution::new(machine.clone(), config);
        exec.handle(Event::Started {
            input: json!({"value": 1}),
            now: 0,
        });
        assert_eq!(exec.status(), Status::Succeeded);
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = (runs * 100) as f64 / secs;
    println!("{rate:.0} Pass transitions/s ({runs} runs of 100 states in {secs:.2}s)");
}
