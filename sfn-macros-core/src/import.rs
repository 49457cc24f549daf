//! ASL → `workflow!` source: the inverse of the macro, for `sfn import`.
//!
//! ```
//! let asl = r#"{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Result":{"x":1},"End":true}}}"#;
//! let machine = sfn_asl::parse(asl).expect("valid");
//! let source = sfn_macros_core::import::import(&machine, "hello");
//! assert!(source.contains("pub Hello {"));
//! assert!(source.contains(r#"Hi: pass {"#));
//! ```
//!
//! The source is printed from the canonical JSON of the definition: every state field becomes
//! the snake_case DSL field of the same name with its JSON value, so nothing is lost, and only
//! the parts with their own syntax (transitions, `retry`/`catch`, choice rules, branches,
//! processors, comments) are translated. Compiling the output gives back the same ASL.

use std::fmt::Write;

use serde_json::{Map, Value};
use sfn_asl::model::{Operator, StateMachine};

/// The `workflow!` invocation that defines `machine`, named after `name` (as a Rust type name).
pub fn import(machine: &StateMachine, name: &str) -> String {
    let doc = sfn_asl::emit_value(machine);
    let mut p = Printer {
        out: String::new(),
        depth: 0,
    };
    p.line("workflow! {");
    p.depth += 1;
    if let Some(c) = doc.get("Comment").and_then(Value::as_str) {
        p.doc(c);
    }
    let mut options = Vec::new();
    if let Some(t) = doc.get("TimeoutSeconds") {
        options.push(format!("timeout_seconds = {t}"));
    }
    if let Some(q) = doc.get("QueryLanguage").and_then(Value::as_str) {
        options.push(format!("query_language = {q}"));
    }
    if let Some(v) = doc.get("Version").and_then(Value::as_str) {
        options.push(format!("version = {v:?}"));
    }
    if !options.is_empty() {
        p.line(&format!("#[workflow({})]", options.join(", ")));
    }
    p.line(&format!("pub {} {{", type_name(name)));
    p.machine(&doc);
    p.line("}");
    p.depth -= 1;
    p.line("}");
    p.out
}

/// `order-flow` → `OrderFlow`; never empty, never starting with a digit.
fn type_name(name: &str) -> String {
    let mut out = upper_camel(name);
    if out.is_empty() {
        out = "Imported".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'W');
    }
    out
}

/// `order-flow` → `OrderFlow`, `"check stock"` → `CheckStock`: the ASCII letters and digits of
/// each word, the first one upper case (empty when there are none).
pub(crate) fn upper_camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect()
}

/// The order fields are printed in.
const FIELD_ORDER: &[&str] = &[
    "QueryLanguage",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "Error",
    "ErrorPath",
    "Cause",
    "CausePath",
    "Choices",
    "Default",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ItemReader",
    "ItemsPath",
    "Items",
    "ItemSelector",
    "ItemBatcher",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
    "ResultWriter",
    "InputPath",
    "Parameters",
    "Arguments",
    "Result",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Output",
    "Assign",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Credentials",
    "Retry",
    "Catch",
];

/// Rust keywords (strict and reserved), which cannot be written as bare state names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "end", "start", "null",
];

/// A state name as an identifier when it is one, else as a string literal.
fn state_name(name: &str) -> String {
    let ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !KEYWORDS.contains(&name);
    if ident {
        name.to_owned()
    } else {
        format!("{name:?}")
    }
}

/// `InputPath` → `input_path`.
fn snake(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON value in DSL syntax: JSON itself, with Rust string literals.
fn json(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", json(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// Lines longer than this are broken: objects and arrays go one entry per line.
const WIDTH: usize = 100;

/// A JSON value starting `used` characters into a line indented by `indent` spaces: on one line
/// when it fits, else one entry per line (continuation lines carry their own indentation).
fn json_block(v: &Value, indent: usize, used: usize) -> String {
    let flat = json(v);
    if indent + used + flat.len() <= WIDTH {
        return flat;
    }
    let pad = " ".repeat(indent + 4);
    let close = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            let mut out = String::from("{\n");
            for (k, v) in map {
                let key = format!("{k:?}: ");
                let _ = writeln!(out, "{pad}{key}{},", json_block(v, indent + 4, key.len()));
            }
            out.push_str(&close);
            out.push('}');
            out
        }
        Value::Array(items) if !items.is_empty() => {
            let mut out = String::from("[\n");
            for item in items {
                let _ = writeln!(out, "{pad}{},", json_block(item, indent + 4, 0));
            }
            out.push_str(&close);
            out.push(']');
            out
        }
        _ => flat,
    }
}

