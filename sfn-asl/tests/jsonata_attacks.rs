//! Expressions written to exhaust memory or time end with AWS's error, quickly, instead of taking
//! the process down; the heavy built-ins run in linear time.

use serde_json::{json, Value};
use sfn_asl::eval::SeededEntropy;
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

const MEMORY: &str =
    "threw an error during evaluation. Expression evaluation memory limit exceeded";
const TIME: &str =
    "threw an error during evaluation. Expression evaluation timeout: Check for infinite loop";

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

/// Asserts that `body` fails with AWS's cause ending in `tail`.
fn assert_refused(body: &str, tail: &str) {
    match eval(body) {
        Err(cause) => assert_eq!(
            cause,
            format!("The JSONata expression '{body}' specified for the field 'Output' {tail}"),
        ),
        Ok(value) => panic!("`{body}` evaluated to {value}"),
    }
}

#[test]
fn a_path_step_over_a_bound_array_is_refused_before_it_flattens() {
    // 1,000 steps each returning the same 800,000 items would flatten 800 M.
    assert_refused("($a := [1..800000]; $count([1..1000].($a)))", MEMORY);
}

#[test]
fn flattening_shared_values_is_refused() {
    let attacks = [
        // Objects holding one array, read back through a field step.
        "($a := [1..800000]; $count([1..1000].{'x': $a}.x))",
        // An array built per item.
        "($a := [1..400000]; $count([1..1000].[$a]))",
        // Nested steps whose sizes multiply (10^9 items).
        "$count([1..1000].([1..1000].([1..1000].(1))))",
        // One object per item, each holding the array, merged and spread.
        "($a := [1..800000]; $count($spread($merge([1..1000].{$string($): $a}))))",
    ];
    for body in attacks {
        assert_refused(body, MEMORY);
    }
}

#[test]
fn values_kept_by_a_higher_order_function_count_as_built() {
    let attacks = [
        "($a := [1..200000]; $count($map([1..1000], function($i){ $append($a, $i) })))",
        "($a := [1..200000]; $count($map([1..1000], function($i){ [$a, $i] })))",
        "($s := $pad('', 1000000, 'x'); $count($map([1..1000], function($i){ $s & $i })))",
    ];
    for body in attacks {
        assert_refused(body, MEMORY);
    }
}

#[test]
fn exponentially_shared_objects_are_refused_before_they_are_walked() {
    // Forty doublings: 2^40 references to one array, built in forty steps.
    let dag = "($f := function($v, $n) { $n = 0 ? $v : $f({'a': $v, 'b': $v}, $n - 1) }; $f([1..100], 40))";
    for tail in ["$string(%)", "$count(%.**)", "$count($keys(%))"] {
        let body = tail.replace('%', dag);
        assert_refused(&body, MEMORY);
    }
}

#[test]
fn text_functions_refuse_results_before_building_them() {
    let attacks = [
        // 1,000 references to a 5 MB string joined.
        "($s := $pad('', 5000000, 'x'); $length($join([1..1000].($s), '')))",
        // A 5 MB separator between 1,000 items.
        "($s := $pad('', 5000000, 'x'); $length($join([1..1000].('a'), $s)))",
        // Each of a million characters replaced by a million characters.
        "($s := $pad('', 1000000, 'x'); $length($replace($s, 'x', $s)))",
        "($s := $pad('', 1000000, 'x'); $length($replace($s, /x/, $s, 1000000)))",
        // Five million parts.
        "($s := $pad('', 5000000, 'x'); $count($split($s, '')))",
        // The same, with the first argument piped in.
        "($s := $pad('', 5000000, 'x'); $length([1..1000].('a') ~> $join($s)))",
        "($s := $pad('', 1000000, 'x'); $length($s ~> $replace('x', $s)))",
        "($s := $pad('', 5000000, 'x'); $count($s ~> $uppercase() ~> $split('')))",
    ];
    for body in attacks {
        assert_refused(body, MEMORY);
    }
    // Below the bounds nothing changes.
    assert_eq!(eval("$join(['a', 'b', 'c'], ', ')"), Ok(json!("a, b, c")));
    assert_eq!(
        eval("$replace('abcabc', 'b', '[$0]')"),
        Ok(json!("a[$0]ca[$0]c"))
    );
    assert_eq!(
        eval("$replace('abcabc', /b/, '[$0]', 1)"),
        Ok(json!("a[b]cabc"))
    );
    assert_eq!(eval("$split('a,b,c', ',')"), Ok(json!(["a", "b", "c"])));
    assert_eq!(eval("'a,b' ~> $split(',') ~> $join('+')"), Ok(json!("a+b")));
    assert_eq!(eval("'abc' ~> $replace('b', 'x')"), Ok(json!("axc")));
}

