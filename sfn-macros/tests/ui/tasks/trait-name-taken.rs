//! A crate that already has an item called `<Workflow>Tasks`: the clash is reported at the
//! workflow's name, and `#[workflow(tasks = ...)]` names the trait otherwise.
use sfn::workflow;

struct OrdersTasks;

workflow! {
    pub Orders(serde_json::Value) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" end;
    }
}

struct RefundsTasks;

workflow! {
    #[workflow(tasks = RefundSteps)]
    pub Refunds(serde_json::Value) {
        start Refund;
        Refund: task "arn:aws:lambda:us-east-1:123456789012:function:refund" end;
    }
}

#[derive(Clone)]
struct Steps;

impl RefundSteps for Steps {
    async fn refund(&self, input: serde_json::Value) -> Result<serde_json::Value, sfn::TaskError> {
        Ok(input)
    }
}

async fn run() {
    let _ = Refunds::run(&Steps, serde_json::json!({})).await;
    let _ = (OrdersTasks, RefundsTasks);
}

fn main() {}
