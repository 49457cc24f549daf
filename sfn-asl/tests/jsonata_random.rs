//! Randomly built expressions (well-formed and not) never panic, hang or fail unexpectedly: each
//! one either fails to compile or evaluates to a value or an AWS-worded error.

use serde_json::{json, Value};
use sfn_asl::eval::{Entropy, SeededEntropy};
use sfn_asl::jsonata::{Jsonata, JsonataEnv};

const FUNCTIONS: &[(&str, usize)] = &[
    ("map", 2),
    ("sum", 1),
    ("count", 1),
    ("string", 1),
    ("keys", 1),
    ("lookup", 2),
    ("sort", 1),
    ("filter", 2),
    ("reduce", 3),
    ("each", 2),
    ("sift", 2),
    ("spread", 1),
    ("merge", 1),
    ("zip", 2),
    ("substring", 3),
    ("pad", 3),
    ("split", 2),
    ("join", 2),
    ("replace", 3),
    ("match", 2),
    ("partition", 2),
    ("range", 3),
    ("hash", 2),
    ("parse", 1),
    ("random", 1),
    ("uuid", 0),
    ("number", 1),
    ("formatNumber", 2),
    ("formatBase", 2),
    ("formatInteger", 2),
    ("parseInteger", 2),
    ("fromMillis", 3),
    ("toMillis", 2),
    ("distinct", 1),
    ("append", 2),
    ("single", 2),
    ("type", 1),
    ("exists", 1),
    ("round", 2),
    ("power", 2),
    ("shuffle", 1),
    ("decodeUrl", 1),
    ("encodeUrl", 1),
    ("eval", 1),
    ("error", 1),
    ("now", 0),
];
const LEAVES: &[&str] = &[
    "$states.input",
    "$states.input.a",
    "$states.input.items",
    "$states.input.items.a",
    "1",
    "0",
    "-1",
    "2.5",
    "1e300",
    "'x'",
    "'a,b'",
    "''",
    "null",
    "true",
    "[]",
    "{}",
    "[1,2,3]",
    "$v",
    "$x",
    "/a+/",
    "function($v){$v}",
    "function($a,$b){$a+$b}",
    "'%zz'",
    "'SHA-256'",
    "'#,##0.0'",
    "16",
    "'w'",
    "$states.input.items[0]",
    "$states.input.**",
    "$states.input.*",
    "?",
    "$",
    "$$",
    "a",
];
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "&", "=", "!=", "<", ">", "<=", ">=", "and", "or", "in", "~>", "..",
    ":=",
];

fn pick<'a, T>(rng: &SeededEntropy, items: &'a [T]) -> &'a T {
    let i = (rng.next_u64() % items.len() as u64) as usize;
    &items[i]
}

fn expression(rng: &SeededEntropy, depth: usize) -> String {
    let choice = if depth == 0 { 0 } else { rng.next_u64() % 9 };
    match choice {
        0 | 1 => (*pick(rng, LEAVES)).to_owned(),
        2 | 3 => {
            let (name, arity) = *pick(rng, FUNCTIONS);
            let args: Vec<String> = (0..arity).map(|_| expression(rng, depth - 1)).collect();
            format!("${name}({})", args.join(", "))
        }
        4 => format!(
            "({} {} {})",
            expression(rng, depth - 1),
            pick(rng, OPERATORS),
            expression(rng, depth - 1)
        ),
        5 => format!(
            "{}[{}]",
            expression(rng, depth - 1),
            expression(rng, depth - 1)
        ),
        6 => format!(
            "{}.{}",
            expression(rng, depth - 1),
            pick(rng, &["a", "$", "%.a", "{'k': a}", "[a]", "^(a)"])
        ),
        7 => format!(
            "({} ? {} : {})",
            expression(rng, depth - 1),
            expression(rng, depth - 1),
            expression(rng, depth - 1)
        ),
        // Unbalanced on purpose, now and then.
        _ => format!(
            "($x := {}; {}",
            expression(rng, depth - 1),
            expression(rng, depth - 1)
        ),
    }
}

#[test]
fn random_expressions_fail_cleanly_or_evaluate() {
    let rng = SeededEntropy::new(2026);
    let input = json!({"a": [1, 2, {"b": "x"}], "items": [{"a": 1, "b": [2]}, {"a": "s"}]});
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
    let (mut compiled, mut evaluated) = (0, 0);
    for _ in 0..5_000 {
        let body = expression(&rng, 4);
        let Ok(expr) = Jsonata::compile(&format!("{{% {body} %}}")) else {
            continue;
        };
        compiled += 1;
        match expr.eval(&env, "Output") {
            Ok(_) => evaluated += 1,
            Err(e) => {
                assert_eq!(e.error, "States.QueryEvaluationError");
                assert!(
                    e.cause.starts_with("The JSONata expression '"),
                    "{body}: {}",
                    e.cause
                );
                assert!(
                    !e.cause.contains("failed unexpectedly"),
                    "{body}: {}",
                    e.cause
                );
            }
        }
    }
    // The generator must exercise evaluation, not just the parser.
    assert!(
        compiled > 1_000 && evaluated > 500,
        "compiled {compiled}, evaluated {evaluated}"
    );
}