/// An error name: `TaskFailed` for `States.TaskFailed`, else a string.
fn error_name(e: &Value) -> String {
    let s = e.as_str().unwrap_or_default();
    match s.strip_prefix("States.") {
        Some(rest)
            if rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !KEYWORDS.contains(&rest) =>
        {
            rest.to_owned()
        }
        _ => format!("{s:?}"),
    }
}

fn error_list(obj: &Map<String, Value>) -> String {
    let errors = obj
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    format!(
        "[{}]",
        errors.iter().map(error_name).collect::<Vec<_>>().join(", ")
    )
}

struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A comment as doc lines; lines a `///` comment cannot carry exactly use `#[doc = ".."]`.
    fn doc(&mut self, text: &str) {
        for l in text.split('\n') {
            if l.is_empty() {
                self.line("///");
            } else if l.chars().any(|c| c.is_control() && c != '\t')
                || l.ends_with(char::is_whitespace)
            {
                self.line(&format!("#[doc = {:?}]", format!(" {l}")));
            } else {
                self.line(&format!("/// {l}"));
            }
        }
    }

    /// `start X;` and the states of one `States` object.
    fn machine(&mut self, m: &Value) {
        self.depth += 1;
        if let Some(s) = m.get("StartAt").and_then(Value::as_str) {
            self.line(&format!("start {};", state_name(s)));
        }
        if let Some(states) = m.get("States").and_then(Value::as_object) {
            for (name, state) in states {
                if let Some(obj) = state.as_object() {
                    self.state(name, obj);
                }
            }
        }
        self.depth -= 1;
    }

    fn state(&mut self, name: &str, s: &Map<String, Value>) {
        if let Some(c) = s.get("Comment").and_then(Value::as_str) {
            self.doc(c);
        }
        let kind = s
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("Pass")
            .to_ascii_lowercase();
        let mut head = format!("{}: {kind}", state_name(name));
        if let Some(r) = s.get("Resource").and_then(Value::as_str) {
            let _ = write!(head, " {r:?}");
        }
        let transition = match (s.get("Next").and_then(Value::as_str), s.get("End")) {
            (Some(n), _) => format!(" => {}", state_name(n)),
            (None, Some(Value::Bool(true))) => " end".to_owned(),
            _ => String::new(),
        };
        // A fixed field order (not the emitter's), so the printed source depends only on the
        // definition; fields this list does not know follow in document order.
        let mut body: Vec<(&String, &Value)> = s
            .iter()
            .filter(|(k, _)| {
                !matches!(k.as_str(), "Type" | "Comment" | "Resource" | "Next" | "End")
            })
            .collect();
        body.sort_by_key(|(k, _)| {
            FIELD_ORDER
                .iter()
                .position(|f| f == k)
                .unwrap_or(FIELD_ORDER.len())
        });
        if body.is_empty() {
            self.line(&format!("{head}{transition};"));
            return;
        }
        self.line(&format!("{head} {{"));
        self.depth += 1;
        for (key, value) in body {
            self.field(key, value);
        }
        self.depth -= 1;
        self.line(&format!("}}{transition};"));
    }

    fn field(&mut self, key: &str, value: &Value) {
        match key {
            "Retry" => self.retry(value),
            "Catch" => self.catch(value),
            "Choices" => {
                for rule in value.as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some(r) = rule.as_object() {
                        self.choice_branch(r);
                    }
                }
            }
            "Default" => {
                let target = value.as_str().unwrap_or_default();
                self.line(&format!("else => {},", state_name(target)));
            }
            "Branches" => {
                for b in value.as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some(c) = b.get("Comment").and_then(Value::as_str) {
                        self.doc(c);
                    }
                    self.line("branch {");
                    self.machine(b);
                    self.line("},");
                }
            }
            "ItemProcessor" | "Iterator" => {
                if let Some(c) = value.get("Comment").and_then(Value::as_str) {
                    self.doc(c);
                }
                let keyword = if key == "Iterator" {
                    "iterator"
                } else {
                    "processor"
                };
                let config = value
                    .get("ProcessorConfig")
                    .and_then(Value::as_object)
                    .map(|cfg| {
                        let pairs: Vec<String> = cfg
                            .iter()
                            .map(|(k, v)| {
                                format!("{} = {}", snake(k), v.as_str().unwrap_or_default())
                            })
                            .collect();
                        format!("({})", pairs.join(", "))
                    });
                self.line(&format!("{keyword}{} {{", config.unwrap_or_default()));
                self.machine(value);
                self.line("},");
            }
            "QueryLanguage" => {
                let q = value.as_str().unwrap_or_default();
                self.line(&format!("query_language: {q},"));
            }
            _ => {
                let field = format!("{}: ", snake(key));
                let value = json_block(value, self.depth * 4, field.len());
                self.line(&format!("{field}{value},"));
            }
        }
    }

    fn retry(&mut self, value: &Value) {
        let retriers = value.as_array().map(Vec::as_slice).unwrap_or(&[]);
        if retriers.is_empty() {
            self.line("retry: [],");
        }
        for r in retriers {
            let Some(r) = r.as_object() else { continue };
            let mut text = format!("retry: {}", error_list(r));
            let num = |k: &str| r.get(k).map(Value::to_string);
            if let Some(v) = num("IntervalSeconds") {
                let _ = write!(text, " every {v}s");
            }
            if let Some(v) = num("MaxAttempts") {
                let _ = write!(text, " x {v}");
            }
            if let Some(v) = num("BackoffRate") {
                let _ = write!(text, " backoff {v}");
            }
            if let Some(v) = num("MaxDelaySeconds") {
                let _ = write!(text, " max_delay {v}s");
            }
            if let Some(v) = r.get("JitterStrategy").and_then(Value::as_str) {
                let _ = write!(text, " jitter {v}");
            }
            if let Some(v) = r.get("Comment").and_then(Value::as_str) {
                let _ = write!(text, " comment {v:?}");
            }
            self.line(&format!("{text},"));
        }
    }

    fn catch(&mut self, value: &Value) {
        let catchers = value.as_array().map(Vec::as_slice).unwrap_or(&[]);
        if catchers.is_empty() {
            self.line("catch: [],");
        }
        for c in catchers {
            let Some(c) = c.as_object() else { continue };
            let mut text = format!("catch: {}", error_list(c));
            if let Some(v) = c.get("ResultPath") {
                let _ = write!(text, " result_path {}", json(v));
            }
            if let Some(v) = c.get("Output") {
                let _ = write!(text, " output {}", json(v));
            }
            if let Some(v) = c.get("Assign") {
                let _ = write!(text, " assign {}", json(v));
            }
            if let Some(v) = c.get("Comment").and_then(Value::as_str) {
                let _ = write!(text, " comment {v:?}");
            }
            let next = c.get("Next").and_then(Value::as_str).unwrap_or_default();
            self.line(&format!("{text} => {},", state_name(next)));
        }
    }

    fn choice_branch(&mut self, r: &Map<String, Value>) {
        if let Some(c) = r.get("Comment").and_then(Value::as_str) {
            self.doc(c);
        }
        let cond = match r.get("Condition") {
            Some(c) => json(c),
            None => rule(r, true, 0),
        };
        let next = r.get("Next").and_then(Value::as_str).unwrap_or_default();
        let extras: Vec<String> = ["Assign", "Output"]
            .iter()
            .filter_map(|k| r.get(*k).map(|v| format!("{}: {}", snake(k), json(v))))
            .collect();
        let extras = if extras.is_empty() {
            String::new()
        } else {
            format!(" {{ {} }}", extras.join(", "))
        };
        self.line(&format!("{cond} => {}{extras},", state_name(next)));
    }
}

