//! The large workloads of the benchmarks (`benches/engine.rs`) run to the right end: a 100-Pass
//! chain with history off, and a 10,000-item inline Map against the history limit. Their speed is
//! measured by `cargo bench -p sfn-runtime`, never here.

mod common;

use serde_json::{json, Map, Value};
use sfn_runtime::execution::{Event, Execution, ExecutionConfig};
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

fn big_map(max_history_events: u64) -> Execution {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.xs",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    let mut config = ExecutionConfig::new("bench", "map");
    config.record_history = false;
    config.max_history_events = max_history_events;
    let mut exec = Execution::new(common::machine(def), config);
    let xs: Vec<u64> = (0..10_000).collect();
    exec.handle(Event::Started {
        input: json!({"xs": xs}),
        now: 0,
    });
    exec
}

#[test]
fn a_ten_thousand_item_inline_map_exceeds_the_history_limit_as_on_aws() {
    // 4 events per iteration: 40,000 > 25,000.
    let exec = big_map(25_000);
    assert_eq!(exec.status(), Status::Failed);
    assert_eq!(exec.event_count(), 25_000);
}

#[test]
fn a_ten_thousand_item_map_runs_in_one_step_without_the_limit() {
    let exec = big_map(u64::MAX);
    assert_eq!(exec.status(), Status::Succeeded);
    // ExecutionStarted, Entered, MapStateStarted, 4 per item, Succeeded, Exited, ExecutionSucceeded.
    assert_eq!(exec.event_count(), 3 + 4 * 10_000 + 3);
}
