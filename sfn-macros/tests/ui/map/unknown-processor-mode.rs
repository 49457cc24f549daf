use sfn::workflow;

workflow! {
    pub W {
        start M;
        M: map { processor(mode = PARALLEL) { start X; X: succeed; } } end;
    }
}

fn main() {}
