//! A choice comparison against a path checks that path too, and the type found there.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Customer {
    pub name: String,
    pub limit: f64,
}

#[derive(Shape)]
pub struct Order {
    pub total: f64,
    pub customer: Customer,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.total" > numeric_path("$.customer.limt") => Review,
            "$.total" <= numeric_path("$.customer.name") => Review,
            else => Done,
        };
        Review: succeed;
        Done: succeed;
    }
}

fn main() {}
