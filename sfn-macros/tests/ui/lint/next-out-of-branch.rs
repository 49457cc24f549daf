use sfn::workflow;

workflow! {
    pub W {
        start P;
        P: parallel { branch { start X; X: pass => Done; } } => Done;
        Done: succeed;
    }
}

fn main() {}
