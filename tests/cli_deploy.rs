//! `sfn deploy` and `sfn fetch` against a moto server started by the test: a first deployment
//! creates the role and the machine (a version, an alias), a second updates them (a new version,
//! the alias moved), `sfn fetch` gives back the deployed text, and `--dry-run` prints the
//! requests and sends none.

mod support;

#[path = "../sfn-runtime/tests/moto/mod.rs"]
mod moto;

use serde_json::{json, Value};

const V1: &str = r#"{
  "Comment": "orders, first cut",
  "StartAt": "Save",
  "States": {
    "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
      "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}}, "End": true}
  }
}
"#;

const V2: &str = r#"{
  "Comment": "orders, with a queue",
  "StartAt": "Save",
  "States": {
    "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
      "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}}, "Next": "Notify"},
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
      "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "MessageBody.$": "$.id"}, "End": true}
  }
}
"#;

struct Aws {
    env: Vec<(&'static str, String)>,
}

impl Aws {
    fn new(moto: &moto::Moto) -> Aws {
        Aws {
            env: vec![
                ("AWS_ENDPOINT_URL", moto.endpoint.clone()),
                ("AWS_REGION", "us-east-1".into()),
                ("AWS_ACCESS_KEY_ID", "test".into()),
                ("AWS_SECRET_ACCESS_KEY", "test".into()),
                ("AWS_CONFIG_FILE", "/nonexistent/sfn-test-config".into()),
                (
                    "AWS_SHARED_CREDENTIALS_FILE",
                    "/nonexistent/sfn-test-credentials".into(),
                ),
            ],
        }
    }

    fn sfn(&self, args: &[&str], stdin: &str) -> support::Run {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        support::sfn_env(args, stdin, &env)
    }

    /// A Step Functions API call, made by a one-state workflow on `sfn run --aws`.
    fn states(&self, action: &str, parameters: Value) -> Value {
        let definition = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": format!("arn:aws:states:::aws-sdk:sfn:{action}"),
            "Parameters": parameters, "End": true}}});
        let run = self.sfn(&["run", "-", "--aws"], &definition.to_string());
        assert_eq!(run.code, 0, "{action}: {}\n{}", run.stderr, run.stdout);
        run.json()["output"].clone()
    }

    fn deploy(&self, args: &[&str]) -> Value {
        let mut all = vec!["deploy"];
        all.extend_from_slice(args);
        let run = self.sfn(&all, "");
        assert_eq!(
            run.code, 0,
            "deploy {args:?}: {}\n{}",
            run.stderr, run.stdout
        );
        run.json()
    }
}

