//! Emission of the eight state types and their parts.

use serde_json::{json, Value};

use super::{branch_value, states_value, Fields};
use crate::jsonata::JsonataTemplate;
use crate::model::{
    Catcher, ChoiceBranch, ChoiceRule, Condition, DataFlow, Dynamic, FailField, ItemProcessor,
    JitterStrategy, Map, NestedRule, Operand, Retrier, State, StateKind, Template, Transition,
    WaitFor,
};
use crate::path::{Path, ReferencePath};
use crate::template::PayloadTemplate;

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn opt_path(p: &Option<Option<Path>>) -> Option<Value> {
    p.as_ref()
        .map(|p| p.as_ref().map_or(Value::Null, |p| s(p.source())))
}

fn opt_ref(p: &Option<Option<ReferencePath>>) -> Option<Value> {
    p.as_ref()
        .map(|p| p.as_ref().map_or(Value::Null, |p| s(p.source())))
}

fn payload(t: &Option<PayloadTemplate>) -> Option<Value> {
    t.as_ref().map(PayloadTemplate::to_value)
}

fn jsonata(t: &Option<JsonataTemplate>) -> Option<Value> {
    t.as_ref().map(JsonataTemplate::to_value)
}

fn template(t: &Option<Template>) -> Option<Value> {
    t.as_ref().map(|t| match t {
        Template::JsonPath(p) => p.to_value(),
        Template::Jsonata(j) => j.to_value(),
    })
}

/// Puts `Key` (literal or JSONata) or `KeyPath`.
fn dynamic<T>(o: &mut Fields, key: &str, d: &Option<Dynamic<T>>, lit: impl Fn(&T) -> Value) {
    match d {
        None => {}
        Some(Dynamic::Literal(v)) => o.put(key, Some(lit(v))),
        Some(Dynamic::Jsonata(j)) => o.put(key, Some(s(j.source()))),
        Some(Dynamic::Path(p)) => o.put(&format!("{key}Path"), Some(s(p.source()))),
    }
}

fn transition(o: &mut Fields, t: &Transition) {
    match t {
        Transition::Next(n) => o.put("Next", Some(s(n))),
        Transition::End => o.put("End", Some(Value::Bool(true))),
    }
}

/// One state.
pub(super) fn state_value(st: &State) -> Value {
    let mut o = Fields::default();
    o.put("Type", Some(s(st.kind.type_name())));
    o.put("Comment", st.comment.clone().map(Value::String));
    o.put("QueryLanguage", st.query_language.map(|q| s(q.as_str())));
    match &st.kind {
        StateKind::Task(t) => {
            o.put("Resource", Some(s(&t.resource)));
            o.put("Arguments", jsonata(&t.arguments));
            o.put("Credentials", template(&t.credentials));
            data_flow(&mut o, &t.flow, payload(&t.parameters), |o| {
                dynamic(o, "TimeoutSeconds", &t.timeout_seconds, |v| Value::from(*v));
                dynamic(o, "HeartbeatSeconds", &t.heartbeat_seconds, |v| {
                    Value::from(*v)
                });
            });
            transition(&mut o, &t.transition);
        }
        StateKind::Pass(p) => {
            o.put("InputPath", opt_path(&p.input_path));
            o.put("Parameters", payload(&p.parameters));
            o.put("Result", p.result.clone());
            o.put("ResultPath", opt_ref(&p.result_path));
            o.put("OutputPath", opt_path(&p.output_path));
            o.put("Output", jsonata(&p.output));
            o.put("Assign", template(&p.assign));
            transition(&mut o, &p.transition);
        }
        StateKind::Choice(c) => {
            o.put("InputPath", opt_path(&c.input_path));
            o.put("OutputPath", opt_path(&c.output_path));
            o.put(
                "Choices",
                Some(Value::Array(c.choices.iter().map(choice_branch).collect())),
            );
            o.put("Default", c.default.clone().map(Value::String));
            o.put("Output", jsonata(&c.output));
            o.put("Assign", template(&c.assign));
        }
        StateKind::Wait(w) => {
            match &w.wait_for {
                WaitFor::Seconds(d) => {
                    dynamic(&mut o, "Seconds", &Some(d.clone()), |v| Value::from(*v))
                }
                WaitFor::Timestamp(d) => dynamic(&mut o, "Timestamp", &Some(d.clone()), |v| s(v)),
            }
            o.put("InputPath", opt_path(&w.input_path));
            o.put("OutputPath", opt_path(&w.output_path));
            o.put("Output", jsonata(&w.output));
            o.put("Assign", template(&w.assign));
            transition(&mut o, &w.transition);
        }
        StateKind::Succeed(x) => {
            o.put("InputPath", opt_path(&x.input_path));
            o.put("OutputPath", opt_path(&x.output_path));
            o.put("Output", jsonata(&x.output));
        }
        StateKind::Fail(f) => {
            fail_field(&mut o, "Error", &f.error);
            fail_field(&mut o, "Cause", &f.cause);
        }
        StateKind::Parallel(p) => {
            o.put(
                "Branches",
                Some(Value::Array(p.branches.iter().map(branch_value).collect())),
            );
            o.put("Arguments", jsonata(&p.arguments));
            data_flow(&mut o, &p.flow, payload(&p.parameters), |_| {});
            transition(&mut o, &p.transition);
        }
        StateKind::Map(m) => map(&mut o, m),
    }
    o.into_value()
}

