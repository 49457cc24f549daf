use sfn::workflow;

workflow! {
    pub W {
        start A;
        A: wait { seconds: 5, timestamp: "2030-01-01T00:00:00Z" } end;
    }
}

fn main() {}
