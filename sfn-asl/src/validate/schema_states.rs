//! The schema of each state type (Map and Choice have their own modules), and Retry/Catch.

use serde_json::Value;

use super::reader::{Ctx, Lang, Obj, Spec};
use super::schema::{
    branch, dynamic, int_reader, jsonata_expr, jsonata_shaped, jsonata_template, path_field,
    payload, result_path, template, transition, ErrorOutput, RefRoots,
};
use crate::model::{
    Catcher, DataFlow, Dynamic, Fail, FailField, JitterStrategy, Parallel, Pass, QueryLanguage,
    Retrier, StateKind, Succeed, Task, Wait, WaitFor,
};
use crate::resource::Resource;
use crate::template::ValueExpr;

use Lang::{Both as B, JsonPath as P, Jsonata as A};

const TASK: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("Resource", B),
    ("Parameters", P),
    ("ResultSelector", P),
    ("ResultPath", P),
    ("InputPath", P),
    ("OutputPath", P),
    ("Arguments", A),
    ("Output", A),
    ("Assign", B),
    ("TimeoutSeconds", B),
    ("TimeoutSecondsPath", P),
    ("HeartbeatSeconds", B),
    ("HeartbeatSecondsPath", P),
    ("Credentials", B),
    ("Retry", B),
    ("Catch", B),
    ("Next", B),
    ("End", B),
];
const PASS: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("InputPath", P),
    ("Parameters", P),
    ("Result", P),
    ("ResultPath", P),
    ("OutputPath", P),
    ("Output", A),
    ("Assign", B),
    ("Next", B),
    ("End", B),
];
const WAIT: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("Seconds", B),
    ("SecondsPath", P),
    ("Timestamp", B),
    ("TimestampPath", P),
    ("InputPath", P),
    ("OutputPath", P),
    ("Output", A),
    ("Assign", B),
    ("Next", B),
    ("End", B),
];
const SUCCEED: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("InputPath", P),
    ("OutputPath", P),
    ("Output", A),
];
const FAIL: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("Error", B),
    ("ErrorPath", P),
    ("Cause", B),
    ("CausePath", P),
];
const PARALLEL: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("Branches", B),
    ("InputPath", P),
    ("Parameters", P),
    ("ResultSelector", P),
    ("ResultPath", P),
    ("OutputPath", P),
    ("Arguments", A),
    ("Output", A),
    ("Assign", B),
    ("Retry", B),
    ("Catch", B),
    ("Next", B),
    ("End", B),
];
const RETRIER: Spec = &[
    ("ErrorEquals", B),
    ("IntervalSeconds", B),
    ("MaxAttempts", B),
    ("BackoffRate", B),
    ("MaxDelaySeconds", B),
    ("JitterStrategy", B),
    ("Comment", B),
];
const CATCHER: Spec = &[
    ("ErrorEquals", B),
    ("Next", B),
    ("ResultPath", P),
    ("Output", A),
    ("Assign", B),
    ("Comment", B),
];

/// The fields a state of type `ty` may have.
pub(crate) fn spec(ty: &str) -> Spec {
    match ty {
        "Task" => TASK,
        "Pass" => PASS,
        "Choice" => super::schema_choice::CHOICE,
        "Wait" => WAIT,
        "Succeed" => SUCCEED,
        "Fail" => FAIL,
        "Parallel" => PARALLEL,
        _ => super::schema_map::MAP,
    }
}

/// Reads the type-specific part of a state.
pub(crate) fn kind(ctx: &mut Ctx, ty: &str, o: &Obj<'_>, lang: QueryLanguage) -> StateKind {
    match ty {
        "Task" => StateKind::Task(Box::new(task(ctx, o, lang))),
        "Pass" => StateKind::Pass(Box::new(pass(ctx, o, lang))),
        "Choice" => StateKind::Choice(Box::new(super::schema_choice::choice(ctx, o, lang))),
        "Wait" => StateKind::Wait(Box::new(wait(ctx, o, lang))),
        "Succeed" => StateKind::Succeed(Box::new(Succeed {
            input_path: path_field(ctx, o, "InputPath"),
            output_path: path_field(ctx, o, "OutputPath"),
            output: jsonata_template(ctx, o, "Output", ErrorOutput::Forbidden),
        })),
        "Fail" => StateKind::Fail(Box::new(fail(ctx, o, lang))),
        "Parallel" => StateKind::Parallel(Box::new(parallel(ctx, o, lang))),
        _ => StateKind::Map(Box::new(super::schema_map::map(ctx, o, lang))),
    }
}

