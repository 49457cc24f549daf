//! Rules about single fields of the model: bounds, formats, Choice rule shapes, Express limits.

use serde_json::Value;

use super::Site;
use crate::error::{message, Finding, FindingCode};
use crate::model::{
    ChoiceRule, Condition, CsvHeaderLocation, Dynamic, Map, NestedRule, Operand, OperandKind,
    ProcessorMode, Retrier, State, StateKind, StateMachine, Task, WaitFor,
};
use crate::resource::{IntegrationPattern, Target};

const MAX_SECONDS: u64 = 99_999_999;
const SCHEMA: FindingCode = FindingCode::SchemaValidationFailed;

/// The rules that depend on the state type.
pub(super) fn check_state_fields(at: &Site<'_>, state: &State, out: &mut Vec<Finding>) {
    match &state.kind {
        StateKind::Task(t) => {
            check_task_timeouts(at, t, out);
            check_heartbeat_below_timeout(at, t, out);
        }
        StateKind::Wait(w) => check_wait_timing(at, &w.wait_for, out),
        StateKind::Choice(c) => {
            check_choices_not_empty(at, c.choices.is_empty(), out);
            for (i, b) in c.choices.iter().enumerate() {
                if let Condition::JsonPath(rule) = &b.condition {
                    check_choice_rule(at, &format!("/Choices/{i}"), rule, 0, out);
                }
            }
        }
        StateKind::Parallel(p) => check_branches_not_empty(at, p.branches.is_empty(), out),
        StateKind::Map(m) => {
            check_map_bounds(at, m, out);
            check_map_label(at, m, out);
            check_distributed_execution_type(at, m, out);
            check_batcher_has_a_limit(at, m, out);
            check_given_csv_headers(at, m, out);
        }
        StateKind::Pass(_) | StateKind::Succeed(_) | StateKind::Fail(_) => {}
    }
}

/// Reports `value` outside `min..=max` at `rel`.
fn bound(at: &Site<'_>, rel: &str, value: u64, min: u64, max: u64, out: &mut Vec<Finding>) {
    if value < min {
        let hint = Some(format!("use a value from {min} to {max}"));
        out.push(at.finding(SCHEMA, rel, &format!("Minimum value is {min}"), hint));
    } else if value > max {
        let hint = Some(format!("use a value from {min} to {max}"));
        out.push(at.finding(SCHEMA, rel, &format!("Maximum value is {max}"), hint));
    }
}

fn literal<T: Copy>(d: &Option<Dynamic<T>>) -> Option<T> {
    match d {
        Some(Dynamic::Literal(v)) => Some(*v),
        _ => None,
    }
}

// Rule: the machine's `TimeoutSeconds` is between 1 and 99999999.
pub(super) fn check_machine_timeout(m: &StateMachine, out: &mut Vec<Finding>) {
    if let Some(t) = m.timeout_seconds {
        let text = if t == 0 {
            "Minimum value is 1".to_owned()
        } else {
            format!("Maximum value is {MAX_SECONDS}")
        };
        if t == 0 || t > MAX_SECONDS {
            out.push(Finding {
                pointer: "/TimeoutSeconds".into(),
                code: SCHEMA,
                message: super::located_message(None, "/TimeoutSeconds", &text),
                hint: Some(format!("use a value from 1 to {MAX_SECONDS}")),
            });
        }
    }
}

// Rule: Retrier bounds: IntervalSeconds 1–99999999, MaxAttempts ≤ 99999999, BackoffRate ≥ 1.0, MaxDelaySeconds 1–31622400.
pub(super) fn check_retrier_bounds(at: &Site<'_>, retry: &[Retrier], out: &mut Vec<Finding>) {
    for (i, r) in retry.iter().enumerate() {
        let rel = |f: &str| format!("/Retry/{i}/{f}");
        if let Some(v) = r.interval_seconds {
            bound(at, &rel("IntervalSeconds"), v, 1, MAX_SECONDS, out);
        }
        if let Some(v) = r.max_attempts {
            bound(at, &rel("MaxAttempts"), v, 0, MAX_SECONDS, out);
        }
        if let Some(v) = r.max_delay_seconds {
            bound(at, &rel("MaxDelaySeconds"), v, 1, 31_622_400, out);
        }
        if let Some(b) = &r.backoff_rate {
            if b.as_f64().is_none_or(|b| b < 1.0) {
                let hint = Some("use 1.0 for a constant interval, more to back off".into());
                out.push(at.finding(SCHEMA, &rel("BackoffRate"), "Minimum value is 1.0", hint));
            }
        }
    }
}

// Rule: Task `TimeoutSeconds` and `HeartbeatSeconds` literals are between 1 and 99999999.
fn check_task_timeouts(at: &Site<'_>, t: &Task, out: &mut Vec<Finding>) {
    if let Some(v) = literal(&t.timeout_seconds) {
        bound(at, "/TimeoutSeconds", v, 1, MAX_SECONDS, out);
    }
    if let Some(v) = literal(&t.heartbeat_seconds) {
        bound(at, "/HeartbeatSeconds", v, 1, MAX_SECONDS, out);
    }
}