#[test]
fn work_past_the_fuel_budget_is_the_timeout() {
    let zipped = format!(
        "($a := [1..300000]; $count($zip({})))",
        vec!["$a"; 70].join(", ")
    );
    let attacks = [
        // Exponential recursion, each leaf scanning 100,000 items.
        "($a := [1..100000]; $f := function($n) { $n = 0 ? (0 in $a ? 1 : 0) : $f($n - 1) + $f($n - 1) }; $f(20))",
        // A tail loop carrying a growing string.
        "($f := function($s) { $f($s & 'x') }; $f(''))",
        // A comparator sort of 300,000 items: 5.4 M comparisons.
        "$count($sort([1..300000], function($a, $b){ $a < $b }))",
        // Membership in a 100,000-item array, 100,000 times.
        "($a := [1..100000]; $count([1..100000][$ in $a]))",
        "($a := [1..100000]; $count($filter([1..100000], function($v){ $v in $a })))",
        // A predicate over 100,000 objects in a loop.
        "($o := [1..100000].{'x': $}; $count($map([1..1000], function($i){ $o[x = $i] })))",
        // Fifty references to 100,000 items, deduplicated.
        "($a := [1..100000]; $count($distinct([1..50].{'v': $a})))",
        // Seventy arguments of 300,000 items zipped.
        &zipped,
    ];
    for body in attacks {
        assert_refused(body, TIME);
    }
}

#[test]
fn heavy_built_ins_finish_in_linear_time() {
    // Each was quadratic in the crate (`$distinct` of 100,000 items took 40 s).
    assert_eq!(eval("$count($distinct([1..100000]))"), Ok(json!(100000)));
    assert_eq!(
        eval("$count($distinct([1..30000].{'k': $}))"),
        Ok(json!(30000))
    );
    assert_eq!(
        eval("$count($keys([1..30000].{$string($): 1}))"),
        Ok(json!(30000))
    );
    assert_eq!(
        eval("$count($sort([1..100000].(100000 - $)))"),
        Ok(json!(100000))
    );
    assert_eq!(
        eval("$single([1..100000], function($v){ $v = 77 })"),
        Ok(json!(77))
    );
}

#[test]
fn distinct_keeps_deep_equality_and_first_occurrences() {
    assert_eq!(
        eval("$distinct([1, 2, 1, {'a': 1, 'b': 2}, {'b': 2, 'a': 1}, [1, 2], [2, 1], [1, 2], 0, -0, 'x', 'x', null, null])"),
        Ok(json!([1, 2, {"a": 1, "b": 2}, [1, 2], [2, 1], 0, "x", null]))
    );
    assert_eq!(eval("$distinct('a')"), Ok(json!("a")));
    assert_eq!(eval("$distinct([3])"), Ok(json!([3])));
    assert_eq!(eval("[1, 1, 2] ~> $distinct()"), Ok(json!([1, 2])));
    assert_eq!(
        eval("$map([[1, 1], [2, 2]], $distinct)"),
        Ok(json!([[1], [2]]))
    );
    // A name bound by the expression still wins over the built-in.
    assert_eq!(
        eval("($distinct := function($x) { 'mine' }; $distinct([1, 1]))"),
        Ok(json!("mine"))
    );
}

#[test]
fn keys_of_many_objects_keep_their_first_order() {
    assert_eq!(
        eval("$keys([{'a': 1, 'b': 2}, {'b': 3, 'c': 4}, 5])"),
        Ok(json!(["a", "b", "c"]))
    );
    assert_eq!(eval("$keys({'z': 1, 'y': 2})"), Ok(json!(["z", "y"])));
    assert_eq!(eval("$keys({'z': 1})"), Ok(json!("z")));
    let err = eval("$keys(5)").unwrap_err();
    assert!(err.ends_with("returned nothing (undefined)."), "{err}");
}

#[test]
fn what_aws_evaluates_within_the_budget_still_evaluates() {
    assert_eq!(
        eval("$sum($map([1..100000], function($v){ $v * 2 }))"),
        Ok(json!(10000100000u64))
    );
    assert_eq!(eval("$count([1..873782])"), Ok(json!(873782)));
    assert_eq!(
        eval("($a := [1..1000]; $count([1..100].($a)))"),
        Ok(json!(100000))
    );
    assert_eq!(
        eval("$count($reduce([1..2000], function($acc, $v){ $append($acc, $v) }, []))"),
        Ok(json!(2000))
    );
}
