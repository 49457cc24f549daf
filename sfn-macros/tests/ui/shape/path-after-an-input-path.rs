//! A definite `input_path` narrows what the state's own paths read: with `input_path: "$.order"`,
//! Parameters `.$` paths and choice variables are read inside the `Order` (even one written
//! like the `input_path` itself).
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub total: f64,
    pub items: Vec<Item>,
}

#[derive(Shape)]
pub struct Item {
    pub sku: String,
}

#[derive(Shape)]
pub struct Input {
    pub order: Order,
}

workflow! {
    pub OrderFlow(Input) {
        start Charge;
        Charge: task "arn:aws:lambda:us-east-1:123456789012:function:charge" {
            input_path: "$.order",
            parameters: { "amount.$": "$.order.total", "sum.$": "$.total", "same.$": "$.order" },
            result_path: "$.charge",
        } => Ship;
        Ship: map {
            input_path: "$.order",
            items_path: "$.items",
            result_path: "$.shipped",
            processor {
                start One;
                One: choice {
                    "$.skuu" == "x" => Done,
                    else => Done,
                };
                Done: succeed;
            },
        } => Route;
        Route: choice {
            input_path: "$.order",
            "$.totl" > 10 => End,
            else => End,
        };
        End: succeed;
    }
}

fn main() {}
