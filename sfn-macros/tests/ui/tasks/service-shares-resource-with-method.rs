use sfn::workflow;

workflow! {
    pub W {
        start Save;
        Save: task "arn:aws:states:::dynamodb:putItem" service {
            parameters: { "TableName": "orders", "Item": { "id": { "S.$": "$.id" } } },
            result_path: null,
        } => Audit;
        Audit: task "arn:aws:states:::dynamodb:putItem" {
            parameters: { "TableName": "audit", "Item": { "id": { "S.$": "$.id" } } },
        } end;
    }
}

fn main() {}
