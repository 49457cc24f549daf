//! Typed native execution: the generated `<Workflow>Tasks` trait, its methods as the engine's
//! handlers (dispatched by state name when states share a resource), typed output and errors,
//! histories, mock configurations.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn::runtime::history::EventType;
use sfn::runtime::mocks::MockConfig;
use sfn::{workflow, ExecutionErrorKind, Shape, TaskError};

#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Order {
    id: String,
    total: f64,
}

#[derive(Debug, Serialize, Deserialize, Shape)]
pub struct Check {
    ok: bool,
}

#[derive(Debug, PartialEq, Deserialize)]
pub struct Outcome {
    first: bool,
    second: bool,
    note: String,
}

const SHARED: &str = "arn:aws:lambda:us-east-1:123456789012:function:check";

workflow! {
    pub Twice(Order) -> Outcome {
        start First;
        First: task "arn:aws:lambda:us-east-1:123456789012:function:check" -> Check {
            result_path: "$.first",
        } => Second;
        Second: task "arn:aws:lambda:us-east-1:123456789012:function:check" (Order) -> Check {
            result_path: "$.second",
        } => Notify;
        Notify: task "arn:aws:states:::sns:publish" {
            parameters: { "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders", "Message.$": "$.id" },
            result_path: "$.notified",
        } => Done;
        Done: pass {
            parameters: { "first.$": "$.first.ok", "second.$": "$.second.ok", "note.$": "$.notified.note" },
        } end;
    }
}

#[derive(Clone)]
struct Tasks;

impl TwiceTasks for Tasks {
    async fn first(&self, order: Order) -> Result<Check, TaskError> {
        Ok(Check {
            ok: order.total > 10.0,
        })
    }
    async fn second(&self, order: Order) -> Result<Check, TaskError> {
        Ok(Check {
            ok: order.id.starts_with('o'),
        })
    }
    async fn notify(&self, input: Value) -> Result<Value, TaskError> {
        Ok(json!({ "note": format!("published {}", input["Message"].as_str().unwrap_or("?")) }))
    }
}

fn order() -> Order {
    Order {
        id: "o-1".into(),
        total: 5.0,
    }
}

#[tokio::test(start_paused = true)]
async fn states_sharing_a_resource_reach_their_own_method() {
    let out = Twice::run(&Tasks, order()).await.expect("succeeds");
    assert_eq!(
        out,
        Outcome {
            first: false,
            second: true,
            note: "published o-1".into()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn one_handler_per_resource_dispatching_by_state() {
    let resources = Twice::resources(&Tasks);
    assert!(resources.has(SHARED));
    assert!(resources.has("arn:aws:states:::sns:publish"));
}

#[tokio::test(start_paused = true)]
async fn history_comes_with_the_typed_output() {
    let run = Twice::run_with_history(&Tasks, order()).await;
    assert!(run.output.is_ok());
    let kinds: Vec<EventType> = run.history().iter().map(|e| e.event_type).collect();
    assert_eq!(kinds.first(), Some(&EventType::ExecutionStarted));
    assert_eq!(kinds.last(), Some(&EventType::ExecutionSucceeded));
}

#[tokio::test(start_paused = true)]
async fn a_mock_config_answers_the_states_it_names() {
    let cfg = MockConfig::from_json(
        r#"{"StateMachines":{"Twice":{"TestCases":{"Quiet":{"Notify":"Muted"}}}},
            "MockedResponses":{"Muted":{"0":{"Return":{"note":"mocked"}}}}}"#,
    )
    .expect("valid mock config");
    let case = cfg.test_case("Twice", "Quiet").expect("case");
    let out = Twice::runner(&Tasks)
        .mocked(case)
        .run(order())
        .await
        .expect("succeeds");
    assert_eq!(out.note, "mocked");
}

#[tokio::test(start_paused = true)]
async fn task_errors_become_execution_errors() {
    #[derive(Clone)]
    struct Failing;
    impl TwiceTasks for Failing {
        async fn first(&self, _: Order) -> Result<Check, TaskError> {
            Err(TaskError::new("CheckDown", "the checker is down"))
        }
        async fn second(&self, _: Order) -> Result<Check, TaskError> {
            Ok(Check { ok: true })
        }
        async fn notify(&self, _: Value) -> Result<Value, TaskError> {
            Ok(Value::Null)
        }
    }
    let err = Twice::run(&Failing, order()).await.expect_err("fails");
    assert_eq!(err.kind, ExecutionErrorKind::Failed);
    assert_eq!(err.error, "CheckDown");
    assert_eq!(err.cause, "the checker is down");
}

workflow! {
    pub Echo(Order) -> Order {
        start Keep;
        Keep: pass { result: { "id": 1 } } end;
    }
}

#[tokio::test(start_paused = true)]
async fn an_output_of_the_wrong_type_is_named() {
    // A workflow without Task states runs with `()`.
    let err = Echo::run(&(), order()).await.expect_err("`id` is a number");
    assert_eq!(err.kind, ExecutionErrorKind::Output);
    assert_eq!(err.error, sfn::ExecutionError::OUTPUT_MISMATCH);
    assert!(err.cause.contains("Order"), "{}", err.cause);
}

#[test]
fn runs_are_send() {
    fn send<T: Send>(_: &T) {}
    send(&Twice::run(&Tasks, order()));
    send(&Twice::run_with_history(
        &std::sync::Arc::new(Tasks),
        order(),
    ));
}

workflow! {
    /// `Save` calls DynamoDB (no method); `Confirm` is a method.
    pub Stored(Order) -> Value {
        start Save;
        Save: task "arn:aws:states:::dynamodb:putItem" service {
            parameters: { "TableName": "orders", "Item": { "id": { "S.$": "$.id" } } },
            result_path: "$.saved",
        } => Confirm;
        Confirm: task "arn:aws:lambda:us-east-1:123456789012:function:confirm" end;
    }
}

#[derive(Clone)]
struct Confirms;

impl StoredTasks for Confirms {
    async fn confirm(&self, input: Value) -> Result<Value, TaskError> {
        Ok(json!({ "confirmed": input["id"], "saved": input["saved"] }))
    }
}

#[tokio::test(start_paused = true)]
async fn a_service_task_is_answered_by_a_mock_while_methods_answer_the_rest() {
    let cfg = MockConfig::from_json(
        r#"{"StateMachines":{"Stored":{"TestCases":{"Saved":{"Save":"Put"}}}},
            "MockedResponses":{"Put":{"0":{"Return":{"SdkHttpMetadata":{"HttpStatusCode":200}}}}}}"#,
    )
    .expect("valid mock config");
    let case = cfg.test_case("Stored", "Saved").expect("case");
    let out = Stored::runner(&Confirms)
        .mocked(case)
        .run(order())
        .await
        .expect("succeeds");
    assert_eq!(out["confirmed"], json!(order().id));
    assert_eq!(out["saved"]["SdkHttpMetadata"]["HttpStatusCode"], 200);
}

#[tokio::test(start_paused = true)]
async fn a_service_task_without_aws_clients_or_a_mock_says_how_to_answer_it() {
    let err = Stored::run(&Confirms, order())
        .await
        .expect_err("nothing answers the service task");
    assert_eq!(err.error, "States.Runtime");
    assert!(
        err.cause.contains("dynamodb:putItem") && err.cause.contains("Runner::aws"),
        "{}",
        err.cause
    );
}
