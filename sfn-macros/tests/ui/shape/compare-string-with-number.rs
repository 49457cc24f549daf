use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.id" > 100 => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
