//! The public entry points, called the way `sfn-macros` calls them: token streams in, token
//! streams or every error (with where it points) out.

use proc_macro2::TokenStream;

use crate::{derive_shape, expand_workflow, Errors};

fn tokens(src: &str) -> TokenStream {
    match src.parse() {
        Ok(t) => t,
        Err(e) => panic!("not Rust tokens: {e}"),
    }
}

fn errors(src: &str) -> Errors {
    match expand_workflow(tokens(src)) {
        Ok(t) => panic!("expanded without errors: {t}"),
        Err(e) => e,
    }
}

/// Each error as `line:column: message` (lines of `src`, from 1; columns from 0).
fn located(e: &Errors) -> Vec<String> {
    e.errors()
        .map(|e| {
            let at = e.span().start();
            format!("{}:{}: {e}", at.line, at.column)
        })
        .collect()
}

#[test]
fn a_valid_workflow_expands_to_its_items_and_asl() {
    let out = expand_workflow(tokens(
        r#"pub CoreExpandsHello { start Hi; Hi: pass { result: { "x": 1 } } end; }"#,
    ))
    .map_err(|e| e.messages())
    .expect("valid");
    let code = out.to_string();
    assert!(code.contains("pub struct CoreExpandsHello"), "{code}");
    assert!(code.contains("pub enum CoreExpandsHelloState"), "{code}");
    assert!(
        code.contains("impl :: sfn :: Workflow for CoreExpandsHello"),
        "{code}"
    );
    assert!(code.contains("trait CoreExpandsHelloTasks"), "{code}");
    let asl = sfn_asl::emit(
        &sfn_asl::parse(
            r#"{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Result":{"x":1},"End":true}}}"#,
        )
        .expect("valid"),
    );
    let literal = proc_macro2::Literal::string(&asl).to_string();
    assert!(
        code.contains(&literal),
        "the ASL constant is the canonical ASL: {code}"
    );
}

#[test]
fn several_mistakes_are_all_reported_each_at_its_token() {
    let e = errors(
        "pub W {
    start A;
    A: pass { input_pth: \"$.a\" } => B;
    B: pass { retry: [ALL] } end;
    C: wait end;
}",
    );
    assert_eq!(
        located(&e),
        [
            "3:14: unknown field `input_pth` on a `pass` state; did you mean `input_path`?",
            "4:14: `pass` states have no field `retry` (it belongs to `task`, `parallel`, `map` states)",
            "5:4: a `wait` state needs one of `seconds: 10`, `seconds_path: \"$.s\"`, `timestamp: \"2030-01-01T00:00:00Z\"`, `timestamp_path: \"$.t\"`",
            "5:4: state `C`: State \"C\" is not reachable; point a `Next` at `C` or remove it",
        ]
    );
}

#[test]
fn a_bad_field_and_a_bad_next_are_reported_together() {
    let e = errors(
        "pub W {
    start A;
    A: pass { bogus: 1 } => Chrage;
    Charge: succeed;
}",
    );
    let got = located(&e);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[0].starts_with("3:14: unknown field `bogus` on a `pass` state"),
        "{got:#?}"
    );
    assert!(
        got[1].starts_with("3:28: ")
            && got[1].contains("Missing 'Next' target: Chrage; did you mean `Charge`?"),
        "the linter's finding at the `Next` token, with the near name: {got:#?}"
    );
}

#[test]
fn lint_findings_about_what_lowering_left_out_are_not_reported() {
    // `B` has no transition (reported), so `C`, reachable only through what the user meant to
    // write, is not called unreachable; the missing `Nowhere` still is reported.
    let e = errors(
        "pub W {
    start A;
    A: pass => B;
    B: pass;
    C: pass => Nowhere;
}",
    );
    let got = located(&e);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[0].starts_with("4:4: state `B` has no `next`"),
        "{got:#?}"
    );
    assert!(
        got[1].starts_with("5:15: ") && got[1].contains("Missing 'Next' target: Nowhere"),
        "{got:#?}"
    );
}

