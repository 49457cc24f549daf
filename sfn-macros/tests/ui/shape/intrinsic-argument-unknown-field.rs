//! The paths among an intrinsic call's arguments are checked like other paths, nested calls
//! included; the error points at the literal that holds the call.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Customer {
    pub email: String,
}

#[derive(Shape)]
pub struct Order {
    pub order_id: String,
    pub customer: Customer,
}

workflow! {
    pub OrderFlow(Order) {
        start Notify;
        Notify: task "arn:aws:states:::sns:publish" {
            parameters: {
                "Message.$": "States.Format('Order {} is ready', $.ordr_id)",
                "Subject.$": "States.Format('{}', States.JsonToString($.customer.emial))",
            },
        } end;
    }
}

fn main() {}
