//! No expression can overflow the native stack, run forever or build an unbounded result.

use serde_json::{json, Value};
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

fn eval(body: &str) -> Result<Value, String> {
    let expr = Jsonata::compile(&format!("{{% {body} %}}"))
        .map_err(|e| format!("compile: {}", e.message))?;
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input: &json!({}),
        context: &Value::Null,
        result: None,
        error_output: None,
        vars: &(),
        entropy: &entropy,
        now_millis: None,
    };
    expr.eval(&env, "Output").map_err(|e| e.cause)
}

#[test]
fn what_aws_accepts_at_its_depth_limit_evaluates() {
    let sum = vec!["1"; 100].join(" + ");
    assert_eq!(eval(&sum), Ok(json!(100)));
    let parens = format!("{}1{}", "(".repeat(99), ")".repeat(99));
    assert_eq!(eval(&parens), Ok(json!(1)));
    let brackets = format!("{}1{}", "[".repeat(99), "]".repeat(99));
    assert!(eval(&brackets).is_ok());
    let chain = format!("'a'{}", " ~> $uppercase()".repeat(99));
    assert_eq!(eval(&chain), Ok(json!("A")));
    let recursion = "($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(31))";
    assert_eq!(eval(recursion), Ok(json!(31)));
}

#[test]
fn one_level_more_than_aws_allows_is_refused() {
    let too_deep = [
        vec!["1"; 101].join(" + "),
        format!("{}1{}", "(".repeat(100), ")".repeat(100)),
        format!("{}1{}", "[".repeat(100), "]".repeat(100)),
        format!("'a'{}", " ~> $uppercase()".repeat(100)),
        "($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(32))".to_owned(),
    ];
    for body in too_deep {
        let err = eval(&body).unwrap_err();
        assert!(
            err.contains("threw an error during evaluation. Stack overflow error"),
            "{err}"
        );
    }
}

#[test]
fn runaway_recursion_is_an_error() {
    let err =
        eval("($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(100000))").unwrap_err();
    assert!(
        err.contains("threw an error during evaluation. Stack overflow error"),
        "{err}"
    );
}

#[test]
fn deeply_nested_text_is_refused_at_compile_time() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{'a':", "}")] {
        let body = format!("{}1{}", open.repeat(5_000), close.repeat(5_000));
        let err = eval(&body).unwrap_err();
        assert!(err.starts_with("compile: "), "{err}");
    }
    let unary = format!("{}1", "-".repeat(5_000));
    assert!(eval(&unary).is_err());
}

#[test]
fn deeply_nested_results_are_refused() {
    let err = eval("$reduce([1..5000], function($acc, $v) { {'a': $acc} }, {})").unwrap_err();
    assert!(err.contains("threw an error during evaluation."), "{err}");
}

#[test]
fn large_results_are_refused() {
    // AWS's bound is 6,990,256 bytes at 8 a number: `[1..873782]` is accepted, one more is not.
    let err = eval("[1..900000]").unwrap_err();
    assert!(
        err.ends_with(
            "threw an error during evaluation. Expression evaluation memory limit exceeded"
        ),
        "{err}"
    );
    assert_eq!(eval("$count([1..873782])"), Ok(json!(873782)));
    let err = eval("$count([1..873783])").unwrap_err();
    assert!(
        err.ends_with("Expression evaluation memory limit exceeded"),
        "{err}"
    );
}

#[test]
fn endless_loops_run_out_of_fuel() {
    // A tail call loops without growing the stack: only the fuel budget stops it, the same way
    // on every machine.
    let err = eval("($f := function($n) { $f($n + 1) }; $f(0))").unwrap_err();
    assert!(
        err.ends_with(
            "threw an error during evaluation. Expression evaluation timeout: Check for infinite loop"
        ),
        "{err}"
    );
}

#[test]
fn deeply_nested_input_is_refused_not_overflowed() {
    let mut input = json!(1);
    for _ in 0..3_000 {
        // Built by hand: `json!` would re-serialize the nested value recursively.
        let mut map = serde_json::Map::new();
        map.insert("a".to_owned(), input);
        input = Value::Object(map);
    }
    let expr = Jsonata::compile("{% $states.input.a %}").expect("compiles");
    let entropy = SeededEntropy::new(1);
    let env = JsonataEnv {
        input: &input,
        context: &Value::Null,
        result: None,
        error_output: None,
        vars: &(),
        entropy: &entropy,
        now_millis: None,
    };
    let err = expr.eval(&env, "Output").unwrap_err();
    assert!(
        err.cause.ends_with("Value nested too deeply"),
        "{}",
        err.cause
    );
    // serde_json drops recursively: give the 3,000-level value room.
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || drop(input))
        .expect("thread")
        .join()
        .expect("dropped");
}

#[test]
fn huge_paddings_are_refused_before_they_are_built() {
    let err = eval("$pad('x', 2000000000, '😀')").unwrap_err();
    assert!(
        err.ends_with("Expression evaluation memory limit exceeded"),
        "{err}"
    );
    assert_eq!(eval("$pad('7', 3, '0')"), Ok(json!("700")));
    assert_eq!(eval("$pad('7', -3, '0')"), Ok(json!("007")));
    assert_eq!(eval("$pad('ab', 7, 'xyz')"), Ok(json!("abxyzxy")));
    assert_eq!(eval("$pad('héllo', 6)"), Ok(json!("héllo ")));
    assert_eq!(eval("$pad('abc', 2)"), Ok(json!("abc")));
}

#[test]
fn doubling_strings_or_arrays_stops_at_the_size_limit() {
    let strings = "($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f('x', 40))";
    let err = eval(strings).unwrap_err();
    assert!(
        err.ends_with("Expression evaluation memory limit exceeded"),
        "{err}"
    );
    let joined =
        "($f := function($s, $n) { $n = 0 ? $s : $f($join([$s, $s]), $n - 1) }; $f('x', 40))";
    assert!(eval(joined)
        .unwrap_err()
        .ends_with("Expression evaluation memory limit exceeded"));
    let arrays =
        "($f := function($a, $n) { $n = 0 ? $count($a) : $f([$a, $a], $n - 1) }; $f([1], 40))";
    assert!(eval(arrays)
        .unwrap_err()
        .ends_with("Expression evaluation memory limit exceeded"));
    // Below the limits nothing changes, nested array literals included.
    assert_eq!(
        eval(
            "($f := function($s, $n) { $n = 0 ? $length($s) : $f($s & $s, $n - 1) }; $f('x', 20))"
        ),
        Ok(json!(1_048_576))
    );
    assert_eq!(eval("[[1,2],[3]]"), Ok(json!([[1, 2], [3]])));
    assert_eq!(eval("($x := [1,2]; [$x, 3])"), Ok(json!([1, 2, 3])));
    assert_eq!(eval("'a' ~> $join(',')"), Ok(json!("a")));
    let chain = vec!["'a'"; 100].join(" & ");
    assert_eq!(eval(&chain), Ok(json!("a".repeat(100))));
}

#[test]
fn a_function_where_json_is_expected_is_a_signature_error() {
    let err = eval("$partition(function($v) { $v }, 2)").unwrap_err();
    assert!(
        err.ends_with(
            "T0410: Argument 1 of function \"partition\" does not match function signature"
        ),
        "{err}"
    );
}
