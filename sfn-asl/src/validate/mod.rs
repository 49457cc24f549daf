//! Parsing and validation: JSON text → [`StateMachine`], or every finding.
//!
//! Two passes, both collecting every problem instead of stopping at the first:
//! - the schema pass (`schema*` modules) reads the JSON field by field into the model and reports
//!   what the JSON itself gets wrong (unknown fields, wrong types, bad expressions);
//! - [`lint`] checks the rules that are about the model (targets, reachability, terminal states,
//!   unique names, bounds, Express restrictions), so code that builds a model without JSON (the
//!   `workflow!` macro) runs exactly the same rules.
//!
//! ```
//! let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Nxt":"B"},"B":{"Type":"Succeed"}}}"#;
//! let findings = sfn_asl::parse(doc).unwrap_err();
//! assert!(findings.0.iter().any(|f| f.pointer == "/States/A/Nxt"));
//! ```

mod duplicates;
mod lint;
mod reader;
mod schema;
mod schema_choice;
mod schema_map;
mod schema_states;
mod variables;

use std::collections::BTreeSet;
use std::ops::Bound;

use serde_json::Value;

use crate::error::{Finding, FindingCode};
use crate::model::StateMachine;

pub use lint::lint;
pub use variables::{jsonata_expressions, unassigned_variables, JsonataString, UnassignedVariable};

/// The longest definition AWS accepts, in characters.
pub const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// How deep arrays and objects may nest in a definition's text: serde_json's recursion limit
/// (128 open brackets, so 127 levels read), which keeps the parser off the end of the stack.
pub const MAX_JSON_DEPTH: usize = 127;

/// How deep states (Parallel branches, Map processors) and choice rules may nest. Far beyond any
/// real definition; it only keeps hostile input from exhausting the stack.
pub const MAX_NESTING: usize = 32;

/// All findings of one definition. `Display` lists them one per line, so an error report
/// (`?` into `anyhow`, a panic message) shows every problem, not a count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", list(.0))]
pub struct Findings(pub Vec<Finding>);

fn list(findings: &[Finding]) -> String {
    let mut out = format!("{} finding(s)", findings.len());
    for f in findings {
        out.push_str("\n  ");
        out.push_str(&f.to_string());
    }
    out
}

/// What [`lint`] should assume about the state machine beyond its definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The machine is created as `EXPRESS`: no activities, `.sync` or `.waitForTaskToken`.
    pub express: bool,
}

/// Parses and validates a definition (as a `STANDARD` machine).
pub fn parse(text: &str) -> Result<StateMachine, Findings> {
    parse_with(text, &LintOptions::default())
}

/// Parses and validates a definition with explicit [`LintOptions`] (e.g. for an `EXPRESS` machine).
pub fn parse_with(text: &str, options: &LintOptions) -> Result<StateMachine, Findings> {
    let mut findings = Vec::new();
    // AWS checks the length of the `definition` request parameter before reading it (a
    // ValidationException, "Maximum length of 1048576"), so a longer text gets this one finding
    // and no work in proportion to what lies beyond the limit.
    if text.chars().nth(MAX_DEFINITION_CHARS).is_some() {
        findings.push(Finding {
            pointer: String::new(),
            code: FindingCode::SchemaValidationFailed,
            message: format!("Definition must be at most {MAX_DEFINITION_CHARS} characters long"),
            hint: Some("split the workflow into nested state machines".into()),
        });
        return Err(Findings(findings));
    }
    if text.trim().is_empty() {
        findings.push(not_an_object());
        return Err(Findings(findings));
    }
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            findings.push(invalid_json(&e));
            return Err(Findings(findings));
        }
    };
    findings.extend(duplicates::duplicate_state_names(text));
    match parse_value_with(&doc, options) {
        Ok(m) if findings.is_empty() => Ok(m),
        Ok(_) => Err(Findings(findings)),
        Err(Findings(more)) => {
            findings.extend(more);
            Err(Findings(findings))
        }
    }
}

/// Parses and validates a definition already read as JSON (as a `STANDARD` machine).
pub fn parse_value(doc: &Value) -> Result<StateMachine, Findings> {
    parse_value_with(doc, &LintOptions::default())
}

