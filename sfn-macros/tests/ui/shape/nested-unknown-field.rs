use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Address {
    pub city: String,
}

#[derive(Shape)]
pub struct Order {
    pub address: Address,
}

workflow! {
    pub OrderFlow(Order) {
        start Ship;
        Ship: task "arn:aws:lambda:us-east-1:123456789012:function:ship" {
            parameters: { "city.$": "$.address.cty" },
        } end;
    }
}

fn main() {}
