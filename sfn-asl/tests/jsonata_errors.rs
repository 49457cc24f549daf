//! Compile-time checks and the exact failure texts AWS gives for JSONata fields.

use serde_json::{json, Map, Value};
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{Jsonata, JsonataEnv, JsonataTemplate};

fn compile_error(source: &str) -> String {
    Jsonata::compile(source).expect_err(source).message
}

fn with_env<T>(
    input: &Value,
    vars: &Map<String, Value>,
    f: impl FnOnce(&JsonataEnv<'_>) -> T,
) -> T {
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input,
        context: &Value::Null,
        result: None,
        error_output: None,
        vars,
        entropy: &entropy,
        now_millis: None,
    };
    f(&env)
}

fn eval(source: &str, input: &Value, location: &str) -> Result<Value, sfn_asl::EvalError> {
    let expr = Jsonata::compile(source).expect(source);
    with_env(input, &Map::new(), |env| expr.eval(env, location))
}

#[test]
fn bodies_must_parse() {
    assert!(
        compile_error("{% a[1,2) %}").starts_with('S'),
        "a JSONata syntax code comes first"
    );
    assert!(compile_error("{% $states.input.( %}").starts_with("S02"));
    assert!(compile_error("{% 1..3 %}").starts_with("S0201"));
    assert!(Jsonata::compile("{% [1..3] %}").is_ok());
}

#[test]
fn no_context_item_at_the_top_level() {
    assert_eq!(
        compile_error("{% phone %}"),
        "Reference to 'phone' at the top level is not supported."
    );
    assert_eq!(
        compile_error("{% $count(items) %}"),
        "Reference to 'items' at the top level is not supported."
    );
    assert_eq!(
        compile_error("{% $ %}"),
        "Reference to '$' at the top level is not supported."
    );
    assert_eq!(
        compile_error("{% $.a %}"),
        "Reference to '$' at the top level is not supported."
    );
    assert_eq!(
        compile_error("{% $$ %}"),
        "Reference to '$$' is not supported."
    );
    assert_eq!(
        compile_error("{% $states.input.items[$$.x] %}"),
        "Reference to '$$' is not supported."
    );
    assert_eq!(
        compile_error("{% $map($states.input.a, function($x) { b }) %}"),
        "Reference to 'b' at the top level is not supported."
    );
}

#[test]
fn names_inside_paths_predicates_and_sorts_are_fine() {
    for ok in [
        "{% $states.input.items[value > 3] %}",
        "{% $states.input.items.($.sku & ':' & %.orderId) %}",
        "{% $states.input.items^(>price).sku %}",
        "{% $states.input.items{category: $sum(price)} %}",
        "{% $states.input.items[0] ~> | $ | {'qty': 99}, ['tags'] | %}",
        "{% $map($states.input.a, function($v) { $v.b }) %}",
        "{% ($x := 1; $x + 1) %}",
    ] {
        assert!(Jsonata::compile(ok).is_ok(), "{ok}");
    }
}

#[test]
fn strings_that_are_not_expressions_are_literals() {
    for literal in ["plain", " {% 1 %}", "{% 1 %} ", "{%", "%}", "{%}"] {
        let expr = Jsonata::compile(literal).expect(literal);
        assert!(expr.is_literal(), "{literal:?}");
        assert_eq!(
            eval(literal, &json!({}), "Output").ok(),
            Some(json!(literal))
        );
    }
}

#[test]
fn undefined_result_names_expression_and_field() {
    let err = eval("{% $states.input.absent %}", &json!({}), "Output/v").unwrap_err();
    assert_eq!(err.error, "States.QueryEvaluationError");
    assert_eq!(
        err.cause,
        "The JSONata expression '$states.input.absent' specified for the field 'Output/v' returned nothing (undefined)."
    );
    assert_eq!(err.location.as_deref(), Some("Output/v"));
}

#[test]
fn unassigned_variable_is_undefined() {
    let err = eval("{%   $varname.varfield   %}", &json!({}), "Assign/x").unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONata expression '$varname.varfield' specified for the field 'Assign/x' returned nothing (undefined)."
    );
}

