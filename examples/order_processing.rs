//! An order goes through validation (retried on a transient failure, caught on a hard one), a
//! choice on the validation result, and a Parallel state that charges the card and reserves the
//! stock at once, before shipping.
//!
//! `cargo run --example order_processing` prints the emitted ASL and the result of running it
//! natively, each Task state answered by a method of [`Tasks`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn::{workflow, ExecutionError, Shape, TaskError};

/// The execution input.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Order {
    /// Order id.
    pub id: String,
    /// Amount to charge.
    pub total: f64,
    /// What was ordered.
    pub items: Vec<Item>,
}

/// One line of an order.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Item {
    /// Stock keeping unit.
    pub sku: String,
    /// How many.
    pub quantity: u32,
}

/// What `Validate` returns.
#[derive(Debug, Serialize, Deserialize, Shape)]
pub struct Validation {
    /// Whether the order may proceed.
    pub ok: bool,
}

/// What `Charge` returns.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payment {
    /// The charged amount.
    pub amount: f64,
}

/// What the workflow ends with.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The order.
    pub order_id: String,
    /// The charged amount.
    pub charged: f64,
    /// The carrier's tracking number.
    pub tracking: String,
}

workflow! {
    /// Validates an order, charges it and reserves its stock in parallel, then ships it.
    #[workflow(kind = Standard, timeout_seconds = 3600)]
    pub OrderProcessing(Order) -> Receipt {
        start Validate;

        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" -> Validation {
            result_path: "$.validation",
            retry: [TaskFailed] every 1s x 3 backoff 2.0,
            catch: [ALL] result_path "$.error" => ValidationFailed,
        } => Route;

        Route: choice {
            "$.validation.ok" == true && "$.total" > 0 => Fulfil,
            else => Rejected,
        };

        Fulfil: parallel {
            branch {
                start Charge;
                Charge: task "arn:aws:lambda:us-east-1:123456789012:function:charge" -> Payment end;
            },
            branch {
                start Reserve;
                Reserve: task "arn:aws:lambda:us-east-1:123456789012:function:reserve" end;
            },
            result_path: "$.fulfilment",
        } => Ship;

        Ship: task "arn:aws:states:::lambda:invoke" {
            parameters: { "FunctionName": "ship", "Payload": { "order.$": "$.id", "items.$": "$.items" } },
            result_selector: { "tracking.$": "$.Payload.tracking" },
            result_path: "$.shipment",
        } => Done;

        Done: pass {
            parameters: {
                "order_id.$": "$.id",
                "charged.$": "$.fulfilment[0].amount",
                "tracking.$": "$.shipment.tracking",
            },
        } end;

        ValidationFailed: fail { error: "ValidationFailed", cause_path: "$.error.Cause" };
        Rejected: fail { error: "OrderRejected", cause: "the order did not validate" };
    }
}

/// The Task states' code. The validation service fails once before it answers, to show the retry.
#[derive(Clone, Default)]
pub struct Tasks {
    validate_calls: Arc<AtomicU32>,
}

impl OrderProcessingTasks for Tasks {
    async fn validate(&self, order: Order) -> Result<Validation, TaskError> {
        if self.validate_calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(TaskError::lambda("ServiceUnavailable", "try again"));
        }
        Ok(Validation {
            ok: !order.items.is_empty(),
        })
    }

    async fn charge(&self, input: Value) -> Result<Payment, TaskError> {
        let amount = input["total"]
            .as_f64()
            .ok_or_else(|| TaskError::lambda("BadInput", "no total"))?;
        Ok(Payment { amount })
    }

    async fn reserve(&self, input: Value) -> Result<Value, TaskError> {
        let units: u64 = input["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["quantity"].as_u64())
            .sum();
        Ok(json!({ "reserved": units }))
    }

    async fn ship(&self, payload: Value) -> Result<Value, TaskError> {
        Ok(json!({ "tracking": format!("TRACK-{}", payload["order"].as_str().unwrap_or("?")) }))
    }
}

/// The order the example runs.
pub fn sample_order() -> Order {
    Order {
        id: "order-17".into(),
        total: 42.5,
        items: vec![
            Item {
                sku: "book".into(),
                quantity: 2,
            },
            Item {
                sku: "pen".into(),
                quantity: 3,
            },
        ],
    }
}

/// Runs the sample order natively.
pub async fn run_example() -> Result<Receipt, ExecutionError> {
    OrderProcessing::run(&Tasks::default(), sample_order()).await
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for its items, not its `main`.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("{}", OrderProcessing::ASL);
    // The program runs, so its crate compiled and every path check passed: its files are
    // deployable (`sfn build` writes the same files for every workflow of a build).
    match OrderProcessing::write_files() {
        Ok(path) => eprintln!(
            "wrote this ASL to {}, and its IAM policy beside it (OrderProcessing.iam.json)",
            path.display()
        ),
        Err(e) => eprintln!("could not write the ASL file ({e}); it is in OrderProcessing::ASL"),
    }
    match run_example().await {
        Ok(receipt) => println!("{receipt:?}"),
        Err(e) => {
            eprintln!("the execution failed: {e}");
            std::process::exit(1);
        }
    }
}
