//! A task's declared result type must have a JSON shape when a later path reads it; the error
//! points at the type after `->`.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    id: String,
}

pub struct Validation {
    pub ok: bool,
}

workflow! {
    pub Orders(Order) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" -> Validation {
            result_path: "$.validation",
        } => Route;
        Route: choice {
            "$.validation.ok" == true => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
