//! A state reached along ways that hand on different things is checked against each, and the
//! message says which way breaks.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub total: f64,
    pub express: bool,
}

#[derive(Shape)]
pub struct Validation {
    pub ok: bool,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.express" == true => Check,
            else => Validate,
        };
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" -> Validation => Check;
        Check: choice {
            "$.total" > 100 => Done,
            "$.ok" == true => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
