//! Choice rules: every operator, type mismatches, missing paths, boolean combinators.

use serde_json::{json, Map, Value};
use sfn_asl::choice::parse_timestamp;
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::model::{ChoiceRule, DataTest, NestedRule, Operand, Operator};
use sfn_asl::path::Path;
use sfn_asl::EvalError;

fn test(var: &str, op: Operator, literal: Value) -> ChoiceRule {
    ChoiceRule::Test(DataTest {
        variable: Path::parse(var).unwrap(),
        operator: op,
        operand: Operand::Literal(literal),
    })
}

fn test_path(var: &str, op: Operator, path: &str) -> ChoiceRule {
    ChoiceRule::Test(DataTest {
        variable: Path::parse(var).unwrap(),
        operator: op,
        operand: Operand::Path(Path::parse(path).unwrap()),
    })
}

fn nested(rule: ChoiceRule) -> NestedRule {
    NestedRule {
        comment: None,
        rule,
    }
}

fn eval_on(rule: &ChoiceRule, input: &Value) -> Result<bool, EvalError> {
    let ctx = json!({"Execution": {"Name": "run-1"}});
    let mut vars = Map::new();
    vars.insert("limit".into(), json!(10));
    let entropy = SeededEntropy::new(1);
    let env = EvalEnv {
        input,
        context: &ctx,
        vars: &vars,
        entropy: &entropy,
    };
    rule.eval(&env)
}

/// Evaluates `op` with `$.v` = `value` and the literal `literal`.
fn check(op: Operator, value: Value, literal: Value) -> bool {
    eval_on(&test("$.v", op, literal), &json!({ "v": value })).unwrap()
}

#[test]
fn string_operators() {
    use Operator::*;
    assert!(check(StringEquals, json!("abc"), json!("abc")));
    assert!(!check(StringEquals, json!("abc"), json!("ABC")));
    assert!(check(StringLessThan, json!("abc"), json!("abd")));
    assert!(
        check(StringLessThan, json!("Z"), json!("a")),
        "code-point order puts upper case first"
    );
    assert!(check(StringLessThan, json!("z"), json!("é")));
    assert!(check(StringGreaterThan, json!("b"), json!("a")));
    assert!(check(StringLessThanEquals, json!("a"), json!("a")));
    assert!(check(StringGreaterThanEquals, json!("a"), json!("a")));
    assert!(!check(StringGreaterThanEquals, json!("a"), json!("b")));
    assert!(
        !check(StringEquals, json!(1), json!("1")),
        "type mismatch is false"
    );
    assert!(check(
        StringEquals,
        json!("2012-10-09T19:00:55Z"),
        json!("2012-10-09T19:00:55Z")
    ));
}

#[test]
fn string_matches() {
    use Operator::StringMatches;
    assert!(check(
        StringMatches,
        json!("log-2024.txt"),
        json!("log-*.txt")
    ));
    assert!(!check(
        StringMatches,
        json!("log-2024.csv"),
        json!("log-*.txt")
    ));
    assert!(check(StringMatches, json!("a*b"), json!("a\\*b")));
    assert!(!check(StringMatches, json!("axb"), json!("a\\*b")));
    assert!(check(StringMatches, json!("a\\b"), json!("a\\\\b")));
    assert!(!check(StringMatches, json!(5), json!("*")));
    let err = eval_on(
        &test("$.v", StringMatches, json!("bad\\")),
        &json!({"v": "x"}),
    )
    .unwrap_err();
    assert_eq!(err.error, "States.Runtime");
}

#[test]
fn numeric_operators() {
    use Operator::*;
    assert!(check(NumericEquals, json!(0), json!(0.0)));
    assert!(check(NumericEquals, json!(-1), json!(-1.0)));
    assert!(!check(NumericEquals, json!(1), json!(1.0001)));
    assert!(check(NumericLessThan, json!(1), json!(1.5)));
    assert!(check(NumericGreaterThan, json!(2), json!(1.5)));
    assert!(check(NumericLessThanEquals, json!(1.5), json!(1.5)));
    assert!(check(NumericGreaterThanEquals, json!(1.5), json!(1.5)));
    assert!(!check(NumericGreaterThanEquals, json!(1), json!(1.5)));
    assert!(!check(NumericEquals, json!("1"), json!(1)));
    assert!(!check(NumericEquals, Value::Null, json!(0)));
    assert!(!check(NumericEquals, json!([1]), json!(1)));
}

#[test]
fn boolean_equals() {
    assert!(check(Operator::BooleanEquals, json!(true), json!(true)));
    assert!(!check(Operator::BooleanEquals, json!(false), json!(true)));
    assert!(!check(Operator::BooleanEquals, json!("true"), json!(true)));
    assert!(!check(Operator::BooleanEquals, json!(1), json!(true)));
}

