use sfn::workflow;

workflow! {
    pub W {
        start P;
        P: parallel end;
    }
}

fn main() {}
