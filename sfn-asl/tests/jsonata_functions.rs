//! Step Functions' own JSONata functions, `$eval`'s absence, and the recorded conformance
//! expressions that use them.

use serde_json::{json, Map, Value};
use sfn_asl::eval::{Entropy, SeededEntropy};
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

fn eval_with(source: &str, input: &Value, entropy: &dyn Entropy) -> Result<Value, String> {
    let expr = Jsonata::compile(source).map_err(|e| e.message)?;
    let vars = Map::new();
    let env = JsonataEnv {
        input,
        context: &Value::Null,
        result: None,
        error_output: None,
        vars: &vars,
        entropy,
        now_millis: None,
    };
    expr.eval(&env, "Output").map_err(|e| e.cause)
}

fn eval(source: &str) -> Result<Value, String> {
    eval_with(source, &json!({}), &SeededEntropy::new(1))
}

fn undefined(source: &str) -> bool {
    eval(source).is_err_and(|c| c.ends_with("returned nothing (undefined)."))
}

#[test]
fn partition_chunks_with_a_short_last_chunk() {
    assert_eq!(
        eval("{% $partition([1,2,3,4,5,6,7,8,9], 3) %}"),
        Ok(json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    );
    assert_eq!(
        eval("{% $partition([1,2,3,4,5], 2) %}"),
        Ok(json!([[1, 2], [3, 4], [5]]))
    );
    assert_eq!(eval("{% $partition([0], 5) %}"), Ok(json!([[0]])));
    assert_eq!(
        eval("{% $partition([1,2,3], 2.9) %}"),
        Ok(json!([[1, 2], [3]]))
    );
}

#[test]
fn partition_without_a_usable_size_or_items_is_undefined() {
    assert!(undefined("{% $partition([1,2], 0) %}"));
    assert!(undefined("{% $partition([], 2) %}"));
    assert!(undefined("{% $partition([1,2]) %}"));
}

#[test]
fn range_is_inclusive_and_collapses_a_single_value() {
    assert_eq!(
        eval("{% $range(0, 10, 2) %}"),
        Ok(json!([0, 2, 4, 6, 8, 10]))
    );
    assert_eq!(eval("{% $range(0, 9, 3) %}"), Ok(json!([0, 3, 6, 9])));
    assert_eq!(eval("{% $range(1, 9, 2) %}"), Ok(json!([1, 3, 5, 7, 9])));
    assert_eq!(eval("{% $range(1, 9, 9) %}"), Ok(json!(1)));
    assert_eq!(eval("{% $range(10, 0, -5) %}"), Ok(json!([10, 5, 0])));
    assert!(undefined("{% $range(0, 10, -1) %}"));
    assert!(undefined("{% $range(0, 10) %}"));
}

#[test]
fn range_refuses_more_than_aws_allows() {
    let err = eval("{% $range(1, 400000, 1) %}").unwrap_err();
    assert!(
        err.ends_with("Expression evaluation memory limit exceeded"),
        "{err}"
    );
    assert_eq!(
        eval("{% $count($range(1, 360145, 1)) %}"),
        Ok(json!(360145))
    );
}

#[test]
fn hash_supports_the_five_algorithms_case_sensitively() {
    let cases = [
        ("MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        (
            "SHA-256",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ),
    ];
    for (alg, hex) in cases {
        assert_eq!(
            eval(&format!("{{% $hash('hello', '{alg}') %}}")),
            Ok(json!(hex)),
            "{alg}"
        );
    }
    for alg in ["SHA-384", "SHA-512"] {
        let got = eval(&format!("{{% $hash('hello', '{alg}') %}}")).expect(alg);
        assert_eq!(
            got.as_str().map(str::len),
            Some(if alg == "SHA-384" { 96 } else { 128 })
        );
    }
    assert!(eval("{% $hash('hello', 'sha-256') %}").is_err());
    assert!(undefined("{% $hash('hello') %}"));
}

#[test]
fn random_is_in_the_unit_interval_and_reproducible_with_a_seed() {
    let a = eval("{% $random(42) %}").expect("seeded");
    let b = eval_with("{% $random(42) %}", &json!({}), &SeededEntropy::new(999)).expect("seeded");
    assert_eq!(a, b, "a seed fixes the value whatever the engine's entropy");
    let n = a.as_f64().expect("number");
    assert!((0.0..1.0).contains(&n));
    assert_ne!(eval("{% $random(43) %}"), Ok(a));
}

#[test]
fn unseeded_random_and_uuid_follow_the_engine_entropy() {
    let run = |seed| {
        eval_with(
            "{% [$random(), $uuid()] %}",
            &json!({}),
            &SeededEntropy::new(seed),
        )
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
    let value = run(5).expect("evaluates");
    let n = value[0].as_f64().expect("number");
    assert!((0.0..1.0).contains(&n));
    let id = value[1].as_str().expect("uuid");
    assert_eq!(id.len(), 36);
    assert_eq!(id.chars().nth(14), Some('4'));
}

#[test]
fn expressions_without_random_leave_the_entropy_untouched() {
    let entropy = SeededEntropy::new(3);
    let reference = SeededEntropy::new(3);
    eval_with("{% $states.input %}", &json!(1), &entropy).expect("evaluates");
    assert_eq!(entropy.next_u64(), reference.next_u64());
}

#[test]
fn parse_reads_json_text() {
    let input = json!({"s": "{\"Arg1\": 1, \"Arg2\": []}"});
    assert_eq!(
        eval_with(
            "{% $parse($states.input.s) %}",
            &input,
            &SeededEntropy::new(1)
        ),
        Ok(json!({"Arg1": 1, "Arg2": []}))
    );
    assert_eq!(eval("{% $parse('1.1') %}"), Ok(json!(1.1)));
    assert_eq!(
        eval("{% $parse('\"HelloWorld\"') %}"),
        Ok(json!("HelloWorld"))
    );
    assert!(eval("{% $parse('{nope') %}")
        .unwrap_err()
        .contains("threw an error during evaluation."));
}

#[test]
fn eval_is_not_available() {
    let err = eval("{% $eval('1 + 2') %}").unwrap_err();
    assert!(
        err.ends_with(
            "threw an error during evaluation. T1006: Attempted to invoke a non-function"
        ),
        "{err}"
    );
}

#[test]
fn shuffle_keeps_the_items_and_is_reproducible() {
    let run = |seed| {
        eval_with(
            "{% $shuffle([1,2,3,4,5,6,7,8]) %}",
            &json!({}),
            &SeededEntropy::new(seed),
        )
    };
    let a = run(9).expect("shuffles");
    assert_eq!(run(9), Ok(a.clone()));
    let mut items: Vec<i64> = a
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    items.sort_unstable();
    assert_eq!(items, vec![1, 2, 3, 4, 5, 6, 7, 8]);
}

/// Every recorded case whose definition uses a Step Functions function: the single `Output`
/// expression, evaluated on the case input, gives the recorded output or cause.
#[test]
fn recorded_cases_with_aws_functions() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    );
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("cases") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if !name.starts_with("intrinsic_functions_test_") || !name.contains("jsonata") {
            continue;
        }
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let state = &case["definition"]["States"]["State_0"];
        let (source, location) = match &state["Output"] {
            Value::String(s) => (s.clone(), "Output".to_owned()),
            Value::Object(m) if m.len() == 1 => {
                let (k, v) = m.iter().next().expect("one");
                (
                    v.as_str().expect("expression").to_owned(),
                    format!("Output/{k}"),
                )
            }
            _ => continue,
        };
        let expr = Jsonata::compile(&source).expect(&name);
        let vars = Map::new();
        let entropy = SeededEntropy::new(1);
        let env = JsonataEnv {
            input: &case["input"],
            context: &Value::Null,
            result: None,
            error_output: None,
            vars: &vars,
            entropy: &entropy,
            now_millis: None,
        };
        let got = expr.eval(&env, &location);
        let expected = &case["expected"];
        if expected["status"] == "SUCCEEDED" {
            let output = got.expect(&name);
            let want = match &state["Output"] {
                Value::Object(m) => expected["output"][m.keys().next().expect("key")].clone(),
                _ => expected["output"].clone(),
            };
            assert_eq!(output, want, "{name}");
        } else {
            let err = got.expect_err(&name);
            let cause = expected["cause"].as_str().expect("cause");
            assert!(
                cause.ends_with(&err.cause),
                "{name}: {} vs {cause}",
                err.cause
            );
            assert_eq!(err.location.as_deref(), Some(location.as_str()));
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} cases checked");
}

