//! The activity commands on a store file, through the real binary: `create-activity`,
//! `describe-activity`, `list-activities`, `delete-activity` and `get-activity-task` (by the
//! command itself, and forwarded to an `sfn worker` holding the store), with the AWS errors.

mod support;

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::Run;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
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

    fn machine(&self, activity: &str) -> String {
        let definition = json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 3600,
                "End": true}}})
        .to_string();
        let v = self.ok(&[
            "create-state-machine",
            "--name",
            "worked",
            "--definition",
            &definition,
        ]);
        v["stateMachineArn"].as_str().expect("an ARN").to_owned()
    }

    fn start(&self, machine: &str, name: &str) -> String {
        let v = self.ok(&[
            "start",
            "--state-machine-arn",
            machine,
            "--name",
            name,
            "--input",
            r#"{"job":1}"#,
        ]);
        v["executionArn"].as_str().expect("an ARN").to_owned()
    }

    fn status(&self, arn: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.ok(&["describe", "--execution-arn", arn]);
            if v["status"] != "RUNNING" || Instant::now() > deadline {
                return v["status"].clone();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Takes the activity's task as `worker`; its token, after checking the input.
    fn take(&self, activity: &str, worker: &str) -> String {
        let task = self.ok(&[
            "get-activity-task",
            "--activity-arn",
            activity,
            "--worker-name",
            worker,
        ]);
        assert_eq!(task["input"], r#"{"job":1}"#, "{task}");
        task["taskToken"].as_str().expect("a token").to_owned()
    }
}

/// A running `sfn worker`, killed when dropped.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn activities_are_created_listed_polled_and_deleted() {
    let f = Fixture {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    let created = f.ok(&["create-activity", "--name", "review"]);
    let arn = created["activityArn"].as_str().expect("an ARN").to_owned();
    assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:activity:review");
    // Idempotent by name: the same activity, as it was created.
    assert_eq!(f.ok(&["create-activity", "--name", "review"]), created);
    f.ok(&["create-activity", "--name", "second"]);
    let described = f.ok(&["describe-activity", "--activity-arn", &arn]);
    assert_eq!(
        described,
        json!({"activityArn": arn, "name": "review", "creationDate": created["creationDate"]})
    );
    let page = f.ok(&["list-activities", "--max-results", "1"]);
    assert_eq!(page["activities"][0]["name"], "review", "{page}");
    let next = page["nextToken"].as_str().expect("another page");
    let rest = f.ok(&["list-activities", "--next-token", next]);
    assert_eq!(rest["activities"][0]["name"], "second", "{rest}");
    assert!(rest.get("nextToken").is_none(), "{rest}");

    // A task taken by `get-activity-task`, the worker's name in the history.
    let machine = f.machine(&arn);
    let execution = f.start(&machine, "run-1");
    let token = f.take(&arn, "cli-worker");
    let history = f.ok(&["history", "--execution-arn", &execution]);
    let started = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["type"] == "ActivityStarted")
        .cloned()
        .unwrap_or_else(|| panic!("no ActivityStarted: {history}"));
    assert_eq!(
        started["activityStartedEventDetails"],
        json!({"workerName": "cli-worker"})
    );
    let run = f.sfn(&[
        "send-task-success",
        "--task-token",
        &token,
        "--output",
        r#""ok""#,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.status(&execution), "SUCCEEDED");
    let again = f.sfn(&["send-task-heartbeat", "--task-token", &token]);
    assert!(again.stderr.contains("(TaskTimedOut)"), "{}", again.stderr);

    // Through a worker holding the store.
    let store = f.store();
    let child = support::command(&["worker", "--store", store.to_str().expect("UTF-8")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the worker");
    let worker = Worker(child);
    let socket = f.dir.path().join("store.db.sock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "the worker never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    let execution = f.start(&machine, "run-2");
    let token = f.take(&arn, "at-the-worker");
    let run = f.sfn(&[
        "send-task-failure",
        "--task-token",
        &token,
        "--error",
        "Nope",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.status(&execution), "FAILED");

    // Deleted: described and polled, it does not exist.
    let run = f.sfn(&["delete-activity", "--activity-arn", &arn]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    drop(worker);
    let run = f.sfn(&["describe-activity", "--activity-arn", &arn]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("(ActivityDoesNotExist)"),
        "{}",
        run.stderr
    );
    let run = f.sfn(&["get-activity-task", "--activity-arn", &arn]);
    assert!(
        run.stderr.contains("(ActivityDoesNotExist)"),
        "{}",
        run.stderr
    );
    let run = f.sfn(&[
        "describe-activity",
        "--activity-arn",
        "arn:aws:sns:us-east-1:1:t",
    ]);
    assert!(run.stderr.contains("(InvalidArn)"), "{}", run.stderr);
    let run = f.sfn(&["create-activity", "--name", "two words"]);
    assert!(run.stderr.contains("(InvalidName)"), "{}", run.stderr);
}
