//! Only Task states have a handler, so only they declare input and result types.
use sfn::workflow;

workflow! {
    pub Orders {
        start Keep;
        Keep: pass -> serde_json::Value end;
    }
}

fn main() {}
