//! Hostile cases whose files are generated: megabytes of input, thousands of states or
//! branches, bytes that are not UTF-8. Add one by writing a function returning a [`Case`] and
//! listing it in [`cases`]; small cases are better written as `tests/hostile/NAME.json`.

use serde_json::{json, Map, Value};

use crate::case::{Case, Expect};
use crate::definitions;

const DEFINITION_TOO_LARGE: &str = "the definition is larger than 4194304 bytes, the most that \
AWS's limit of 1048576 characters for a definition allows";
const INPUT_TOO_LARGE: &str =
    "the input is larger than 262144 bytes, AWS's payload limit (256 KiB) for an execution input";
const HISTORY_CAP: &str = "The execution reached the maximum number of history events (25000).";
const DATA_LIMIT: &str =
    "returned a result with a size exceeding the maximum number of bytes service limit";
const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const ORDERS: &str = "examples/asl/order-processing.asl.json";
const MOCKS: &str = "examples/asl/order-processing.mock.json";

pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        result_path_of_10000_segments(),
        parameters_nesting_the_input_in_a_loop(),
        long_state_name(),
        dangling_targets(),
        oversized_definition(),
        nested_past_the_parser_limit(),
        thousands_of_findings(),
        definition_on_stdin_over_4_mib(),
        validate_definition_on_stdin_over_4_mib(),
        spaces_over_the_character_limit(),
        input_over_256_kib_on_stdin(),
        input_at_256_kib_runs(),
        input_over_256_kib_in_a_file(),
        input_not_utf8(),
        definition_not_utf8(),
        map_over_120000_items(),
        distributed_map_over_50000_items(),
        parallel_with_1000_branches(),
        parallel_with_1000_copies_of_a_200_kb_input(),
        parallel_nested_23_deep(),
        parallel_nested_past_the_depth_limit(),
        string_split_over_the_payload_limit(),
        jsonpath_filter_over_120000_items(),
        input_nested_10000_deep(),
        string_to_json_nested_100000_deep(),
        base64_encode_250_kb(),
        format_with_100000_placeholders(),
        array_unique_of_20000_objects(),
        map_items_each_copying_the_input(),
        pass_chain_of_10000_states(),
        history_of_a_loop_over_a_256_kib_input(),
        history_of_a_chain_of_10000_states_over_a_200_kb_input(),
        history_of_a_parallel_of_1000_branches_over_a_200_kb_input(),
        input_growing_past_256_kib_as_json(),
    ];
    cases.extend(options_given_twice());
    cases.extend(task_resources_that_are_no_arn());
    cases
}

/// The exit code alone, with a part of stderr.
fn usage(stderr: &str) -> Expect {
    Expect {
        code: 2,
        stderr: Some(stderr.to_owned()),
        ..Expect::default()
    }
}

/// Validation findings: exit code 1, a part of stdout.
fn findings(stdout: &str) -> Expect {
    Expect {
        code: 1,
        stdout: Some(stdout.to_owned()),
        ..Expect::default()
    }
}

/// A failed execution with this error and a part of its cause.
fn failed(error: &str, cause: &str) -> Expect {
    Expect {
        code: 1,
        status: Some("FAILED".into()),
        error: Some(error.into()),
        cause: Some(cause.into()),
        ..Expect::default()
    }
}

fn succeeded(output: Option<Value>) -> Expect {
    Expect {
        code: 0,
        status: Some("SUCCEEDED".into()),
        output,
        ..Expect::default()
    }
}