/// Choice rules nest at most this deep (the validator's own cap is lower).
const MAX_RULE_DEPTH: usize = 64;

/// A JSONPath choice rule as a DSL expression. `top`: no parentheses needed around `&&`/`||`.
fn rule(r: &Map<String, Value>, top: bool, depth: usize) -> String {
    if depth > MAX_RULE_DEPTH {
        return "false".into();
    }
    let nested = |items: &Value, op: &str, func: &str| -> String {
        let items = items.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let parts: Vec<String> = items
            .iter()
            .filter_map(Value::as_object)
            .map(|i| nested_rule(i, depth + 1))
            .collect();
        if parts.len() < 2 {
            format!("{func}({})", parts.join(", "))
        } else if top {
            parts.join(op)
        } else {
            format!("({})", parts.join(op))
        }
    };
    if let Some(items) = r.get("And") {
        return nested(items, " && ", "all");
    }
    if let Some(items) = r.get("Or") {
        return nested(items, " || ", "any");
    }
    if let Some(inner) = r.get("Not").and_then(Value::as_object) {
        return format!("!{}", paren(&nested_rule(inner, depth + 1)));
    }
    let variable = r
        .get("Variable")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for (key, value) in r {
        let Some((op, is_path)) = Operator::from_field(key) else {
            continue;
        };
        let name = op.as_str();
        if let Some(func) = name.strip_prefix("Is") {
            let func = format!("is_{}", func.to_ascii_lowercase());
            return match value {
                Value::Bool(false) => format!("{func}({variable:?}) == false"),
                _ => format!("{func}({variable:?})"),
            };
        }
        let (family, cmp) = split_operator(name);
        let operand = if is_path {
            format!("{}_path({})", family.to_ascii_lowercase(), json(value))
        } else if family == "Timestamp" {
            format!("timestamp({})", json(value))
        } else {
            json(value)
        };
        return format!("{variable:?} {cmp} {operand}");
    }
    "false".into()
}