#[test]
fn a_state_that_did_not_lower_keeps_its_name() {
    // The map has no processor (reported); the transition to it is not a second error.
    let e = errors("pub W { start A; A: pass => M; M: map end; }");
    assert_eq!(
        e.messages(),
        ["a `map` state needs `processor { start ...; ... }`"]
    );
}

#[test]
fn a_broken_choice_rule_leaves_the_next_rule_at_its_own_token() {
    let e = errors(
        r#"pub W {
    start C;
    C: choice {
        "a" == 1 => Done,
        "$.b" == 1 => Dnoe,
        else => Done,
    };
    Done: succeed;
}"#,
    );
    let got = located(&e);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[0].starts_with("4:8: invalid `Variable`"),
        "the broken rule: {got:#?}"
    );
    assert!(
        got[1].starts_with("5:22: ") && got[1].contains("Missing 'Next' target: Dnoe"),
        "the second rule's `Next`, not the first's: {got:#?}"
    );
}

#[test]
fn a_clean_scope_keeps_its_graph_findings() {
    // An error at the top does not hide an unreachable state inside a branch without errors.
    let e = errors(
        "pub W {
    start P;
    P: parallel {
        branch { start X; X: succeed; Y: succeed; }
    } => Q;
    Q: pass { bogus: 1 } end;
}",
    );
    let got = located(&e);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[0].starts_with("6:14: unknown field `bogus`"),
        "{got:#?}"
    );
    assert!(
        got[1].starts_with("4:38: ") && got[1].contains("not reachable"),
        "{got:#?}"
    );
}

#[test]
fn a_failed_expansion_still_defines_the_workflow_items() {
    let e = errors("pub W { start A; A: pass { bogus: 1 } end; }");
    let code = e.into_compile_error().to_string();
    assert!(code.contains("pub struct W"), "{code}");
    assert!(code.contains("pub enum WState"), "{code}");
    assert!(code.contains("compile_error"), "{code}");
    assert!(
        !code.contains("WTasks"),
        "no task trait for a broken workflow: {code}"
    );
}

#[test]
fn a_syntax_error_is_one_error_and_defines_nothing() {
    let e = errors("pub W { start A; A: pass end }");
    assert_eq!(e.messages().len(), 1, "{:?}", e.messages());
    let code = e.into_compile_error().to_string();
    assert!(!code.contains("struct W"), "{code}");
}

#[test]
fn derive_shape_names_the_json_keys() {
    let out = derive_shape(tokens(
        r#"#[serde(rename_all = "camelCase")] struct Order { order_id: String, #[serde(skip)] cache: u8 }"#,
    ))
    .expect("derives");
    let code = out.to_string();
    assert!(code.contains("\"orderId\""), "{code}");
    assert!(!code.contains("\"cache\""), "{code}");
}

