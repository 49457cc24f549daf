//! `result_selector` `.$` paths read the task's result: they are checked against its declared
//! result type, not against the workflow input.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

#[derive(Shape)]
pub struct Quote {
    pub price: f64,
    pub lines: Vec<Line>,
}

#[derive(Shape)]
pub struct Line {
    pub sku: String,
}

workflow! {
    pub Orders(Order) {
        start Price;
        Price: task "arn:aws:lambda:us-east-1:123456789012:function:price" -> Quote {
            result_selector: { "price.$": "$.prise", "first.$": "$.lines[0].skus", "id.$": "$.id" },
            result_path: "$.quote",
        } end;
    }
}

fn main() {}
