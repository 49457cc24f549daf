use sfn::workflow;

workflow! {
    pub W {
        start Validate;
        Validate: pass => Chrage;
        Charge: succeed;
    }
}

fn main() {}
