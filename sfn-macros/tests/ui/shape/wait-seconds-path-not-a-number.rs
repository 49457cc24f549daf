//! `seconds_path` must reach a number, `timestamp_path` a string.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub delay: String,
    pub due: u64,
}

workflow! {
    pub OrderFlow(Order) {
        start Pause;
        Pause: wait { seconds_path: "$.delay" } => Until;
        Until: wait { timestamp_path: "$.due" } end;
    }
}

fn main() {}
