use sfn::workflow;

workflow! {
    pub W {
        start M;
        M: map {
            item_reader: { "Resource": "arn:aws:states:::s3:getObject", "Reader": {} },
            processor(mode = DISTRIBUTED, execution_type = STANDARD) { start X; X: succeed; },
        } end;
    }
}

fn main() {}