// Rule: a literal `HeartbeatSeconds` is smaller than a literal `TimeoutSeconds`.
fn check_heartbeat_below_timeout(at: &Site<'_>, t: &Task, out: &mut Vec<Finding>) {
    if let (Some(h), Some(to)) = (literal(&t.heartbeat_seconds), literal(&t.timeout_seconds)) {
        if h >= to {
            let text = format!("HeartbeatSeconds ({h}) must be smaller than TimeoutSeconds ({to})");
            out.push(at.finding(
                SCHEMA,
                "/HeartbeatSeconds",
                &text,
                Some("lower `HeartbeatSeconds` or raise `TimeoutSeconds`".into()),
            ));
        }
    }
}

// Rule: Express machines use no activities, `.sync` or `.waitForTaskToken` resources.
pub(super) fn check_express_resources(at: &Site<'_>, state: &State, out: &mut Vec<Finding>) {
    let StateKind::Task(t) = &state.kind else {
        return;
    };
    let text = match (t.resource.target(), t.resource.pattern()) {
        (Target::Activity { .. }, _) => "Express state machine does not support Activity ARN",
        (_, Some(IntegrationPattern::Sync | IntegrationPattern::Sync2)) => {
            "Express state machine does not support '.sync' service integration"
        }
        (_, Some(IntegrationPattern::WaitForTaskToken)) => {
            "Express state machine does not support '.waitForTaskToken' service integration"
        }
        _ => return,
    };
    out.push(at.finding(
        SCHEMA,
        "/Resource",
        text,
        Some("use a STANDARD machine, or a request-response integration".into()),
    ));
}

// Rule: Wait `Seconds` is at most 99999999 and a literal `Timestamp` is an RFC 3339 date-time.
fn check_wait_timing(at: &Site<'_>, wait_for: &WaitFor, out: &mut Vec<Finding>) {
    match wait_for {
        WaitFor::Seconds(Dynamic::Literal(s)) => bound(at, "/Seconds", *s, 0, MAX_SECONDS, out),
        WaitFor::Timestamp(Dynamic::Literal(ts)) if !is_rfc3339(ts) => {
            let hint = Some("write it like `2026-01-31T12:00:00Z`".into());
            out.push(at.finding(
                SCHEMA,
                "/Timestamp",
                "String does not match RFC3339 timestamp",
                hint,
            ));
        }
        _ => {}
    }
}

/// `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)` with an uppercase `T` and `Z`.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    s.get(10..11) == Some("T")
        && !s.ends_with('z')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

// Rule: a Choice state has at least one rule.
fn check_choices_not_empty(at: &Site<'_>, empty: bool, out: &mut Vec<Finding>) {
    if empty {
        out.push(at.finding(
            SCHEMA,
            "/Choices",
            message::VALUE_CANNOT_BE_EMPTY,
            Some("add a rule with a `Next`".into()),
        ));
    }
}

// Rule: `And`/`Or` hold at least one rule and every literal operand has its operator's type.
fn check_choice_rule(
    at: &Site<'_>,
    rel: &str,
    rule: &ChoiceRule,
    depth: usize,
    out: &mut Vec<Finding>,
) {
    if depth > 2 * super::MAX_NESTING {
        let hint = Some("split the rule over several Choice states".into());
        out.push(at.finding(SCHEMA, rel, "Choice rules nest too deeply", hint));
        return;
    }
    let (field, nested): (&str, Vec<&NestedRule>) = match rule {
        ChoiceRule::And(rules) => ("And", rules.iter().collect()),
        ChoiceRule::Or(rules) => ("Or", rules.iter().collect()),
        ChoiceRule::Not(rule) => {
            check_choice_rule(at, &format!("{rel}/Not"), &rule.rule, depth + 1, out);
            return;
        }
        ChoiceRule::Test(test) => {
            if let Operand::Literal(v) = &test.operand {
                check_operand_type(
                    at,
                    &format!("{rel}/{}", test.operator.as_str()),
                    test.operator.operand_kind(),
                    v,
                    out,
                );
            }
            return;
        }
    };
    if nested.is_empty() {
        out.push(at.finding(
            SCHEMA,
            &format!("{rel}/{field}"),
            message::VALUE_CANNOT_BE_EMPTY,
            Some("add the rules to combine".into()),
        ));
    }
    for (i, n) in nested.into_iter().enumerate() {
        check_choice_rule(at, &format!("{rel}/{field}/{i}"), &n.rule, depth + 1, out);
    }
}

// Rule: a comparison's literal is a string, number, boolean or RFC 3339 timestamp as its operator needs.
fn check_operand_type(
    at: &Site<'_>,
    rel: &str,
    kind: OperandKind,
    v: &Value,
    out: &mut Vec<Finding>,
) {
    let (ok, expected) = match kind {
        OperandKind::String => (v.is_string(), "a string"),
        OperandKind::Number => (v.is_number(), "a number"),
        OperandKind::Boolean => (v.is_boolean(), "a boolean"),
        OperandKind::Timestamp => (
            v.as_str().is_some_and(is_rfc3339),
            "an RFC 3339 timestamp string",
        ),
    };
    if !ok {
        let hint = Some(format!(
            "`{}` compares with {expected}",
            rel.rsplit('/').next().unwrap_or_default()
        ));
        out.push(at.finding(SCHEMA, rel, &format!("Value must be {expected}"), hint));
    }
}

