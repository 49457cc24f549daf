//! A Map's `items_path` must reach an array.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Customer {
    pub name: String,
}

#[derive(Shape)]
pub struct Order {
    pub customer: Customer,
}

workflow! {
    pub OrderFlow(Order) {
        start Each;
        Each: map {
            items_path: "$.customer",
            processor {
                start Done;
                Done: succeed;
            },
        } end;
    }
}

fn main() {}
