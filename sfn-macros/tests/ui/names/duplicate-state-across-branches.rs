use sfn::workflow;

workflow! {
    pub W {
        start P;
        P: parallel {
            branch { start X; X: succeed; },
            branch { start X; X: succeed; },
        } end;
    }
}

fn main() {}