// Rule: a Parallel state has at least one branch.
fn check_branches_not_empty(at: &Site<'_>, empty: bool, out: &mut Vec<Finding>) {
    if empty {
        out.push(at.finding(
            SCHEMA,
            "/Branches",
            message::VALUE_CANNOT_BE_EMPTY,
            Some("add a branch with `StartAt` and `States`".into()),
        ));
    }
}

// Rule: Map numbers: ToleratedFailurePercentage 0–100, MaxItems ≤ 100000000, batch sizes ≥ 1, bytes ≤ 262144.
fn check_map_bounds(at: &Site<'_>, m: &Map, out: &mut Vec<Finding>) {
    if let Some(Dynamic::Literal(p)) = &m.tolerated_failure_percentage {
        if p.as_f64().is_none_or(|p| !(0.0..=100.0).contains(&p)) {
            out.push(at.finding(
                SCHEMA,
                "/ToleratedFailurePercentage",
                message::TOLERATED_FAILURE_PERCENTAGE_RANGE,
                Some("use a percentage from 0 to 100".into()),
            ));
        }
    }
    if let Some(max) = m
        .item_reader
        .as_ref()
        .and_then(|r| r.reader_config.as_ref())
        .and_then(|c| literal(&c.max_items))
    {
        bound(
            at,
            "/ItemReader/ReaderConfig/MaxItems",
            max,
            0,
            100_000_000,
            out,
        );
    }
    if let Some(b) = &m.item_batcher {
        if let Some(v) = literal(&b.max_items_per_batch) {
            bound(at, "/ItemBatcher/MaxItemsPerBatch", v, 1, u64::MAX, out);
        }
        if let Some(v) = literal(&b.max_input_bytes_per_batch) {
            bound(at, "/ItemBatcher/MaxInputBytesPerBatch", v, 1, 262_144, out);
        }
    }
}

// Rule: a Map `Label` has 1–40 characters, none of them whitespace, control or `?*<>{}[]:;,\|^~$#%&"` and backtick.
fn check_map_label(at: &Site<'_>, m: &Map, out: &mut Vec<Finding>) {
    let Some(label) = &m.label else { return };
    let len = label.chars().count();
    let bad = label
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "?*<>{}[]:;,\\|^~$#%&\"`".contains(*c));
    let text = if len == 0 || len > 40 {
        format!("Label must be between 1 and 40 characters long, not {len}")
    } else if let Some(c) = bad {
        format!("Label must not contain {c:?}")
    } else {
        return;
    };
    let hint = Some("use 1 to 40 letters, digits, `-`, `_` or `.`".into());
    out.push(at.finding(SCHEMA, "/Label", &text, hint));
}

// Rule: a DISTRIBUTED Map's `ProcessorConfig` names an `ExecutionType`.
fn check_distributed_execution_type(at: &Site<'_>, m: &Map, out: &mut Vec<Finding>) {
    let Some(config) = &m.item_processor.processor_config else {
        return;
    };
    if config.mode == Some(ProcessorMode::Distributed) && config.execution_type.is_none() {
        let hint = Some("add `\"ExecutionType\": \"STANDARD\"` or `\"EXPRESS\"`".into());
        out.push(at.finding(
            SCHEMA,
            "/ItemProcessor/ProcessorConfig",
            "These fields are required: [ExecutionType]",
            hint,
        ));
    }
}

// Rule: an `ItemBatcher` sets `MaxItemsPerBatch`, `MaxInputBytesPerBatch`, or both.
fn check_batcher_has_a_limit(at: &Site<'_>, m: &Map, out: &mut Vec<Finding>) {
    let Some(b) = &m.item_batcher else { return };
    if b.max_items_per_batch.is_none() && b.max_input_bytes_per_batch.is_none() {
        let text = "These fields are required: [MaxItemsPerBatch] or [MaxInputBytesPerBatch]";
        let hint = Some("add `\"MaxItemsPerBatch\": 10` or a byte limit".into());
        out.push(at.finding(SCHEMA, "/ItemBatcher", text, hint));
    }
}

// Rule: `CSVHeaderLocation: GIVEN` comes with `CSVHeaders`.
fn check_given_csv_headers(at: &Site<'_>, m: &Map, out: &mut Vec<Finding>) {
    let Some(c) = m
        .item_reader
        .as_ref()
        .and_then(|r| r.reader_config.as_ref())
    else {
        return;
    };
    if c.csv_header_location == Some(CsvHeaderLocation::Given) && c.csv_headers.is_none() {
        let hint = Some("add `\"CSVHeaders\": [\"col1\", ...]` or use `FIRST_ROW`".into());
        out.push(at.finding(
            SCHEMA,
            "/ItemReader/ReaderConfig",
            "These fields are required: [CSVHeaders]",
            hint,
        ));
    }
}
