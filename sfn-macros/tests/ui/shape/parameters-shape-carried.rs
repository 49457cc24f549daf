//! What a Pass state's `parameters` builds is what the next state sees: its keys, the kind of
//! each literal, the shape found at each `"k.$"` path, the result kind of each intrinsic call.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Customer {
    pub name: String,
}

#[derive(Shape)]
pub struct Order {
    pub order_id: String,
    pub customer: Customer,
    pub items: Vec<u32>,
}

workflow! {
    pub OrderFlow(Order) {
        start Ship;
        Ship: pass {
            parameters: {
                "id.$": "$.order_id",
                "who.$": "$.customer",
                "count.$": "States.ArrayLength($.items)",
                "label.$": "States.Format('order {}', $.order_id)",
                "priority": 1,
            },
        } => Route;
        Route: choice {
            "$.idd" == "x" => Done,
            "$.who.nme" == "x" => Done,
            "$.count" == "many" => Done,
            "$.label" > 3 => Done,
            "$.priority" == true => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
