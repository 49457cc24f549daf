use sfn::workflow;

workflow! {
    #[workflow(kind = Fast)]
    pub W {
        start A;
        A: succeed;
    }
}

fn main() {}