fn json_text(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// `{"StartAt": first, "States": states}`.
fn machine(states: Value) -> Value {
    let first = states
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .unwrap_or_default();
    json!({"StartAt": first, "States": states})
}

/// A one-Pass definition with these `Parameters`.
fn pass_with(parameters: Value) -> Vec<u8> {
    json_text(&machine(
        json!({"P": {"Type": "Pass", "Parameters": parameters, "End": true}}),
    ))
}

/// `sfn run @definition --input @input`.
fn run(name: &str, definition: Vec<u8>, input: Vec<u8>) -> Case {
    Case::new(name, &["run", "@definition", "--input", "@input"])
        .file("definition", definition)
        .file("input", input)
}

fn result_path_of_10000_segments() -> Case {
    let path = format!("${}", ".a".repeat(10_000));
    let definition = json_text(&machine(
        json!({"P": {"Type": "Pass", "ResultPath": path, "End": true}}),
    ));
    Case::new(
        "validate-result-path-of-10000-segments",
        &["validate", "@definition"],
    )
    .about(
        "A ResultPath of 10,000 segments wrote a value nested 10,000 deep, and copying it \
             overflowed the stack: a path has at most 1,000 segments.",
    )
    .file("definition", definition)
    .expect(findings("a path has at most 1000 segments"))
}

fn parameters_nesting_the_input_in_a_loop() -> Case {
    let definition = json_text(&machine(json!({
        "P": {"Type": "Pass", "Parameters": {"a.$": "$"}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "P"}],
              "Default": "D"},
        "D": {"Type": "Succeed"}
    })));
    Case::new(
        "run-express-parameters-nesting-the-input-in-a-loop",
        &["run", "--type", "express", "@definition"],
    )
    .about(
        "Each lap nests the payload one level deeper, and copying it overflowed the stack: a \
         payload nests at most 1,000 levels, deeper is over the payload limit.",
    )
    .file("definition", definition)
    .expect(failed(
        "States.DataLimitExceeded",
        "The state/task 'P' returned a result with a size exceeding",
    ))
}

fn long_state_name() -> Case {
    Case::new(
        "validate-state-name-of-300000-characters",
        &["validate", "@definition"],
    )
    .about("One state name of 300,000 characters: the did-you-mean distance took 49 s.")
    .file("definition", definitions::long_state_name())
    .expect(findings(
        "State names must be between 1 and 80 characters long, not 300000",
    ))
}

fn dangling_targets() -> Case {
    Case::new("validate-25000-dangling-next", &["validate", "@definition"])
        .about("25,000 dangling `Next` targets, each compared with every name: 67 s.")
        .file("definition", definitions::dangling_targets())
        .expect(findings("/States/ZZZ/Next: MISSING_TRANSITION_TARGET: state `ZZZ`, field `Next`: Missing 'Next' target: ZZZx".replace("ZZZ", &definitions::short_name(24_999)).as_str()))
}

fn oversized_definition() -> Case {
    Case::new("validate-definition-over-1-mib", &["validate", "--json", "@definition"])
        .about("Over the 1 MiB limit and broken 80,000 ways: AWS answers with the size alone.")
        .file("definition", definitions::oversized())
        .expect(findings(
            r#"{"result":"FAIL","diagnostics":[{"severity":"ERROR","code":"SCHEMA_VALIDATION_FAILED","message":"Definition must be at most 1048576 characters long"}],"truncated":false}"#,
        ))
}

fn nested_past_the_parser_limit() -> Case {
    Case::new(
        "validate-json-nested-past-the-parser-limit",
        &["validate", "@definition"],
    )
    .about("Arrays nested one level past what the parser reads: named as a depth limit.")
    .file("definition", definitions::nested_parameters(124))
    .expect(findings(
        "INVALID_JSON_DESCRIPTION: Invalid JSON: arrays and objects nest deeper than 127 levels",
    ))
}

