use sfn::workflow;

// A broken choice rule, a misspelt target in the next rule, and mistakes inside a Parallel
// branch: every one is reported at its own token.
workflow! {
    pub W {
        start Route;
        Route: choice {
            "total" > 100 => Big,
            "$.total" > 10 => Medum,
            else => Small,
        };
        Big: parallel {
            branch {
                start Notify;
                Notify: pass { reslt: { "sent": true } } => Audit;
                Audti: succeed;
            }
        } end;
        Medium: succeed;
        Small: succeed;
    }
}

fn main() {}
