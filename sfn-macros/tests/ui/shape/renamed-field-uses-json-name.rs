use sfn::{workflow, Shape};

#[derive(Shape)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Route;
        Route: choice {
            "$.order_id" == "a" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
