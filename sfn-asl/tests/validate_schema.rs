//! Findings of the schema pass: where (pointer), what (AWS code and text), and that every
//! problem of a definition is reported, not just the first.

use sfn_asl::{parse, Finding};

fn findings(doc: &str) -> Vec<Finding> {
    match parse(doc) {
        Ok(_) => Vec::new(),
        Err(f) => f.0,
    }
}

/// (pointer, code, message) of every finding.
fn triples(doc: &str) -> Vec<(String, &'static str, String)> {
    findings(doc)
        .into_iter()
        .map(|f| (f.pointer, f.code.as_str(), f.message))
        .collect()
}

fn single(state: &str) -> String {
    format!(r#"{{"StartAt":"S","States":{{"S":{state}}}}}"#)
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

#[test]
fn required_top_level_fields() {
    assert_eq!(
        triples("{}"),
        [(
            String::new(),
            "SCHEMA_VALIDATION_FAILED",
            "These fields are required: [States, StartAt]".to_owned()
        )]
    );
}

#[test]
fn unknown_field_with_did_you_mean() {
    let f = findings(&single(&format!(
        r#"{{"Type":"Task","Resouce":"{LAMBDA}","End":true}}"#
    )));
    let unknown = f
        .iter()
        .find(|x| x.pointer == "/States/S/Resouce")
        .expect("unknown field finding");
    assert_eq!(
        unknown.message,
        "state `S`, field `Resouce`: Field 'Resouce' is not supported"
    );
    assert_eq!(unknown.hint.as_deref(), Some("did you mean `Resource`?"));
    assert!(f.iter().any(|x| x.pointer == "/States/S"
        && x.message.ends_with("These fields are required: [Resource]")));
}

#[test]
fn all_findings_are_reported_together() {
    let doc = format!(
        r#"{{"StartAt":"A","Bogus":1,"States":{{
            "A":{{"Type":"Task","Resource":"{LAMBDA}","Next":"Missing","Retry":[{{"ErrorEquals":["X"],"BackoffRate":0.1}}]}},
            "B":{{"Type":"Wait","Next":"A"}},
            "C":{{"Type":"Pass","End":"yes"}}}}}}"#
    );
    let pointers: Vec<String> = findings(&doc).into_iter().map(|f| f.pointer).collect();
    for expected in [
        "/Bogus",
        "/States/A/Next",
        "/States/A/Retry/0/BackoffRate",
        "/States/B",
        "/States/C/End",
    ] {
        assert!(
            pointers.iter().any(|p| p == expected),
            "no finding at {expected}: {pointers:?}"
        );
    }
}