/// Parses and validates a definition with explicit [`LintOptions`] (e.g. for an `EXPRESS` machine).
pub fn parse_value_with(doc: &Value, options: &LintOptions) -> Result<StateMachine, Findings> {
    if !doc.is_object() {
        return Err(Findings(vec![not_an_object()]));
    }
    let mut ctx = reader::Ctx::default();
    let machine = schema::machine(&mut ctx, doc);
    let mut findings = ctx.findings;
    if let Some(m) = &machine {
        // Sorted, so each question below is a few lookups, not a scan of every schema finding
        // (thousands of findings on each side would otherwise take quadratic time).
        let reported: BTreeSet<String> = findings.iter().map(|g| g.pointer.clone()).collect();
        for f in lint(m, options) {
            // One problem per field: where the schema pass already reported a field, the object
            // holding it, or something inside it, the linter only sees a placeholder. Findings
            // about whole states (unreachable, duplicate name) stand on the graph and stay.
            let echo = ctx.missing.contains(&f.pointer)
                || covered_by_any(&reported, &f.pointer)
                || (!is_state_pointer(&f.pointer) && covers_any(&reported, &f.pointer))
                || (is_unreachable(&f) && any_in_scope_of(&reported, &f.pointer));
            if !echo {
                findings.push(f);
            }
        }
    }
    match machine {
        Some(m) if findings.is_empty() => Ok(m),
        _ => Err(Findings(findings)),
    }
}

/// Whether a finding at some pointer of `reported` makes one at `inner` redundant: it is at
/// `inner` or at a field holding it (the document itself covers nothing, or one finding would
/// hide all others).
fn covered_by_any(reported: &BTreeSet<String>, inner: &str) -> bool {
    let parents = inner.match_indices('/').map(|(i, _)| &inner[..i]);
    parents
        .chain([inner])
        .any(|outer| !outer.is_empty() && reported.contains(outer))
}

/// Whether a finding at `outer` would make one of `reported` redundant: at `outer` or below it.
fn covers_any(reported: &BTreeSet<String>, outer: &str) -> bool {
    !outer.is_empty()
        && (reported.contains(outer) || any_with_prefix(reported, &format!("{outer}/")))
}

/// Whether some pointer of `reported` lies inside one of the states of the scope holding `state`
/// (a state pointer).
fn any_in_scope_of(reported: &BTreeSet<String>, state: &str) -> bool {
    let base = state.rsplitn(3, '/').nth(2).unwrap_or_default();
    any_with_prefix(reported, &format!("{base}/States/"))
}

/// Whether a pointer of `reported` starts with `prefix`: those sort right after it.
fn any_with_prefix(reported: &BTreeSet<String>, prefix: &str) -> bool {
    reported
        .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        .next()
        .is_some_and(|p| p.starts_with(prefix))
}

/// Whether `f` is the linter's "not reachable" finding. Reachability depends on every edge of
/// the scope, and a state the schema pass could not read may have lost some.
fn is_unreachable(f: &Finding) -> bool {
    f.code == FindingCode::UnreachableState
}

/// Whether a pointer names a state (`…/States/<name>`) rather than a field.
fn is_state_pointer(pointer: &str) -> bool {
    let mut segments = pointer.rsplit('/');
    segments.next();
    segments.next() == Some("States")
}

/// The finding for text serde_json does not read. Nesting past its recursion limit is not a
/// syntax error, so it is named as the limit it is.
fn invalid_json(e: &serde_json::Error) -> Finding {
    let (message, hint) = if e.to_string().starts_with("recursion limit exceeded") {
        (
            format!(
                "Invalid JSON: arrays and objects nest deeper than {MAX_JSON_DEPTH} levels, \
                 the most this validator reads (at line {} column {})",
                e.line(),
                e.column()
            ),
            "flatten the nested arrays and objects; no definition needs this depth",
        )
    } else {
        (
            format!("Invalid JSON: {e}"),
            "fix the JSON syntax at the line and column given",
        )
    };
    Finding {
        pointer: String::new(),
        code: FindingCode::InvalidJsonDescription,
        message,
        hint: Some(hint.into()),
    }
}