/// A nested rule, with its `Comment` as a doc attribute.
fn nested_rule(r: &Map<String, Value>, depth: usize) -> String {
    let text = rule(r, false, depth);
    match r.get("Comment").and_then(Value::as_str) {
        Some(c) => format!("#[doc = {:?}] {}", format!(" {c}"), paren(&text)),
        None => text,
    }
}

fn paren(text: &str) -> String {
    if text.starts_with('(') && text.ends_with(')') {
        text.to_owned()
    } else {
        format!("({text})")
    }
}

/// `NumericGreaterThanEquals` → (`Numeric`, `>=`), `StringMatches` → (`String`, `matches`).
fn split_operator(name: &str) -> (&str, &'static str) {
    for (suffix, cmp) in [
        ("GreaterThanEquals", ">="),
        ("LessThanEquals", "<="),
        ("GreaterThan", ">"),
        ("LessThan", "<"),
        ("Equals", "=="),
        ("Matches", "matches"),
    ] {
        if let Some(family) = name.strip_suffix(suffix) {
            return (family, cmp);
        }
    }
    (name, "==")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers_or_literals() {
        assert_eq!(state_name("Validate"), "Validate");
        assert_eq!(state_name("check stock"), "\"check stock\"");
        assert_eq!(state_name("type"), "\"type\"");
        assert_eq!(state_name("9lives"), "\"9lives\"");
        assert_eq!(type_name("order-flow.asl"), "OrderFlowAsl");
        assert_eq!(type_name("123"), "W123");
    }

    #[test]
    fn keys_become_snake_case_fields() {
        assert_eq!(snake("InputPath"), "input_path");
        assert_eq!(
            snake("ToleratedFailurePercentagePath"),
            "tolerated_failure_percentage_path"
        );
    }

    #[test]
    fn error_names_use_the_short_form_for_states_errors() {
        assert_eq!(error_name(&Value::from("States.ALL")), "ALL");
        assert_eq!(
            error_name(&Value::from("States.Http.Socket")),
            "\"States.Http.Socket\""
        );
        assert_eq!(
            error_name(&Value::from("Lambda.Unknown")),
            "\"Lambda.Unknown\""
        );
    }

    #[test]
    fn rules_print_as_expressions() {
        let r: Value = serde_json::json!({
            "And": [
                { "Variable": "$.a", "NumericGreaterThan": 1 },
                { "Or": [ { "Variable": "$.b", "StringEquals": "x" }, { "Variable": "$.c", "IsPresent": false } ] },
                { "Not": { "Variable": "$.t", "TimestampLessThanPath": "$.u" } }
            ]
        });
        let text = r.as_object().map(|o| rule(o, true, 0)).unwrap_or_default();
        assert_eq!(
            text,
            r#""$.a" > 1 && ("$.b" == "x" || is_present("$.c") == false) && !("$.t" < timestamp_path("$.u"))"#
        );
    }
}
