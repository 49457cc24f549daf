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
        start Route;
        Route: choice {
            "$.customer[0]" == "x" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
