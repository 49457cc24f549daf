use sfn::workflow;

workflow! {
    pub W {
        start M;
        M: map { items_path: "$.items" } end;
    }
}

fn main() {}