fn thousands_of_findings() -> Case {
    Case::new(
        "validate-20000-findings-as-json",
        &["validate", "--json", "@definition"],
    )
    .about("10,000 schema and 10,000 linter findings, matched by lookup; --json keeps 100.")
    .file(
        "definition",
        definitions::schema_and_linter_findings(10_000),
    )
    .expect(findings(r#""truncated":true}"#))
}

fn definition_on_stdin_over_4_mib() -> Case {
    Case::new("run-definition-on-stdin-over-4-mib", &["run", "-"])
        .about("A definition on stdin is read up to its byte bound plus one byte.")
        .stdin(" ".repeat(4 * 1_048_576 + 1))
        .expect(usage(&format!(
            "error: standard input: {DEFINITION_TOO_LARGE}"
        )))
}

fn validate_definition_on_stdin_over_4_mib() -> Case {
    Case::new(
        "validate-definition-on-stdin-over-4-mib",
        &["validate", "-"],
    )
    .about("`validate -` reads stdin with the same bound as `run -`.")
    .stdin(" ".repeat(4 * 1_048_576 + 1))
    .expect(usage(&format!("standard input: {DEFINITION_TOO_LARGE}")))
}

fn spaces_over_the_character_limit() -> Case {
    Case::new("validate-1048577-spaces", &["validate", "@definition"])
        .about("Within the byte bound but over AWS's character limit: read, and the finding.")
        .file("definition", " ".repeat(1_048_577))
        .expect(findings(
            "Definition must be at most 1048576 characters long",
        ))
}

fn input_over_256_kib_on_stdin() -> Case {
    Case::new(
        "run-input-over-256-kib-on-stdin",
        &["run", "@definition", "--input", "-"],
    )
    .about("StartExecution refuses an input over 256 KiB; so does `sfn run`, at start.")
    .file("definition", PASS)
    .stdin(format!("\"{}\"", "a".repeat(262_143)))
    .expect(usage(&format!("error: standard input: {INPUT_TOO_LARGE}")))
}

fn input_at_256_kib_runs() -> Case {
    let input = format!("\"{}\"", "a".repeat(262_142));
    run("run-input-of-exactly-256-kib", PASS.into(), input.into())
        .about("An input of exactly 256 KiB is within the limit and runs.")
        .expect(succeeded(Some(Value::String("a".repeat(262_142)))))
}

fn input_over_256_kib_in_a_file() -> Case {
    run(
        "run-input-over-256-kib-in-a-file",
        PASS.into(),
        format!("\"{}\"", "a".repeat(262_143)).into(),
    )
    .about("The input limit holds for a file too.")
    .expect(usage(INPUT_TOO_LARGE))
}

fn input_not_utf8() -> Case {
    let bom_and_text = [&b"\xef\xbb\xbf"[..], "{\"a\":\"\u{e9}\u{e9}\"}".as_bytes()].concat();
    run(
        "run-input-not-utf8",
        PASS.into(),
        bom_and_text[..10].to_vec(),
    )
    .about("A multi-byte character cut in half: the offset counts from the file's first byte.")
    .expect(usage("the input is not UTF-8: invalid byte at offset 9"))
}

fn definition_not_utf8() -> Case {
    Case::new("validate-definition-not-utf8", &["validate", "@definition"])
        .about("A byte that is no UTF-8 is named with its offset.")
        .file("definition", &b"{\"StartAt\":\"\xff\"}"[..])
        .expect(usage(
            "the definition is not UTF-8: invalid byte at offset 12",
        ))
}

fn task_resources_that_are_no_arn() -> Vec<Case> {
    [("empty", ""), ("x", "x")]
        .into_iter()
        .map(|(name, resource)| {
            Case::new(&format!("validate-task-resource-{name}"), &["validate", "@definition"])
                .about("No resource: AWS answers \"Value is not a valid resource ARN\".")
                .file("definition", definitions::task(resource))
                .expect(findings("/States/T/Resource: SCHEMA_VALIDATION_FAILED: state `T`, field `Resource`: Value is not a valid resource ARN"))
        })
        .collect()
}

fn options_given_twice() -> Vec<Case> {
    let cases: [(&[&str], &str); 12] = [
        (&["validate", "--json", "--json", ORDERS], "--json"),
        (&["validate", "--express", "--express", ORDERS], "--express"),
        (
            &[
                "validate",
                "--json",
                "--max-results",
                "1",
                "--max-results",
                "2",
                ORDERS,
            ],
            "--max-results <N>",
        ),
        (
            &["run", ORDERS, "--input", "{}", "--input", "{}"],
            "--input <JSON|FILE|->",
        ),
        (
            &["run", ORDERS, "--type", "express", "--type", "standard"],
            "--type <MACHINE_TYPE>",
        ),
        (&["run", ORDERS, "--history", "--history"], "--history"),
        (
            &["run", ORDERS, "--real-time", "--real-time"],
            "--real-time",
        ),
        (
            &[
                "run",
                ORDERS,
                "--state-machine",
                "a",
                "--state-machine",
                "b",
            ],
            "--state-machine <NAME>",
        ),
        (
            &[
                "run",
                ORDERS,
                "--mock-config",
                MOCKS,
                "--mock-config",
                MOCKS,
                "--test-case",
                "x",
            ],
            "--mock-config <FILE>",
        ),
        (
            &[
                "test-state",
                ORDERS,
                "--state",
                "Charge",
                "--state",
                "Charge",
            ],
            "--state <NAME>",
        ),
        (
            &[
                "test-state",
                ORDERS,
                "--state",
                "Charge",
                "--mock-error",
                "A",
                "--mock-error",
                "B",
            ],
            "--mock-error <ERROR>",
        ),
        (
            &["import", ORDERS, "--name", "A", "--name", "B"],
            "--name <NAME>",
        ),
    ];
    cases
        .into_iter()
        .map(|(args, option)| {
            let flag = option
                .split(' ')
                .next()
                .unwrap_or(option)
                .trim_start_matches('-');
            Case::new(&format!("{}-option-{flag}-given-twice", args[0]), args)
                .about("An option given twice is refused, not \"last wins\".")
                .expect(usage(&format!(
                    "error: the argument '{option}' cannot be used multiple times"
                )))
        })
        .collect()
}

/// `{"items": [0, 0, ...]}`: 120,000 items in 240 KB.
fn zeros() -> Vec<u8> {
    json_text(&json!({"items": vec![0; 120_000]}))
}

fn map_over_120000_items() -> Case {
    let definition = machine(
        json!({"M": {"Type": "Map", "MaxConcurrency": 0, "ItemsPath": "$.items",
        "ItemProcessor": machine(json!({"Q": {"Type": "Pass", "End": true}})), "End": true}}),
    );
    run(
        "run-map-over-120000-items-unbounded-concurrency",
        json_text(&definition),
        zeros(),
    )
    .about(
        "An inline Map over 120,000 items with no concurrency limit: a Standard \
                execution stops at AWS's 25,000 history events.",
    )
    .expect(failed("States.Runtime", HISTORY_CAP))
}

fn distributed_map_over_50000_items() -> Case {
    let processor = json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": true}}});
    let definition = machine(
        json!({"M": {"Type": "Map", "MaxConcurrency": 0, "ItemsPath": "$.items",
        "ItemProcessor": processor, "End": true}}),
    );
    let input = json_text(&json!({"items": vec![0; 50_000]}));
    run(
        "run-distributed-map-over-50000-items",
        json_text(&definition),
        input,
    )
    .about(
        "A distributed Map runs each item as a child execution, so the parent's history \
                stays short: 50,000 items succeed, as on AWS.",
    )
    .expect(succeeded(Some(json!(vec![0; 50_000]))))
}

fn parallel_with_1000_branches() -> Case {
    let branches: Vec<Value> = (0..1000)
        .map(|i| machine(json!({format!("B{i}"): {"Type": "Pass", "End": true}})))
        .collect();
    let definition = machine(json!({"P": {"Type": "Parallel", "Branches": branches, "End": true}}));
    run(
        "run-parallel-with-1000-branches",
        json_text(&definition),
        b"{}".to_vec(),
    )
    .about("1,000 branches, 4,000 events: within every limit, so it succeeds.")
    .expect(succeeded(Some(Value::Array(vec![json!({}); 1000]))))
}

fn parallel_with_1000_copies_of_a_200_kb_input() -> Case {
    let branches: Vec<Value> = (0..1000)
        .map(|i| machine(json!({format!("B{i}"): {"Type": "Pass", "End": true}})))
        .collect();
    let definition = machine(json!({"P": {"Type": "Parallel", "Branches": branches, "End": true}}));
    let input = json_text(&json!({"pad": "x".repeat(200_000)}));
    run(
        "run-parallel-of-1000-copies-of-a-200-kb-input",
        json_text(&definition),
        input,
    )
    .about(
        "1,000 branches each pass a 200 KB input on: the 200 MB result is over the \
                payload limit, and the copies fit in memory.",
    )
    .expect(failed(
        "States.DataLimitExceeded",
        &format!("The state/task 'P' {DATA_LIMIT}"),
    ))
}

/// Parallel states nested `depth` deep around one Pass state, and the output it gives.
fn nested_parallel(depth: usize) -> (Value, Value) {
    let mut scope = machine(json!({"L0": {"Type": "Pass", "End": true}}));
    let mut output = json!({});
    for i in 1..depth {
        scope = machine(
            json!({format!("L{i}"): {"Type": "Parallel", "Branches": [scope], "End": true}}),
        );
        output = json!([output]);
    }
    (scope, output)
}

fn parallel_nested_23_deep() -> Case {
    let (definition, output) = nested_parallel(24);
    run(
        "run-parallel-nested-23-deep",
        json_text(&definition),
        b"{}".to_vec(),
    )
    .about("23 Parallel states inside one another: as deep as the definition's JSON allows.")
    .expect(succeeded(Some(output)))
}

fn parallel_nested_past_the_depth_limit() -> Case {
    let (definition, _) = nested_parallel(40);
    run(
        "run-parallel-nested-39-deep",
        json_text(&definition),
        b"{}".to_vec(),
    )
    .about("39 nested Parallel states nest the JSON past 127 levels: refused at start.")
    .expect(usage(
        "INVALID_JSON_DESCRIPTION: Invalid JSON: arrays and objects nest deeper than 127 levels",
    ))
}

fn string_split_over_the_payload_limit() -> Case {
    let definition = pass_with(json!({"r.$": "States.StringSplit($.s, ',')"}));
    let input = json_text(&json!({"s": "a,".repeat(120_000)}));
    run("run-string-split-into-120000-parts", definition, input)
        .about("A 240 KB string split into 120,000 strings: a 480 KB result, over AWS's 256 KiB.")
        .expect(failed(
            "States.DataLimitExceeded",
            &format!("The state/task 'P' {DATA_LIMIT}"),
        ))
}

fn jsonpath_filter_over_120000_items() -> Case {
    let definition = pass_with(json!({"r.$": "$.items[?(@ == 0)]", "d.$": "$..[?(@ > 0)]"}));
    run(
        "run-jsonpath-filters-over-120000-items",
        definition,
        zeros(),
    )
    .about("A filter and a deep scan over 120,000 items: linear, and the result fits.")
    .expect(succeeded(Some(json!({"r": vec![0; 120_000], "d": []}))))
}

fn input_nested_10000_deep() -> Case {
    let input = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    run("run-input-nested-10000-deep", PASS.into(), input.into())
        .about("An input nested 10,000 deep is refused by the parser, not recursed into.")
        .expect(usage(
            "the input is not JSON: recursion limit exceeded at line 1 column 128",
        ))
}

fn string_to_json_nested_100000_deep() -> Case {
    let definition = pass_with(json!({"r.$": "States.StringToJson($.s)"}));
    let input = json_text(&json!({"s": format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))}));
    run("run-string-to-json-nested-100000-deep", definition, input)
        .about("States.StringToJson of text nested 100,000 deep: an intrinsic failure.")
        .expect(failed("States.IntrinsicFailure", "Invalid arguments in States.StringToJson: the string is not valid JSON (recursion limit exceeded"))
}

