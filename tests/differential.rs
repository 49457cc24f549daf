//! Differential check: every example and every `sfn-macros/tests/ui/pass` case runs twice, natively through
//! its typed `run` and through the engine on its emitted ASL read back with `sfn_asl::parse`
//! (untyped, the same methods registered as plain resource handlers). Both runs must end alike:
//! same status, same output (or error and cause), same history event sequence.

#![allow(dead_code)] // the included files' `main` functions are not called here

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use sfn::runtime::{Engine, ExecutionConfig, ExecutionResult, Resources};
use sfn::{Run, TaskError, Workflow};

#[path = "../examples/batch_fan_out.rs"]
mod batch_fan_out;
#[path = "../examples/human_approval.rs"]
mod human_approval;
#[path = "../examples/order_processing.rs"]
mod order_processing;

#[path = "../sfn-macros/tests/ui/pass/every-state-and-field.rs"]
mod every_state_and_field;
#[path = "../sfn-macros/tests/ui/pass/jsonata.rs"]
mod jsonata;
#[path = "../sfn-macros/tests/ui/pass/shapes.rs"]
mod shapes;
#[path = "../sfn-macros/tests/ui/pass/state-names.rs"]
mod state_names;

/// Runs `W`'s emitted ASL, parsed back, on the engine with `resources`.
async fn untyped<W: Workflow>(engine: &Engine, input: Value) -> ExecutionResult {
    let machine = sfn::asl::parse(W::ASL).expect("the emitted ASL parses");
    engine
        .start_sync_execution(
            Arc::new(machine),
            input,
            ExecutionConfig::new(W::NAME, "run"),
        )
        .await
}

fn untyped_engine(resources: Resources) -> Engine {
    Engine::new(resources)
}

/// Both runs ended alike.
fn assert_agree<O: Serialize>(name: &str, typed: &Run<O>, plain: &ExecutionResult) {
    assert_eq!(
        typed.result.outcome.status, plain.outcome.status,
        "{name}: status"
    );
    match &typed.output {
        Ok(out) => {
            let out = serde_json::to_value(out).expect("the output serializes");
            assert_eq!(Some(out), plain.outcome.output, "{name}: output");
        }
        Err(e) => {
            // An absent error or cause is empty in `ExecutionError`.
            assert_eq!(
                e.error,
                plain.outcome.error.clone().unwrap_or_default(),
                "{name}: error"
            );
            assert_eq!(
                e.cause,
                plain.outcome.cause.clone().unwrap_or_default(),
                "{name}: cause"
            );
        }
    }
    let kinds = |r: &ExecutionResult| {
        r.history
            .iter()
            .map(|e| (e.id, e.event_type))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&typed.result), kinds(plain), "{name}: history");
    assert!(!plain.history.is_empty(), "{name}: history recorded");
}

#[tokio::test(start_paused = true)]
async fn order_processing() {
    use order_processing::{sample_order, OrderProcessing, Tasks};
    let typed = OrderProcessing::run_with_history(&Tasks::default(), sample_order()).await;
    let engine = untyped_engine(OrderProcessing::resources(&Tasks::default()));
    let plain =
        untyped::<OrderProcessing>(&engine, serde_json::to_value(sample_order()).expect("json"))
            .await;
    assert!(typed.output.is_ok(), "{:?}", typed.output);
    assert_agree("order_processing", &typed, &plain);
}

#[tokio::test(start_paused = true)]
async fn batch_fan_out() {
    use batch_fan_out::{sample_batch, BatchFanOut, Tasks};
    let typed = BatchFanOut::run_with_history(&Tasks, sample_batch()).await;
    let engine = untyped_engine(BatchFanOut::resources(&Tasks));
    let plain =
        untyped::<BatchFanOut>(&engine, serde_json::to_value(sample_batch()).expect("json")).await;
    assert!(typed.output.is_ok(), "{:?}", typed.output);
    assert_agree("batch_fan_out", &typed, &plain);
}

/// An approver answering every request on `engine`, approving up to 500.
fn approver(engine: Engine, mut requests: tokio::sync::mpsc::UnboundedReceiver<(Value, String)>) {
    tokio::spawn(async move {
        while let Some((body, token)) = requests.recv().await {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            let approved = body["expense"]["amount"]
                .as_f64()
                .is_some_and(|a| a <= 500.0);
            let _ = engine
                .send_task_success(&token, json!({ "approved": approved, "by": "bob" }))
                .await;
        }
    });
}

