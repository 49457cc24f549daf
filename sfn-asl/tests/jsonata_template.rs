//! Values with `{% %}` strings at any depth: compile errors by pointer, evaluation, locations.

use serde_json::{json, Map, Value};
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{JsonataEnv, JsonataTemplate};

fn eval(template: &Value, input: &Value, location: &str) -> Result<Value, sfn_asl::EvalError> {
    let t = JsonataTemplate::compile(template).expect("compiles");
    let vars = Map::new();
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input,
        context: &json!({"Map": {"Item": {"Value": "v"}}}),
        result: None,
        error_output: None,
        vars: &vars,
        entropy: &entropy,
        now_millis: None,
    };
    t.eval(&env, location)
}

#[test]
fn builds_the_value_with_expressions_at_any_depth() {
    let template = json!({
        "static": "Hello",
        "title": "{% $states.input.title %}",
        "not-evaluated": "$customerName",
        "nested": {"list": [1, "{% $states.input.n + 1 %}", {"deep": "{% $states.context.Map.Item.Value %}"}]},
        "null": "{% $states.input.nothing %}"
    });
    let out = eval(
        &template,
        &json!({"title": "Doctor", "n": 1, "nothing": null}),
        "Arguments",
    )
    .expect("evaluates");
    assert_eq!(
        out,
        json!({
            "static": "Hello",
            "title": "Doctor",
            "not-evaluated": "$customerName",
            "nested": {"list": [1, 2, {"deep": "v"}]},
            "null": null
        })
    );
    // Key order is the template's.
    let keys: Vec<&String> = out.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["static", "title", "not-evaluated", "nested", "null"]);
}

#[test]
fn a_whole_string_template_is_one_expression() {
    let t = JsonataTemplate::compile(&json!("{% $ItemsVar %}")).expect("compiles");
    let expr = t.as_expression().expect("one expression");
    assert_eq!(expr.expression(), Some("$ItemsVar"));
    assert!(JsonataTemplate::compile(&json!({"a": "{% 1 %}"}))
        .expect("compiles")
        .as_expression()
        .is_none());
    assert_eq!(
        eval(&json!("{% $states.input %}"), &json!([1]), "Output").ok(),
        Some(json!([1]))
    );
    assert_eq!(
        eval(&json!(42), &json!([1]), "Output").ok(),
        Some(json!(42))
    );
}

#[test]
fn failures_are_located_by_key_path_and_index() {
    let err = eval(
        &json!({"Input": {"pushLocation": "{% $states.input.pushLocation %}"}}),
        &json!({}),
        "Arguments",
    )
    .unwrap_err();
    assert_eq!(
        err.location.as_deref(),
        Some("Arguments/Input/pushLocation")
    );
    assert_eq!(
        err.cause,
        "The JSONata expression '$states.input.pushLocation' specified for the field \
         'Arguments/Input/pushLocation' returned nothing (undefined)."
    );
    let err = eval(
        &json!({"a": {"b": ["x", "{% $states.input.missing %}"]}}),
        &json!({}),
        "Output",
    )
    .unwrap_err();
    assert_eq!(err.location.as_deref(), Some("Output/a/b[1]"));
}

#[test]
fn compile_reports_every_bad_expression_with_its_pointer() {
    let template = json!({
        "ok": "{% 1 %}",
        "bad": "{% a[1,2) %}",
        "list": ["{% $$ %}", "fine"],
        "we/ird~key": "{% phone %}"
    });
    let errors = JsonataTemplate::compile(&template).expect_err("three errors");
    let pointers: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers, ["/bad", "/list/0", "/we~1ird~0key"]);
    assert_eq!(errors[1].1.message, "Reference to '$$' is not supported.");
    let errors = JsonataTemplate::compile(&json!("{% phone %}")).expect_err("top-level");
    assert_eq!(errors[0].0, "");
}

#[test]
fn keeps_the_source_and_lists_variables() {
    let template = json!({"a": "{% $x + $y %}", "b": ["{% $x %}"], "c": "lit"});
    let t = JsonataTemplate::compile(&template).expect("compiles");
    assert_eq!(t.to_value(), template);
    assert!(!t.is_literal());
    let mut vars = t.variables();
    vars.sort();
    assert_eq!(vars, ["x", "y"]);
    let t = JsonataTemplate::compile(&json!({"o": "{% $states.errorOutput.Cause %}", "r": ["{% $states.result %}"], "s": "{% '$states.input' %}"}))
        .expect("compiles");
    assert_eq!(
        t.states_fields(),
        ["errorOutput", "result"],
        "a string literal is not a read"
    );
    assert!(JsonataTemplate::compile(&json!({"a": ["b"]}))
        .expect("compiles")
        .is_literal());
}

#[test]
fn deeply_nested_templates_are_refused_not_overflowed() {
    let mut value = json!("{% 1 %}");
    for _ in 0..2_000 {
        // Built by hand: `json!` would re-serialize the nested value recursively.
        value = Value::Array(vec![value]);
    }
    let errors = JsonataTemplate::compile(&value).expect_err("too deep");
    assert_eq!(errors.len(), 1);
    // Drop the deep value on a thread with room for serde_json's recursive drop.
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || drop(value))
        .expect("thread")
        .join()
        .expect("dropped");
}
