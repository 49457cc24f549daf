//! Payload templates: compilation errors (with pointers), evaluation, AWS's failure texts.

use serde_json::{json, Map, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::template::{PayloadTemplate, ValueExpr};
use sfn_asl::EvalError;

fn eval_with(
    template: &Value,
    input: &Value,
    vars: &Map<String, Value>,
) -> Result<Value, EvalError> {
    let ctx = json!({"Execution": {"Id": "arn:e"}, "Map": {"Item": {"Index": 2, "Value": "v"}}});
    let entropy = SeededEntropy::new(5);
    let env = EvalEnv {
        input,
        context: &ctx,
        vars,
        entropy: &entropy,
    };
    PayloadTemplate::compile(template)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .eval(&env)
}

fn eval(template: Value, input: Value) -> Result<Value, EvalError> {
    eval_with(&template, &input, &Map::new())
}

#[test]
fn paths_context_variables_and_intrinsics() {
    let mut vars = Map::new();
    vars.insert("limit".into(), json!(10));
    let got = eval_with(
        &json!({
            "id.$": "$.order.id",
            "whole.$": "$",
            "exec.$": "$$.Execution.Id",
            "index.$": "$$.Map.Item.Index",
            "limit.$": "$limit",
            "text.$": "States.Format('#{}', $.order.id)",
            "literal": "$.not.a.path",
            "nested": {"list": [1, {"deep.$": "$.order.items[*].sku"}, "x"]}
        }),
        &json!({"order": {"id": 7, "items": [{"sku": "a"}, {"sku": "b"}]}}),
        &vars,
    )
    .unwrap();
    assert_eq!(
        got,
        json!({
            "id": 7,
            "whole": {"order": {"id": 7, "items": [{"sku": "a"}, {"sku": "b"}]}},
            "exec": "arn:e",
            "index": 2,
            "limit": 10,
            "text": "#7",
            "literal": "$.not.a.path",
            "nested": {"list": [1, {"deep": ["a", "b"]}, "x"]}
        })
    );
}

#[test]
fn key_order_is_kept() {
    let got = eval(json!({"z": 1, "a.$": "$.x", "m": 2}), json!({"x": 0})).unwrap();
    let keys: Vec<&String> = got
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["z", "a", "m"]);
}

#[test]
fn missing_path_uses_aws_text() {
    let err = eval(json!({"order.$": "$.order"}), json!({"a": 1})).unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "The JSONPath '$.order' specified for the field 'order.$' could not be found in the input '{\"a\":1}'"
    );
    let err = eval(json!({"deep": [{"x.$": "$.b.c"}]}), json!({"b": {}})).unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONPath '$.b.c' specified for the field 'x.$' could not be found in the input '{\"b\":{}}'"
    );
    let err = eval(json!({"f.$": "States.Format('{}', $.nope)"}), json!({})).unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "The function 'States.Format('{}', $.nope)' had the following error: \
         The JsonPath argument for the field '$.nope' could not be found in the input '{}'"
    );
}

#[test]
fn intrinsic_failure_is_catchable_error() {
    let err = eval(
        json!({"x.$": "States.ArrayGetItem($.a, 3)"}),
        json!({"a": [1]}),
    )
    .unwrap_err();
    assert_eq!(err.error, "States.IntrinsicFailure");
}

#[test]
fn constant_templates_are_detected() {
    let c = PayloadTemplate::compile(&json!({"a": [1, {"b": "$.x"}]})).unwrap();
    assert!(c.is_constant());
    assert!(c.exprs().is_empty());
    let d = PayloadTemplate::compile(&json!({"a": [1, {"b.$": "$.x"}]})).unwrap();
    assert!(!d.is_constant());
    let exprs = d.exprs();
    assert_eq!(exprs.len(), 1);
    assert_eq!(exprs[0].0, "/a/1/b.$");
    assert_eq!(exprs[0].1.source(), "$.x");
    assert_eq!(d.to_value(), json!({"a": [1, {"b.$": "$.x"}]}));
    let scalar = PayloadTemplate::compile(&json!("text")).unwrap();
    assert!(scalar.is_constant());
}

#[test]
fn compile_errors_carry_pointers_and_are_all_reported() {
    let errs = PayloadTemplate::compile(&json!({
        "ok.$": "$.a",
        "order.$": 5,
        "nested": {"a/b.$": "$.["},
        "list": [{"f.$": "States.Nope()"}],
        "dup": 1,
        "dup.$": "$.x"
    }))
    .unwrap_err();
    let pointers: Vec<&str> = errs.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        ["/order.$", "/nested/a~1b.$", "/list/0/f.$", "/dup.$"]
    );
    assert!(
        errs[0].1.message.contains("must be a string"),
        "{}",
        errs[0].1.message
    );
    assert!(
        errs[3].1.message.contains("appears twice"),
        "{}",
        errs[3].1.message
    );
}

