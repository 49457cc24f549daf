//! An expense waits for a person: the `.waitForTaskToken` task hands its token to an approver
//! (here another tokio task standing in for the person and the queue), who completes it
//! through the engine's `send_task_success`.
//!
//! `cargo run --example human_approval` prints the emitted ASL and the result of a native run.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn::{workflow, ExecutionError, Shape, TaskError};
use tokio::sync::mpsc;

/// The execution input.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Expense {
    /// Expense id.
    pub id: String,
    /// Amount claimed.
    pub amount: f64,
}

/// What the workflow ends with.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The expense.
    pub id: String,
    /// Who approved it.
    pub approved_by: String,
}

workflow! {
    /// Asks a person to approve an expense and waits (up to a day) for the answer.
    pub HumanApproval(Expense) -> Decision {
        start RequestApproval;

        RequestApproval: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" {
            parameters: {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                "MessageBody": { "expense.$": "$", "token.$": "$$.Task.Token" },
            },
            timeout_seconds: 86400,
            result_path: "$.decision",
        } => Decide;

        Decide: choice {
            "$.decision.approved" == true => Approved,
            else => Declined,
        };

        Approved: pass { parameters: { "id.$": "$.id", "approved_by.$": "$.decision.by" } } end;
        Declined: fail { error: "ExpenseDeclined", cause: "the approver said no" };
    }
}

/// The queue the approval requests go to: the message body and the task token.
#[derive(Clone)]
pub struct Tasks {
    queue: mpsc::UnboundedSender<(Value, String)>,
}

impl Tasks {
    /// Tasks sending approval requests to `queue`.
    pub fn new(queue: mpsc::UnboundedSender<(Value, String)>) -> Self {
        Tasks { queue }
    }
}

impl HumanApprovalTasks for Tasks {
    async fn request_approval(&self, message: Value, token: String) -> Result<(), TaskError> {
        self.queue
            .send((message["MessageBody"].clone(), token))
            .map_err(|_| TaskError::new("SQS.QueueDoesNotExist", "the approval queue is gone"))
    }
}

/// Runs one expense; the approver approves expenses up to `limit`.
pub async fn run_example(expense: Expense, limit: f64) -> Result<Decision, ExecutionError> {
    let (queue, mut requests) = mpsc::unbounded_channel::<(Value, String)>();
    let runner = HumanApproval::runner(&Tasks::new(queue));
    let engine = runner.engine().clone();
    let approver = tokio::spawn(async move {
        while let Some((body, token)) = requests.recv().await {
            // The person takes a moment.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let approved = body["expense"]["amount"]
                .as_f64()
                .is_some_and(|a| a <= limit);
            let answer = json!({ "approved": approved, "by": "alice" });
            if let Err(e) = engine.send_task_success(&token, answer).await {
                eprintln!("the answer did not arrive: {e}");
            }
        }
    });
    let result = runner.run(expense).await;
    approver.abort();
    result
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for its items, not its `main`.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("{}", HumanApproval::ASL);
    match run_example(
        Expense {
            id: "exp-3".into(),
            amount: 120.0,
        },
        500.0,
    )
    .await
    {
        Ok(decision) => println!("{decision:?}"),
        Err(e) => {
            eprintln!("the execution failed: {e}");
            std::process::exit(1);
        }
    }
}