fn base64_encode_250_kb() -> Case {
    let definition = pass_with(json!({"r.$": "States.Base64Encode($.s)"}));
    run(
        "run-base64-encode-of-250-kb",
        definition,
        json_text(&json!({"s": "a".repeat(250_000)})),
    )
    .about("AWS's States.Base64Encode takes at most 10,000 characters.")
    .expect(failed(
        "States.IntrinsicFailure",
        "Invalid arguments in States.Base64Encode: the string is longer than 10000 characters",
    ))
}

fn format_with_100000_placeholders() -> Case {
    let definition = pass_with(json!({"r.$": "States.Format($.f, $.s)"}));
    run("run-format-with-100000-placeholders", definition, json_text(&json!({"f": "{}".repeat(100_000), "s": "x"})))
        .about("A template of 100,000 `{}` and one argument: AWS's argument-count error.")
        .expect(failed("States.IntrinsicFailure", "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."))
}

fn array_unique_of_20000_objects() -> Case {
    let items: Vec<Value> = (0..20_000).map(|i| json!({"k": i})).collect();
    let definition = pass_with(json!({"r.$": "States.ArrayUnique($.a)"}));
    run(
        "run-array-unique-of-20000-objects",
        definition,
        json_text(&json!({"a": items.clone()})),
    )
    .about("20,000 distinct objects: a quadratic scan took minutes; kept in one pass now.")
    .expect(succeeded(Some(json!({"r": items}))))
}