fn names(listed: &Value) -> Vec<String> {
    listed["StateMachines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["Name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn deploy_creates_then_updates_and_fetch_gives_the_definition_back() {
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let aws = Aws::new(&moto);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("orders.asl.json");
    let file_arg = file.to_str().expect("utf-8 path");

    // A dry run prints the requests and sends none.
    std::fs::write(&file, V1).expect("write");
    let dry = aws.sfn(
        &[
            "deploy",
            file_arg,
            "--publish",
            "--alias",
            "live",
            "--dry-run",
        ],
        "",
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let printed = dry.json();
    let requests = printed["requests"].as_array().cloned().unwrap_or_default();
    let find = |action: &str| {
        requests
            .iter()
            .find(|r| r["action"] == action)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let create_role = find("CreateRole");
    assert_eq!(
        create_role["input"]["RoleName"],
        "StepFunctions-orders-role"
    );
    let trust: Value = serde_json::from_str(
        create_role["input"]["AssumeRolePolicyDocument"]
            .as_str()
            .unwrap_or(""),
    )
    .expect("JSON");
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "states.amazonaws.com"
    );
    let put_policy = find("PutRolePolicy");
    let policy: Value =
        serde_json::from_str(put_policy["input"]["PolicyDocument"].as_str().unwrap_or(""))
            .expect("JSON");
    assert_eq!(
        policy,
        sfn_asl::iam::policy(&sfn_asl::parse(V1).expect("valid"))
    );
    let create = find("CreateStateMachine");
    assert_eq!(create["input"]["definition"], V1);
    assert_eq!(create["input"]["publish"], true);
    assert_eq!(find("CreateStateMachineAlias")["input"]["name"], "live");
    assert_eq!(
        names(&aws.states("listStateMachines", json!({}))),
        Vec::<String>::new(),
        "the dry run created a machine"
    );

    // Create: the role, the machine, version 1 and the alias.
    let first = aws.deploy(&[
        file_arg,
        "--publish",
        "--version-description",
        "first",
        "--alias",
        "live",
    ]);
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
    assert_eq!(first["stateMachineArn"], machine, "{first}");
    assert_eq!(
        first["roleArn"], "arn:aws:iam::123456789012:role/StepFunctions-orders-role",
        "{first}"
    );
    assert_eq!(
        (first["created"].clone(), first["roleCreated"].clone()),
        (json!(true), json!(true)),
        "{first}"
    );
    assert_eq!(
        first["stateMachineVersionArn"],
        format!("{machine}:1"),
        "{first}"
    );
    assert_eq!(
        first["stateMachineAliasArn"],
        format!("{machine}:live"),
        "{first}"
    );
    let described = aws.states("describeStateMachine", json!({"StateMachineArn": machine}));
    assert_eq!(described["RoleArn"], first["roleArn"], "{described}");

    // Fetch gives back the deployed text, to a file and to stdout.
    let fetched = dir.path().join("fetched.asl.json");
    let run = aws.sfn(
        &["fetch", machine, "--out", fetched.to_str().expect("utf-8")],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&fetched).expect("fetched"), V1);

    // Update: same role, version 2, the alias moved to it; version 1 keeps its definition.
    std::fs::write(&file, V2).expect("write");
    let second = aws.deploy(&[
        file_arg,
        "--publish",
        "--version-description",
        "second",
        "--alias",
        "live",
    ]);
    assert_eq!(second["stateMachineArn"], machine, "{second}");
    assert_eq!(second["roleArn"], first["roleArn"], "{second}");
    assert_eq!(
        (second["created"].clone(), second["roleCreated"].clone()),
        (json!(false), json!(false)),
        "{second}"
    );
    assert_eq!(
        second["stateMachineVersionArn"],
        format!("{machine}:2"),
        "{second}"
    );
    assert_eq!(
        second["stateMachineAliasArn"], first["stateMachineAliasArn"],
        "{second}"
    );
    let alias = aws.states(
        "describeStateMachineAlias",
        json!({"StateMachineAliasArn": format!("{machine}:live")}),
    );
    assert_eq!(
        alias["RoutingConfiguration"],
        json!([{"StateMachineVersionArn": format!("{machine}:2"), "Weight": 100}]),
        "{alias}"
    );
    let run = aws.sfn(&["fetch", machine], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{V2}\n"));
    let run = aws.sfn(&["fetch", &format!("{machine}:1")], "");
    assert_eq!(run.stdout, format!("{V1}\n"), "{}", run.stderr);
    assert_eq!(
        names(&aws.states("listStateMachines", json!({}))),
        ["orders"]
    );

    // What `sfn build` writes: a folder with the workflow's ASL and IAM files.
    let built = dir.path().join("stepfunctions").join("app");
    std::fs::create_dir_all(&built).expect("mkdir");
    std::fs::write(built.join("Flow.asl.json"), V1).expect("write");
    let narrowed = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:*:*:table/orders"}]});
    std::fs::write(built.join("Flow.iam.json"), narrowed.to_string()).expect("write");
    let dry = aws.sfn(&["deploy", built.to_str().expect("utf-8"), "--dry-run"], "");
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let requests = dry.json()["requests"].clone();
    let put = requests
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["action"] == "PutRolePolicy")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        put["input"]["PolicyDocument"],
        narrowed.to_string(),
        "the .iam.json beside the ASL is the role's policy"
    );
    let flow = aws.deploy(&[built.to_str().expect("utf-8")]);
    assert_eq!(
        flow["stateMachineArn"], "arn:aws:states:us-east-1:123456789012:stateMachine:Flow",
        "{flow}"
    );
    assert!(flow.get("stateMachineVersionArn").is_none(), "{flow}");
}

#[test]
fn refusals_and_bad_invocations() {
    let moto = match moto::Moto::start() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let aws = Aws::new(&moto);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("m.asl.json");
    std::fs::write(&file, V1).expect("write");
    let file = file.to_str().expect("utf-8");

    let run = aws.sfn(&["deploy", "-"], V1);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("add --name NAME"), "{}", run.stderr);
    let run = aws.sfn(&["deploy", file, "--logging", "ALL"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("add --log-group-arn ARN"),
        "{}",
        run.stderr
    );
    let run = aws.sfn(&["deploy", file, "--alias", "live"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = aws.sfn(
        &[
            "deploy",
            file,
            "--kms-key-id",
            "k",
            "--kms-data-key-reuse-period-seconds",
            "30",
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("60 to 900 seconds"), "{}", run.stderr);

    // AWS's own refusal: exit 1 with its error.
    let run = aws.sfn(
        &[
            "fetch",
            "arn:aws:states:us-east-1:123456789012:stateMachine:none",
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: DescribeStateMachine failed: Sfn.StateMachineDoesNotExistException"),
        "{}",
        run.stderr
    );

    // Logging, tracing and encryption reach the machine.
    let out = aws.deploy(&[
        file,
        "--name",
        "logged",
        "--logging",
        "ERROR",
        "--include-execution-data",
        "--log-group-arn",
        "arn:aws:logs:us-east-1:123456789012:log-group:sfn",
        "--tracing",
    ]);
    let described = aws.states(
        "describeStateMachine",
        json!({"StateMachineArn": out["stateMachineArn"]}),
    );
    assert_eq!(
        described["LoggingConfiguration"]["Level"], "ERROR",
        "{described}"
    );
    assert_eq!(
        described["LoggingConfiguration"]["IncludeExecutionData"], true,
        "{described}"
    );
    assert_eq!(
        described["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"]
            ["LogGroupArn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*",
        "{described}"
    );
    assert_eq!(
        described["TracingConfiguration"]["Enabled"], true,
        "{described}"
    );
}
