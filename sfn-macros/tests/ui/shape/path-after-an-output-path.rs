//! A definite `output_path` narrows what the next state sees: after `output_path: "$.order"`,
//! `$` is the `Order`, and the overlays written under it follow.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub total: f64,
    pub id: String,
}

#[derive(Shape)]
pub struct Input {
    pub order: Order,
}

workflow! {
    pub OrderFlow(Input) {
        start Check;
        Check: task "arn:aws:lambda:us-east-1:123456789012:function:check" {
            result_path: "$.order.check",
        } => Pick;
        Pick: pass { output_path: "$.order" } => Route;
        Route: choice {
            "$.check.ok" == true && "$.totl" > 10 => Done,
            "$.order.total" > 10 => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
