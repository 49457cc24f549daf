//! A task's declared result type, written at `$` (`result_path` absent or `"$"`), is what the
//! next state sees: its paths are checked against `Quote`, not the workflow input.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

#[derive(Shape)]
pub struct Quote {
    pub price: f64,
    pub currency: String,
}

workflow! {
    pub Orders(Order) {
        start Price;
        Price: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote => Route;
        Route: choice {
            "$.id" == "x" => Again,
            "$.price" > 10 => Again,
            else => Again,
        };
        Again: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
            result_path: "$",
            output_path: "$.currency",
        } => Last;
        Last: pass { parameters: { "p.$": "$.price" } } end;
    }
}

fn main() {}