fn map_items_each_copying_the_input() -> Case {
    let definition = machine(json!({"M": {"Type": "Map", "ItemsPath": "$.a",
        "ItemSelector": {"all.$": "$$.Execution.Input"},
        "ItemProcessor": machine(json!({"Q": {"Type": "Pass", "End": true}})), "End": true}}));
    let input = json_text(&json!({"a": vec![0; 1000], "pad": "x".repeat(200_000)}));
    run(
        "run-map-of-1000-copies-of-a-200-kb-input",
        json_text(&definition),
        input,
    )
    .about(
        "Each of 1,000 iterations copies a 200 KB input: the gathered 200 MB result is \
                over the payload limit.",
    )
    .expect(failed(
        "States.DataLimitExceeded",
        &format!("The state/task 'M' {DATA_LIMIT}"),
    ))
}

fn pass_chain_of_10000_states() -> Case {
    let mut states = Map::new();
    for i in 0..10_000 {
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)}),
        );
    }
    states.insert("S10000".into(), json!({"Type": "Succeed"}));
    let definition = json!({"StartAt": "S0", "States": states});
    run(
        "run-chain-of-10000-states",
        json_text(&definition),
        b"{\"k\":1}".to_vec(),
    )
    .about("10,001 states one after another: 20,004 events, within the 25,000 cap.")
    .expect(succeeded(Some(json!({"k": 1}))))
}

