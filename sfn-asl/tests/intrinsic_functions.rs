//! Each intrinsic function, its recorded quirks, its failures, and the call grammar.

use serde_json::{json, Map, Value};
use sfn_asl::eval::{EvalEnv, SeededEntropy};
use sfn_asl::intrinsic::ast::{Arg, Function};
use sfn_asl::intrinsic::IntrinsicCall;
use sfn_asl::EvalError;

fn input() -> Value {
    json!({
        "a": [1, 2, 2, 3, 3, 4],
        "s": "a,b",
        "n": 3,
        "o": {"k": "v", "n": [1, {"x": null}]},
        "obj": {"Arg1": 1, "Arg2": []},
        "tpl": "{} and {}",
        "json": "{\"x\": [1, 2]}"
    })
}

fn run_with(
    src: &str,
    input: &Value,
    vars: &Map<String, Value>,
    seed: u64,
) -> Result<Value, EvalError> {
    let ctx =
        json!({"StateMachine": {"Id": "arn:sm", "Name": "M"}, "Execution": {"Input": {"q": 5}}});
    let entropy = SeededEntropy::new(seed);
    let env = EvalEnv {
        input,
        context: &ctx,
        vars,
        entropy: &entropy,
    };
    IntrinsicCall::parse(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .eval(&env)
}

fn run(src: &str) -> Result<Value, EvalError> {
    run_with(src, &input(), &Map::new(), 1)
}

fn ok(src: &str) -> Value {
    run(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn fails(src: &str) -> EvalError {
    let err = run(src).expect_err(src);
    assert_eq!(err.error, "States.IntrinsicFailure", "{src}: {err}");
    err
}

#[test]
fn format() {
    assert_eq!(
        ok("States.Format('x={}, y={}', $.n, 'q')"),
        json!("x=3, y=q")
    );
    assert_eq!(ok("States.Format('{}', null)"), json!("null"));
    assert_eq!(ok("States.Format('{} {}', true, 1.5)"), json!("true 1.5"));
    assert_eq!(ok("States.Format('{}', $.obj)"), json!("{Arg1=1, Arg2=[]}"));
    assert_eq!(
        ok("States.Format('{}', $$.StateMachine)"),
        json!("{Id=arn:sm, Name=M}")
    );
    assert_eq!(
        ok("States.Format('{}', $.o)"),
        json!("{k=v, n=[1, {x=null}]}")
    );
    assert_eq!(ok("States.Format('{}', $.json)"), json!("{\"x\": [1, 2]}"));
    assert_eq!(ok("States.Format($.tpl, 1, 2)"), json!("1 and 2"));
    assert_eq!(
        ok("States.Format('no placeholders')"),
        json!("no placeholders")
    );
    // Escaped braces are text, not placeholders.
    assert_eq!(ok("States.Format('\\{\\} {}', 'v')"), json!("{} v"));
    assert_eq!(ok("States.Format('it\\'s {}', 'ok')"), json!("it's ok"));
    assert_eq!(ok("States.Format('a\\\\b')"), json!("a\\b"));
    let err = fails("States.Format('{} {}', 1)");
    assert_eq!(
        err.cause,
        "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
    );
    fails("States.Format('{}', 1, 2)");
    fails("States.Format($.n)");
}

#[test]
fn string_to_json() {
    assert_eq!(ok("States.StringToJson($.json)"), json!({"x": [1, 2]}));
    assert_eq!(ok("States.StringToJson('')"), Value::Null);
    assert_eq!(ok("States.StringToJson(' ')"), Value::Null);
    assert_eq!(ok("States.StringToJson('-0')"), json!(0));
    assert_eq!(ok("States.StringToJson('\"s\"')"), json!("s"));
    fails("States.StringToJson('{nope')");
    fails("States.StringToJson($.n)");
}

#[test]
fn json_to_string() {
    assert_eq!(
        ok("States.JsonToString($.obj)"),
        json!("{\"Arg1\":1,\"Arg2\":[]}")
    );
    assert_eq!(ok("States.JsonToString($.s)"), json!("\"a,b\""));
    assert_eq!(ok("States.JsonToString($.n)"), json!("3"));
}

#[test]
fn array() {
    assert_eq!(ok("States.Array()"), json!([]));
    assert_eq!(
        ok("States.Array(1, 'two', $.n, null, true, States.Array())"),
        json!([1, "two", 3, null, true, []])
    );
}

#[test]
fn array_partition() {
    assert_eq!(
        ok("States.ArrayPartition($.a, 4)"),
        json!([[1, 2, 2, 3], [3, 4]])
    );
    assert_eq!(ok("States.ArrayPartition(States.Array(), 2)"), json!([]));
    fails("States.ArrayPartition($.a, 0)");
    fails("States.ArrayPartition($.a, -1)");
    fails("States.ArrayPartition($.a, 1.5)");
    fails("States.ArrayPartition($.s, 1)");
}

#[test]
fn array_contains() {
    assert_eq!(ok("States.ArrayContains($.a, 3)"), json!(true));
    assert_eq!(ok("States.ArrayContains($.a, 9)"), json!(false));
    assert_eq!(
        ok("States.ArrayContains(States.Array($.obj), $.obj)"),
        json!(true)
    );
    fails("States.ArrayContains($.n, 1)");
}

#[test]
fn array_range() {
    assert_eq!(ok("States.ArrayRange(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(ok("States.ArrayRange(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(ok("States.ArrayRange(1, 9, 9)"), json!([1]));
    assert_eq!(ok("States.ArrayRange(5, 1, -2)"), json!([5, 3, 1]));
    assert_eq!(ok("States.ArrayRange(5, 1, 1)"), json!([]));
    assert_eq!(
        ok("States.ArrayRange(1, 1000, 1)").as_array().map(Vec::len),
        Some(1000)
    );
    fails("States.ArrayRange(1, 1001, 1)");
    fails("States.ArrayRange(0, 9223372036854775807, 1)");
    fails("States.ArrayRange(1, 9, 0)");
    fails("States.ArrayRange(1.5, 9, 1)");
}

#[test]
fn array_get_item_length_unique() {
    assert_eq!(ok("States.ArrayGetItem($.a, 5)"), json!(4));
    fails("States.ArrayGetItem($.a, 6)");
    fails("States.ArrayGetItem($.a, -1)");
    assert_eq!(ok("States.ArrayLength($.a)"), json!(6));
    fails("States.ArrayLength($.s)");
    assert_eq!(ok("States.ArrayUnique($.a)"), json!([1, 2, 3, 4]));
    assert_eq!(
        ok("States.ArrayUnique(States.Array(3, 1, 3, $.obj, $.obj))"),
        json!([3, 1, {"Arg1": 1, "Arg2": []}])
    );
}

/// `States.ArrayUnique` keeps the first of each group of `==` values: objects equal whatever
/// their key order, an integer apart from the float of the same value, `-0.0` equal to `0.0`,
/// and strings that only look alike apart.
#[test]
fn array_unique_compares_as_json_equality() {
    let unique = |input: Value| {
        let ctx = json!({});
        let entropy = SeededEntropy::new(1);
        let env = EvalEnv {
            input: &input,
            context: &ctx,
            vars: &(),
            entropy: &entropy,
        };
        IntrinsicCall::parse("States.ArrayUnique($.a)")
            .expect("parses")
            .eval(&env)
            .expect("evaluates")
    };
    let input: Value = serde_json::from_str(
        r#"{"a": [{"x": 1, "y": [2]}, {"y": [2], "x": 1}, 1, 1.0, 1, -0.0, 0.0, "1", "\"1\"",
                  [1, 2], [2, 1], [1, 2], null, "null", {"x": 1}, {"x": 1.0}]}"#,
    )
    .expect("JSON");
    assert_eq!(
        unique(input).to_string(),
        r#"[{"x":1,"y":[2]},1,1.0,-0.0,"1","\"1\"",[1,2],[2,1],null,"null",{"x":1},{"x":1.0}]"#
    );
    // Linear: 20,000 distinct objects (a quadratic scan took minutes; see tests/hostile).
    let many: Vec<Value> = (0..20_000).map(|i| json!({"k": i})).collect();
    let doubled = [many.clone(), many.clone()].concat();
    let doubled = json!({ "a": doubled });
    assert_eq!(unique(doubled), Value::Array(many));
}

#[test]
fn base64() {
    assert_eq!(
        ok("States.Base64Encode('Data to encode')"),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        ok("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
        json!("Data to encode")
    );
    assert_eq!(ok("States.Base64Encode('')"), json!(""));
    fails("States.Base64Decode('***')");
    fails("States.Base64Encode($.n)");
    let long = json!({"s": "x".repeat(10_001)});
    let err = run_with("States.Base64Encode($.s)", &long, &Map::new(), 1).unwrap_err();
    assert_eq!(err.error, "States.IntrinsicFailure");
}

#[test]
fn hash() {
    assert_eq!(
        ok("States.Hash('input data', 'MD5')"),
        json!("812f45842bc6d66ee14572ce20db8e86")
    );
    assert_eq!(
        ok("States.Hash('input data', 'SHA-1')"),
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    assert_eq!(
        ok("States.Hash('input data', 'SHA-256')"),
        json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")
    );
    assert_eq!(
        ok("States.Hash('input data', 'SHA-384')")
            .as_str()
            .map(str::len),
        Some(96)
    );
    assert_eq!(
        ok("States.Hash('input data', 'SHA-512')")
            .as_str()
            .map(str::len),
        Some(128)
    );
    fails("States.Hash('input data', 'SHA-3')");
}

#[test]
fn json_merge() {
    let merged = ok("States.JsonMerge($.o, States.StringToJson('{\"k\": 1, \"z\": 2}'), false)");
    assert_eq!(merged, json!({"k": 1, "n": [1, {"x": null}], "z": 2}));
    // Shallow: a nested object on the right replaces the left one whole.
    let input = json!({"l": {"a": {"a1": 1}, "b": 2}, "r": {"a": {"a3": 1}}});
    let got = run_with("States.JsonMerge($.l, $.r, false)", &input, &Map::new(), 1).unwrap();
    assert_eq!(got, json!({"a": {"a3": 1}, "b": 2}));
    fails("States.JsonMerge($.o, $.o, true)");
    fails("States.JsonMerge($.o, $.a, false)");
    fails("States.JsonMerge($.o, $.o, 'false')");
}

#[test]
fn math_random() {
    for seed in 0..50 {
        let v = run_with("States.MathRandom(1, 6)", &input(), &Map::new(), seed).unwrap();
        let n = v.as_i64().expect("integer");
        assert!((1..=6).contains(&n), "{n}");
    }
    let a = run_with("States.MathRandom(1, 1000, 7)", &input(), &Map::new(), 1).unwrap();
    let b = run_with("States.MathRandom(1, 1000, 7)", &input(), &Map::new(), 2).unwrap();
    assert_eq!(a, b, "a seed fixes the result whatever the entropy");
    assert_eq!(ok("States.MathRandom(4.6, 4.6)"), json!(5));
    fails("States.MathRandom(10, 1)");
    fails("States.MathRandom('1', 2)");
}

#[test]
fn math_add_rounds_like_java() {
    let cases = [
        (1.49, 1.5, 3),
        (-1.5, 0.0, -1),
        (-1.51, 0.0, -2),
        (0.5, 0.0, 1),
        (2.5, 0.0, 3),
        (-0.5, 0.0, 0),
        (-2.5, 0.0, -2),
        (-3.5, 0.0, -3),
        (1.5, 1.51, 4),
        (-1.5, -1.51, -3),
    ];
    for (a, b, sum) in cases {
        let input = json!({"a": a, "b": b});
        let got = run_with("States.MathAdd($.a, $.b)", &input, &Map::new(), 1).unwrap();
        assert_eq!(got, json!(sum), "{a} + {b}");
    }
    assert_eq!(ok("States.MathAdd(-9, 3)"), json!(-6));
    fails("States.MathAdd($.s, 1)");
    fails("States.MathAdd(9223372036854775807, 1)");
}

#[test]
fn string_split() {
    assert_eq!(ok("States.StringSplit($.s, ',')"), json!(["a", "b"]));
    assert_eq!(ok("States.StringSplit(',,,,', ',')"), json!([]));
    assert_eq!(ok("States.StringSplit(', , ,', ',')"), json!([" ", " "]));
    assert_eq!(
        ok("States.StringSplit('This.is+a,test=string', '.+,=')"),
        json!(["This", "is", "a", "test", "string"])
    );
    fails("States.StringSplit($.n, ',')");
}

#[test]
fn uuid_is_v4_and_comes_from_entropy() {
    let a = run_with("States.UUID()", &input(), &Map::new(), 9).unwrap();
    let b = run_with("States.UUID()", &input(), &Map::new(), 9).unwrap();
    let c = run_with("States.UUID()", &input(), &Map::new(), 10).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let s = a.as_str().expect("string");
    assert_eq!(s.len(), 36);
    let groups: Vec<&str> = s.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        vec![8, 4, 4, 4, 12]
    );
    assert!(groups[2].starts_with('4'));
    assert!(matches!(
        groups[3].chars().next(),
        Some('8' | '9' | 'a' | 'b')
    ));
}

#[test]
fn context_and_variable_arguments() {
    assert_eq!(
        ok("States.JsonToString($$.Execution.Input)"),
        json!("{\"q\":5}")
    );
    let mut vars = Map::new();
    vars.insert("count".into(), json!(41));
    assert_eq!(
        run_with("States.MathAdd($count, 1)", &input(), &vars, 1).unwrap(),
        json!(42)
    );
}

#[test]
fn missing_path_is_a_runtime_error() {
    let err = run_with(
        "States.Array(1, States.Array($.missing))",
        &json!({"a": 1}),
        &Map::new(),
        1,
    )
    .unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "The function 'States.Array(1, States.Array($.missing))' had the following error: \
         The JsonPath argument for the field '$.missing' could not be found in the input '{\"a\":1}'"
    );
}

#[test]
fn grammar() {
    let call = IntrinsicCall::parse(
        "States.Array( 'a' , -1.5e2 ,$.x[0,1], $.y[?(@.z == 'a,b)')], States.UUID() )",
    )
    .unwrap();
    assert_eq!(call.call().function, Function::Array);
    assert_eq!(call.call().args.len(), 5);
    assert!(matches!(&call.call().args[1], Arg::Literal(v) if v == &json!(-150.0)));
    assert!(matches!(&call.call().args[3], Arg::Path(p) if p.source() == "$.y[?(@.z == 'a,b)')]"));
    assert!(matches!(&call.call().args[4], Arg::Call(c) if c.function == Function::Uuid));
}

#[test]
fn parse_errors() {
    for bad in [
        "",
        "States.Format",
        "States.Format(",
        "States.Format('x'",
        "States.Format('x') extra",
        "States.Format('unterminated)",
        "States.Format('bad \\n escape')",
        "States.Format(nope)",
        "States.Array(1 2)",
        "States.Array(,)",
        "States.Array($.)",
        "States.UUID(1)",
        "States.ArrayRange(1, 2)",
        "States.MathRandom(1, 2, 3, 4)",
        "Foo.Bar()",
    ] {
        assert!(
            IntrinsicCall::parse(bad).is_err(),
            "{bad:?} should not parse"
        );
    }
    let err = IntrinsicCall::parse("States.StringToJSON('1')").unwrap_err();
    assert!(
        err.message.contains("`States.StringToJson`"),
        "{}",
        err.message
    );
    let err = IntrinsicCall::parse("States.ArrayRange(1, 2)").unwrap_err();
    assert!(err.message.contains("takes 3 argument"), "{}", err.message);
}

#[test]
fn nesting_is_capped_at_ten() {
    let nested = |depth: usize| format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
    assert!(IntrinsicCall::parse(&nested(10)).is_ok());
    assert!(IntrinsicCall::parse(&nested(11)).is_err());
    assert!(IntrinsicCall::parse(&nested(10_000)).is_err());
}
