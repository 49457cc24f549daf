use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Address {
    pub city: String,
}

#[derive(Shape)]
pub struct Order {
    pub id: String,
    pub order: Address,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.ordr.id" == "x" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