#[test]
fn runtime_errors_keep_the_jsonata_code() {
    // Recorded on AWS: intrinsic_functions ... test_math_random_seeded.
    let err = eval(
        "{% $randomSeeded($states.input.FunctionInput.fst) %}",
        &json!({"FunctionInput": "fst"}),
        "Output/FunctionResult",
    )
    .unwrap_err();
    assert_eq!(
        err.cause,
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field \
         'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    );
    let cases = [
        (
            "{% 1 + 'a' %}",
            "T2002: The right side of the \"+\" operator must evaluate to a number",
        ),
        (
            "{% $number('abc') %}",
            "D3030: Unable to cast value to a number: \"abc\"",
        ),
        ("{% $error('boom') %}", "D3137: boom"),
        ("{% $assert(false, 'bad') %}", "D3141: bad"),
        (
            "{% $sum('a') %}",
            "T0412: Argument 1 of function \"sum\" must be an array of \"numbers\"",
        ),
    ];
    for (source, tail) in cases {
        let err = eval(source, &json!({}), "Output").unwrap_err();
        assert!(
            err.cause
                .ends_with(&format!("threw an error during evaluation. {tail}")),
            "{source}: {}",
            err.cause
        );
    }
}

#[test]
fn functions_are_not_json() {
    for source in [
        "{% function($x) { $x } %}",
        "{% $sum %}",
        "{% /a/ %}",
        "{% {'f': function() { 1 }} %}",
    ] {
        let err = eval(source, &json!({}), "Output").unwrap_err();
        assert!(
            err.cause
                .ends_with("specified for the field 'Output' returned an unsupported result type."),
            "{source}: {}",
            err.cause
        );
    }
}

#[test]
fn typed_fields_word_the_wrong_type_as_aws_does() {
    let expr = Jsonata::compile("{% $ItemsVar %}").expect("compiles");
    let err = expr.unexpected_type("Items", "array", &json!({"foo": "bar"}));
    assert_eq!(
        err.cause,
        "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result type. \
         Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    );
    assert_eq!(err.location.as_deref(), Some("Items"));
}

#[test]
fn variables_are_bound_by_name() {
    let mut vars = Map::new();
    vars.insert("var_constant_1".into(), json!(1));
    vars.insert("varname".into(), json!({"varfield": "x"}));
    let expr = Jsonata::compile("{% $sum($states.input.input_values) + $var_constant_1 %}")
        .expect("compiles");
    let input = json!({"input_values": [1, 2, 3]});
    assert_eq!(
        with_env(&input, &vars, |env| expr.eval(env, "Output")).ok(),
        Some(json!(7))
    );
    let expr = Jsonata::compile("{% $varname.varfield %}").expect("compiles");
    assert_eq!(
        with_env(&input, &vars, |env| expr.eval(env, "Output")).ok(),
        Some(json!("x"))
    );
    assert_eq!(expr.variables(), ["varname".to_owned()]);
}

#[test]
fn states_result_and_error_output_are_bound_when_given() {
    let expr =
        Jsonata::compile("{% [$states.result.a, $states.errorOutput.Error, $states.context.x] %}")
            .expect("compiles");
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input: &json!({}),
        context: &json!({"x": 3}),
        result: Some(&json!({"a": 1})),
        error_output: Some(&json!({"Error": "E"})),
        vars: &(),
        entropy: &entropy,
        now_millis: None,
    };
    assert_eq!(expr.eval(&env, "Output").ok(), Some(json!([1, "E", 3])));
}

#[test]
fn compiled_forms_can_be_shared_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<Jsonata>();
    check::<JsonataTemplate>();
    check::<sfn_asl::EvalError>();
}

/// AWS accepted every definition in the recorded corpus, so each of their expressions compiles.
#[test]
fn every_recorded_expression_compiles() {
    fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(map) => map.values().for_each(|i| strings(i, out)),
            _ => {}
        }
    }
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    );
    let mut compiled = 0;
    for entry in std::fs::read_dir(dir).expect("cases") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        if !text.contains("{%") {
            continue;
        }
        let case: Value = serde_json::from_str(&text).expect("json");
        let mut found = Vec::new();
        strings(&case["definition"], &mut found);
        for s in found
            .into_iter()
            .filter(|s| sfn_asl::jsonata::is_expression(s))
        {
            let expr =
                Jsonata::compile(s).unwrap_or_else(|e| panic!("{}: {s}: {e}", path.display()));
            assert!(!expr.is_literal());
            compiled += 1;
        }
    }
    assert!(compiled >= 76, "only {compiled} expressions");
}

#[test]
fn states_read_as_a_whole_has_every_field_given() {
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input: &json!({"a": 1}),
        context: &json!({"x": 3}),
        result: Some(&json!("r")),
        error_output: None,
        vars: &(),
        entropy: &entropy,
        now_millis: None,
    };
    let keys = Jsonata::compile("{% $keys($states) %}").expect("compiles");
    assert_eq!(
        keys.eval(&env, "Output").ok(),
        Some(json!(["input", "context", "result"]))
    );
    let lookup = Jsonata::compile("{% $lookup($states, 'context').x + $states.input.a %}")
        .expect("compiles");
    assert_eq!(lookup.eval(&env, "Output").ok(), Some(json!(4)));
    let one = Jsonata::compile("{% $states.result %}").expect("compiles");
    assert_eq!(one.eval(&env, "Output").ok(), Some(json!("r")));
    assert_eq!(one.states_fields(), ["result".to_owned()]);
}
