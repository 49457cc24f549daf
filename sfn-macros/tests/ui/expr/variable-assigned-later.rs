//! A variable read before the state that assigns it: no way into `Check` sets `limit`.
use sfn::workflow;

workflow! {
    #[workflow(query_language = JSONata)]
    pub Limits {
        start Check;
        Check: choice {
            "{% $states.input.amount > $limit %}" => Reject,
            else => Accept,
        };
        Accept: pass { assign: { "limit": 100 } } end;
        Reject: fail { error: "TooLarge" };
    }
}

fn main() {}
