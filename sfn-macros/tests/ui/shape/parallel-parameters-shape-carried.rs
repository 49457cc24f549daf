//! The first state of each Parallel branch sees what the Parallel state's `parameters` builds.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Both;
        Both: parallel {
            parameters: { "orderId.$": "$.id" },
            branch {
                start Check;
                Check: choice {
                    "$.id" == "x" => Done,
                    else => Done,
                };
                Done: succeed;
            },
        } end;
    }
}

fn main() {}
