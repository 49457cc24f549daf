//! Paths under a task's `result_path` are checked against its declared result type.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    id: String,
}

#[derive(Shape)]
pub struct Validation {
    ok: bool,
    score: f64,
}

workflow! {
    pub Orders(Order) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" -> Validation {
            result_path: "$.validation",
        } => Route;
        Route: choice {
            "$.validation.okk" == true => Done,
            "$.validation.score" == "high" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
