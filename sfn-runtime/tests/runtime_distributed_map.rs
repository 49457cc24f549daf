//! Distributed Map: ItemReader formats over a folder-backed object store, child executions
//! with their own histories, batching, tolerated failures, and the ResultWriter's files.

mod common;

use std::sync::Arc;

use common::{engine, machine, types};
use serde_json::{json, Value};
use sfn_runtime::history::{EventType, HistoryEvent};
use sfn_runtime::{Engine, ExecutionConfig, ExecutionResult, Resources, Status, TaskError};
use sfn_runtime::{LocalObjectStore, ObjectStore};

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

/// A function failing on items with `fail`, answering with the item otherwise.
fn resources() -> Resources {
    let mut r = Resources::new();
    r.register(WORK, |req| async move {
        if req.input.get("fail").is_some() {
            return Err(TaskError::new("ItemFailed", format!("item {}", req.input)));
        }
        Ok(req.input)
    });
    r
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<LocalObjectStore>,
    engine: Engine,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(LocalObjectStore::new(dir.path()));
    let engine = engine(resources()).with_object_store(store.clone());
    Fixture {
        _dir: dir,
        store,
        engine,
    }
}

impl Fixture {
    fn put(&self, key: &str, body: &str) {
        self.store.put("data", key, body.as_bytes()).expect("put");
    }

    async fn run(&self, definition: Value, input: Value) -> ExecutionResult {
        self.engine
            .start_sync_execution(
                machine(definition),
                input,
                ExecutionConfig::new("test", "run"),
            )
            .await
    }
}

/// A distributed Map of `states` reading with `reader`, plus extra Map fields.
fn dmap(reader: Value, extra: Value, states: Value) -> Value {
    let mut map = json!({"Type": "Map", "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": states},
        "End": true});
    if let (Value::Object(m), Value::Object(e)) = (&mut map, extra) {
        m.extend(e);
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

fn pass() -> Value {
    json!({"P": {"Type": "Pass", "End": true}})
}

fn get_object(input_type: &str, key: &str) -> Value {
    json!({"Resource": "arn:aws:states:::s3:getObject",
           "ReaderConfig": {"InputType": input_type},
           "Parameters": {"Bucket": "data", "Key": key}})
}

#[tokio::test(start_paused = true)]
async fn json_array_items_with_items_pointer_and_max_items() {
    let f = fixture();
    f.put("in/doc.json", r#"{"rows": [{"a": 1}, {"a": 2}, {"a": 3}]}"#);
    let reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/rows", "MaxItems": 2},
        "Parameters": {"Bucket": "data", "Key.$": "$.key"}});
    let result = f
        .run(
            dmap(reader, json!({}), pass()),
            json!({"key": "in/doc.json"}),
        )
        .await;
    assert_eq!(result.outcome.output, Some(json!([{"a": 1}, {"a": 2}])));
}

#[tokio::test(start_paused = true)]
async fn json_object_is_not_iterable() {
    let f = fixture();
    f.put("obj.json", r#"{"a": 1}"#);
    let result = f
        .run(
            dmap(get_object("JSON", "obj.json"), json!({}), pass()),
            json!({}),
        )
        .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ItemReaderFailed")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("Attempting to map over non-iterable node.")
    );
}

#[tokio::test(start_paused = true)]
async fn jsonl_lines_are_items() {
    let f = fixture();
    f.put("lines.jsonl", "{\"n\": 1}\n\n{\"n\": 2}\n");
    let result = f
        .run(
            dmap(get_object("JSONL", "lines.jsonl"), json!({}), pass()),
            json!({}),
        )
        .await;
    assert_eq!(result.outcome.output, Some(json!([{"n": 1}, {"n": 2}])));
}

#[tokio::test(start_paused = true)]
async fn csv_first_row_headers_give_string_values() {
    let f = fixture();
    f.put("rows.csv", "id,name\n1,\"a, b\"\n2,c\n");
    let result = f
        .run(
            dmap(get_object("CSV", "rows.csv"), json!({}), pass()),
            json!({}),
        )
        .await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"id": "1", "name": "a, b"}, {"id": "2", "name": "c"}]))
    );
}