#[test]
fn timestamp_operators() {
    use Operator::*;
    let t = |s: &str| json!(s);
    assert!(check(
        TimestampEquals,
        t("2012-10-09T19:00:55Z"),
        t("2012-10-09T19:00:55Z")
    ));
    assert!(
        check(
            TimestampEquals,
            t("2012-10-09T20:00:55+01:00"),
            t("2012-10-09T19:00:55Z")
        ),
        "instants"
    );
    assert!(check(
        TimestampLessThan,
        t("2012-10-09T19:00:55Z"),
        t("2012-10-09T19:00:55.5Z")
    ));
    assert!(check(
        TimestampGreaterThan,
        t("2012-10-09T19:00:56Z"),
        t("2012-10-09T19:00:55Z")
    ));
    assert!(check(
        TimestampLessThanEquals,
        t("2012-10-09T19:00:55Z"),
        t("2012-10-09T19:00:55Z")
    ));
    assert!(check(
        TimestampGreaterThanEquals,
        t("2012-10-09T19:00:55Z"),
        t("2012-10-09T19:00:55Z")
    ));
    assert!(!check(
        TimestampEquals,
        t("2023-02-24 12:15:56.832957"),
        t("2023-02-24T12:15:56Z")
    ));
    assert!(!check(
        TimestampEquals,
        t("not a time"),
        t("2012-10-09T19:00:55Z")
    ));
    assert!(!check(TimestampEquals, json!(0), t("2012-10-09T19:00:55Z")));
    assert!(parse_timestamp("2016-12-05T21:29:29").is_none());
    assert!(parse_timestamp("2016-13-05T21:29:29Z").is_none());
    assert!(parse_timestamp("2016-12-05T21:29:29Z").is_some());
}

#[test]
fn type_tests() {
    use Operator::*;
    for (op, matching, other) in [
        (IsNull, Value::Null, json!(0)),
        (IsNumeric, json!(1.5), json!("1.5")),
        (IsString, json!(""), json!(null)),
        (IsBoolean, json!(false), json!("false")),
        (
            IsTimestamp,
            json!("2016-03-14T01:59:00Z"),
            json!("2016-03-14"),
        ),
    ] {
        assert!(
            check(op, matching.clone(), json!(true)),
            "{op:?} true on {matching}"
        );
        assert!(
            !check(op, matching.clone(), json!(false)),
            "{op:?} false on {matching}"
        );
        assert!(
            !check(op, other.clone(), json!(true)),
            "{op:?} true on {other}"
        );
        assert!(
            check(op, other.clone(), json!(false)),
            "{op:?} false on {other}"
        );
        assert!(check(op, json!([]), json!(false)), "{op:?} false on []");
        assert!(check(op, json!({}), json!(false)), "{op:?} false on {{}}");
    }
}

#[test]
fn is_present_never_fails() {
    let present = test("$.v", Operator::IsPresent, json!(true));
    let absent = test("$.v", Operator::IsPresent, json!(false));
    assert_eq!(eval_on(&present, &json!({"v": null})), Ok(true));
    assert_eq!(eval_on(&present, &json!({})), Ok(false));
    assert_eq!(eval_on(&absent, &json!({})), Ok(true));
    assert_eq!(
        eval_on(
            &test("$.a.b.c", Operator::IsPresent, json!(true)),
            &json!({})
        ),
        Ok(false)
    );
    assert_eq!(
        eval_on(&test("$nope", Operator::IsPresent, json!(true)), &json!({})),
        Ok(false)
    );
}

#[test]
fn missing_variable_is_a_runtime_error() {
    let err = eval_on(
        &test("$.missing", Operator::NumericEquals, json!(1)),
        &json!({}),
    )
    .unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    );
    let err = eval_on(
        &test_path("$.v", Operator::NumericEquals, "$.other"),
        &json!({"v": 1}),
    )
    .unwrap_err();
    assert_eq!(
        err.cause,
        "Invalid path '$.other': The choice state's condition path references an invalid value."
    );
}

#[test]
fn path_operands_context_and_variables() {
    let input = json!({"a": 10, "b": 10.0, "name": "run-1"});
    assert_eq!(
        eval_on(&test_path("$.a", Operator::NumericEquals, "$.b"), &input),
        Ok(true)
    );
    assert_eq!(
        eval_on(&test_path("$.a", Operator::NumericEquals, "$limit"), &input),
        Ok(true)
    );
    assert_eq!(
        eval_on(
            &test_path("$$.Execution.Name", Operator::StringEquals, "$.name"),
            &input
        ),
        Ok(true)
    );
    assert_eq!(
        eval_on(
            &test("$limit", Operator::NumericGreaterThan, json!(9)),
            &input
        ),
        Ok(true)
    );
}

#[test]
fn and_or_not_short_circuit() {
    let yes = || test("$.a", Operator::NumericEquals, json!(1));
    let no = || test("$.a", Operator::NumericEquals, json!(2));
    let boom = || test("$.missing", Operator::NumericEquals, json!(2));
    let input = json!({"a": 1});
    let and = |rules: Vec<ChoiceRule>| ChoiceRule::And(rules.into_iter().map(nested).collect());
    let or = |rules: Vec<ChoiceRule>| ChoiceRule::Or(rules.into_iter().map(nested).collect());
    assert_eq!(eval_on(&and(vec![yes(), yes()]), &input), Ok(true));
    assert_eq!(eval_on(&and(vec![yes(), no()]), &input), Ok(false));
    assert_eq!(
        eval_on(&and(vec![no(), boom()]), &input),
        Ok(false),
        "And stops at the first false"
    );
    assert!(eval_on(&and(vec![yes(), boom()]), &input).is_err());
    assert_eq!(eval_on(&or(vec![no(), yes()]), &input), Ok(true));
    assert_eq!(
        eval_on(&or(vec![yes(), boom()]), &input),
        Ok(true),
        "Or stops at the first true"
    );
    assert_eq!(eval_on(&or(vec![no(), no()]), &input), Ok(false));
    assert_eq!(
        eval_on(&ChoiceRule::Not(Box::new(nested(no()))), &input),
        Ok(true)
    );
    assert_eq!(
        eval_on(
            &ChoiceRule::Not(Box::new(nested(and(vec![yes(), yes()])))),
            &input
        ),
        Ok(false)
    );
}