fn fail_field(o: &mut Fields, key: &str, f: &Option<FailField>) {
    match f {
        None => {}
        Some(FailField::Literal(v)) => o.put(key, Some(s(v))),
        Some(FailField::Jsonata(j)) => o.put(key, Some(s(j.source()))),
        Some(FailField::Path(p)) => o.put(&format!("{key}Path"), Some(s(p.source()))),
    }
}

/// The shared data-flow fields, in the fixed emission order: `InputPath`, the state's
/// `Parameters` (Task and Parallel), the result fields, then `before_retry` (a Task's
/// timeouts), `Retry` and `Catch`.
fn data_flow(
    o: &mut Fields,
    f: &DataFlow,
    parameters: Option<Value>,
    before_retry: impl FnOnce(&mut Fields),
) {
    o.put("InputPath", opt_path(&f.input_path));
    o.put("Parameters", parameters);
    o.put("ResultSelector", payload(&f.result_selector));
    o.put("ResultPath", opt_ref(&f.result_path));
    o.put("OutputPath", opt_path(&f.output_path));
    o.put("Output", jsonata(&f.output));
    o.put("Assign", template(&f.assign));
    before_retry(o);
    o.put(
        "Retry",
        f.retry
            .as_ref()
            .map(|r| Value::Array(r.iter().map(retrier).collect())),
    );
    o.put(
        "Catch",
        f.catch
            .as_ref()
            .map(|c| Value::Array(c.iter().map(catcher).collect())),
    );
}

fn retrier(r: &Retrier) -> Value {
    let mut o = Fields::default();
    o.put("Comment", r.comment.clone().map(Value::String));
    o.put("ErrorEquals", Some(json!(r.error_equals)));
    o.put("IntervalSeconds", r.interval_seconds.map(Value::from));
    o.put("MaxAttempts", r.max_attempts.map(Value::from));
    o.put("BackoffRate", r.backoff_rate.clone().map(Value::Number));
    o.put("MaxDelaySeconds", r.max_delay_seconds.map(Value::from));
    o.put(
        "JitterStrategy",
        r.jitter_strategy.map(|j| {
            s(match j {
                JitterStrategy::Full => "FULL",
                JitterStrategy::None => "NONE",
            })
        }),
    );
    o.into_value()
}

fn catcher(c: &Catcher) -> Value {
    let mut o = Fields::default();
    o.put("Comment", c.comment.clone().map(Value::String));
    o.put("ErrorEquals", Some(json!(c.error_equals)));
    o.put("ResultPath", opt_ref(&c.result_path));
    o.put("Output", jsonata(&c.output));
    o.put("Assign", template(&c.assign));
    o.put("Next", Some(s(&c.next)));
    o.into_value()
}

fn choice_branch(b: &ChoiceBranch) -> Value {
    let mut o = Fields::default();
    match &b.condition {
        Condition::JsonPath(rule) => rule_fields(&mut o, rule),
        Condition::Jsonata(j) => o.put("Condition", Some(j.to_value())),
    }
    o.put("Comment", b.comment.clone().map(Value::String));
    o.put("Assign", template(&b.assign));
    o.put("Output", jsonata(&b.output));
    o.put("Next", Some(s(&b.next)));
    o.into_value()
}

/// The fields of a JSONPath rule. Recursion follows the model, which the parser caps in depth.
fn rule_fields(o: &mut Fields, rule: &ChoiceRule) {
    match rule {
        ChoiceRule::And(rules) => o.put(
            "And",
            Some(Value::Array(rules.iter().map(nested).collect())),
        ),
        ChoiceRule::Or(rules) => {
            o.put("Or", Some(Value::Array(rules.iter().map(nested).collect())))
        }
        ChoiceRule::Not(rule) => o.put("Not", Some(nested(rule))),
        ChoiceRule::Test(t) => {
            o.put("Variable", Some(s(t.variable.source())));
            match &t.operand {
                Operand::Literal(v) => o.put(t.operator.as_str(), Some(v.clone())),
                Operand::Path(p) => {
                    o.put(&format!("{}Path", t.operator.as_str()), Some(s(p.source())))
                }
            }
        }
    }
}

