//! Every state type with every JSONPath field, written in the DSL.
use sfn::workflow;

workflow! {
    /// Every field of every state type.
    #[workflow(kind = Standard, timeout_seconds = 3600, version = "1.0")]
    pub Everything {
        start Validate;

        /// A task with every field.
        Validate: task "arn:aws:states:::lambda:invoke" {
            input_path: "$.order",
            parameters: { "FunctionName": "validate", "Payload": { "id.$": "$.id", "token.$": "$$.Execution.Id" } },
            result_selector: { "ok.$": "$.Payload.ok" },
            result_path: "$.validation",
            output_path: "$",
            assign: { "attempts": 1 },
            timeout_seconds: 60,
            heartbeat_seconds: 30,
            credentials: { "RoleArn": "arn:aws:iam::123456789012:role/validator" },
            retry: [TaskFailed, "Lambda.ServiceException"] every 2s x 3 backoff 2.0 max_delay 30s jitter FULL comment "transient",
            retry: [ALL] x 1,
            catch: [Timeout] result_path "$.error" comment "too slow" => Notify,
            catch: [ALL] result_path null assign { "failed": true } => Notify,
        } => "Route order";

        "Route order": choice {
            input_path: "$",
            output_path: "$",
            /// Big orders need approval.
            "$.validation.ok" == true && "$.total" >= 100 => Approve,
            "$.validation.ok" == true && !("$.total" < 0) => Wait10,
            any("$.kind" == "gift", "$.kind" matches "promo-*") => WaitUntil,
            all(is_present("$.coupon"), is_string("$.coupon") == true) => WaitPath,
            "$.placed" <= timestamp("2030-01-01T00:00:00Z") => Fan { assign: { "late.$": "$.placed" } },
            "$.total" != numeric_path("$.limit") => Fan,
            else => Notify,
        };

        Approve: task "arn:aws:states:::sqs:sendMessage.waitForTaskToken" {
            parameters: { "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals", "MessageBody": { "token.$": "$$.Task.Token" } },
            timeout_seconds_path: "$.approvalTimeout",
            heartbeat_seconds_path: "$.approvalHeartbeat",
        } => Wait10;

        Wait10: wait { seconds: 10, input_path: "$", output_path: "$" } => WaitUntil;
        WaitUntil: wait { timestamp: "2030-01-01T00:00:00Z" } => WaitPath;
        WaitPath: wait { seconds_path: "$.delay", assign: { "waited": true } } => WaitStamp;
        WaitStamp: wait { timestamp_path: "$.when" } => Fan;

        Fan: parallel {
            /// First branch.
            branch {
                start Left;
                Left: pass { result: { "side": "left" }, result_path: "$.side" } end;
            },
            branch {
                start Right;
                Right: pass { parameters: { "side": "right", "id.$": "$.id" } } end;
            },
            input_path: "$",
            parameters: { "id.$": "$.id" },
            result_selector: { "sides.$": "$" },
            result_path: "$.fan",
            output_path: "$",
            assign: { "fanned": true },
            retry: [],
            catch: [ALL] => Notify,
        } => Items;

        Items: map {
            items_path: "$.items",
            item_selector: { "item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" },
            max_concurrency: 4,
            result_selector: { "all.$": "$" },
            result_path: "$.results",
            /// Per item.
            processor(mode = INLINE) {
                start Each;
                Each: pass end;
            },
        } => Distributed;

        Distributed: map {
            item_reader: {
                "Resource": "arn:aws:states:::s3:getObject",
                "Parameters": { "Bucket": "inputs", "Key": "items.csv" },
                "ReaderConfig": { "InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 100 }
            },
            item_batcher: { "MaxItemsPerBatch": 10, "BatchInput": { "run.$": "$$.Execution.Id" } },
            result_writer: { "Resource": "arn:aws:states:::s3:putObject", "Parameters": { "Bucket": "outputs", "Prefix": "runs" } },
            max_concurrency_path: "$.concurrency",
            tolerated_failure_percentage: 5,
            tolerated_failure_count: 3,
            label: "distributed",
            processor(mode = DISTRIBUTED, execution_type = EXPRESS) {
                start Batch;
                Batch: task "arn:aws:lambda:us-east-1:123456789012:function:batch" end;
            },
        } => Legacy;

        Legacy: map {
            parameters: { "x.$": "$$.Map.Item.Value" },
            tolerated_failure_percentage_path: "$.pct",
            tolerated_failure_count_path: "$.count",
            iterator {
                start Inner;
                Inner: succeed { input_path: "$", output_path: "$" };
            },
        } => Done;

        Done: succeed;
        Notify: fail { error_path: "$.error.Error", cause: "the order failed" };
    }
}

fn main() {
    let asl: serde_json::Value = serde_json::from_str(Everything::ASL).expect("JSON");
    assert_eq!(
        asl["States"]["Validate"]["Retry"][0]["JitterStrategy"],
        "FULL"
    );
    assert_eq!(
        asl["States"]["Items"]["ItemProcessor"]["ProcessorConfig"]["Mode"],
        "INLINE"
    );
    assert_eq!(asl["States"]["Legacy"]["Iterator"]["StartAt"], "Inner");
    assert_eq!(
        EverythingState::from_name("Route order"),
        Some(EverythingState::RouteOrder)
    );
}
