use sfn::workflow;

workflow! {
    #[workflow(query_language = JSONata)]
    pub W {
        start A;
        A: pass { input_path: "$.a" } end;
    }
}

fn main() {}
