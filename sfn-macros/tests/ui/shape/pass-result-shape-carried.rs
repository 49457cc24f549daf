//! A Pass state's literal `result` has the shape of its JSON, wherever `result_path` puts it.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Mark;
        Mark: pass { result: { "round": 1, "tags": ["a"] }, result_path: "$.mark" } => Route;
        Route: choice {
            "$.mark.rund" > 0 => Done,
            "$.mark.tags" == "a" => Done,
            "$.id" == "x" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
