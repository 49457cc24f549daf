use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { query_language: XPath } end;
    }
}

fn main() {}