#[test]
fn now_and_millis_read_the_engine_clock_when_given() {
    let input = json!({});
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
    let expr = Jsonata::compile("{% [$now(), $millis()] %}").expect("compiles");
    let at = 1_709_649_000_123;
    assert_eq!(
        expr.eval_at(&env, "Output", at).ok(),
        Some(json!(["2024-03-05T14:30:00.123Z", at]))
    );
    let template = sfn_asl::jsonata::JsonataTemplate::compile(&json!({"t": "{% $now() %}"}))
        .expect("compiles");
    assert_eq!(
        template.eval_at(&env, "Output", 0).ok(),
        Some(json!({"t": "1970-01-01T00:00:00.000Z"}))
    );
    // Without a clock they read the system's.
    let now = expr.eval(&env, "Output").expect("evaluates");
    assert!(now[1].as_f64().is_some_and(|ms| ms > at as f64));
}

#[test]
fn large_integers_that_pass_through_keep_their_digits() {
    let input: Value = serde_json::from_str(
        r#"{"id": 1234567890123456789, "ids": [18446744073709551615, -9007199254740993]}"#,
    )
    .expect("json");
    assert_eq!(
        eval_with("{% $states.input %}", &input, &SeededEntropy::new(1)),
        Ok(input.clone())
    );
    assert_eq!(
        eval_with(
            "{% {'copy': $states.input.id} %}",
            &input,
            &SeededEntropy::new(1)
        ),
        Ok(json!({"copy": 1234567890123456789_u64}))
    );
    // Arithmetic still happens in f64, as in JSONata.
    let sum =
        eval_with("{% $states.input.id + 1 %}", &input, &SeededEntropy::new(1)).expect("adds");
    assert_eq!(sum.as_f64(), Some(1234567890123456789_f64 + 1.0));
}
