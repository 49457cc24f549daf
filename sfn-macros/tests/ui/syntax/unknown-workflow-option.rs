use sfn::workflow;

workflow! {
    #[workflow(kinds = Express)]
    pub W {
        start A;
        A: succeed;
    }
}

fn main() {}