#[tokio::test(start_paused = true)]
async fn csv_given_headers_and_delimiter() {
    let f = fixture();
    f.put("rows.psv", "1|x\n2|y\n");
    let reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                         "CSVHeaders": ["id", "v"], "CSVDelimiter": "PIPE"},
        "Parameters": {"Bucket": "data", "Key": "rows.psv"}});
    let result = f.run(dmap(reader, json!({}), pass()), json!({})).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"id": "1", "v": "x"}, {"id": "2", "v": "y"}]))
    );
}

#[tokio::test(start_paused = true)]
async fn csv_duplicate_headers_fail_the_reader() {
    let f = fixture();
    f.put("dup.csv", "a,a\n1,2\n");
    let result = f
        .run(
            dmap(get_object("CSV", "dup.csv"), json!({}), pass()),
            json!({}),
        )
        .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ItemReaderFailed")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("CSV headers cannot contain duplicates.")
    );
}

#[tokio::test(start_paused = true)]
async fn negative_max_items_path_fails_the_reader() {
    let f = fixture();
    f.put("a.json", "[1]");
    let reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$.max"},
        "Parameters": {"Bucket": "data", "Key": "a.json"}});
    let result = f
        .run(dmap(reader, json!({}), pass()), json!({"max": -1}))
        .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ItemReaderFailed")
    );
    assert!(result
        .outcome
        .cause
        .as_deref()
        .is_some_and(|c| c.ends_with("field MaxItems must be positive")));
}

#[tokio::test(start_paused = true)]
async fn list_objects_v2_lists_the_prefix() {
    let f = fixture();
    f.put("imgs/a.jpg", "aaaa");
    f.put("imgs/sub/b.jpg", "bb");
    f.put("other/c.jpg", "c");
    let reader = json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "data", "Prefix": "imgs/"}});
    let def = dmap(
        reader,
        json!({"ItemSelector": {"key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size"}}),
        pass(),
    );
    let result = f.run(def, json!({})).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"key": "imgs/a.jpg", "size": 4}, {"key": "imgs/sub/b.jpg", "size": 2}]))
    );
}

#[tokio::test(start_paused = true)]
async fn without_an_object_store_the_reader_says_how_to_configure_one() {
    let def = dmap(get_object("JSON", "a.json"), json!({}), pass());
    let result = engine(Resources::new())
        .start_sync_execution(machine(def), json!({}), ExecutionConfig::new("t", "r"))
        .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ItemReaderFailed")
    );
    assert!(result
        .outcome
        .cause
        .as_deref()
        .is_some_and(|c| c.contains("Engine::with_object_store")));
}

