//! A catcher hands on the error output, `{"Error": .., "Cause": ..}`: at its `result_path`, or
//! as all the next state sees when it has none.
use sfn::{workflow, Shape};

#[derive(Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub OrderFlow(Order) {
        start Charge;
        Charge: task "arn:aws:lambda:us-east-1:123456789012:function:charge" {
            result_path: null,
            catch: [Timeout] result_path "$.failure" => Explain,
            catch: [ALL] => Report,
        } end;
        Explain: choice {
            "$.failure.Eror" == "States.Timeout" => Done,
            "$.id" == "x" => Done,
            else => Done,
        };
        Report: choice {
            "$.id" == "x" => Done,
            "$.Cause" == "x" => Done,
            else => Done,
        };
        Done: succeed;
    }
}

fn main() {}
