//! `sfn::import` on the real-world corpus: every valid definition imports, and the imported
//! source, compiled by `workflow!`, gives back the same ASL.
//!
//! The compiled half lives in `import_corpus_generated.rs`, written by this file: run
//! `SFN_REGENERATE=1 cargo test --test import_corpus` after a change to the importer or the
//! corpus; `generated_file_is_current` fails while it is stale.

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real-world")
}

/// Every corpus file (sorted) with its text.
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).ok()?;
            name.ends_with(".json").then_some((name, text))
        })
        .collect();
    files.sort();
    files
}

/// Synthetic definitions that use every field of every state type, both query languages and
/// names and comments that need escaping: the corpus does not cover all of them.
const SYNTHETIC: &[(&str, &str)] = &[
    (
        "jsonpath",
        r#"{"Comment":"Every JSONPath field.\n  indented line \nand a tab\there","Version":"1.0","TimeoutSeconds":600,"StartAt":"Task \"quoted\" \\ name","States":{"Task \"quoted\" \\ name":{"Type":"Task","Comment":"trailing space ","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.in","Parameters":{"FunctionName":"f","Payload.$":"$","Nested":{"a.$":"States.Format('x{}', $.a)","b":[1,2.0,-3,100000.0,null,true]}},"ResultSelector":{"r.$":"$.Payload"},"ResultPath":"$.out","OutputPath":null,"Assign":{"v.$":"$.Payload","lit":1},"TimeoutSecondsPath":"$.timeout","HeartbeatSeconds":10,"Credentials":{"RoleArn.$":"$.role"},"Retry":[{"ErrorEquals":["States.TaskFailed","Custom.Error","States.Http.Socket"],"IntervalSeconds":3,"MaxAttempts":0,"BackoffRate":1,"MaxDelaySeconds":9,"JitterStrategy":"NONE","Comment":"r"},{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":null,"Assign":{"e.$":"$.Error"},"Comment":"c","Next":"type"},{"ErrorEquals":["States.ALL"],"Next":"type"}],"Next":"type"},"type":{"Type":"Choice","InputPath":"$","OutputPath":"$.x","Assign":{"none":true},"Choices":[{"And":[{"Variable":"$.a","StringEquals":"x","Comment":"nested"}],"Next":"end","Comment":"single and"},{"Or":[{"Variable":"$.b","NumericLessThanEquals":-1.5},{"Not":{"And":[{"Variable":"$.c","BooleanEqualsPath":"$.d"},{"Variable":"$.e","TimestampGreaterThanEqualsPath":"$$.Execution.StartTime"}]}}],"Next":"end"},{"Variable":"$.f","IsNull":false,"Next":"end"},{"Variable":"$.g","IsTimestamp":true,"Assign":{"m":1},"Next":"end"},{"Variable":"$.h","StringMatches":"log-*.txt","Next":"end"},{"Variable":"$.i","StringGreaterThanPath":"$.j","Next":"end"},{"Variable":"$.k","TimestampEquals":"2030-01-01T00:00:00Z","Next":"end"},{"Variable":"$myVar.total","NumericGreaterThan":10,"Next":"end"}],"Default":"end"},"end":{"Type":"Wait","SecondsPath":"$.s","Next":"Wait ts"},"Wait ts":{"Type":"Wait","Timestamp":"2030-01-01T00:00:00.5+01:00","InputPath":"$","OutputPath":"$","Assign":{"w":1},"Next":"Wait tsp"},"Wait tsp":{"Type":"Wait","TimestampPath":"$.t","Next":"Par"},"Par":{"Type":"Parallel","Branches":[{"Comment":"b0","StartAt":"B0","States":{"B0":{"Type":"Pass","Result":{"x":[1]},"ResultPath":"$.r","End":true}}},{"StartAt":"B1","States":{"B1":{"Type":"Succeed","InputPath":null,"OutputPath":"$"}}}],"Parameters":{"p.$":"$"},"ResultSelector":{"all.$":"$"},"ResultPath":null,"Retry":[],"Catch":[],"Next":"Map legacy"},"Map legacy":{"Type":"Map","Iterator":{"Comment":"it","StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"ItemsPath":"$$.Execution.Input.items","Parameters":{"v.$":"$$.Map.Item.Value"},"MaxConcurrencyPath":"$.mc","Next":"Map dist"},"Map dist":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}},"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"},"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a","b"],"CSVDelimiter":"SEMICOLON","MaxItemsPath":"$.max"}},"ItemSelector":{"i.$":"$$.Map.Item.Index"},"ItemBatcher":{"MaxItemsPerBatch":5,"MaxInputBytesPerBatchPath":"$.bytes","BatchInput":{"x.$":"$.x"}},"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"o","Prefix":"p"},"WriterConfig":{"OutputType":"JSONL","Transformation":"COMPACT"}},"ToleratedFailurePercentagePath":"$.pct","ToleratedFailureCount":2,"Label":"dist","MaxConcurrency":0,"ResultPath":"$.m","Next":"Fail"},"Fail":{"Type":"Fail","ErrorPath":"States.Format('E{}', $.code)","CausePath":"$$.State.Name"}}}"#,
    ),
    (
        "jsonata",
        r#"{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f","Payload":"{% $states.input %}"},"Output":"{% $states.result.Payload %}","Assign":{"x":"{% $states.result %}"},"TimeoutSeconds":"{% $states.input.t %}","HeartbeatSeconds":"{% 5 %}","Credentials":{"RoleArn":"{% $states.input.role %}"},"Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput %}","Assign":{"err":"{% $states.errorOutput %}"},"Next":"C"}],"Next":"C"},"C":{"Type":"Choice","Choices":[{"Condition":"{% $x = 1 %}","Output":{"a":"{% $x %}"},"Assign":{"y":2},"Next":"W"},{"Condition":true,"Next":"W"}],"Default":"W","Output":"{% $states.input %}"},"W":{"Type":"Wait","Seconds":"{% 1 %}","Next":"W2"},"W2":{"Type":"Wait","Timestamp":"{% '2030-01-01T00:00:00Z' %}","Output":{"k":1},"Next":"M"},"M":{"Type":"Map","Items":"{% $states.input.items %}","ItemSelector":{"v":"{% $states.context.Map.Item.Value %}"},"MaxConcurrency":"{% 2 %}","ToleratedFailurePercentage":"{% 10 %}","ToleratedFailureCount":"{% 1 %}","ItemProcessor":{"ProcessorConfig":{},"StartAt":"E","States":{"E":{"Type":"Pass","Output":"{% $states.input %}","End":true}}},"Next":"P"},"P":{"Type":"Parallel","Arguments":{"a":"{% $states.input %}"},"Branches":[{"StartAt":"S","States":{"S":{"Type":"Succeed","Output":"{% 1 %}"}}}],"Output":"{% $states.result %}","Next":"PJ"},"PJ":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"done":true},"Next":"F"},"F":{"Type":"Fail","Error":"{% 'E' %}","Cause":"{% 'because' %}"}}}"#,
    ),
    (
        "mixed",
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input %}","Assign":{"v":"{% 1 %}"},"Next":"B"},"B":{"Type":"Pass","Parameters":{"k.$":"$v"},"Result":"x","Next":"C"},"C":{"Type":"Fail","Error":"Plain","Cause":"text"}}}"#,
    ),
];

