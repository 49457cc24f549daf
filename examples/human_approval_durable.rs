//! An expense approval that survives a restart: the request and the approval happen in two
//! runs of the program, and the execution waits in a store file in between.
//!
//! ```sh
//! cargo run --example human_approval_durable -- request  # starts it, asks for approval, exits
//! cargo run --example human_approval_durable -- approve  # reopens the store, approves, prints
//! ```
//!
//! `request` opens a durable engine on the store (`Runner::open_durable`) and starts a Standard
//! execution by name (`start_named`). Its `.waitForTaskToken` task writes the approval request,
//! with the task token, to an outbox file (the stand-in for a queue a person reads), and the
//! program ends with the execution waiting in the store. `approve` opens the same store with
//! the same task methods: the execution resumes, still waiting for its token; the approver reads
//! the request from the outbox and answers it (`send_task_success`), and the execution runs to
//! its end. In between, `sfn list --store FOLDER/store.db` shows it `RUNNING`. Both take the
//! folder of the store and the outbox as an optional second argument (default:
//! `sfn-human-approval` in the temporary folder).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn::runtime::store::sqlite::SqliteStore;
use sfn::runtime::store::Durability;
use sfn::{workflow, Shape, TaskError};
use tokio::sync::mpsc;

/// The execution input.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Claim {
    /// Expense id.
    pub id: String,
    /// Amount claimed.
    pub amount: f64,
}

/// What the workflow ends with.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The expense.
    pub id: String,
    /// Who approved it.
    pub approved_by: String,
}

workflow! {
    /// Asks a person to approve an expense and waits (up to a week) for the answer, across
    /// restarts of the program.
    pub DurableApproval(Claim) -> Verdict {
        start RequestApproval;

        RequestApproval: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" {
            parameters: {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                "MessageBody": {
                    "claim.$": "$",
                    "token.$": "$$.Task.Token",
                    "execution.$": "$$.Execution.Id",
                },
            },
            timeout_seconds: 604800,
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

/// The task methods: the approval request goes to the outbox file.
#[derive(Clone)]
pub struct Tasks {
    outbox: PathBuf,
    /// Told when a request was written.
    written: Option<mpsc::UnboundedSender<()>>,
}

impl DurableApprovalTasks for Tasks {
    async fn request_approval(&self, message: Value, token: String) -> Result<(), TaskError> {
        // A handler runs at least once: after a restart in the middle of this call it runs
        // again, with the same token, and writes the same request.
        let body = &message["MessageBody"];
        let request =
            json!({ "claim": body["claim"], "token": token, "execution": body["execution"] });
        std::fs::write(&self.outbox, request.to_string())
            .map_err(|e| TaskError::new("SQS.SendFailed", format!("the outbox: {e}")))?;
        if let Some(written) = &self.written {
            let _ = written.send(());
        }
        Ok(())
    }
}

fn store_in(dir: &Path) -> Result<SqliteStore, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    Ok(SqliteStore::open(dir.join("store.db"), Durability::Full)?)
}

/// The first run: starts the approval of `claim` and returns once its request is in the
/// outbox; the execution then waits in the store. Returns the execution's ARN.
pub async fn request(dir: &Path, claim: Claim) -> Result<String, Box<dyn std::error::Error>> {
    let (written, mut requests) = mpsc::unbounded_channel();
    let tasks = Tasks {
        outbox: dir.join("outbox.json"),
        written: Some(written),
    };
    let (runner, _resumed) = DurableApproval::runner(&tasks)
        .open_durable(store_in(dir)?)
        .await?;
    let started = runner.start_named(&claim.id.clone(), claim).await?;
    requests.recv().await;
    Ok(started.execution_arn().to_owned())
}

/// The second run: reopens the store (the execution resumes, or stays in the store until its
/// token is answered), answers the request in the outbox (approved up to `limit`), and waits
/// for the end.
pub async fn approve(dir: &Path, limit: f64) -> Result<Verdict, Box<dyn std::error::Error>> {
    let tasks = Tasks {
        outbox: dir.join("outbox.json"),
        written: None,
    };
    let (runner, _resumed) = DurableApproval::runner(&tasks)
        .open_durable(store_in(dir)?)
        .await?;
    let Ok(text) = std::fs::read_to_string(&tasks.outbox) else {
        return Err("no approval request in the outbox; run `request` first".into());
    };
    let request: Value = serde_json::from_str(&text)?;
    let approved = request["claim"]["amount"]
        .as_f64()
        .is_some_and(|a| a <= limit);
    let token = request["token"].as_str().unwrap_or_default();
    runner
        .engine()
        .send_task_success(token, json!({ "approved": approved, "by": "alice" }))
        .await?;
    let execution = request["execution"].as_str().unwrap_or_default();
    let verdict: Verdict = runner.wait_for(execution).await?;
    Ok(verdict)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for its items, not its `main`.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sfn-human-approval"));
    let outcome = match args.get(1).map(String::as_str) {
        Some("request") => {
            let claim = Claim {
                id: "exp-3".into(),
                amount: 120.0,
            };
            request(&dir, claim).await.map(|arn| {
                println!(
                    "{arn} waits for approval; the request is in {}",
                    dir.join("outbox.json").display()
                );
            })
        }
        Some("approve") => approve(&dir, 500.0)
            .await
            .map(|verdict| println!("{verdict:?}")),
        _ => Err("usage: human_approval_durable request|approve [FOLDER]".into()),
    };
    if let Err(e) = outcome {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
