//! `service` tasks have no method: the trait asks only for the others, and a workflow whose
//! tasks all call services runs with `()`.
use serde::{Deserialize, Serialize};
use sfn::{workflow, Shape, TaskError};

#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Order {
    pub id: String,
}

workflow! {
    pub Fulfil(Order) -> serde_json::Value {
        start Save;
        Save: task "arn:aws:states:::dynamodb:putItem" service {
            parameters: { "TableName": "orders", "Item": { "id": { "S.$": "$.id" } } },
            result_path: null,
        } => Notify;
        Notify: task "arn:aws:lambda:us-east-1:123456789012:function:notify" (Order) end;
    }
}

workflow! {
    pub OnlyServices {
        start Send;
        Send: task "arn:aws:states:::sqs:sendMessage" service {
            parameters: { "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$" },
        } end;
    }
}

#[derive(Clone)]
struct Tasks;

impl FulfilTasks for Tasks {
    async fn notify(&self, order: Order) -> Result<serde_json::Value, TaskError> {
        Ok(serde_json::json!({ "notified": order.id }))
    }
}

fn main() {
    let _ = Fulfil::runner(&Tasks);
    let _ = OnlyServices::runner(&());
}