/// The generated test crate: one module per valid definition.
fn generate() -> String {
    let mut out = String::from(
        "//! Generated by `tests/import_corpus.rs` (`SFN_REGENERATE=1 cargo test --test import_corpus`):\n\
         //! every valid real-world definition, imported into the DSL; each test compares the ASL\n\
         //! the macro emits with the original file. Every module is `#[rustfmt::skip]`: the file is\n\
         //! compared as text with what the generator prints.\n\n\
         #[rustfmt::skip]\n\
         mod common {\n    \
         pub(crate) fn check(asl: &str, file: &str) {\n        \
         let dir = std::path::Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"../shared/corpus/real-world\");\n        \
         let text = std::fs::read_to_string(dir.join(file)).expect(\"corpus file\");\n        \
         let original: serde_json::Value = serde_json::from_str(&text).expect(\"JSON\");\n        \
         let emitted: serde_json::Value = serde_json::from_str(asl).expect(\"generated ASL is JSON\");\n        \
         assert_eq!(emitted, original, \"{file}: the imported workflow does not give back the original ASL\");\n    \
         }\n\n    \
         pub(crate) fn check_text(asl: &str, original: &str) {\n        \
         let original: serde_json::Value = serde_json::from_str(original).expect(\"JSON\");\n        \
         let emitted: serde_json::Value = serde_json::from_str(asl).expect(\"generated ASL is JSON\");\n        \
         assert_eq!(emitted, original, \"the imported workflow does not give back the original ASL\");\n    \
         }\n}\n",
    );
    for (name, text) in SYNTHETIC {
        let machine = match sfn::asl::parse(text) {
            Ok(m) => m,
            Err(f) => panic!("synthetic definition `{name}` is invalid: {f:?}"),
        };
        let source = sfn::import::import(&machine, "Imported");
        let indented: String = source.lines().map(|l| format!("    {l}\n")).collect();
        out.push_str(&format!(
            "\n#[rustfmt::skip]\nmod synthetic_{name} {{\n    use sfn::workflow;\n\n    const ORIGINAL: &str = r#\"{text}\"#;\n\n{indented}\n    #[test]\n    fn same_asl() {{\n        super::common::check_text(Imported::ASL, ORIGINAL);\n    }}\n}}\n"
        ));
    }
    for (i, (name, text)) in corpus().iter().enumerate() {
        let Ok(machine) = sfn::asl::parse(text) else {
            continue;
        };
        let source = sfn::import::import(&machine, "Imported");
        let indented: String = source.lines().map(|l| format!("    {l}\n")).collect();
        out.push_str(&format!(
            "\n#[rustfmt::skip]\nmod c{i:03} {{\n    use sfn::workflow;\n\n    const FILE: &str = {name:?};\n\n{indented}\n    #[test]\n    fn same_asl() {{\n        super::common::check(Imported::ASL, FILE);\n    }}\n}}\n"
        ));
    }
    out
}

#[test]
fn generated_file_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import_corpus_generated.rs");
    let fresh = generate();
    if std::env::var_os("SFN_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).expect("write the generated file");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "tests/import_corpus_generated.rs is stale: run `SFN_REGENERATE=1 cargo test --test import_corpus`"
    );
}

#[test]
fn every_valid_corpus_file_imports() {
    let mut valid = 0;
    for (name, text) in corpus() {
        let Ok(machine) = sfn::asl::parse(&text) else {
            continue;
        };
        valid += 1;
        let source = sfn::import::import(&machine, &name);
        assert!(source.starts_with("workflow! {"), "{name}");
        for state in machine.states.keys() {
            let literal = format!("{state:?}");
            assert!(
                source.contains(state.as_str()) || source.contains(&literal),
                "{name}: state `{state}` is missing"
            );
        }
    }
    assert!(valid >= 150, "only {valid} corpus files parse");
}
