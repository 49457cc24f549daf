use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

// Every branch of `Both` starts with the `Order` that `Both` received.
workflow! {
    pub OrderFlow(Order) {
        start Both;
        Both: parallel {
            branch {
                start Left;
                Left: task "arn:aws:lambda:us-east-1:123456789012:function:left" {
                    parameters: { "id.$": "$.idd" },
                } end;
            },
        } end;
    }
}

fn main() {}