fn nested(n: &NestedRule) -> Value {
    let mut o = Fields::default();
    rule_fields(&mut o, &n.rule);
    o.put("Comment", n.comment.clone().map(Value::String));
    o.into_value()
}

fn map(o: &mut Fields, m: &Map) {
    let key = if m.item_processor.legacy_iterator {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    o.put(key, Some(processor(&m.item_processor)));
    if let Some(r) = &m.item_reader {
        let mut f = Fields::default();
        f.put("Resource", Some(s(&r.resource)));
        if let Some(c) = &r.reader_config {
            let mut rc = Fields::default();
            rc.put("InputType", c.input_type.map(|v| s(v.as_str())));
            rc.put(
                "CSVHeaderLocation",
                c.csv_header_location.map(|v| s(v.as_str())),
            );
            rc.put("CSVHeaders", c.csv_headers.as_ref().map(|h| json!(h)));
            rc.put("CSVDelimiter", c.csv_delimiter.map(|v| s(v.as_str())));
            dynamic(&mut rc, "MaxItems", &c.max_items, |v| Value::from(*v));
            rc.put("Transformation", c.transformation.map(|v| s(v.as_str())));
            rc.put("ManifestType", c.manifest_type.map(|v| s(v.as_str())));
            rc.put("ItemsPointer", c.items_pointer.clone().map(Value::String));
            f.put("ReaderConfig", Some(rc.into_value()));
        }
        f.put("Parameters", payload(&r.parameters));
        f.put("Arguments", jsonata(&r.arguments));
        o.put("ItemReader", Some(f.into_value()));
    }
    o.put("Items", jsonata(&m.items));
    o.put("ItemsPath", m.items_path.as_ref().map(|p| s(p.source())));
    o.put("ItemSelector", template(&m.item_selector));
    o.put("Parameters", payload(&m.parameters));
    if let Some(b) = &m.item_batcher {
        let mut f = Fields::default();
        dynamic(&mut f, "MaxItemsPerBatch", &b.max_items_per_batch, |v| {
            Value::from(*v)
        });
        dynamic(
            &mut f,
            "MaxInputBytesPerBatch",
            &b.max_input_bytes_per_batch,
            |v| Value::from(*v),
        );
        f.put("BatchInput", template(&b.batch_input));
        o.put("ItemBatcher", Some(f.into_value()));
    }
    dynamic(o, "MaxConcurrency", &m.max_concurrency, |v| Value::from(*v));
    dynamic(
        o,
        "ToleratedFailurePercentage",
        &m.tolerated_failure_percentage,
        |v| Value::Number(v.clone()),
    );
    dynamic(
        o,
        "ToleratedFailureCount",
        &m.tolerated_failure_count,
        |v| Value::from(*v),
    );
    o.put("Label", m.label.clone().map(Value::String));
    if let Some(w) = &m.result_writer {
        let mut f = Fields::default();
        f.put("Resource", w.resource.as_ref().map(|r| s(r)));
        f.put("Parameters", payload(&w.parameters));
        f.put("Arguments", jsonata(&w.arguments));
        if let Some(c) = &w.writer_config {
            let mut wc = Fields::default();
            wc.put("OutputType", c.output_type.map(|v| s(v.as_str())));
            wc.put("Transformation", c.transformation.map(|v| s(v.as_str())));
            f.put("WriterConfig", Some(wc.into_value()));
        }
        o.put("ResultWriter", Some(f.into_value()));
    }
    // A Map's `Parameters` (the `ItemSelector` alias) went out with the item fields above.
    data_flow(o, &m.flow, None, |_| {});
    transition(o, &m.transition);
}

fn processor(p: &ItemProcessor) -> Value {
    let mut o = Fields::default();
    o.put("Comment", p.comment.clone().map(Value::String));
    if let Some(c) = &p.processor_config {
        let mut f = Fields::default();
        f.put("Mode", c.mode.map(|v| s(v.as_str())));
        f.put("ExecutionType", c.execution_type.map(|v| s(v.as_str())));
        o.put("ProcessorConfig", Some(f.into_value()));
    }
    o.put("StartAt", Some(s(&p.start_at)));
    o.put("States", Some(states_value(&p.states)));
    o.into_value()
}
