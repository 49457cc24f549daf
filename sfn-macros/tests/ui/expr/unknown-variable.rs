//! A JSONata expression reads a variable that no `assign` before its state sets: a misspelling,
//! named with the variable it was likely meant to be.
use sfn::workflow;

workflow! {
    #[workflow(query_language = JSONata)]
    pub Totals {
        start Sum;
        Sum: pass { assign: { "total": "{% $sum($states.input.items) %}" } } => Report;
        Report: pass { output: { "total": "{% $totl * 2 %}" } } end;
    }
}

fn main() {}
