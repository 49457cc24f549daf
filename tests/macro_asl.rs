//! The ASL `workflow!` emits for each part of the DSL.

use serde_json::{json, Value};
use sfn::workflow;

fn asl(text: &str) -> Value {
    serde_json::from_str(text).expect("the ASL constant is JSON")
}

workflow! {
    pub Rules {
        start Route;
        Route: choice {
            /// Strings, numbers, booleans.
            "$.s" == "a" && "$.n" >= 1.5 && "$.b" == true => Done,
            "$.t" < timestamp("2030-01-01T00:00:00Z") || "$.s" matches "x*" => Done,
            "$.n" != 3 => Done,
            !is_present("$.p") => Done,
            is_null("$.p") == false => Done,
            "$.n" > numeric_path("$.m") => Done { assign: { "seen.$": "$.n" } },
            all("$.a" == 1) => Done,
            any(#[doc = " inner"] ("$.a" == 1 && "$.b" == 2), "$.c" == 3) => Done,
            else => Done,
        };
        Done: succeed;
    }
}

#[test]
fn choice_rules_lower_to_typed_operators() {
    let choices = asl(Rules::ASL)["States"]["Route"]["Choices"].clone();
    assert_eq!(
        choices[0],
        json!({
            "Comment": "Strings, numbers, booleans.",
            "And": [
                { "Variable": "$.s", "StringEquals": "a" },
                { "Variable": "$.n", "NumericGreaterThanEquals": 1.5 },
                { "Variable": "$.b", "BooleanEquals": true }
            ],
            "Next": "Done"
        })
    );
    assert_eq!(
        choices[1]["Or"],
        json!([
            { "Variable": "$.t", "TimestampLessThan": "2030-01-01T00:00:00Z" },
            { "Variable": "$.s", "StringMatches": "x*" }
        ])
    );
    assert_eq!(
        choices[2]["Not"],
        json!({ "Variable": "$.n", "NumericEquals": 3 })
    );
    assert_eq!(
        choices[3]["Not"],
        json!({ "Variable": "$.p", "IsPresent": true })
    );
    assert_eq!(choices[4]["IsNull"], json!(false));
    assert_eq!(choices[5]["NumericGreaterThanPath"], json!("$.m"));
    assert_eq!(choices[5]["Assign"], json!({ "seen.$": "$.n" }));
    assert_eq!(
        choices[6]["And"],
        json!([{ "Variable": "$.a", "NumericEquals": 1 }])
    );
    assert_eq!(choices[7]["Or"][0]["Comment"], json!("inner"));
    assert_eq!(
        choices[7]["Or"][0]["And"][1],
        json!({ "Variable": "$.b", "NumericEquals": 2 })
    );
    assert_eq!(asl(Rules::ASL)["States"]["Route"]["Default"], json!("Done"));
}

workflow! {
    pub Retries {
        start Call;
        Call: task "arn:aws:lambda:us-east-1:123456789012:function:f" {
            retry: [TaskFailed, "Custom.Error"] every 2s x 3 backoff 2.0 max_delay 60s jitter FULL comment "c",
            retry: [ALL] x 0,
            catch: [Timeout] result_path "$.e" comment "slow" => Done,
            catch: [ALL] result_path null => Done,
        } => Done;
        Done: pass { result: { "n": 2, "f": 2.0, "neg": -1, "nil": null, "list": [] } } end;
    }
}

#[test]
fn retry_and_catch_sugar() {
    let call = asl(Retries::ASL)["States"]["Call"].clone();
    assert_eq!(
        call["Retry"],
        json!([
            { "ErrorEquals": ["States.TaskFailed", "Custom.Error"], "IntervalSeconds": 2, "MaxAttempts": 3,
              "BackoffRate": 2.0, "MaxDelaySeconds": 60, "JitterStrategy": "FULL", "Comment": "c" },
            { "ErrorEquals": ["States.ALL"], "MaxAttempts": 0 }
        ])
    );
    assert_eq!(
        call["Catch"],
        json!([
            { "ErrorEquals": ["States.Timeout"], "ResultPath": "$.e", "Comment": "slow", "Next": "Done" },
            { "ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Done" }
        ])
    );
}

#[test]
fn json_values_keep_their_spelling() {
    let text = Retries::ASL;
    assert!(text.contains("\"f\": 2.0"), "{text}");
    assert!(text.contains("\"n\": 2,"), "{text}");
    assert_eq!(asl(text)["States"]["Done"]["Result"]["neg"], json!(-1));
}

workflow! {
    /// Line one.
    ///
    /// Line three.
    #[workflow(timeout_seconds = 30, version = "1.0", query_language = JSONPath)]
    pub Top {
        start A;
        A: pass { query_language: JSONata, comment: "as a field" } end;
    }
}

#[test]
fn workflow_options_and_comments() {
    let v = asl(Top::ASL);
    assert_eq!(v["Comment"], json!("Line one.\n\nLine three."));
    assert_eq!(v["TimeoutSeconds"], json!(30));
    assert_eq!(v["Version"], json!("1.0"));
    assert_eq!(v["QueryLanguage"], json!("JSONPath"));
    assert_eq!(v["States"]["A"]["QueryLanguage"], json!("JSONata"));
    assert_eq!(v["States"]["A"]["Comment"], json!("as a field"));
}

#[test]
fn definition_parses_the_emitted_asl() {
    let m = Top::definition();
    assert_eq!(m.start_at, "A");
    assert_eq!(sfn::asl::emit(&m), Top::ASL);
}

#[test]
fn the_macro_stages_its_files_and_write_files_puts_them_where_asl_file_says() {
    // The test crate is compiled with the default output logic: the macro stages its files in
    // `<root>/.staged/macro_asl/`, and `ASL_FILE` names where the deployable copy goes,
    // `<root>/macro_asl/Top.asl.json` (`sfn build` copies it there; `write_files` writes it).
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let root = std::env::var_os("SFN_ASL_OUT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or(target.join("stepfunctions"));
    let staged = root.join(".staged").join("macro_asl");
    let text = std::fs::read_to_string(staged.join("Top.asl.json"))
        .expect("Top.asl.json was staged at compile time");
    assert_eq!(text, Top::ASL);
    let file = Top::ASL_FILE.expect("a target folder was found at compile time");
    let deployed = root.join("macro_asl").join("Top.asl.json");
    assert_eq!(std::path::PathBuf::from(file), deployed);
    let written = Top::write_files().expect("write_files");
    assert_eq!(written, deployed);
    assert_eq!(
        std::fs::read_to_string(&written).ok().as_deref(),
        Some(Top::ASL)
    );
    let iam = std::fs::read_to_string(root.join("macro_asl").join("Top.iam.json"))
        .expect("Top.iam.json written beside it");
    assert_eq!(iam, Top::IAM_POLICY);
}
