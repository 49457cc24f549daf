use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { result_path: "$.a", result_path: "$.b" } end;
    }
}

fn main() {}
