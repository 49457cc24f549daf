//! State names: identifiers, keywords and strings with spaces all work; the enum gets Rust names.
use sfn::{workflow, WorkflowState};

workflow! {
    pub Names {
        start "first step";
        "first step": pass => r#type;
        r#type: pass => "2nd";
        "2nd": pass => end;
        end: pass => start;
        start: succeed;
    }
}

fn main() {
    let names: Vec<&str> = NamesState::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["first step", "type", "2nd", "end", "start"]);
    assert_eq!(NamesState::FirstStep.name(), "first step");
    assert_eq!(
        <NamesState as WorkflowState>::from_name("2nd"),
        Some(NamesState::S2nd)
    );
}
