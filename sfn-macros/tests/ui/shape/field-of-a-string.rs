use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Load;
        Load: task "arn:aws:lambda:us-east-1:123456789012:function:load" {
            input_path: "$.id.value",
        } end;
    }
}

fn main() {}
