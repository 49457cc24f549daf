//! The activity commands on a store file, through the real binary: `create-activity`,
//! `describe-activity`, `list-activities`, `delete-activity` and `get-activity-task` (by the
//! command itself, and forwarded to an `sfn worker` holding the store), with the AWS errors;
//! and the tags of activities and state machines (`create-activity --tags`, `tag-resource`,
//! `untag-resource`, `list-tags-for-resource`).

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

#[test]
fn tags_are_created_with_an_activity_listed_added_and_removed() {
    let f = Fixture {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    let created = f.ok(&[
        "create-activity",
        "--name",
        "review",
        "--tags",
        "key=team,value=billing",
        "key=note,value='a = b'",
    ]);
    let arn = created["activityArn"].as_str().expect("an ARN").to_owned();
    let list = |arn: &str| f.ok(&["list-tags-for-resource", "--resource-arn", arn]);
    assert_eq!(
        list(&arn),
        json!({"tags": [{"key": "team", "value": "billing"}, {"key": "note", "value": "a = b"}]})
    );
    // Created again (here in the JSON form): the same activity, its tags not updated.
    let again = f.ok(&[
        "create-activity",
        "--name",
        "review",
        "--tags",
        r#"[{"key": "team", "value": "other"}]"#,
    ]);
    assert_eq!(again, created);
    assert_eq!(list(&arn)["tags"][0]["value"], "billing");

    // tag-resource and untag-resource print nothing, as the AWS CLI.
    let run = f.sfn(&[
        "tag-resource",
        "--resource-arn",
        &arn,
        "--tags",
        r#"[{"key": "team", "value": "payments"}, {"key": "stage", "value": ""}]"#,
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let run = f.sfn(&[
        "untag-resource",
        "--resource-arn",
        &arn,
        "--tag-keys",
        "note",
        "missing",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(
        list(&arn),
        json!({"tags": [{"key": "team", "value": "payments"}, {"key": "stage", "value": ""}]})
    );

    // A state machine takes tags too, also through a worker holding the store.
    let machine = f.machine(&arn);
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
    let run = f.sfn(&[
        "tag-resource",
        "--resource-arn",
        &machine,
        "--tags",
        "key=owner,value=ops",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(
        list(&machine),
        json!({"tags": [{"key": "owner", "value": "ops"}]})
    );
    // Deleting the activity deletes its tags.
    let run = f.sfn(&["delete-activity", "--activity-arn", &arn]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    drop(worker);
    let run = f.sfn(&["list-tags-for-resource", "--resource-arn", &arn]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "An error occurred (ResourceNotFound) when calling the ListTagsForResource operation"
        ),
        "{}",
        run.stderr
    );

    // The AWS errors, and bad --tags before anything is sent.
    let missing = "arn:aws:states:us-east-1:123456789012:stateMachine:missing";
    for (args, says) in [
        (
            vec![
                "tag-resource",
                "--resource-arn",
                missing,
                "--tags",
                "key=a,value=b",
            ],
            "(ResourceNotFound) when calling the TagResource operation",
        ),
        (
            vec![
                "untag-resource",
                "--resource-arn",
                "worked",
                "--tag-keys",
                "a",
            ],
            "(InvalidArn) when calling the UntagResource operation",
        ),
        (
            vec![
                "tag-resource",
                "--resource-arn",
                &machine,
                "--tags",
                "key=aws:x,value=y",
            ],
            "(ValidationException) when calling the TagResource operation: invalid tag `aws:x`",
        ),
        (
            vec![
                "create-activity",
                "--name",
                "other",
                "--tags",
                "key=a|b,value=y",
            ],
            "(ValidationException) when calling the CreateActivity operation: invalid tag `a|b`",
        ),
        (
            vec![
                "tag-resource",
                "--resource-arn",
                &machine,
                "--tags",
                "Key=a,Value=b",
            ],
            "--tags: `Key=a,Value=b`: unknown field `Key`",
        ),
    ] {
        let run = f.sfn(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let fifty: Vec<String> = (0..50).map(|i| format!("key=k{i},value=v")).collect();
    let mut args = vec!["tag-resource", "--resource-arn", &machine, "--tags"];
    args.extend(fifty.iter().map(String::as_str));
    let run = f.sfn(&args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(TooManyTags) when calling the TagResource operation")
            && run.stderr.contains("would have 51 tags"),
        "{}",
        run.stderr
    );
    assert_eq!(list(&machine)["tags"].as_array().map(Vec::len), Some(1));
}