#[test]
fn bad_type_lists_the_valid_ones() {
    let f = findings(&single(r#"{"Type":"Tsak","End":true}"#));
    assert_eq!(f[0].pointer, "/States/S/Type");
    assert!(f[0].message.ends_with("The field 'Type' should have one of these values: [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map]"));
    assert_eq!(f[0].hint.as_deref(), Some("did you mean `Task`?"));
}

#[test]
fn field_not_allowed_for_the_type() {
    let f = triples(&single(r#"{"Type":"Pass","TimeoutSeconds":5,"End":true}"#));
    assert_eq!(f[0].0, "/States/S/TimeoutSeconds");
    assert!(f[0].2.ends_with("Field 'TimeoutSeconds' is not supported"));
}

#[test]
fn template_value_must_be_a_string() {
    let f = triples(&single(
        r#"{"Type":"Pass","Parameters":{"a":{"b.$":7}},"End":true}"#,
    ));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "/States/S/Parameters/a/b.$");
    assert!(f[0].2.ends_with(
        "The value for the field 'b.$' must be a valid JSONPath or a valid intrinsic function call"
    ));
}

#[test]
fn template_key_given_twice() {
    let f = triples(&single(
        r#"{"Type":"Pass","Parameters":{"a":1,"a.$":"$.x"},"End":true}"#,
    ));
    assert_eq!(f[0].0, "/States/S/Parameters/a.$");
}

#[test]
fn path_fields_must_be_strings() {
    let f = triples(&single(r#"{"Type":"Pass","InputPath":3,"End":true}"#));
    assert_eq!(f[0].0, "/States/S/InputPath");
    assert!(f[0].2.ends_with("Value must be a JSONPath string or null"));
}

#[test]
fn result_path_is_not_a_context_path() {
    let f = triples(&single(
        r#"{"Type":"Pass","ResultPath":"$$.Execution.Id","End":true}"#,
    ));
    assert_eq!(f[0].0, "/States/S/ResultPath");
    assert!(f[0].2.ends_with("Value is not a Reference Path"));
}

#[test]
fn literal_and_path_forms_exclude_each_other() {
    let f = triples(&single(&format!(
        r#"{{"Type":"Task","Resource":"{LAMBDA}","TimeoutSeconds":5,"TimeoutSecondsPath":"$.t","End":true}}"#
    )));
    assert!(f[0].2.ends_with(
        "There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]"
    ));
}

#[test]
fn map_numeric_paths_refuse_the_context_object() {
    let doc = single(
        r#"{"Type":"Map","MaxConcurrencyPath":"$$.Execution.Input.n","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}"#,
    );
    let f = triples(&doc);
    assert_eq!(f[0].0, "/States/S/MaxConcurrencyPath");
    assert!(f[0].2.ends_with("Value is not a Reference Path"));
}

#[test]
fn jsonata_field_in_jsonpath_state() {
    let f = triples(&single(r#"{"Type":"Pass","Output":{"a":1},"End":true}"#));
    assert_eq!(f[0].0, "/States/S/Output");
    assert!(f[0].2.ends_with("The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"));
}

#[test]
fn jsonpath_field_in_jsonata_state() {
    let f = triples(&single(
        r#"{"Type":"Pass","QueryLanguage":"JSONata","InputPath":"$.a","End":true}"#,
    ));
    assert_eq!(f[0].0, "/States/S/InputPath");
    assert!(f[0].2.ends_with("The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"));
}

#[test]
fn error_output_only_in_catchers() {
    let doc = single(
        r#"{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.errorOutput %}","End":true}"#,
    );
    let f = triples(&doc);
    assert_eq!(f[0].0, "/States/S/Output");
    assert!(f[0]
        .2
        .contains("'$states.errorOutput' is only available in a Catcher"));
}

#[test]
fn choice_rule_with_two_operators() {
    let doc = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Variable":"$.n","NumericGreaterThan":1,"NumericLessThan":9,"Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = triples(doc);
    assert_eq!(f[0].0, "/States/C/Choices/0");
    assert!(f[0]
        .2
        .ends_with("Each Choice Rule can only have one comparison operator"));
}

#[test]
fn nested_choice_rule_has_no_next() {
    let doc = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Not":{"Variable":"$.n","IsNull":true,"Next":"E"},"Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = findings(doc);
    assert_eq!(f[0].pointer, "/States/C/Choices/0/Not/Next");
    assert_eq!(
        f[0].hint.as_deref(),
        Some("only a top-level rule of `Choices` has `Next`; move it there")
    );
}

#[test]
fn choice_variable_must_be_a_string() {
    let doc = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Variable":5,"IsNull":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    assert_eq!(triples(doc)[0].0, "/States/C/Choices/0/Variable");
}

#[test]
fn wait_needs_exactly_one_timing_field() {
    assert!(triples(&single(r#"{"Type":"Wait","End":true}"#))[0]
        .2
        .contains("Exactly one of these fields is required"));
    let f = triples(&single(
        r#"{"Type":"Wait","Seconds":1,"Timestamp":"2026-01-01T00:00:00Z","End":true}"#,
    ));
    assert!(f[0]
        .2
        .contains("There should only be one of the following fields"));
}

#[test]
fn next_and_end_together() {
    let f = triples(
        r#"{"StartAt":"S","States":{"S":{"Type":"Pass","Next":"E","End":true},"E":{"Type":"Succeed"}}}"#,
    );
    assert_eq!(f[0].0, "/States/S/End");
}

#[test]
fn negative_retry_numbers() {
    let f = triples(&single(&format!(
        r#"{{"Type":"Task","Resource":"{LAMBDA}","End":true,"Retry":[{{"ErrorEquals":["X"],"MaxAttempts":-1}}]}}"#
    )));
    assert_eq!(f[0].0, "/States/S/Retry/0/MaxAttempts");
    assert!(f[0].2.ends_with("Minimum value is 0"));
}

#[test]
fn credentials_need_role_arn() {
    let f = triples(&single(&format!(
        r#"{{"Type":"Task","Resource":"{LAMBDA}","Credentials":{{}},"End":true}}"#
    )));
    assert!(f[0]
        .2
        .ends_with("The field 'RoleArn' is required but was missing"));
}

#[test]
fn query_language_not_on_item_processor() {
    let doc = single(
        r#"{"Type":"Map","ItemProcessor":{"QueryLanguage":"JSONata","StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}"#,
    );
    let f = triples(&doc);
    assert_eq!(f[0].0, "/States/S/ItemProcessor/QueryLanguage");
    assert!(f[0].2.ends_with("Field 'QueryLanguage' is not supported"));
}

#[test]
fn missing_catch_next_is_reported_once() {
    let f = triples(&single(&format!(
        r#"{{"Type":"Task","Resource":"{LAMBDA}","End":true,"Catch":[{{"ErrorEquals":["States.ALL"]}}]}}"#
    )));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].2.ends_with("These fields are required: [Next]"));
}

#[test]
fn state_names_with_slashes_are_escaped_in_pointers() {
    let f = triples(
        r#"{"StartAt":"a/b","States":{"a/b":{"Type":"Pass","Next":"nowhere"}, "E":{"Type":"Succeed"}}}"#,
    );
    assert!(f.iter().any(|x| x.0 == "/States/a~1b/Next"), "{f:?}");
}

#[test]
fn hostile_input_never_panics() {
    // Deeply nested Parallel branches, built as a value (the text would hit serde_json's own
    // recursion limit first): capped, reported, no stack overflow.
    let mut state = serde_json::json!({"Type": "Succeed"});
    for _ in 0..60 {
        state = serde_json::json!({"Type": "Parallel", "End": true, "Branches": [{"StartAt": "S", "States": {"S": state}}]});
    }
    let value = serde_json::json!({"StartAt": "S", "States": {"S": state}});
    let f = sfn_asl::parse_value(&value).unwrap_err();
    assert!(
        f.0.iter().any(|x| x.message.contains("nest at most")),
        "{:?}",
        f.0.first()
    );
    // Wrong types everywhere.
    for doc in [
        r#"{"StartAt":1,"States":[]}"#,
        r#"{"StartAt":"S","States":{"S":[]}}"#,
        r#"{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":{}}}}"#,
        r#"{"StartAt":"S","States":{"S":{"Type":"Map","ItemProcessor":[],"End":true}}}"#,
        r#"{"StartAt":"S","States":{"S":{"Type":"Parallel","Branches":[1],"End":true}}}"#,
        r#"{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"x","Retry":"no","Catch":[1],"End":true}}}"#,
    ] {
        assert!(parse(doc).is_err(), "{doc}");
    }
}

#[test]
fn duplicate_state_name_in_one_object() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"A":{"Type":"Succeed"}}}"#;
    let f = triples(doc);
    assert_eq!(
        f,
        [(
            "/States/A".to_owned(),
            "DUPLICATE_STATE_NAME",
            "state `A`: Duplicate State name: A".to_owned()
        )]
    );
}

#[test]
fn express_options_apply_to_text() {
    let doc = r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","End":true}}}"#;
    assert!(parse(doc).is_ok());
    let options = sfn_asl::validate::LintOptions { express: true };
    let f = sfn_asl::validate::parse_with(doc, &options).unwrap_err();
    assert_eq!(f.0[0].pointer, "/States/A/Resource");
}

#[test]
fn rule_fields_of_the_other_language() {
    let jsonpath = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Condition":"{% true %}","Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = triples(jsonpath);
    assert_eq!(f[0].0, "/States/C/Choices/0/Condition");
    assert!(
        f[0].2
            .ends_with("field 'Condition' is only supported for the 'JSONata' QueryLanguage"),
        "{f:?}"
    );
    let jsonata = r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Condition":true,"Variable":"$.x","Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = triples(jsonata);
    assert_eq!(f[0].0, "/States/C/Choices/0/Variable");
    assert!(
        f[0].2
            .ends_with("field 'Variable' is only supported for the 'JSONPath' QueryLanguage"),
        "{f:?}"
    );
}

#[test]
fn items_and_arguments_have_their_shape() {
    let doc = r#"{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":{"a":1},
        "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":[1],"End":true}}},"End":true}}}"#;
    let f = triples(doc);
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|x| (x.0.as_str(), x.2.rsplit(": ").next().unwrap_or_default()))
        .collect();
    // The processor is read before the Map's own fields.
    assert_eq!(
        got,
        [
            (
                "/States/M/ItemProcessor/States/T/Arguments",
                "Value must be an object or a JSONata expression"
            ),
            (
                "/States/M/Items",
                "Value must be an array or a JSONata expression"
            ),
        ]
    );
}