/// AWS answers an empty text this way, as a schema failure (recorded ValidateStateMachineDefinition).
fn not_an_object() -> Finding {
    Finding {
        pointer: String::new(),
        code: FindingCode::SchemaValidationFailed,
        message: "Definition must be a valid JSON object".into(),
        hint: Some("a definition is an object with `StartAt` and `States`".into()),
    }
}

/// Says where a finding is, for its message: "state `Charge`, field `Retry[0].BackoffRate`".
///
/// `field` is the pointer relative to the state (or to the document when `state` is `None`).
pub(crate) fn location(state: Option<&str>, field: &str) -> String {
    let field = pointer_to_field(field);
    match (state, field.is_empty()) {
        (Some(s), true) => format!("state `{s}`"),
        (Some(s), false) => format!("state `{s}`, field `{field}`"),
        (None, true) => String::new(),
        (None, false) => format!("field `{field}`"),
    }
}

/// `/Retry/0/BackoffRate` → `Retry[0].BackoffRate`.
fn pointer_to_field(rel: &str) -> String {
    let mut out = String::new();
    for seg in rel.split('/').filter(|s| !s.is_empty()) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Joins a location and an AWS message text.
pub(crate) fn located_message(state: Option<&str>, field: &str, text: &str) -> String {
    let at = location(state, field);
    if at.is_empty() {
        text.to_owned()
    } else {
        format!("{at}: {text}")
    }
}

pub(crate) use crate::pointer::escape_segment;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_reads_like_a_field_path() {
        assert_eq!(
            location(Some("Charge"), "/Retry/0/BackoffRate"),
            "state `Charge`, field `Retry[0].BackoffRate`"
        );
        assert_eq!(location(None, "/StartAt"), "field `StartAt`");
        assert_eq!(location(Some("A"), ""), "state `A`");
    }

    #[test]
    fn empty_text_is_not_an_object() {
        let f = parse("  ").unwrap_err();
        assert_eq!(f.0[0].message, "Definition must be a valid JSON object");
        assert_eq!(f.0[0].code, FindingCode::SchemaValidationFailed);
    }

    #[test]
    fn findings_display_lists_every_finding() {
        let f = parse(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#).unwrap_err();
        let text = f.to_string();
        assert!(
            text.starts_with("2 finding(s)\n  /States/A/Next: MISSING_TRANSITION_TARGET: "),
            "{text}"
        );
        assert_eq!(text.lines().count(), 3);
    }

    #[test]
    fn lost_edges_do_not_make_states_unreachable() {
        let doc =
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":7},"B":{"Type":"Succeed"}}}"#;
        let f = parse(doc).unwrap_err();
        assert_eq!(f.0.len(), 1, "{:?}", f.0);
        // A dangling target is reported alone: the state it misspells is not also unreachable.
        let doc =
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"C"},"B":{"Type":"Succeed"}}}"#;
        assert_eq!(parse(doc).unwrap_err().0.len(), 1);
    }

    #[test]
    fn non_json_is_invalid_json_description() {
        let f = parse("{").unwrap_err();
        assert_eq!(f.0.len(), 1);
        assert_eq!(f.0[0].code, FindingCode::InvalidJsonDescription);
    }

    #[test]
    fn array_document_is_not_an_object() {
        let f = parse("[]").unwrap_err();
        assert_eq!(f.0[0].message, "Definition must be a valid JSON object");
    }

    #[test]
    fn too_long_definition_is_reported() {
        let pad = " ".repeat(MAX_DEFINITION_CHARS);
        let doc = format!(r#"{{"StartAt":"A","States":{{"A":{{"Type":"Succeed"}}}}}}{pad}"#);
        let f = parse(&doc).unwrap_err();
        assert_eq!(f.0.len(), 1);
        assert!(f.0[0].message.contains("at most 1048576"));
    }

    #[test]
    fn minimal_definition_parses() {
        let m = parse(r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#).expect("valid");
        assert_eq!(m.start_at, "A");
    }
}