#[tokio::test(start_paused = true)]
async fn parent_history_shows_the_map_run_and_children_have_their_own() {
    let f = fixture();
    f.put("a.json", r#"[{"id": 1}, {"id": 2}]"#);
    let states = json!({"P": {"Type": "Task", "Resource": WORK, "End": true}});
    let result = f
        .run(
            dmap(get_object("JSON", "a.json"), json!({}), states),
            json!({}),
        )
        .await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    assert_eq!(
        types(&result),
        vec![
            EventType::ExecutionStarted,
            EventType::MapStateEntered,
            EventType::MapStateStarted,
            EventType::MapRunStarted,
            EventType::MapRunSucceeded,
            EventType::MapStateSucceeded,
            EventType::MapStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    let started = &result.history[2];
    assert_eq!(started.details, json!({"length": 0}));
    let run_arn = result.history[3].details["mapRunArn"]
        .as_str()
        .expect("mapRunArn")
        .to_owned();
    assert!(run_arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:test/M:"));
    let children = f.engine.map_run_executions(&run_arn);
    assert_eq!(children.len(), 2);
    for (child, id) in children.iter().zip([1, 2]) {
        assert_eq!(child.status(), Status::Succeeded);
        let ty: Vec<EventType> = child.history.iter().map(|e| e.event_type).collect();
        assert_eq!(ty.first(), Some(&EventType::ExecutionStarted));
        assert!(ty.contains(&EventType::TaskStateEntered));
        assert_eq!(ty.last(), Some(&EventType::ExecutionSucceeded));
        let ids: Vec<u64> = child.history.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
        assert_eq!(child.history[0].data_value(), Some(json!({"id": id})));
    }
    assert_ne!(children[0].execution_arn, children[1].execution_arn);
}

#[tokio::test(start_paused = true)]
async fn children_cannot_read_outer_variables() {
    let f = fixture();
    f.put("a.json", "[1]");
    let mut def = dmap(
        get_object("JSON", "a.json"),
        json!({}),
        json!({"P": {"Type": "Pass", "Parameters": {"x.$": "$outer"}, "End": true}}),
    );
    def["StartAt"] = json!("Set");
    def["States"]["Set"] = json!({"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"});
    let result = f.run(def, json!({})).await;
    assert_eq!(result.outcome.status, Status::Failed);
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let run_arn = result
        .history
        .iter()
        .find(|e| e.event_type == EventType::MapRunStarted)
        .and_then(|e| e.details["mapRunArn"].as_str())
        .expect("MapRunStarted")
        .to_owned();
    let children = f.engine.map_run_executions(&run_arn);
    let last = children[0].history.last().expect("events");
    assert_eq!(children[0].status(), Status::Failed);
    assert!(last.details["cause"]
        .as_str()
        .is_some_and(|c| c.contains("$outer")));
}

#[tokio::test(start_paused = true)]
async fn batches_from_a_reader_become_child_inputs() {
    let f = fixture();
    f.put("a.json", "[1, 2, 3, 4, 5]");
    let extra = json!({"ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}}});
    let result = f
        .run(dmap(get_object("JSON", "a.json"), extra, pass()), json!({}))
        .await;
    assert_eq!(
        result.outcome.output,
        Some(json!([
            {"Items": [1, 2], "BatchInput": {"tag": "t"}},
            {"Items": [3, 4], "BatchInput": {"tag": "t"}},
            {"Items": [5], "BatchInput": {"tag": "t"}}
        ]))
    );
}

#[tokio::test(start_paused = true)]
async fn tolerated_failures_over_the_threshold_fail_the_map_run() {
    let f = fixture();
    f.put(
        "a.json",
        r#"[{"id": 1}, {"fail": 1}, {"fail": 2}, {"id": 4}]"#,
    );
    let states = json!({"P": {"Type": "Task", "Resource": WORK, "End": true}});
    let tolerant = dmap(
        get_object("JSON", "a.json"),
        json!({"ToleratedFailurePercentage": 50}),
        states.clone(),
    );
    let result = f.run(tolerant, json!({})).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let strict = dmap(
        get_object("JSON", "a.json"),
        json!({"ToleratedFailureCount": 1, "MaxConcurrency": 1}),
        states,
    );
    let result = f.run(strict, json!({})).await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(
        result.outcome.cause.as_deref(),
        Some("The specified tolerated failure threshold was exceeded")
    );
    let ty = types(&result);
    assert!(ty.contains(&EventType::MapRunFailed));
    assert!(ty.contains(&EventType::MapStateFailed));
}

#[tokio::test(start_paused = true)]
async fn result_writer_exports_manifest_and_result_files() {
    let f = fixture();
    f.put("a.json", r#"[{"id": 1}, {"fail": 1}, {"id": 3}]"#);
    let extra = json!({"ToleratedFailureCount": 1,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out", "Prefix": "runs"}}});
    let states = json!({"P": {"Type": "Task", "Resource": WORK, "End": true}});
    let result = f
        .run(dmap(get_object("JSON", "a.json"), extra, states), json!({}))
        .await;
    let output = result.outcome.output.expect("output");
    let run_arn = output["MapRunArn"].as_str().expect("MapRunArn");
    let run_id = run_arn.rsplit(':').next().expect("id");
    let manifest_key = format!("runs/{run_id}/manifest.json");
    assert_eq!(
        output["ResultWriterDetails"],
        json!({"Bucket": "out", "Key": manifest_key})
    );
    let manifest: Value =
        serde_json::from_slice(&f.store.get("out", &manifest_key).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["DestinationBucket"], "out");
    assert_eq!(manifest["MapRunArn"], run_arn);
    assert_eq!(manifest["ResultFiles"]["PENDING"], json!([]));
    let succeeded_key = format!("runs/{run_id}/SUCCEEDED_0.json");
    assert_eq!(
        manifest["ResultFiles"]["SUCCEEDED"][0]["Key"],
        succeeded_key
    );
    let succeeded: Value =
        serde_json::from_slice(&f.store.get("out", &succeeded_key).expect("file")).expect("json");
    let outputs: Vec<&str> = succeeded
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["Output"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(outputs, vec![r#"{"id":1}"#, r#"{"id":3}"#]);
    assert_eq!(succeeded[0]["Status"], "SUCCEEDED");
    assert_eq!(succeeded[0]["Input"], r#"{"id":1}"#);
    let failed: Value = serde_json::from_slice(
        &f.store
            .get("out", &format!("runs/{run_id}/FAILED_0.json"))
            .expect("file"),
    )
    .expect("json");
    assert_eq!(failed[0]["Status"], "FAILED");
    assert_eq!(failed[0]["Error"], "ItemFailed");
}

#[tokio::test(start_paused = true)]
async fn writer_config_shapes_results_and_jsonl_output() {
    let f = fixture();
    f.put("a.json", "[[1, 2], [3]]");
    let flatten = json!({"ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}});
    let result = f
        .run(
            dmap(get_object("JSON", "a.json"), flatten, pass()),
            json!({}),
        )
        .await;
    assert_eq!(result.outcome.output, Some(json!([1, 2, 3])));
    let export = json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "p"},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}}});
    let result = f
        .run(
            dmap(get_object("JSON", "a.json"), export, pass()),
            json!({}),
        )
        .await;
    let output = result.outcome.output.expect("output");
    let key = output["ResultWriterDetails"]["Key"].as_str().expect("key");
    let manifest: Value =
        serde_json::from_slice(&f.store.get("out", key).expect("manifest")).expect("json");
    let file = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .expect("file key");
    let body = String::from_utf8(f.store.get("out", file).expect("file")).expect("utf-8");
    assert_eq!(body, "[1,2]\n[3]\n");
}

#[tokio::test(start_paused = true)]
async fn stopping_the_parent_reaches_running_children() {
    let f = fixture();
    f.put("a.json", "[1, 2]");
    let states = json!({"P": {"Type": "Wait", "Seconds": 3600, "End": true}});
    let def = dmap(get_object("JSON", "a.json"), json!({}), states);
    let handle =
        f.engine
            .start_execution(machine(def), json!({}), ExecutionConfig::new("t", "stop"));
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let run_arn = map_run_arn(&handle.history());
    let running = handle.map_run_executions(&run_arn);
    assert_eq!(running.len(), 2);
    assert!(running.iter().all(|c| c.status() == Status::Running));
    handle.stop(None, None).expect("stop");
    let result = handle.result().await.expect("result");
    assert_eq!(result.outcome.status, Status::Aborted);
    let run_arn = map_run_arn(&result.history);
    let children = f.engine.map_run_executions(&run_arn);
    assert_eq!(children.len(), 2);
    for child in &children {
        assert_eq!(child.status(), Status::Aborted);
    }
    f.engine.forget_map_run(&run_arn);
    assert!(f.engine.map_run_executions(&run_arn).is_empty());
}

fn map_run_arn(history: &[HistoryEvent]) -> String {
    history
        .iter()
        .find(|e| e.event_type == EventType::MapRunStarted)
        .and_then(|e| e.details["mapRunArn"].as_str())
        .expect("MapRunStarted")
        .to_owned()
}

#[tokio::test(start_paused = true)]
async fn children_see_their_own_execution_in_the_context_object() {
    let f = fixture();
    f.put("a.json", r#"[{"n": 1}]"#);
    let states = json!({"P": {"Type": "Pass", "End": true, "Parameters": {
        "id.$": "$$.Execution.Id", "input.$": "$$.Execution.Input",
        "machine.$": "$$.StateMachine.Id", "redrives.$": "$$.Execution.RedriveCount"}}});
    let mut def = dmap(
        get_object("JSON", "a.json"),
        json!({"ResultPath": "$.r"}),
        states,
    );
    if let Some(m) = def["States"]["M"].as_object_mut() {
        m.remove("End");
    }
    def["States"]["M"]["Next"] = json!("After");
    def["States"]["After"] = json!({"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "r.$": "$.r"}, "End": true});
    let result = f.run(def, json!({"outer": true})).await;
    let output = result.outcome.output.clone().expect("output");
    let children = f.engine.map_run_executions(&map_run_arn(&result.history));
    let child = &output["r"][0];
    assert_eq!(child["id"], children[0].execution_arn.as_str());
    assert_eq!(child["input"], json!({"n": 1}));
    assert_eq!(
        child["machine"],
        "arn:aws:states:us-east-1:123456789012:stateMachine:test/M"
    );
    assert_eq!(child["redrives"], 0);
    // Back in the parent, `$$` is the parent's again.
    assert_eq!(
        output["id"],
        "arn:aws:states:us-east-1:123456789012:execution:test:run"
    );
}

#[tokio::test(start_paused = true)]
async fn same_seed_same_parent_and_child_histories() {
    let histories = |f: &Fixture, result: &ExecutionResult| {
        let children = f.engine.map_run_executions(&map_run_arn(&result.history));
        (result.history.clone(), children)
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let f = fixture();
        f.put("a.json", r#"[{"id": 1}, {"fail": 2}, {"id": 3}]"#);
        let states = json!({"P": {"Type": "Task", "Resource": WORK, "End": true}});
        let def = dmap(
            get_object("JSON", "a.json"),
            json!({"ToleratedFailureCount": 1}),
            states,
        );
        let result = f.run(def, json!({})).await;
        seen.push(histories(&f, &result));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].1.len(), 3);
}

#[test]
fn the_core_waits_for_items_and_resumes_from_a_snapshot() {
    use sfn_runtime::execution::{Command, Event, Execution, ExecutionData};
    let def = dmap(
        get_object("JSON", "a.json"),
        json!({}),
        json!({"P": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": true}}),
    );
    let m = machine(def);
    let mut exec = Execution::new(m.clone(), ExecutionConfig::new("t", "snap"));
    let step = exec.handle(Event::Started {
        input: json!({}),
        now: 0,
    });
    // The first command is the execution's one-year deadline.
    let Some(Command::ReadItems(request)) = step.commands.get(1).cloned() else {
        panic!("expected a ReadItems command, got {:?}", step.commands);
    };
    assert_eq!(
        request.parameters,
        json!({"Bucket": "data", "Key": "a.json"})
    );
    let text = serde_json::to_string(exec.snapshot()).expect("snapshot");
    let data: ExecutionData = serde_json::from_str(&text).expect("restore");
    let mut exec = Execution::restore(m, data);
    let step = exec.handle(Event::ItemsRead {
        request_id: request.request_id,
        result: Ok(vec![json!(1), json!(2)]),
        now: 1,
    });
    let finished = step.commands.iter().find_map(|c| match c {
        Command::Finished(o) => Some(o.output.clone()),
        _ => None,
    });
    assert_eq!(finished, Some(Some(json!([{"v": 1}, {"v": 2}]))));
    let child_starts = step
        .child_events
        .iter()
        .filter(|e| e.event.event_type == EventType::ExecutionStarted)
        .count();
    assert_eq!(child_starts, 2);
}

#[tokio::test(start_paused = true)]
async fn jsonata_arguments_name_the_object_and_express_children_are_named_so() {
    let f = fixture();
    f.put("in/x.json", "[10, 20]");
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON"},
                       "Arguments": {"Bucket": "data", "Key": "{% 'in/' & $states.input.name %}"}},
        "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let result = f.run(def, json!({"name": "x.json"})).await;
    assert_eq!(
        result.outcome.output,
        Some(json!([{"v": 10, "i": 0}, {"v": 20, "i": 1}]))
    );
    let children = f.engine.map_run_executions(&map_run_arn(&result.history));
    assert_eq!(children.len(), 2);
    assert!(children[0]
        .execution_arn
        .starts_with("arn:aws:states:us-east-1:123456789012:express:test/M:"));
}

#[tokio::test(start_paused = true)]
async fn exporting_without_an_object_store_fails_the_writer() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out", "Prefix": "p"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let result = engine(Resources::new())
        .start_sync_execution(machine(def), json!([1]), ExecutionConfig::new("t", "r"))
        .await;
    assert_eq!(
        result.outcome.error.as_deref(),
        Some("States.ResultWriterFailed")
    );
    assert!(result
        .outcome
        .cause
        .as_deref()
        .is_some_and(|c| c.contains("Engine::with_object_store")));
}

#[tokio::test(start_paused = true)]
async fn a_caught_reader_failure_goes_to_the_catcher() {
    let f = fixture();
    let mut def = dmap(
        get_object("JSON", "missing.json"),
        json!({"Catch": [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Handled"}]}),
        pass(),
    );
    def["States"]["Handled"] = json!({"Type": "Pass", "End": true});
    let result = f.run(def, json!({})).await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    let output = result.outcome.output.expect("output");
    assert_eq!(output["Error"], "States.ItemReaderFailed");
    assert!(output["Cause"]
        .as_str()
        .is_some_and(|c| c.contains("missing.json")));
}

#[test]
fn stores_and_handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LocalObjectStore>();
    send_sync::<Arc<dyn ObjectStore>>();
    send_sync::<sfn_runtime::ChildExecution>();
    send_sync::<sfn_runtime::ExecutionHandle>();
    send_sync::<sfn_runtime::ObjectStoreError>();
    send_sync::<sfn_runtime::ItemReaderError>();
}

#[tokio::test(start_paused = true)]
async fn load_and_flatten_reads_every_listed_object() {
    let f = fixture();
    f.put("parts/1.jsonl", "{\"n\": 1}\n{\"n\": 2}\n");
    f.put("parts/2.jsonl", "{\"n\": 3}\n");
    let reader = json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN", "MaxItems": 2},
        "Parameters": {"Bucket": "data", "Prefix": "parts/"}});
    let result = f.run(dmap(reader, json!({}), pass()), json!({})).await;
    assert_eq!(result.outcome.output, Some(json!([{"n": 1}, {"n": 2}])));
}

#[tokio::test(start_paused = true)]
async fn nested_distributed_maps_have_distinct_runs() {
    let f = fixture();
    f.put("a.json", "[[1, 2], [3]]");
    let inner = json!({"P": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": true}}}}});
    let result = f
        .run(
            dmap(get_object("JSON", "a.json"), json!({}), inner),
            json!({}),
        )
        .await;
    assert_eq!(result.outcome.output, Some(json!([[1, 2], [3]])));
    let outer = f.engine.map_run_executions(&map_run_arn(&result.history));
    assert_eq!(outer.len(), 2);
    let inner_runs: Vec<String> = outer.iter().map(|c| map_run_arn(&c.history)).collect();
    assert_ne!(inner_runs[0], inner_runs[1]);
    assert_eq!(f.engine.map_run_executions(&inner_runs[0]).len(), 2);
    assert_eq!(f.engine.map_run_executions(&inner_runs[1]).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_items_run_as_ten_thousand_children() {
    let f = fixture();
    let items: Vec<Value> = (0..10_000).map(|i| json!({"i": i})).collect();
    f.put("big.json", &Value::Array(items).to_string());
    let extra = json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "big"}}});
    let result = f
        .run(
            dmap(get_object("JSON", "big.json"), extra, pass()),
            json!({}),
        )
        .await;
    assert_eq!(result.outcome.status, Status::Succeeded);
    // The parent history stays small: children record in their own.
    assert_eq!(result.history.len(), 8);
    let children = f.engine.map_run_executions(&map_run_arn(&result.history));
    assert_eq!(children.len(), 10_000);
    let key = result.outcome.output.expect("output")["ResultWriterDetails"]["Key"]
        .as_str()
        .expect("key")
        .replace("manifest.json", "SUCCEEDED_0.json");
    let written: Value =
        serde_json::from_slice(&f.store.get("out", &key).expect("results")).expect("json");
    assert_eq!(written.as_array().map(Vec::len), Some(10_000));
}
