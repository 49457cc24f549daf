//! What `workflow!` generates: the workflow type, its state enum, the ASL constant, the
//! `Workflow` impl, and the files under the output directory.

use sfn::{workflow, Shape, Workflow, WorkflowKind, WorkflowState};

#[derive(Shape)]
#[allow(dead_code)]
pub struct Order {
    id: String,
    total: f64,
    ok: bool,
}

workflow! {
    /// Takes an order from payment to shipping.
    #[workflow(kind = Express, timeout_seconds = 3600)]
    pub OrderFlow(Order) -> serde_json::Value {
        start Validate;

        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" {
            result_path: "$.validation",
            retry: [TaskFailed] every 2s x 3 backoff 2.0,
            catch: [ALL] result_path "$.error" => Rejected,
        } => Route;

        Route: choice {
            "$.total" > 100 && "$.ok" == true => Approve,
            else => Rejected,
        };

        "Approve": pass { result: { "approved": true }, result_path: "$.approval" } end;
        Rejected: fail { error: "OrderRejected", cause: "validation failed" };
    }
}

#[test]
fn state_enum_lists_every_state_in_order() {
    let names: Vec<&str> = OrderFlowState::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["Validate", "Route", "Approve", "Rejected"]);
    assert_eq!(
        OrderFlowState::from_name("Route"),
        Some(OrderFlowState::Route)
    );
    assert_eq!(OrderFlowState::from_name("Nope"), None);
    assert_eq!(<OrderFlowState as WorkflowState>::ALL.len(), 4);
}

#[test]
fn workflow_impl_records_name_kind_and_types() {
    assert_eq!(OrderFlow::NAME, "OrderFlow");
    assert_eq!(OrderFlow::KIND, WorkflowKind::Express);
    let _: Option<<OrderFlow as Workflow>::Input> = None::<Order>;
    assert!(OrderFlow::ASL.contains("Validate"));
}

#[test]
fn iam_policy_grants_the_lambda() {
    let policy: serde_json::Value =
        serde_json::from_str(OrderFlow::IAM_POLICY).expect("policy is JSON");
    assert_eq!(policy["Statement"][0]["Action"][0], "lambda:InvokeFunction");
    assert_eq!(
        policy["Statement"][0]["Resource"][0],
        "arn:aws:lambda:us-east-1:123456789012:function:validate"
    );
}
