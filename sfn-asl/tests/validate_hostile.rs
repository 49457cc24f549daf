//! Hostile definitions: each must be answered with its exact findings, and in time linear in its
//! size. Speed is not asserted here; these definitions took from seconds to minutes before the
//! did-you-mean work was capped (see `docs/performance.md`), so a regression shows as a hung test.

#[path = "../../tests/hostile/definitions.rs"]
#[allow(dead_code)]
mod definitions;

use definitions::short_name;
use serde_json::{json, Value};
use sfn_asl::error::FindingCode;
use sfn_asl::validate::{parse, MAX_DEFINITION_CHARS, MAX_JSON_DEPTH};

const GENERIC_TARGET_HINT: &str = "transitions stay inside one `States` object; name a state of it";

fn findings(doc: &str) -> Vec<sfn_asl::Finding> {
    parse(doc).expect_err("the definition is invalid").0
}

/// A 900 KB definition whose only state has a 300,000-character name and a `Next` naming
/// another such name: the distance between the two is never computed (it was 49 s).
#[test]
fn one_long_state_name_is_not_compared_character_by_character() {
    let name = "A".repeat(300_000);
    let text = definitions::long_state_name();
    assert!(text.len() > 900_000 && text.len() < MAX_DEFINITION_CHARS);
    let f = findings(&text);
    let summary: Vec<(&str, FindingCode, Option<&str>)> = f
        .iter()
        .map(|x| (x.pointer.as_str(), x.code, x.hint.as_deref()))
        .collect();
    let state = format!("/States/{name}");
    let next = format!("/States/{name}/Next");
    assert_eq!(
        summary,
        [
            (
                next.as_str(),
                FindingCode::MissingTransitionTarget,
                Some(GENERIC_TARGET_HINT)
            ),
            ("", FindingCode::MissingEndState, summary[1].2),
            (
                state.as_str(),
                FindingCode::SchemaValidationFailed,
                summary[2].2
            ),
        ],
        "{:?}",
        f.iter()
            .map(|x| &x.message[..x.message.len().min(120)])
            .collect::<Vec<_>>()
    );
    assert_eq!(f[1].message, "Workflow has no terminal state");
    assert!(f[2]
        .message
        .ends_with("State names must be between 1 and 80 characters long, not 300000"));
}

/// 25,000 dangling `Next` targets in one scope: each was compared with every state name (67 s).
/// Now the first ones get their did-you-mean hints and, once the work budget is spent, the
/// rest get the plain hint; every target is still reported.
#[test]
fn thousands_of_dangling_targets_share_one_suggestion_budget() {
    // `{name}x` is one letter off `{name}`: each target has a close name to suggest.
    let text = definitions::dangling_targets();
    assert!(text.len() < MAX_DEFINITION_CHARS, "{}", text.len());
    let f = findings(&text);
    assert_eq!(f.len(), 24_999);
    assert!(f
        .iter()
        .all(|x| x.code == FindingCode::MissingTransitionTarget));
    for (i, x) in f.iter().enumerate() {
        let name = short_name(i + 1);
        assert_eq!(x.pointer, format!("/States/{name}/Next"));
        assert_eq!(
            x.message,
            format!("state `{name}`, field `Next`: Missing 'Next' target: {name}x")
        );
    }
    let hinted = f
        .iter()
        .take_while(|x| x.hint.as_deref() != Some(GENERIC_TARGET_HINT))
        .count();
    // Each search looks at 25,000 three-byte names for a four-byte target, 300,000 units of
    // the 20,000,000 budget: 66 targets are searched, the 67th would overrun it.
    assert_eq!(
        hinted,
        66,
        "{:?}",
        f[..3].iter().map(|x| &x.hint).collect::<Vec<_>>()
    );
    assert_eq!(f[0].hint.as_deref(), Some("did you mean `001`?"));
    assert!(f[hinted..]
        .iter()
        .all(|x| x.hint.as_deref() == Some(GENERIC_TARGET_HINT)));
}

