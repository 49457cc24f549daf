//! `error_path` and `cause_path` must reach a string: Step Functions fails the execution
//! otherwise.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub code: u32,
    pub reason: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Stop;
        Stop: fail { error_path: "$.code", cause_path: "States.Format('{}', $.reasn)" };
    }
}

fn main() {}