#[tokio::test(start_paused = true)]
async fn human_approval() {
    use human_approval::{Expense, HumanApproval, Tasks};
    for amount in [120.0, 9000.0] {
        let expense = Expense {
            id: "exp-1".into(),
            amount,
        };
        let (queue, rx) = tokio::sync::mpsc::unbounded_channel();
        let runner = HumanApproval::runner(&Tasks::new(queue));
        approver(runner.engine().clone(), rx);
        let typed = runner.run_with_history(expense.clone()).await;

        let (queue, rx) = tokio::sync::mpsc::unbounded_channel();
        let engine = untyped_engine(HumanApproval::resources(&Tasks::new(queue)));
        approver(engine.clone(), rx);
        let plain =
            untyped::<HumanApproval>(&engine, serde_json::to_value(&expense).expect("json")).await;
        assert_agree(&format!("human_approval {amount}"), &typed, &plain);
    }
}

/// Task methods for the `sfn-macros/tests/ui/pass` cases: they echo their input with a marker, so the
/// outputs show what each state received.
#[derive(Clone)]
struct Echo;

fn echo(state: &str, input: Value) -> Result<Value, TaskError> {
    Ok(json!({ "ok": true, "state": state, "input": input }))
}

impl every_state_and_field::EverythingTasks for Echo {
    async fn validate(&self, input: Value) -> Result<Value, TaskError> {
        echo("Validate", input)
    }
    async fn approve(&self, _: Value, _: String) -> Result<(), TaskError> {
        Ok(())
    }
    async fn batch(&self, input: Value) -> Result<Value, TaskError> {
        echo("Batch", input)
    }
}

impl jsonata::GreeterTasks for Echo {
    async fn greet(&self, input: Value) -> Result<Value, TaskError> {
        Ok(json!({ "text": format!("hello {}", input["name"].as_str().unwrap_or("?")) }))
    }
}

impl shapes::OrderFlowTasks for Echo {
    async fn check(&self, input: Value) -> Result<Value, TaskError> {
        echo("Check", input)
    }
}

#[tokio::test(start_paused = true)]
async fn every_state_and_field() {
    use every_state_and_field::Everything;
    let input = json!({
        "order": { "id": "o-1" }, "id": "o-1", "total": -5, "kind": "retail", "placed": "2029-01-01T00:00:00Z", "delay": 5,
        "when": "2031-01-01T00:00:00Z", "items": [1, 2, 3], "concurrency": 2, "pct": 10, "count": 1,
    });
    let typed = Everything::run_with_history(&Echo, input.clone()).await;
    let plain = untyped::<Everything>(&untyped_engine(Everything::resources(&Echo)), input).await;
    assert_agree("every-state-and-field", &typed, &plain);
    // The run gets through the task, the choice, Parallel and the inline Map, and stops at the
    // distributed Map's S3 reader, which no handler serves here.
    assert_eq!(
        plain.outcome.error.as_deref(),
        Some("States.ItemReaderFailed")
    );
    assert!(plain.history.len() > 30, "{}", plain.history.len());
}

#[tokio::test(start_paused = true)]
async fn jsonata_greeter() {
    use jsonata::Greeter;
    let input = json!({ "name": "Ada", "timeout": 30 });
    let typed = Greeter::run_with_history(&Echo, input.clone()).await;
    let plain = untyped::<Greeter>(&untyped_engine(Greeter::resources(&Echo)), input).await;
    assert!(typed.output.is_ok(), "{:?}", typed.output);
    assert_agree("jsonata", &typed, &plain);
}

#[tokio::test(start_paused = true)]
async fn shapes_order_flow() {
    use shapes::{Event, Line, Meta, Order, OrderFlow};
    let order = Order {
        order_id: "o-9".into(),
        total: 12.5,
        paid: Some(true),
        cache: Vec::new(),
        tags: vec!["gift".into()],
        meta: Meta {
            source: "web".into(),
        },
        extra: HashMap::new(),
        raw: json!({ "a": { "b": { "c": 1 } } }),
        event: Event::Placed {
            at: "2030-01-01T00:00:00Z".into(),
        },
        lines: vec![
            Line {
                sku: "a".into(),
                quantity: 2,
            },
            Line {
                sku: "b".into(),
                quantity: 0,
            },
        ],
    };
    let input = serde_json::to_value(&order).expect("json");
    let typed = OrderFlow::run_with_history(&Echo, order).await;
    let plain = untyped::<OrderFlow>(&untyped_engine(OrderFlow::resources(&Echo)), input).await;
    assert!(typed.output.is_ok(), "{:?}", typed.output);
    assert_agree("shapes", &typed, &plain);
}

#[tokio::test(start_paused = true)]
async fn state_names() {
    use state_names::Names;
    let input = json!({ "n": 1 });
    let typed = Names::run_with_history(&(), input.clone()).await;
    let plain = untyped::<Names>(&untyped_engine(Names::resources(&())), input).await;
    assert!(typed.output.is_ok(), "{:?}", typed.output);
    assert_agree("state-names", &typed, &plain);
}