/// A Pass-Choice loop to the 25,000-event cap: every event carries the state's payload.
fn choice_loop(pass: Value) -> Value {
    json!({"StartAt": "P", "States": {
        "P": pass,
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "D"}],
            "Default": "P"},
        "D": {"Type": "Succeed"}}})
}

/// [`run`] with `--history`.
fn run_with_history(name: &str, definition: Vec<u8>, input: Vec<u8>) -> Case {
    Case::new(
        name,
        &["run", "@definition", "--input", "@input", "--history"],
    )
    .file("definition", definition)
    .file("input", input)
}

fn history_of_a_loop_over_a_256_kib_input() -> Case {
    let input = json!({"data": "x".repeat(262_000)});
    run_with_history(
        "run-history-of-a-loop-over-a-256-kib-input",
        json_text(&choice_loop(json!({"Type": "Pass", "Next": "C"}))),
        json_text(&input),
    )
    .about(
        "--history over 25,000 events each carrying a 256 KiB payload grew to 4 GB and aborted: \
         events now share one text of a payload, and past 64 MiB of payload text the rest is \
         cut to 1 KiB and marked truncated.",
    )
    .expect(failed("States.Runtime", HISTORY_CAP))
}

fn history_of_a_chain_of_10000_states_over_a_200_kb_input() -> Case {
    let mut states = Map::new();
    for i in 0..10_000 {
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)}),
        );
    }
    states.insert("S10000".into(), json!({"Type": "Succeed"}));
    let definition = json!({"StartAt": "S0", "States": states});
    let input = json!({"pad": "x".repeat(200_000)});
    run_with_history(
        "run-history-of-a-chain-of-10000-states-over-a-200-kb-input",
        json_text(&definition),
        json_text(&input),
    )
    .about(
        "20,004 events of a straight chain, each with the same 200 KB payload: aborted on \
         memory before payloads were shared between events.",
    )
    .expect(succeeded(Some(input.clone())))
}

fn history_of_a_parallel_of_1000_branches_over_a_200_kb_input() -> Case {
    let branches: Vec<Value> = (0..1000)
        .map(|i| machine(json!({format!("B{i}"): {"Type": "Pass", "End": true}})))
        .collect();
    let definition = machine(json!({"P": {"Type": "Parallel", "Branches": branches, "End": true}}));
    run_with_history(
        "run-history-of-a-parallel-of-1000-branches-over-a-200-kb-input",
        json_text(&definition),
        json_text(&json!({"pad": "x".repeat(200_000)})),
    )
    .about(
        "1,000 branches each passing a 200 KB input on, with --history: took 50 s before \
         payloads were shared; ends in States.DataLimitExceeded.",
    )
    .expect(failed(
        "States.DataLimitExceeded",
        &format!("The state/task 'P' {DATA_LIMIT}"),
    ))
}

fn input_growing_past_256_kib_as_json() -> Case {
    let input = format!("[{}]", vec!["1E9"; 60_000].join(","));
    run(
        "run-input-growing-past-256-kib-as-json",
        PASS.into(),
        input.into(),
    )
    .about(
        "240,000 bytes of text that the engine writes as 780,000 (`1E9` is `1000000000.0`): \
         refused at start as StartExecution would, not run into a failure.",
    )
    .expect(usage(
        "the execution input is larger than 262144 bytes of JSON text, the payload limit",
    ))
}