#[test]
fn value_expr_parses_paths_and_calls() {
    assert!(matches!(ValueExpr::parse("$.a"), Ok(ValueExpr::Path(_))));
    assert!(matches!(
        ValueExpr::parse("$$.Task.Token"),
        Ok(ValueExpr::Path(_))
    ));
    assert!(matches!(ValueExpr::parse("$v"), Ok(ValueExpr::Path(_))));
    assert!(matches!(
        ValueExpr::parse("States.UUID()"),
        Ok(ValueExpr::Intrinsic(_))
    ));
    assert!(ValueExpr::parse("plain").is_err());
    let entropy = SeededEntropy::new(1);
    let input = json!({"e": "boom"});
    let env = EvalEnv {
        input: &input,
        context: &json!({}),
        vars: &(),
        entropy: &entropy,
    };
    let err = ValueExpr::parse("$.missing")
        .unwrap()
        .eval(&env, "ErrorPath")
        .unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONPath '$.missing' specified for the field 'ErrorPath' could not be found in the input '{\"e\":\"boom\"}'"
    );
    assert_eq!(
        ValueExpr::parse("$.e")
            .unwrap()
            .eval(&env, "ErrorPath")
            .unwrap(),
        json!("boom")
    );
}

#[test]
fn deep_templates_do_not_overflow() {
    let mut v = json!({"x.$": "$"});
    for _ in 0..300 {
        v = json!({ "n": v });
    }
    // Either compiled and evaluated, or rejected: never a crash.
    if let Ok(t) = PayloadTemplate::compile(&v) {
        let entropy = SeededEntropy::new(1);
        let env = EvalEnv {
            input: &json!(1),
            context: &json!({}),
            vars: &(),
            entropy: &entropy,
        };
        assert!(t.eval(&env).is_ok());
    }
}

#[test]
fn repeated_evaluations_do_not_share_values() {
    let t = PayloadTemplate::compile(&json!({"n.$": "$.n", "k": "c"})).expect("compiles");
    let first = eval_compiled(&t, json!({"n": 1}));
    let second = eval_compiled(&t, json!({"n": 2}));
    assert_eq!(first, json!({"n": 1, "k": "c"}));
    assert_eq!(second, json!({"n": 2, "k": "c"}));
}

fn eval_compiled(t: &PayloadTemplate, input: Value) -> Value {
    let env = EvalEnv {
        input: &input,
        context: &Value::Null,
        vars: &Map::new(),
        entropy: &SeededEntropy::new(1),
    };
    t.eval(&env).expect("evaluates")
}

#[test]
fn parts_written_over_a_value_give_the_same_payload() {
    let t = PayloadTemplate::compile(&json!({"n.$": "$.n", "k": "c"})).expect("compiles");
    let input = json!({"n": 5});
    let env = EvalEnv {
        input: &input,
        context: &Value::Null,
        vars: &Map::new(),
        entropy: &SeededEntropy::new(1),
    };
    let fresh = t.eval(&env).expect("evaluates");
    // Same keys in the same order: values replaced in place.
    let mut same = json!({"n": 1, "k": "old"});
    t.eval_parts(&env, &mut Vec::new())
        .expect("evaluates")
        .write_into(&mut same);
    assert_eq!(same, fresh);
    // Other keys, another order, another type: replaced whole.
    for mut other in [
        json!({"k": "c", "n": 1}),
        json!({"n": 1}),
        json!([1]),
        json!(null),
    ] {
        t.eval_parts(&env, &mut Vec::new())
            .expect("evaluates")
            .write_into(&mut other);
        assert_eq!(other, fresh);
        let keys: Vec<&String> = other.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["n", "k"]);
    }
    assert_eq!(
        t.eval_parts(&env, &mut Vec::new())
            .expect("evaluates")
            .into_value(),
        fresh
    );
}

#[test]
fn evaluated_size_is_the_payload_text_length() {
    let t = PayloadTemplate::compile(&json!({
        "n.$": "$.n",
        "k\"ey": "c\n",
        "nested": {"x.$": "$.s", "f": 1.5},
        "list": [1, 2],
        "neg": -3
    }))
    .expect("compiles");
    let input = json!({"n": 12345, "s": "t\u{1}é"});
    let env = EvalEnv {
        input: &input,
        context: &Value::Null,
        vars: &Map::new(),
        entropy: &SeededEntropy::new(1),
    };
    let mut buffer = Vec::new();
    let parts = t.eval_parts(&env, &mut buffer).expect("evaluates");
    let size = parts.json_size(|v| v.to_string().len());
    assert_eq!(size, parts.into_value().to_string().len());
    // A wider object, written over one with the same keys.
    let wide = PayloadTemplate::compile(&json!({
        "a.$": "$.n", "b": 1, "c": 2, "d": 3, "e": 4, "f.$": "$.s"
    }))
    .expect("compiles");
    let parts = wide.eval_parts(&env, &mut buffer).expect("evaluates");
    let size = parts.json_size(|v| v.to_string().len());
    let value = parts.into_value();
    assert_eq!(size, value.to_string().len());
    assert_eq!(
        value,
        json!({"a": 12345, "b": 1, "c": 2, "d": 3, "e": 4, "f": "t\u{1}é"})
    );
    let mut old = json!({"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 0});
    wide.eval_parts(&env, &mut buffer)
        .expect("evaluates")
        .write_into(&mut old);
    assert_eq!(old, value);
    // Not an object: evaluated whole.
    let list = PayloadTemplate::compile(&json!([{"a.$": "$.n"}, "x"])).expect("compiles");
    let parts = list.eval_parts(&env, &mut buffer).expect("evaluates");
    let expected = json!([{"a": 12345}, "x"]);
    assert_eq!(
        parts.json_size(|v| v.to_string().len()),
        expected.to_string().len()
    );
    let mut old = json!({"a": 1});
    parts.write_into(&mut old);
    assert_eq!(old, expected);
}
