//! Running a workflow with a type that does not implement its tasks trait says what to add.
use sfn::workflow;

workflow! {
    pub Orders(serde_json::Value) {
        start Validate;
        Validate: task "arn:aws:lambda:us-east-1:123456789012:function:validate" end;
    }
}

#[derive(Clone)]
struct NotTasks;

async fn run() {
    let _ = Orders::run(&NotTasks, serde_json::json!({})).await;
}

fn main() {}
