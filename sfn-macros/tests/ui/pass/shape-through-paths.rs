//! Paths checked against what reaches each state through `input_path` and `output_path`.
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
        // Parameters read the effective input (the `Order`); the result goes into the raw input.
        Charge: task "arn:aws:lambda:us-east-1:123456789012:function:charge" {
            input_path: "$.order",
            parameters: { "amount.$": "$.total", "first.$": "$.items[0].sku" },
            result_path: "$.order['charge']",
        } => Pick;
        // After `output_path: "$.order"`, `$` is the `Order` with the charge result under it.
        Pick: pass { output_path: "$.order" } => Check;
        Check: choice {
            "$.total" > 10 && "$.charge.anything" == true => Ship,
            else => Route,
        };
        // A choice's variables read what its `input_path` selects (and it hands that on).
        Route: choice {
            input_path: "$.items[0]",
            "$.sku" == "x" => Last,
            else => Last,
        };
        Last: pass { parameters: { "sku.$": "$.sku" } } end;
        Ship: map {
            items_path: "$.items",
            processor {
                start One;
                One: choice {
                    "$.sku" == "x" => Done,
                    else => Done,
                };
                Done: succeed;
            },
        } end;
    }
}


#[derive(Shape, serde::Serialize, serde::Deserialize)]
pub struct Quote {
    pub price: f64,
    pub currency: String,
}

// A typed result written at `$` is what the next state sees.
workflow! {
    pub Quotes(Input) {
        start Price;
        Price: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote => Route;
        Route: choice {
            "$.price" > 10 && "$.currency" == "EUR" => Again,
            else => Again,
        };
        Again: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
            result_path: "$",
            output_path: "$.currency",
        } => Select;
        // A result selector reads the task's result; what it builds is what `Last` sees.
        Select: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
            result_selector: { "p.$": "$.price", "c.$": "$.currency" },
        } => Last;
        Last: pass { parameters: { "c.$": "$.c", "p.$": "$.p" } } end;
    }
}

fn main() {}
