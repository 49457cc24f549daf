use sfn::workflow;

workflow! {
    pub W {
        start Save;
        Save: task "arn:aws:states:::dynamodb:putItem" service -> serde_json::Value {
            parameters: { "TableName": "orders", "Item": { "id": { "S.$": "$.id" } } },
        } end;
    }
}

fn main() {}
