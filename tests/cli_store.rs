//! The commands on a store file, through the real binary on a temporary store:
//! `create-state-machine`, `start`, `describe`, `list` (paging, status filter), `history`,
//! `stop`, `send-task-*` across processes, and `sfn worker` (timers that outlive a process,
//! requests forwarded to it, a clean stop on SIGTERM).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::Run;

const PASS: &str =
    r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"got.$":"$"},"End":true}}}"#;

const APPROVAL: &str = r#"{"StartAt":"Ask","States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
      "MessageBody":{"token.$":"$$.Task.Token","order.$":"$.order"}},
    "Next":"Done"},
  "Done":{"Type":"Pass","End":true}}}"#;

const WAIT: &str = r#"{"StartAt":"W","States":{
  "W":{"Type":"Wait","Seconds":3,"Next":"P"},
  "P":{"Type":"Pass","Result":"woke","End":true}}}"#;

/// A temporary folder with a store in it, and the definitions as files.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("store.db")
    }

    /// `sfn ARGS --store STORE`.
    fn sfn(&self, args: &[&str]) -> Run {
        let store = self.store();
        let mut all = args.to_vec();
        all.extend(["--store", store.to_str().expect("UTF-8 path")]);
        support::sfn(&all, "")
    }

    /// `sfn ARGS --store STORE`, which must succeed and print one JSON object.
    fn ok(&self, args: &[&str]) -> Value {
        let run = self.sfn(args);
        assert_eq!(run.code, 0, "sfn {args:?}: {}", run.stderr);
        run.json()
    }

    /// Stores `definition` as FILE.asl.json and creates the state machine from it.
    fn create(&self, file: &str, definition: &str) -> String {
        let path = self.dir.path().join(format!("{file}.asl.json"));
        std::fs::write(&path, definition).expect("write definition");
        let v = self.ok(&[
            "create-state-machine",
            "--definition",
            path.to_str().unwrap(),
        ]);
        assert!(v["creationDate"].as_str().is_some_and(is_date), "{v}");
        v["stateMachineArn"].as_str().expect("an ARN").to_owned()
    }

    fn describe(&self, arn: &str) -> Value {
        self.ok(&["describe", "--execution-arn", arn])
    }

    /// Describes `arn` until its status is not RUNNING (at most 60 s).
    fn finished(&self, arn: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.describe(arn);
            if v["status"] != "RUNNING" || Instant::now() > deadline {
                return v;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The token of the execution's waiting task, read from its last TaskScheduled event.
    fn token(&self, arn: &str) -> String {
        let history = self.ok(&["history", "--execution-arn", arn, "--reverse-order"]);
        let scheduled = history["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["type"] == "TaskScheduled")
            .unwrap_or_else(|| panic!("no TaskScheduled: {history}"));
        let parameters = scheduled["taskScheduledEventDetails"]["parameters"]
            .as_str()
            .expect("parameters text");
        let parameters: Value = serde_json::from_str(parameters).expect("parameters JSON");
        parameters["MessageBody"]["token"]
            .as_str()
            .expect("the token")
            .to_owned()
    }

    /// Starts `sfn worker` on the store and waits until it takes requests.
    fn worker(&self) -> Worker {
        let store = self.store();
        let child = support::command(&["worker", "--store", store.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the worker");
        let socket = self.dir.path().join("store.db.sock");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "the worker never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        Worker { child: Some(child) }
    }
}

/// A running `sfn worker`, killed if the test ends without stopping it.
struct Worker {
    child: Option<Child>,
}

impl Worker {
    /// SIGTERM; what it printed and its exit code.
    fn terminate(mut self) -> (i32, String) {
        let child = self.child.take().expect("running");
        let pid = libc::pid_t::try_from(child.id()).expect("pid");
        // SAFETY: signals the worker this test started and has not yet waited for.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let out = child.wait_with_output().expect("the worker ends");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `2026-12-06T09:41:43.123000+00:00`.
fn is_date(text: &str) -> bool {
    text.len() == 32 && text.ends_with("+00:00") && text.as_bytes()[10] == b'T'
}

fn arn_of(v: &Value) -> String {
    v["executionArn"].as_str().expect("executionArn").to_owned()
}

#[test]
fn create_start_describe_list_and_history_print_what_the_aws_cli_prints() {
    let f = Fixture::new();
    let machine = f.create("echo", PASS);
    assert!(machine.ends_with(":stateMachine:echo"), "{machine}");
    let mut arns = Vec::new();
    for (name, n) in [("one", 1), ("two", 2), ("three", 3)] {
        let input = json!({ "n": n }).to_string();
        let v = f.ok(&[
            "start",
            "--state-machine-arn",
            &machine,
            "--name",
            name,
            "--input",
            &input,
        ]);
        assert!(v["startDate"].as_str().is_some_and(is_date), "{v}");
        arns.push(arn_of(&v));
    }
    let one = f.describe(&arns[0]);
    assert_eq!(one["status"], "SUCCEEDED");
    assert_eq!(one["name"], "one");
    assert_eq!(one["stateMachineArn"], machine.as_str());
    assert_eq!(one["input"], r#"{"n":1}"#);
    assert_eq!(one["output"], r#"{"got":{"n":1}}"#);
    assert!(one["stopDate"].as_str().is_some_and(is_date), "{one}");

    // Newest first, two by two.
    let page = f.ok(&["list", "--state-machine-arn", "echo", "--max-results", "2"]);
    let names: Vec<&str> = page["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["three", "two"]);
    let token = page["nextToken"].as_str().expect("a nextToken");
    let rest = f.ok(&[
        "list",
        "--state-machine-arn",
        &machine,
        "--max-results",
        "2",
        "--next-token",
        token,
    ]);
    assert_eq!(rest["executions"][0]["name"], "one");
    assert_eq!(rest["executions"].as_array().unwrap().len(), 1);
    assert!(rest.get("nextToken").is_none(), "{rest}");
    let failed = f.ok(&["list", "--status-filter", "FAILED"]);
    assert_eq!(failed, json!({"executions": []}));
    let succeeded = f.ok(&["list-executions", "--status-filter", "succeeded"]);
    assert_eq!(succeeded["executions"].as_array().unwrap().len(), 3);

    let history = f.ok(&["get-execution-history", "--execution-arn", &arns[0]]);
    let types: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert!(history["events"][0]["timestamp"]
        .as_str()
        .is_some_and(is_date));
    assert_eq!(
        history["events"][0]["executionStartedEventDetails"]["input"],
        r#"{"n":1}"#
    );
    let newest = f.ok(&[
        "history",
        "--execution-arn",
        &arns[0],
        "--reverse-order",
        "--max-results",
        "1",
    ]);
    assert_eq!(newest["events"][0]["type"], "ExecutionSucceeded");
    let next = newest["nextToken"].as_str().expect("a nextToken");
    let second = f.ok(&[
        "history",
        "--execution-arn",
        &arns[0],
        "--reverse-order",
        "--max-results",
        "1",
        "--next-token",
        next,
    ]);
    assert_eq!(second["events"][0]["type"], "PassStateExited");
    let bare = f.ok(&[
        "history",
        "--execution-arn",
        &arns[0],
        "--no-include-execution-data",
    ]);
    let started = &bare["events"][0]["executionStartedEventDetails"];
    assert!(started.get("input").is_none(), "{started}");
}

#[test]
fn errors_carry_the_aws_error_name_and_the_fix() {
    let f = Fixture::new();
    let run = f.sfn(&[
        "describe",
        "--execution-arn",
        "arn:aws:states:us-east-1:1:execution:m:x",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no store there; create a state machine"),
        "{}",
        run.stderr
    );

    let machine = f.create("echo", PASS);
    let run = f.sfn(&[
        "describe",
        "--execution-arn",
        "arn:aws:states:us-east-1:1:execution:m:x",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation"),
        "{}",
        run.stderr
    );
    let run = f.sfn(&["start", "--state-machine-arn", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("(StateMachineDoesNotExist)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("sfn create-state-machine"),
        "{}",
        run.stderr
    );
    f.ok(&["start", "--state-machine-arn", &machine, "--name", "once"]);
    let run = f.sfn(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--name",
        "once",
        "--input",
        "{\"other\":1}",
    ]);
    assert!(
        run.stderr.contains("(ExecutionAlreadyExists)"),
        "{}",
        run.stderr
    );
    let run = f.sfn(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--name",
        "two words",
    ]);
    assert!(run.stderr.contains("(InvalidName)"), "{}", run.stderr);
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        "unknown",
        "--output",
        "{}",
    ]);
    assert!(run.stderr.contains("(InvalidToken)"), "{}", run.stderr);
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        "00000000-0000-4000-8000-000000000000",
        "--output",
        "{}",
    ]);
    assert!(run.stderr.contains("(TaskDoesNotExist)"), "{}", run.stderr);
    let run = f.sfn(&[
        "create-state-machine",
        "--name",
        "bad",
        "--definition",
        r#"{"StartAt":"X","States":{}}"#,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_task_token_is_answered_from_another_process() {
    let f = Fixture::new();
    let machine = f.create("approval", APPROVAL);
    let input = r#"{"order":"o-17"}"#;
    // The start leaves the task waiting for its token, and ends.
    let started = f.ok(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--name",
        "o-17",
        "--input",
        input,
    ]);
    let arn = arn_of(&started);
    assert_eq!(f.describe(&arn)["status"], "RUNNING");
    let token = f.token(&arn);
    // Another process answers it and drives the execution to its end.
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        &token,
        "--output",
        r#"{"approved":true}"#,
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let done = f.describe(&arn);
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"], r#"{"approved":true}"#);
    // The token was used up.
    let again = f.sfn(&[
        "send-task-success",
        "--task-token",
        &token,
        "--output",
        "{}",
    ]);
    assert!(again.stderr.contains("(TaskTimedOut)"), "{}", again.stderr);

    // A failure sent by token fails the execution with that error.
    let arn = arn_of(&f.ok(&["start", "--state-machine-arn", &machine, "--input", input]));
    let token = f.token(&arn);
    let hb = f.sfn(&["send-task-heartbeat", "--task-token", &token]);
    assert_eq!(hb.code, 0, "{}", hb.stderr);
    let run = f.sfn(&[
        "send-task-failure",
        "--task-token",
        &token,
        "--error",
        "Rejected",
        "--cause",
        "too big",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let failed = f.describe(&arn);
    assert_eq!(
        (&failed["status"], &failed["error"], &failed["cause"]),
        (&json!("FAILED"), &json!("Rejected"), &json!("too big"))
    );
}

#[test]
fn stop_aborts_a_waiting_execution_with_error_and_cause() {
    let f = Fixture::new();
    let machine = f.create("approval", APPROVAL);
    let arn = arn_of(&f.ok(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--input",
        r#"{"order":1}"#,
    ]));
    let v = f.ok(&[
        "stop-execution",
        "--execution-arn",
        &arn,
        "--error",
        "Cancelled",
        "--cause",
        "by hand",
    ]);
    assert!(v["stopDate"].as_str().is_some_and(is_date), "{v}");
    let d = f.describe(&arn);
    assert_eq!(
        (&d["status"], &d["error"], &d["cause"]),
        (&json!("ABORTED"), &json!("Cancelled"), &json!("by hand"))
    );
    let again = f.sfn(&["stop", "--execution-arn", &arn]);
    assert_eq!(again.code, 2, "{}", again.stderr);
}

#[test]
fn a_wait_outlives_its_process_and_the_worker_finishes_it() {
    let f = Fixture::new();
    let waiting = f.create("wait", WAIT);
    let approval = f.create("approval", APPROVAL);
    let arn = arn_of(&f.ok(&["start", "--state-machine-arn", &waiting, "--name", "w"]));
    // The start ended with the Wait's timer in the store.
    assert_eq!(f.describe(&arn)["status"], "RUNNING");

    let worker = f.worker();
    let done = f.finished(&arn);
    assert_eq!(
        (&done["status"], &done["output"]),
        (&json!("SUCCEEDED"), &json!("\"woke\""))
    );
    // While the worker holds the store, the commands send it their requests.
    let second = f.worker_refused();
    assert!(second.contains("already drives this store"), "{second}");
    let arn = arn_of(&f.ok(&[
        "start",
        "--state-machine-arn",
        &approval,
        "--input",
        r#"{"order":2}"#,
    ]));
    let token = wait_for_token(&f, &arn);
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        &token,
        "--output",
        "\"yes\"",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.finished(&arn)["output"], "\"yes\"");

    let (code, stderr) = worker.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("sfn worker: stopped"), "{stderr}");
    assert!(!f.dir.path().join("store.db.sock").exists());
}

impl Fixture {
    fn worker_refused(&self) -> String {
        let run = self.sfn(&["worker"]);
        assert_eq!(run.code, 2);
        run.stderr
    }
}

/// The token, once the worker has scheduled the task (it runs on its own time).
fn wait_for_token(f: &Fixture, arn: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let history = f.ok(&["history", "--execution-arn", arn]);
        let scheduled = history["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["type"] == "TaskScheduled"));
        if scheduled || Instant::now() > deadline {
            return f.token(arn);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_store_defaults_to_sfn_store_then_dot_sfn() {
    let f = Fixture::new();
    let store = f.store();
    let definition = f.dir.path().join("echo.asl.json");
    std::fs::write(&definition, PASS).unwrap();
    let env = [("SFN_STORE", store.to_str().unwrap())];
    let run = support::sfn_env(
        &[
            "create-state-machine",
            "--definition",
            definition.to_str().unwrap(),
        ],
        "",
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(Path::new(&store).is_file());
    // Without either, `.sfn/store.db` in the current folder.
    let out = support::command(&[
        "create-state-machine",
        "--definition",
        definition.to_str().unwrap(),
    ])
    .env_remove("SFN_STORE")
    .current_dir(f.dir.path())
    .output()
    .expect("run sfn");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(f.dir.path().join(".sfn/store.db").is_file());
}

#[test]
fn tasks_are_answered_as_sfn_run_answers_them() {
    let f = Fixture::new();
    let created = f.ok(&[
        "create-state-machine",
        "--definition",
        "examples/asl/order-processing.asl.json",
    ]);
    assert!(created["stateMachineArn"]
        .as_str()
        .is_some_and(|a| a.ends_with(":stateMachine:order-processing")));
    let input = "examples/asl/order-processing.input.json";
    let mocked = arn_of(&f.ok(&[
        "start",
        "--state-machine-arn",
        "order-processing",
        "--input",
        input,
        "--mock-config",
        "examples/asl/order-processing.mock.json",
        "--test-case",
        "Approved",
    ]));
    let done = f.describe(&mocked);
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["shipment"]["label"], "ship-o-17");
    // Nothing answers a Task the mocks leave out: it fails, naming the fix.
    let bare = arn_of(&f.ok(&[
        "start",
        "--state-machine-arn",
        "order-processing",
        "--input",
        input,
    ]));
    let failed = f.describe(&bare);
    assert_eq!(
        (&failed["status"], &failed["error"]),
        (&json!("FAILED"), &json!("States.Runtime"))
    );
    assert!(
        failed["cause"]
            .as_str()
            .is_some_and(|c| c.contains("--mock-config")),
        "{failed}"
    );
}

#[test]
fn redrive_runs_a_failed_execution_again_from_the_state_that_failed() {
    let f = Fixture::new();
    let machine = f.create("approval", APPROVAL);
    let arn = arn_of(&f.ok(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--input",
        r#"{"order":3}"#,
    ]));
    let token = f.token(&arn);
    let run = f.sfn(&[
        "send-task-failure",
        "--task-token",
        &token,
        "--error",
        "Flaky",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let failed = f.describe(&arn);
    assert_eq!(
        (&failed["status"], &failed["redriveStatus"]),
        (&json!("FAILED"), &json!("REDRIVABLE"))
    );

    let v = f.ok(&["redrive-execution", "--execution-arn", &arn]);
    assert!(v["redriveDate"].as_str().is_some_and(is_date), "{v}");
    let again = f.describe(&arn);
    assert_eq!(
        (&again["status"], &again["redriveCount"]),
        (&json!("RUNNING"), &json!(1))
    );
    assert!(
        again["redriveDate"].as_str().is_some_and(is_date),
        "{again}"
    );
    // The task waits again, for a token of its own.
    let token = f.token(&arn);
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        &token,
        "--output",
        "\"ok\"",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let done = f.describe(&arn);
    assert_eq!(
        (&done["status"], &done["output"]),
        (&json!("SUCCEEDED"), &json!("\"ok\""))
    );
    assert_eq!(done["redriveStatus"], "NOT_REDRIVABLE");
    assert!(
        done["redriveStatusReason"]
            .as_str()
            .is_some_and(|r| r.contains("SUCCEEDED")),
        "{done}"
    );
    let history = f.ok(&["history", "--execution-arn", &arn]);
    assert!(history["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "ExecutionRedriven"));
    let refused = f.sfn(&["redrive", "--execution-arn", &arn]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("(ExecutionNotRedrivable)"),
        "{}",
        refused.stderr
    );
}

#[test]
fn list_with_a_map_run_arn_shows_that_map_runs_child_executions() {
    let f = Fixture::new();
    let fan = r#"{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
        "StartAt":"Double","States":{"Double":{"Type":"Pass",
          "Parameters":{"twice.$":"States.MathAdd($, $)"},"End":true}}},
      "End":true}}}"#;
    let machine = f.create("fan", fan);
    let v = f.ok(&[
        "start",
        "--state-machine-arn",
        &machine,
        "--name",
        "f-1",
        "--input",
        r#"{"items":[1,2]}"#,
    ]);
    let arn = arn_of(&v);
    assert_eq!(f.finished(&arn)["output"], r#"[{"twice":2},{"twice":4}]"#);
    let history = f.ok(&["history", "--execution-arn", &arn]);
    let map_run = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "MapRunStarted")
        .and_then(|e| e["mapRunStartedEventDetails"]["mapRunArn"].as_str())
        .expect("a Map Run")
        .to_owned();
    let children = f.ok(&["list", "--map-run-arn", &map_run]);
    let children = children["executions"].as_array().unwrap().clone();
    assert_eq!(children.len(), 2, "{children:?}");
    for child in &children {
        assert_eq!(child["status"], "SUCCEEDED");
        assert_eq!(child["mapRunArn"], map_run.as_str());
        assert!(child["stateMachineArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":stateMachine:fan/Each")));
        let child_arn = child["executionArn"].as_str().unwrap();
        let described = f.describe(child_arn);
        assert_eq!(described["redriveStatus"], "NOT_REDRIVABLE");
        let events = f.ok(&["history", "--execution-arn", child_arn]);
        let types: Vec<&str> = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["type"].as_str())
            .collect();
        assert_eq!(types.first(), Some(&"ExecutionStarted"));
        assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    }
    // The plain listing has the parent only.
    let top = f.ok(&["list"]);
    assert_eq!(top["executions"].as_array().unwrap().len(), 1, "{top}");
}
