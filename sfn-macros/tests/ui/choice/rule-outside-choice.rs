use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: pass { "$.a" == 1 => B } end;
        B: succeed;
    }
}

fn main() {}
