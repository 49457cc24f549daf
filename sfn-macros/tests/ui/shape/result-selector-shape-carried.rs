//! What a task's `result_selector` builds from its declared result type is what its
//! `result_path` writes: later paths under it are checked against it.
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
    pub OrderFlow(Order) {
        start Price;
        Price: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
            result_selector: { "amount.$": "$.price", "source": "pricing" },
            result_path: "$.quote",
        } => Route;
        Route: choice {
            "$.quote.price" > 10 => Done,
            "$.quote.amount" == "x" => Done,
            "$.id" == "x" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