#[test]
fn deep_templates_are_capped_before_compiling() {
    let mut deep = serde_json::json!("{% $states.errorOutput %}");
    for _ in 0..300 {
        deep = serde_json::json!({ "a": deep });
    }
    let doc = serde_json::json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Output": deep.clone(), "Next": "T"}]}}});
    let f = sfn_asl::parse_value(&doc).unwrap_err();
    assert!(
        f.0.iter()
            .any(|x| x.message.ends_with("Value nests too deeply")),
        "{:?}",
        f.0.first()
    );
    let doc = serde_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": deep, "End": true}}});
    let f = sfn_asl::parse_value(&doc).unwrap_err();
    assert!(
        f.0.iter()
            .any(|x| x.message.ends_with("Template nests too deeply")),
        "{:?}",
        f.0.first()
    );
}

#[test]
fn a_broken_rule_is_reported_once() {
    let jsonpath = r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"And":[{"Variable":"$.a","IsNull":true},{"Variable":7,"IsNull":true}],"Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = triples(jsonpath);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "/States/C/Choices/0/And/1/Variable");
    let jsonata = r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Condition":"not jsonata","Next":"E"}]},"E":{"Type":"Succeed"}}}"#;
    let f = triples(jsonata);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "/States/C/Choices/0/Condition");
}

#[test]
fn error_equals_without_strings_is_reported_once() {
    let f = triples(&single(&format!(
        r#"{{"Type":"Task","Resource":"{LAMBDA}","End":true,"Retry":[{{"ErrorEquals":[1]}}]}}"#
    )));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "/States/S/Retry/0/ErrorEquals/0");
}