#[test]
fn derive_shape_reports_a_bad_attribute() {
    let err = derive_shape(tokens(r#"#[shape(every)] struct Order { id: String }"#))
        .expect_err("unknown shape attribute");
    assert!(err.to_string().contains("`#[shape(any)]`"), "{err}");
}

#[test]
fn a_duplicate_in_another_branch_leaves_that_branch_whole() {
    let e = errors(
        "pub W {
    start P;
    P: parallel {
        branch { start X; X: succeed; },
        branch { start X; X: succeed; },
    } end;
}",
    );
    let got = located(&e);
    assert_eq!(
        got.len(),
        2,
        "the duplicate and where the first is: {got:#?}"
    );
    assert!(got[0].starts_with("5:26: duplicate state `X`"), "{got:#?}");
    assert!(
        got[1].starts_with("4:26: `X` is first defined here"),
        "{got:#?}"
    );
}

#[test]
fn path_checks_still_run_where_the_definition_had_no_error() {
    let e = errors(
        r#"pub W(Order) {
    start First;
    First: choice { "$.ordr" == "x" => A, else => A };
    A: pass { bogus: 1, input_path: "$.skipped" } => B;
    B: choice { "$.after" == 1 => C, else => C };
    C: succeed;
}"#,
    );
    assert_eq!(e.messages().len(), 1, "{:?}", e.messages());
    let code = e.into_compile_error().to_string();
    assert!(code.contains("check_path"), "{code}");
    assert!(
        code.contains(r#""$.ordr""#),
        "a state without errors is checked: {code}"
    );
    assert!(
        !code.contains(r#""$.skipped""#),
        "a state with an error is not: {code}"
    );
    assert!(
        !code.contains(r#""$.after""#),
        "nor what it hands on: {code}"
    );
}

fn expanded(src: &str) -> String {
    match expand_workflow(tokens(src)) {
        Ok(t) => t.to_string(),
        Err(e) => panic!("errors: {:?}", e.messages()),
    }
}

#[test]
fn a_state_reached_two_ways_is_checked_against_each_and_names_them() {
    let code = expanded(
        r#"pub CoreTwoWays(Order) {
    start Route;
    Route: choice { "$.express" == true => Check, else => Validate };
    Validate: task "arn:aws:lambda:us-east-1:123456789012:function:v" -> Validation => Check;
    Check: choice { "$.total" > 1 => Done, else => Done };
    Done: succeed;
}"#,
    );
    assert!(code.contains("when reached from `Validate`"), "{code}");
    assert!(code.contains("when reached from `Route`"), "{code}");
}

#[test]
fn a_template_s_shape_is_emitted_once_with_its_name() {
    let code = expanded(
        r#"pub CoreBuilt(Order) {
    start Ship;
    Ship: pass { parameters: { "id.$": "$.order_id", "n": 1 } } => Route;
    Route: choice { "$.id" == "x" => Done, "$.n" > 0 => Done, else => Done };
    Done: succeed;
}"#,
    );
    assert_eq!(
        code.matches("the Parameters of `Ship`").count(),
        1,
        "{code}"
    );
    assert!(code.contains("shape_at"), "{code}");
}

#[test]
fn a_loop_through_a_template_settles() {
    // Each time round, the Parameters nest the previous round's: the ways into `Again` grow
    // until they are too many, and checking there stops instead of running on.
    let code = expanded(
        r#"pub CoreLoop(Order) {
    start Again;
    Again: pass { parameters: { "prev.$": "$" } } => Route;
    Route: choice { "$.prev" == "x" => Again, else => Done };
    Done: succeed;
}"#,
    );
    assert!(code.contains("pub struct CoreLoop"), "{code}");
}

#[test]
fn an_unknown_variable_is_reported_at_its_name_with_a_suggestion() {
    let src = "#[workflow(query_language = JSONata)] pub Vars {\n start A;\n \
               A: pass { assign: { \"total\": 1 } } => B;\n \
               B: pass { output: \"{% $totl + 1 %}\" } end;\n}";
    assert_eq!(
        located(&errors(src)),
        ["4:23: unknown variable `$totl`: no `assign` before state `B` sets it; did you mean `$total`?"]
    );
    // Without a close name, the message says how to set it.
    let src = src.replace("\"total\"", "\"count\"");
    let e = errors(&src).messages().join("\n");
    assert!(
        e.contains("set it with `assign: { \"totl\": ... }` in an earlier state"),
        "{e}"
    );
}

#[test]
fn names_an_expression_binds_and_variables_set_on_some_way_in_are_known() {
    let src = r#"#[workflow(query_language = JSONata)] pub KnownVars {
        start C;
        C: choice {
            "{% $states.input.a %}" => A { assign: { "x": 1 } },
            else => B,
        };
        A: pass => B;
        B: pass { output: "{% ($f := function($v) { $v + $x }; $f(1)) %}" } end;
    }"#;
    assert!(expand_workflow(tokens(src)).is_ok());
}
