use sfn_asl::model::*;

use super::*;

fn machine(states: &str) -> StateMachine {
    match lower_str(&format!("W {{ {states} }}")) {
        Ok(m) => m,
        Err(e) => panic!("does not lower: {e}"),
    }
}

fn errors(states: &str) -> String {
    match lower_str(&format!("W {{ {states} }}")) {
        Ok(_) => panic!("lowered without errors: {states}"),
        Err(e) => e,
    }
}

#[test]
fn span_table_finds_the_nearest_recorded_ancestor() {
    let mut t = SpanTable::default();
    let s = Span::call_site();
    t.insert("/States/A".into(), s);
    assert!(t.lookup("/States/A/Retry/0/BackoffRate").is_some());
    assert!(t.lookup("/States/B").is_none());
}

#[test]
fn state_names_may_be_keywords_raw_identifiers_or_strings() {
    let m = machine(
        r#"start "first step"; "first step": pass => r#type; r#type: pass => end; end: succeed;"#,
    );
    let names: Vec<&str> = m.states.keys().map(String::as_str).collect();
    assert_eq!(names, ["first step", "type", "end"]);
    let first = &m.states["first step"];
    assert_eq!(first.transition(), Some(&Transition::Next("type".into())));
}

#[test]
fn doc_comments_become_comments() {
    let m = machine("start A;\n/// One.\n///\n///  Indented.\nA: succeed;");
    assert_eq!(m.states["A"].comment.as_deref(), Some("One.\n\n Indented."));
}

#[test]
fn empty_retry_and_catch_lists_are_kept() {
    let m = machine(
        r#"start A; A: task "arn:aws:states:::lambda:invoke" { retry: [], catch: [] } end;"#,
    );
    let StateKind::Task(t) = &m.states["A"].kind else {
        panic!("a task")
    };
    assert_eq!(t.flow.retry, Some(vec![]));
    assert_eq!(t.flow.catch, Some(vec![]));
}

#[test]
fn empty_processor_config_is_kept() {
    let m = machine("start M; M: map { processor() { start X; X: succeed; } } end;");
    let StateKind::Map(map) = &m.states["M"].kind else {
        panic!("a map")
    };
    assert_eq!(
        map.item_processor.processor_config,
        Some(ProcessorConfig {
            mode: None,
            execution_type: None
        })
    );
    assert!(!map.item_processor.legacy_iterator);
}

#[test]
fn jsonata_values_go_to_the_jsonata_variants() {
    let src = r#"start M; M: map { query_language: JSONata, items: "{% $states.input.xs %}", max_concurrency: "{% 2 %}",
        processor { start X; X: succeed; } } end;"#;
    let m = machine(src);
    let StateKind::Map(map) = &m.states["M"].kind else {
        panic!("a map")
    };
    assert!(matches!(map.max_concurrency, Some(Dynamic::Jsonata(_))));
    assert!(map.items.is_some());
}

#[test]
fn path_fields_go_to_the_path_variants() {
    let m = machine(r#"start W; W: wait { timestamp_path: "$.when" } end;"#);
    let StateKind::Wait(w) = &m.states["W"].kind else {
        panic!("a wait")
    };
    assert!(matches!(&w.wait_for, WaitFor::Timestamp(Dynamic::Path(p)) if p.source() == "$.when"));
}

#[test]
fn fail_fields_take_literals_paths_and_intrinsics() {
    let m = machine(
        r#"start F; F: fail { error_path: "States.Format('E{}', $.code)", cause: "because" };"#,
    );
    let StateKind::Fail(f) = &m.states["F"].kind else {
        panic!("a fail")
    };
    assert!(matches!(&f.error, Some(FailField::Path(_))));
    assert_eq!(f.cause, Some(FailField::Literal("because".into())));
}

#[test]
fn every_mistake_is_reported_in_one_pass() {
    let e = errors(r#"start A; A: pass { resul: 1, retry: [ALL] } end; A: succeed; B: wait end;"#);
    assert!(e.contains("did you mean `result`"), "{e}");
    assert!(e.contains("`pass` states have no field `retry`"), "{e}");
    assert!(e.contains("duplicate state `A`"), "{e}");
    assert!(e.contains("a `wait` state needs one of"), "{e}");
}

#[test]
fn unknown_fields_list_the_valid_ones_when_nothing_is_close() {
    let e = errors("start A; A: succeed { zzzzzzzz: 1 };");
    assert!(
        e.contains(
            "expected one of `comment`, `query_language`, `input_path`, `output_path`, `output`"
        ),
        "{e}"
    );
}

#[test]
fn expression_errors_name_the_field_and_position() {
    let e = errors(r#"start A; A: pass { output_path: "nope" } end;"#);
    assert!(e.contains("invalid `output_path`"), "{e}");
    assert!(e.contains("at character 0"), "{e}");
}

#[test]
fn jsonata_errors_name_the_character() {
    let e = errors(
        r#"start A; A: pass { query_language: JSONata, output: "{% $states.input.total + } %}" } end;"#,
    );
    // (The caret line under the expression, shown where the compiler cannot narrow the span to
    // the character, is in `tests/ui/expr/jsonata-syntax-error.stderr`.)
    assert!(e.contains("(at character 25)"), "{e}");
    // Inside an `output` template, at the nested string.
    let e = errors(
        r#"start A; A: pass { query_language: JSONata, output: { "a": "{%  [1, 2,, 3] %}" } } end;"#,
    );
    assert!(e.contains("(at character 10)"), "{e}");
}

#[test]
fn nested_states_are_lowered_into_their_scope() {
    let m = machine("start P; P: parallel { branch { start X; X: pass => Y; Y: succeed; } } end;");
    let StateKind::Parallel(p) = &m.states["P"].kind else {
        panic!("a parallel")
    };
    assert_eq!(p.branches[0].start_at, "X");
    assert_eq!(p.branches[0].states.len(), 2);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut src = String::from("start P0; ");
    for i in 0..40 {
        src.push_str(&format!("P{i}: parallel {{ branch {{ start P{}; ", i + 1));
    }
    src.push_str("P40: succeed;");
    for _ in 0..40 {
        src.push_str(" } } end;");
    }
    let e = errors(&src);
    assert!(e.contains("nested too deeply"), "{e}");
}

#[test]
fn truncated_input_never_panics() {
    let src = r#"/// Doc.
        #[workflow(kind = Express, timeout_seconds = 10)]
        pub W(Order) -> Out {
            start A;
            A: task "arn:aws:states:::lambda:invoke" {
                parameters: { "FunctionName": "f", "Payload.$": "$" },
                retry: [TaskFailed] every 2s x 3 backoff 2.0,
                catch: [ALL] result_path "$.e" => F,
            } => C;
            C: choice { "$.a" > 1 && !is_present("$.b") => M, else => F };
            M: map { items_path: "$.xs", processor(mode = INLINE) { start X; X: succeed; } } end;
            F: fail { error: "E" };
        }"#;
    let mut lowered = 0;
    for (i, _) in src.char_indices() {
        // Every prefix is either a syntax error or lowers (with or without errors); none panics.
        if lower_str(&src[..i]).is_ok() {
            lowered += 1;
        }
    }
    assert!(lower_str(src).is_ok());
    assert_eq!(lowered, 0, "no strict prefix is a complete workflow");
}