/// The `Resource` of `o` (a Task, an `ItemReader`, a `ResultWriter`), reporting one that is
/// neither an ARN nor a deployment template's `${…}` placeholder as AWS does.
pub(super) fn resource(ctx: &mut Ctx, o: &Obj<'_>) -> Option<Resource> {
    let resource = Resource::parse(ctx.string(o, "Resource")?);
    if !resource.is_well_formed() {
        ctx.schema(
            &o.at.key("Resource"),
            "Value is not a valid resource ARN",
            Some(
                "use an ARN such as `arn:aws:states:::lambda:invoke` or \
                 `arn:aws:lambda:<region>:<account>:function:<name>`, or a `${…}` placeholder \
                 your deployment replaces"
                    .into(),
            ),
        );
    }
    Some(resource)
}

fn task(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Task {
    ctx.require(o, &["Resource"]);
    let resource = match o.get("Resource") {
        Some(Value::String(s))
            if lang == QueryLanguage::Jsonata && super::reader::is_jsonata(s) =>
        {
            ctx.schema(
                &o.at.key("Resource"),
                "The field 'Resource' must be a constant ARN, not a JSONata expression",
                Some("pick the target in `Arguments` instead".into()),
            );
            Resource::parse("")
        }
        _ => resource(ctx, o).unwrap_or_else(|| Resource::parse("")),
    };
    let credentials = template(ctx, o, "Credentials", lang, ErrorOutput::Forbidden);
    if let Some(creds) = o.get("Credentials").and_then(Value::as_object) {
        if lang == QueryLanguage::JsonPath
            && !creds.contains_key("RoleArn")
            && !creds.contains_key("RoleArn.$")
        {
            ctx.schema(
                &o.at.key("Credentials"),
                "The field 'RoleArn' is required but was missing",
                Some("add `RoleArn` or `RoleArn.$`".into()),
            );
        }
    }
    Task {
        resource,
        parameters: payload(ctx, o, "Parameters"),
        arguments: jsonata_shaped(ctx, o, "Arguments", "an object", Value::is_object),
        timeout_seconds: dynamic(ctx, o, "TimeoutSeconds", lang, RefRoots::Any, int_reader(1)),
        heartbeat_seconds: dynamic(
            ctx,
            o,
            "HeartbeatSeconds",
            lang,
            RefRoots::Any,
            int_reader(1),
        ),
        credentials,
        flow: data_flow(ctx, o, lang),
        transition: transition(ctx, o),
    }
}

fn pass(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Pass {
    Pass {
        input_path: path_field(ctx, o, "InputPath"),
        parameters: payload(ctx, o, "Parameters"),
        result: o.get("Result").cloned(),
        result_path: result_path(ctx, o),
        output_path: path_field(ctx, o, "OutputPath"),
        output: jsonata_template(ctx, o, "Output", ErrorOutput::Forbidden),
        assign: template(ctx, o, "Assign", lang, ErrorOutput::Forbidden),
        transition: transition(ctx, o),
    }
}

fn wait(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Wait {
    const TIMING: [&str; 4] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];
    let given = TIMING.iter().filter(|k| o.has(k)).count();
    let wait_for = if given > 1 {
        ctx.at_most_one(o, &TIMING);
        None
    } else if given == 0 {
        ctx.schema(&o.at, "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", Some("add `\"Seconds\": 10`".into()));
        None
    } else if o.has("Seconds") || o.has("SecondsPath") {
        dynamic(ctx, o, "Seconds", lang, RefRoots::Any, int_reader(0)).map(WaitFor::Seconds)
    } else {
        dynamic(
            ctx,
            o,
            "Timestamp",
            lang,
            RefRoots::Any,
            |ctx, v, at| match v.as_str() {
                Some(s) => Some(s.to_owned()),
                None => {
                    ctx.wrong_type(at, "an RFC 3339 timestamp string");
                    None
                }
            },
        )
        .map(WaitFor::Timestamp)
    };
    Wait {
        // A placeholder keeps the model whole; the finding above already rejects the state.
        wait_for: wait_for.unwrap_or(WaitFor::Seconds(Dynamic::Literal(0))),
        input_path: path_field(ctx, o, "InputPath"),
        output_path: path_field(ctx, o, "OutputPath"),
        output: jsonata_template(ctx, o, "Output", ErrorOutput::Forbidden),
        assign: template(ctx, o, "Assign", lang, ErrorOutput::Forbidden),
        transition: transition(ctx, o),
    }
}

fn fail(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Fail {
    Fail {
        error: fail_field(ctx, o, "Error", lang),
        cause: fail_field(ctx, o, "Cause", lang),
    }
}

/// `Error`/`ErrorPath` or `Cause`/`CausePath`.
fn fail_field(ctx: &mut Ctx, o: &Obj<'_>, key: &str, lang: QueryLanguage) -> Option<FailField> {
    let path_key = format!("{key}Path");
    if !ctx.at_most_one(o, &[key, &path_key]) {
        return None;
    }
    if let Some(v) = o.get(&path_key) {
        let at = o.at.key(&path_key);
        let Some(s) = v.as_str() else {
            ctx.wrong_type(&at, "a reference path or intrinsic function string");
            return None;
        };
        return match ValueExpr::parse(s) {
            Ok(e) => Some(FailField::Path(e)),
            Err(e) => {
                ctx.expr(
                    &at,
                    "Value must be a valid reference path or a valid intrinsic function call",
                    &e,
                );
                None
            }
        };
    }
    let s = ctx.string(o, key)?;
    if lang == QueryLanguage::Jsonata && super::reader::is_jsonata(&s) {
        return jsonata_expr(ctx, &s, &o.at.key(key)).map(FailField::Jsonata);
    }
    Some(FailField::Literal(s))
}

fn parallel(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Parallel {
    ctx.require(o, &["Branches"]);
    let mut branches = Vec::new();
    if let Some(v) = o.get("Branches") {
        let at = o.at.key("Branches");
        match v.as_array() {
            Some(items) => {
                for (i, b) in items.iter().enumerate() {
                    branches.push(branch(ctx, b, &at.index(i)));
                }
            }
            None => ctx.wrong_type(&at, "an array of branches"),
        }
    }
    Parallel {
        branches,
        parameters: payload(ctx, o, "Parameters"),
        arguments: jsonata_shaped(ctx, o, "Arguments", "an object", Value::is_object),
        flow: data_flow(ctx, o, lang),
        transition: transition(ctx, o),
    }
}

/// The data-flow fields Task, Parallel and Map share.
pub(crate) fn data_flow(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> DataFlow {
    DataFlow {
        input_path: path_field(ctx, o, "InputPath"),
        result_selector: payload(ctx, o, "ResultSelector"),
        result_path: result_path(ctx, o),
        output_path: path_field(ctx, o, "OutputPath"),
        output: jsonata_template(ctx, o, "Output", ErrorOutput::Forbidden),
        assign: template(ctx, o, "Assign", lang, ErrorOutput::Forbidden),
        retry: retry(ctx, o),
        catch: catch(ctx, o, lang),
    }
}

/// `Retry`.
pub(crate) fn retry(ctx: &mut Ctx, o: &Obj<'_>) -> Option<Vec<Retrier>> {
    let v = o.get("Retry")?;
    let at = o.at.key("Retry");
    let Some(items) = v.as_array() else {
        ctx.wrong_type(&at, "an array of retriers");
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(map) = item.as_object() else {
            ctx.wrong_type(&here, "an object");
            continue;
        };
        let r = ctx.object(map, &here, RETRIER, QueryLanguage::JsonPath);
        ctx.require(&r, &["ErrorEquals"]);
        out.push(Retrier {
            error_equals: ctx.strings(&r, "ErrorEquals").unwrap_or_default(),
            interval_seconds: ctx.integer(&r, "IntervalSeconds", 1),
            max_attempts: ctx.integer(&r, "MaxAttempts", 0),
            backoff_rate: ctx.number(&r, "BackoffRate"),
            max_delay_seconds: ctx.integer(&r, "MaxDelaySeconds", 1),
            jitter_strategy: ctx.one_of(
                &r,
                "JitterStrategy",
                &[JitterStrategy::Full, JitterStrategy::None],
                |j| match j {
                    JitterStrategy::Full => "FULL",
                    JitterStrategy::None => "NONE",
                },
            ),
            comment: ctx.string(&r, "Comment"),
        });
    }
    Some(out)
}

/// `Catch`.
pub(crate) fn catch(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Option<Vec<Catcher>> {
    let v = o.get("Catch")?;
    let at = o.at.key("Catch");
    let Some(items) = v.as_array() else {
        ctx.wrong_type(&at, "an array of catchers");
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let Some(map) = item.as_object() else {
            ctx.wrong_type(&here, "an object");
            continue;
        };
        let c = ctx.object(map, &here, CATCHER, lang);
        ctx.require(&c, &["ErrorEquals", "Next"]);
        out.push(Catcher {
            error_equals: ctx.strings(&c, "ErrorEquals").unwrap_or_default(),
            next: ctx.string(&c, "Next").unwrap_or_default(),
            result_path: result_path(ctx, &c),
            output: jsonata_template(ctx, &c, "Output", ErrorOutput::Allowed),
            assign: template(ctx, &c, "Assign", lang, ErrorOutput::Allowed),
            comment: ctx.string(&c, "Comment"),
        });
    }
    Some(out)
}