/// A definition over the 1 MiB limit gets the size finding alone, however broken the rest is
/// (AWS refuses the request before reading the definition).
#[test]
fn an_oversized_definition_is_not_validated() {
    let text = definitions::oversized();
    assert!(text.len() > MAX_DEFINITION_CHARS);
    let f = findings(&text);
    assert_eq!(f.len(), 1, "{:?}", &f[..3.min(f.len())]);
    assert_eq!(f[0].pointer, "");
    assert_eq!(f[0].code, FindingCode::SchemaValidationFailed);
    assert_eq!(
        f[0].message,
        "Definition must be at most 1048576 characters long"
    );
    // One character over, counted in characters, not bytes.
    let base = r#"{"StartAt":"A","States":{"A":{"Type":"Succeed","Comment":""}}}"#;
    let fill = MAX_DEFINITION_CHARS - base.chars().count();
    let at_limit = base.replace(
        r#""Comment":"""#,
        &format!(r#""Comment":"{}""#, "é".repeat(fill)),
    );
    assert!(parse(&at_limit).is_ok());
    let over = at_limit.replacen('é', "éé", 1);
    assert_eq!(findings(&over).len(), 1);
}

/// Thousands of schema findings and thousands of linter findings in one definition: matching
/// each linter finding against the schema's (to drop echoes) no longer scans them all.
#[test]
fn many_schema_and_linter_findings_are_matched_by_lookup() {
    let text = definitions::schema_and_linter_findings(10_000);
    let f = findings(&text);
    let unknown = f
        .iter()
        .filter(|x| x.message.ends_with("Field 'Bogus' is not supported"))
        .count();
    let dangling = f
        .iter()
        .filter(|x| x.code == FindingCode::MissingTransitionTarget)
        .count();
    assert_eq!((unknown, dangling, f.len()), (10_000, 10_000, 20_000));
}

/// `""` and `x` are not resources: AWS answers "Value is not a valid resource ARN". Deployment
/// template placeholders stay valid (templates are validated before substitution).
#[test]
fn a_task_resource_is_an_arn_or_a_placeholder() {
    let task = definitions::task;
    for bad in [
        "",
        "x",
        "lambda:invoke",
        "arn:aws",
        "arn::states:::lambda:invoke",
        "{FunctionArn}",
    ] {
        let f = findings(&task(bad));
        assert_eq!(f.len(), 1, "{bad:?}: {f:?}");
        assert_eq!(f[0].pointer, "/States/T/Resource");
        assert_eq!(f[0].code, FindingCode::SchemaValidationFailed);
        assert_eq!(
            f[0].message,
            "state `T`, field `Resource`: Value is not a valid resource ARN"
        );
    }
    for good in [
        "arn:aws:states:::lambda:invoke",
        "arn:aws:lambda:us-east-1:123456789012:function:charge",
        "arn:aws:states:us-east-1:123456789012:activity:approve",
        "${ChargeFunctionArn}",
        "arn:${AWS::Partition}:states:::lambda:invoke",
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}",
    ] {
        assert!(parse(&task(good)).is_ok(), "{good}");
    }
    // The same rule for a distributed Map's reader and writer.
    let map = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemReader": {"Resource": "s3"},
        "ResultWriter": {"Resource": "", "Parameters": {"Bucket": "b", "Prefix": "p"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let f = findings(&map.to_string());
    let pointers: Vec<&str> = f.iter().map(|x| x.pointer.as_str()).collect();
    assert!(pointers.contains(&"/States/M/ItemReader/Resource"), "{f:?}");
    assert!(
        pointers.contains(&"/States/M/ResultWriter/Resource"),
        "{f:?}"
    );
}

/// Nesting past serde_json's recursion limit is named as a depth limit, not a syntax error.
#[test]
fn json_nested_past_the_parser_limit_names_the_limit() {
    let nested = definitions::nested_parameters;
    // Four levels hold the arrays: the document, `States`, the state, `Parameters`.
    let deepest = MAX_JSON_DEPTH - 4;
    assert!(parse(&nested(deepest)).is_ok());
    let f = findings(&nested(deepest + 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, FindingCode::InvalidJsonDescription);
    assert_eq!(
        f[0].message,
        format!(
            "Invalid JSON: arrays and objects nest deeper than 127 levels, the most this validator \
             reads (at line 1 column {})",
            73 + deepest + 1
        )
    );
    assert!(!f[0].hint.as_deref().unwrap_or_default().contains("syntax"));
    // A syntax error is still one.
    let f = findings(r#"{"StartAt":"#);
    assert!(
        f[0].message.starts_with("Invalid JSON: EOF while parsing"),
        "{}",
        f[0].message
    );
    let _: Value = serde_json::from_str(&nested(deepest)).expect("the limit is serde_json's");
}
