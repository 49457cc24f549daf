//! `timeout_seconds_path`, `heartbeat_seconds_path`, `max_concurrency_path` and
//! `tolerated_failure_*_path` must reach numbers.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Limits {
    pub timeout: String,
    pub heartbeat: String,
    pub concurrency: String,
    pub failures: String,
    pub percent: bool,
}

#[derive(Shape)]
pub struct Order {
    pub limits: Limits,
    pub items: Vec<u32>,
}

workflow! {
    pub OrderFlow(Order) {
        start Charge;
        Charge: task "arn:aws:states:::lambda:invoke.waitForTaskToken" {
            timeout_seconds_path: "$.limits.timeout",
            heartbeat_seconds_path: "$.limits.heartbeat",
            result_path: null,
        } => Each;
        Each: map {
            items_path: "$.items",
            max_concurrency_path: "$.limits.concurrency",
            tolerated_failure_count_path: "$.limits.failures",
            result_path: null,
            processor {
                start Done;
                Done: succeed;
            },
        } => Again;
        Again: map {
            items_path: "$.items",
            tolerated_failure_percentage_path: "$.limits.percent",
            processor {
                start Done2;
                Done2: succeed;
            },
        } end;
    }
}

fn main() {}
