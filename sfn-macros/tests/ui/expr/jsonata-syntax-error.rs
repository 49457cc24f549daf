//! A JSONata expression that does not parse: the message names the character where parsing
//! stopped and shows it under the expression.
use sfn::workflow;

workflow! {
    #[workflow(query_language = JSONata)]
    pub Totals {
        start Total;
        Total: pass { output: "{% $states.input.total + } %}" } end;
    }
}

fn main() {}
