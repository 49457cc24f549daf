//! A path given to an intrinsic function must hold the kind the function takes.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub total: String,
    pub items: u32,
}

workflow! {
    pub OrderFlow(Order) {
        start Sum;
        Sum: pass {
            parameters: {
                "next.$": "States.MathAdd($.total, 1)",
                "count.$": "States.ArrayLength($.items)",
            },
        } end;
    }
}

fn main() {}
