use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { input_path: "order.id" } end;
    }
}

fn main() {}
