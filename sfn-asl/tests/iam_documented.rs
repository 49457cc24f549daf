//! Each integration's generated IAM policy against the policy AWS documents for it ("IAM
//! policies for <service>" in the Step Functions developer guide,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html>).
//!
//! Each case pairs a definition using the integration with the documented grants, written here
//! as facts: which actions on which resources, with the template's placeholders filled from the
//! definition. Where the template names the running machine's own region, account or name
//! (`[[region]]:[[accountId]]` of a managed EventBridge rule, the machine a Distributed Map
//! starts), the definition does not say them and the fact has `*` in their place. Policies are
//! compared normalised, as the sorted `(action, resource)` pairs they grant: AWS's templates
//! group actions by call, the generated policy by service and resources (checked apart: no two
//! statements share a service and their resources).

use serde_json::{json, Value};

/// A documented statement: actions, and the resources they are granted on.
type Statement = (&'static [&'static str], Vec<String>);

struct Case {
    /// The integration and pattern, and whether its parameters are static or dynamic.
    name: &'static str,
    /// The definition: one Task state's fields, or a whole machine (with `StartAt`).
    definition: Value,
    /// The documented policy.
    documented: Vec<Statement>,
}

fn res(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A machine of one Task state with `fields`, or `fields` when it is a whole machine.
fn machine(fields: &Value) -> Value {
    if fields.get("StartAt").is_some() {
        return fields.clone();
    }
    let mut state = fields.clone();
    state["Type"] = json!("Task");
    state["End"] = json!(true);
    json!({"StartAt": "T", "States": {"T": state}})
}

/// Every `(action, resource)` pair the statements grant, sorted and without repeats.
fn normalise(
    statements: impl IntoIterator<Item = (Vec<String>, Vec<String>)>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = statements
        .into_iter()
        .flat_map(|(actions, resources)| {
            actions
                .into_iter()
                .flat_map(move |a| resources.clone().into_iter().map(move |r| (a.clone(), r)))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn generated(definition: &Value) -> Vec<(String, String)> {
    let m = match sfn_asl::parse(&machine(definition).to_string()) {
        Ok(m) => m,
        Err(e) => panic!("{definition}: does not parse: {e:?}"),
    };
    let policy = sfn_asl::iam::policy(&m);
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
    let mut groups = std::collections::BTreeSet::new();
    for st in &statements {
        assert_eq!(st["Effect"], "Allow", "{st}");
        let actions = conditional(strings(&st["Action"]), &st["Condition"]);
        let service = actions
            .first()
            .and_then(|a| a.split(':').next())
            .unwrap_or_default();
        assert!(
            actions
                .iter()
                .all(|a| a.starts_with(&format!("{service}:"))),
            "one service per statement: {st}"
        );
        let key = (
            service.to_owned(),
            strings(&st["Resource"]),
            st["Condition"].to_string(),
        );
        assert!(
            groups.insert(key),
            "a second statement for one service and resources: {policy:#}"
        );
    }
    normalise(statements.iter().map(|st| {
        let actions = conditional(strings(&st["Action"]), &st["Condition"]);
        (actions, strings(&st["Resource"]))
    }))
}

/// An action granted under a condition reads `<action> if <condition>`, so the comparison
/// covers the condition too.
fn conditional(actions: Vec<String>, condition: &Value) -> Vec<String> {
    if condition.is_null() {
        return actions;
    }
    actions
        .into_iter()
        .map(|a| format!("{a} if {condition}"))
        .collect()
}

fn check(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let got = generated(&case.definition);
        let want = normalise(
            case.documented
                .into_iter()
                .map(|(a, r)| (a.iter().map(|s| (*s).to_owned()).collect(), r)),
        );
        if got != want {
            failures.push(format!(
                "{}:\n  generated  {got:?}\n  documented {want:?}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const RULE_ACTIONS: &[&str] = &["events:DescribeRule", "events:PutRule", "events:PutTargets"];

fn rule(name: &str) -> Vec<String> {
    vec![format!("arn:aws:events:*:*:rule/{name}")]
}

#[test]
fn lambda_matches_the_documented_policy() {
    let f1 = "arn:aws:lambda:us-east-1:123456789012:function:function1";
    let f2 = "arn:aws:lambda:us-east-1:123456789012:function:function2";
    // Two tasks calling two functions: one statement granting both, with their versions and
    // aliases (`:*`), as the console's templates write it.
    let two = json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": f1, "Payload.$": "$"}, "Next": "B"},
        "B": {"Type": "Task", "Resource": f2, "End": true}}});
    let both = vec![
        f1.to_owned(),
        format!("{f1}:*"),
        f2.to_owned(),
        format!("{f2}:*"),
    ];
    check(vec![
        Case {
            name: "lambda:invoke and a function resource, static",
            definition: two,
            documented: vec![(&["lambda:InvokeFunction"], both)],
        },
        Case {
            name: "lambda:invoke of an alias, static",
            definition: json!({"Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": format!("{f1}:PROD")}}),
            documented: vec![(&["lambda:InvokeFunction"], res(&[f1, &format!("{f1}:*")]))],
        },
        Case {
            name: "lambda:invoke, dynamic (path)",
            definition: json!({"Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName.$": "$.fn"}}),
            documented: vec![(&["lambda:InvokeFunction"], res(&["*"]))],
        },
        Case {
            name: "lambda:invoke, dynamic (JSONata)",
            definition: json!({"QueryLanguage": "JSONata",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "{% $states.input.fn %}"}}),
            documented: vec![(&["lambda:InvokeFunction"], res(&["*"]))],
        },
    ]);
}

#[test]
fn dynamodb_matches_the_documented_policy() {
    let table = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders";
    let four = |parameters: Value| {
        let states: serde_json::Map<String, Value> =
            ["getItem", "putItem", "updateItem", "deleteItem"]
                .iter()
                .enumerate()
                .map(|(i, action)| {
                    let mut s = json!({"Type": "Task",
                    "Resource": format!("arn:aws:states:::dynamodb:{action}"),
                    "Parameters": parameters.clone()});
                    if i < 3 {
                        s["Next"] = json!(format!("S{}", i + 1));
                    } else {
                        s["End"] = json!(true);
                    }
                    (format!("S{i}"), s)
                })
                .collect();
        json!({"StartAt": "S0", "States": states})
    };
    const ACTIONS: &[&str] = &[
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ];
    check(vec![
        Case {
            name: "dynamodb, static table ARN (used as given)",
            definition: four(json!({"TableName": table, "Key": {}})),
            documented: vec![(ACTIONS, res(&[table]))],
        },
        Case {
            name: "dynamodb, static table name",
            definition: four(json!({"TableName": "orders", "Key": {}})),
            documented: vec![(ACTIONS, res(&["arn:aws:dynamodb:*:*:table/orders"]))],
        },
        Case {
            name: "dynamodb, dynamic",
            definition: four(json!({"TableName.$": "$.table", "Key": {}})),
            documented: vec![(ACTIONS, res(&["*"]))],
        },
    ]);
}

#[test]
fn sqs_and_sns_match_the_documented_policies() {
    let topic = "arn:aws:sns:us-east-2:123456789012:alerts";
    check(vec![
        Case {
            name: "sqs:sendMessage, static",
            definition: json!({"Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "https://sqs.us-east-2.amazonaws.com/123456789012/orders",
                    "MessageBody": "m"}}),
            documented: vec![(
                &["sqs:SendMessage"],
                res(&["arn:aws:sqs:us-east-2:123456789012:orders"]),
            )],
        },
        Case {
            name: "sqs:sendMessage.waitForTaskToken, dynamic",
            definition: json!({"Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$$.Task.Token"}}),
            documented: vec![(&["sqs:SendMessage"], res(&["*"]))],
        },
        Case {
            name: "sns:publish to a topic, static",
            definition: json!({"Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message": "m"}}),
            documented: vec![(&["sns:Publish"], res(&[topic]))],
        },
        Case {
            name: "sns:publish, dynamic",
            definition: json!({"Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn.$": "$.topic", "Message": "m"}}),
            documented: vec![(&["sns:Publish"], res(&["*"]))],
        },
        Case {
            name: "sns:publish to a TargetArn",
            definition: json!({"Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TargetArn": "arn:aws:sns:us-east-2:123456789012:endpoint/GCM/app/1",
                    "Message": "m"}}),
            documented: vec![(&["sns:Publish"], res(&["*"]))],
        },
        Case {
            name: "sns:publish to a PhoneNumber",
            definition: json!({"Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"PhoneNumber": "+15555550100", "Message": "m"}}),
            documented: vec![(&["sns:Publish"], res(&["*"]))],
        },
    ]);
}

#[test]
fn eventbridge_matches_the_documented_policy() {
    let bus =
        "arn:aws:events:us-east-1:123456789012:event-bus/stepfunctions-sampleproject-eventbus";
    check(vec![
        Case {
            name: "events:putEvents, static bus ARN",
            definition: json!({"Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": [{"Detail": {}, "DetailType": "t", "Source": "s",
                    "EventBusName": bus}]}}),
            documented: vec![(&["events:PutEvents"], res(&[bus]))],
        },
        Case {
            name: "events:putEvents, dynamic bus",
            definition: json!({"Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": [{"Detail": {}, "DetailType": "t", "Source": "s",
                    "EventBusName.$": "$.bus"}]}}),
            documented: vec![(
                &["events:PutEvents"],
                res(&["arn:aws:events:*:*:event-bus/*"]),
            )],
        },
        Case {
            name: "events:putEvents, dynamic entries",
            definition: json!({"Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries.$": "$.entries"}}),
            documented: vec![(
                &["events:PutEvents"],
                res(&["arn:aws:events:*:*:event-bus/*"]),
            )],
        },
    ]);
}

#[test]
fn step_functions_start_execution_matches_the_documented_policy() {
    let child = "arn:aws:states:us-east-1:123456789012:stateMachine:child";
    let executions = "arn:aws:states:us-east-1:123456789012:execution:child:*";
    let start = |suffix: &str, parameters: Value| {
        json!({"Resource": format!("arn:aws:states:::states:startExecution{suffix}"),
            "Parameters": parameters})
    };
    let sync_static = || {
        vec![
            (&["states:StartExecution"][..], res(&[child])),
            (
                &["states:DescribeExecution", "states:StopExecution"][..],
                res(&[executions]),
            ),
            (
                RULE_ACTIONS,
                rule("StepFunctionsGetEventsForStepFunctionsExecutionRule"),
            ),
        ]
    };
    let sync_dynamic = || {
        vec![
            (
                &[
                    "states:DescribeExecution",
                    "states:StartExecution",
                    "states:StopExecution",
                ][..],
                res(&["*"]),
            ),
            (
                RULE_ACTIONS,
                rule("StepFunctionsGetEventsForStepFunctionsExecutionRule"),
            ),
        ]
    };
    check(vec![
        Case {
            name: "states:startExecution, static",
            definition: start("", json!({"StateMachineArn": child, "Input": {}})),
            documented: vec![(&["states:StartExecution"], res(&[child]))],
        },
        Case {
            name: "states:startExecution, dynamic",
            definition: start("", json!({"StateMachineArn.$": "$.machine"})),
            documented: vec![(&["states:StartExecution"], res(&["*"]))],
        },
        Case {
            name: "states:startExecution.sync, static",
            definition: start(".sync", json!({"StateMachineArn": child})),
            documented: sync_static(),
        },
        Case {
            name: "states:startExecution.sync:2, static",
            definition: start(".sync:2", json!({"StateMachineArn": child})),
            documented: sync_static(),
        },
        Case {
            name: "states:startExecution.sync, dynamic",
            definition: start(".sync", json!({"StateMachineArn.$": "$.machine"})),
            documented: sync_dynamic(),
        },
        Case {
            name: "states:startExecution.sync:2, dynamic",
            definition: start(".sync:2", json!({"StateMachineArn.$": "$.machine"})),
            documented: sync_dynamic(),
        },
    ]);
}

#[test]
fn ecs_batch_and_glue_match_the_documented_policies() {
    let definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/job:3";
    let run = |suffix: &str, parameters: Value| {
        json!({"Resource": format!("arn:aws:states:::ecs:runTask{suffix}"),
            "Parameters": parameters})
    };
    let ecs_rule = || (RULE_ACTIONS, rule("StepFunctionsGetEventsForECSTaskRule"));
    let batch = |suffix: &str| {
        json!({"Resource": format!("arn:aws:states:::batch:submitJob{suffix}"),
            "Parameters": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"}})
    };
    let glue = |suffix: &str| {
        json!({"Resource": format!("arn:aws:states:::glue:startJobRun{suffix}"),
            "Parameters": {"JobName": "GlueJob"}})
    };
    check(vec![
        Case {
            name: "ecs:runTask, static",
            definition: run("", json!({"Cluster": "c", "TaskDefinition": definition})),
            documented: vec![(&["ecs:RunTask"], res(&[definition]))],
        },
        Case {
            name: "ecs:runTask.waitForTaskToken, dynamic",
            definition: run(".waitForTaskToken", json!({"TaskDefinition.$": "$.def"})),
            documented: vec![(&["ecs:RunTask"], res(&["*"]))],
        },
        Case {
            name: "ecs:runTask.sync, static",
            definition: run(
                ".sync",
                json!({"Cluster": "c", "TaskDefinition": definition}),
            ),
            documented: vec![
                (&["ecs:RunTask"], res(&[definition])),
                (&["ecs:DescribeTasks", "ecs:StopTask"], res(&["*"])),
                ecs_rule(),
            ],
        },
        Case {
            name: "ecs:runTask.sync, dynamic",
            definition: run(".sync", json!({"TaskDefinition.$": "$.def"})),
            documented: vec![
                (
                    &["ecs:DescribeTasks", "ecs:RunTask", "ecs:StopTask"],
                    res(&["*"]),
                ),
                ecs_rule(),
            ],
        },
        Case {
            name: "batch:submitJob",
            definition: batch(""),
            documented: vec![(&["batch:SubmitJob"], res(&["*"]))],
        },
        Case {
            name: "batch:submitJob.sync",
            definition: batch(".sync"),
            documented: vec![
                (
                    &[
                        "batch:DescribeJobs",
                        "batch:SubmitJob",
                        "batch:TerminateJob",
                    ],
                    res(&["*"]),
                ),
                (RULE_ACTIONS, rule("StepFunctionsGetEventsForBatchJobsRule")),
            ],
        },
        Case {
            name: "glue:startJobRun",
            definition: glue(""),
            documented: vec![(&["glue:StartJobRun"], res(&["*"]))],
        },
        Case {
            name: "glue:startJobRun.sync",
            definition: glue(".sync"),
            documented: vec![(
                &[
                    "glue:BatchStopJobRun",
                    "glue:GetJobRun",
                    "glue:GetJobRuns",
                    "glue:StartJobRun",
                ],
                res(&["*"]),
            )],
        },
    ]);
}

/// API Gateway: AWS's template grants `execute-api:Invoke` on the account's APIs; the resource
/// format (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`) lets the
/// policy name the one the task calls. The endpoint names no account.
#[test]
fn api_gateway_and_http_tasks_match_the_documented_policies() {
    let connection = "arn:aws:events:us-east-1:123456789012:connection/stripe/aeabd89e";
    check(vec![
        Case {
            name: "apigateway:invoke, static",
            definition: json!({"Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {"ApiEndpoint": "a1b2c3.execute-api.us-east-1.amazonaws.com",
                    "Method": "GET", "Stage": "prod", "Path": "/pets",
                    "AuthType": "IAM_ROLE"}}),
            documented: vec![(
                &["execute-api:Invoke"],
                res(&["arn:aws:execute-api:us-east-1:*:a1b2c3/prod/GET/pets"]),
            )],
        },
        Case {
            name: "apigateway:invoke, dynamic path and endpoint",
            definition: json!({"Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {"ApiEndpoint.$": "$.api", "Method": "GET", "Path.$": "$.path"}}),
            documented: vec![(
                &["execute-api:Invoke"],
                res(&["arn:aws:execute-api:*:*:*"]),
            )],
        },
        // "IAM permissions to run an HTTP Task": the endpoint on the running machine, under
        // conditions on the method and endpoint; the connection's credentials, and the secret
        // EventBridge keeps for the connection.
        Case {
            name: "http:invoke, static connection",
            definition: json!({"Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": "https://api.stripe.com/v1/charges",
                    "Method": "POST",
                    "Authentication": {"ConnectionArn": connection}}}),
            documented: vec![
                (
                    &[r#"states:InvokeHTTPEndpoint if {"StringEquals":{"states:HTTPMethod":"POST"},"StringLike":{"states:HTTPEndpoint":"https://api.stripe.com/v1/charges*"}}"#],
                    res(&["arn:aws:states:*:*:stateMachine:*"]),
                ),
                (&["events:RetrieveConnectionCredentials"], res(&[connection])),
                (
                    &["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    res(&["arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/stripe/*"]),
                ),
            ],
        },
        // `InvocationConfig`, which AWS now recommends over `Authentication`, names the
        // connection the same way, in `Parameters` and in JSONata `Arguments`.
        Case {
            name: "http:invoke, InvocationConfig",
            definition: json!({"Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": "https://api.stripe.com/v1/charges",
                    "Method": "POST",
                    "InvocationConfig": {"ConnectionArn": connection}}}),
            documented: vec![
                (
                    &[r#"states:InvokeHTTPEndpoint if {"StringEquals":{"states:HTTPMethod":"POST"},"StringLike":{"states:HTTPEndpoint":"https://api.stripe.com/v1/charges*"}}"#],
                    res(&["arn:aws:states:*:*:stateMachine:*"]),
                ),
                (&["events:RetrieveConnectionCredentials"], res(&[connection])),
                (
                    &["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    res(&["arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/stripe/*"]),
                ),
            ],
        },
        Case {
            name: "http:invoke, JSONata arguments with a computed endpoint",
            definition: json!({"Resource": "arn:aws:states:::http:invoke",
                "QueryLanguage": "JSONata",
                "Arguments": {"ApiEndpoint": "{% $states.input.url %}",
                    "Method": "GET",
                    "InvocationConfig": {"ConnectionArn": connection}}}),
            documented: vec![
                (
                    &[r#"states:InvokeHTTPEndpoint if {"StringEquals":{"states:HTTPMethod":"GET"}}"#],
                    res(&["arn:aws:states:*:*:stateMachine:*"]),
                ),
                (&["events:RetrieveConnectionCredentials"], res(&[connection])),
                (
                    &["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    res(&["arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/stripe/*"]),
                ),
            ],
        },
        Case {
            name: "http:invoke, dynamic endpoint, method and connection",
            definition: json!({"Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint.$": "$.url",
                    "Method.$": "$.method",
                    "Authentication": {"ConnectionArn.$": "$.connection"}}}),
            documented: vec![
                (
                    &["states:InvokeHTTPEndpoint"],
                    res(&["arn:aws:states:*:*:stateMachine:*"]),
                ),
                (
                    &["events:RetrieveConnectionCredentials"],
                    res(&["arn:aws:events:*:*:connection/*"]),
                ),
                (
                    &["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    res(&["arn:aws:secretsmanager:*:*:secret:events!connection/*"]),
                ),
            ],
        },
    ]);
}

/// `aws-sdk:<service>:<action>` needs `<prefix>:<Action>`; AWS's IAM prefix differs from the
/// SDK's service name for some services, and some calls are authorized as other actions.
#[test]
fn sdk_integrations_grant_the_iam_action_of_the_call() {
    let cases = [
        ("s3:getObject", &["s3:GetObject"][..]),
        ("s3:listObjectsV2", &["s3:ListBucket"]),
        ("s3:listBuckets", &["s3:ListAllMyBuckets"]),
        ("s3:headObject", &["s3:GetObject"]),
        ("s3:copyObject", &["s3:GetObject", "s3:PutObject"]),
        ("sfn:startExecution", &["states:StartExecution"]),
        ("sfn:startSyncExecution", &["states:StartSyncExecution"]),
        ("eventbridge:putEvents", &["events:PutEvents"]),
        ("cloudwatchlogs:putLogEvents", &["logs:PutLogEvents"]),
        ("sesv2:sendEmail", &["ses:SendEmail"]),
        ("emr:listClusters", &["elasticmapreduce:ListClusters"]),
        ("lambda:invoke", &["lambda:InvokeFunction"]),
        ("sqs:sendMessageBatch", &["sqs:SendMessage"]),
        (
            "apigatewaymanagementapi:postToConnection",
            &["execute-api:ManageConnections"],
        ),
        ("apigateway:getRestApis", &["apigateway:GET"]),
        ("bedrockruntime:invokeModel", &["bedrock:InvokeModel"]),
        ("dynamodb:query", &["dynamodb:Query"]),
        ("ec2:describeInstances", &["ec2:DescribeInstances"]),
        ("sns:createTopic", &["sns:CreateTopic"]),
        ("sns:publishBatch", &["sns:Publish"]),
        ("sns:listTagsForResource", &["sns:ListTagsForResource"]),
        ("sts:assumeRole", &["sts:AssumeRole"]),
        ("sts:getSessionToken", &["sts:GetSessionToken"]),
    ];
    let cases = cases
        .iter()
        .map(|(call, actions)| Case {
            name: call,
            definition: json!({"Resource": format!("arn:aws:states:::aws-sdk:{call}"),
                "Parameters": {}}),
            documented: vec![(*actions, res(&["*"]))],
        })
        .collect();
    check(cases);
}

/// STS `GetCallerIdentity` "requires no permissions" (STS API reference): nothing is granted.
#[test]
fn who_the_caller_is_is_granted_nothing() {
    check(vec![Case {
        name: "sts:getCallerIdentity",
        definition: json!({"Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
            "Parameters": {}}),
        documented: vec![],
    }]);
}

/// "Accessing resources in other AWS accounts": the execution role assumes the task's role.
#[test]
fn cross_account_credentials_are_assumed() {
    let role = "arn:aws:iam::111122223333:role/OrdersAccess";
    let topic = "arn:aws:sns:us-east-1:111122223333:alerts";
    let publish = |credentials: Value| {
        json!({"Resource": "arn:aws:states:::sns:publish",
            "Credentials": credentials,
            "Parameters": {"TopicArn": topic, "Message": "m"}})
    };
    check(vec![
        Case {
            name: "credentials, static role",
            definition: publish(json!({"RoleArn": role})),
            documented: vec![
                (&["sts:AssumeRole"], res(&[role])),
                (&["sns:Publish"], res(&[topic])),
            ],
        },
        Case {
            name: "credentials, dynamic role",
            definition: publish(json!({"RoleArn.$": "$.role"})),
            documented: vec![
                (&["sts:AssumeRole"], res(&["*"])),
                (&["sns:Publish"], res(&[topic])),
            ],
        },
    ]);
}

#[test]
fn activities_need_no_grant() {
    check(vec![Case {
        name: "activity",
        definition: json!({"Resource": "arn:aws:states:us-east-1:123456789012:activity:approve"}),
        documented: vec![],
    }]);
}

/// "IAM policies for using Distributed Map states": starting the children (executions of this
/// machine), describing and stopping them, reading the items, writing the results; and
/// "Redriving Map Runs" ("IAM permission to redrive a Map Run"): redriving them.
#[test]
fn distributed_map_matches_the_documented_policy() {
    let map = |reader: Value, writer: Value| {
        let mut each = json!({"Type": "Map", "End": true, "Label": "Orders",
            "ItemReader": reader,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}});
        if !writer.is_null() {
            each["ResultWriter"] = writer;
        }
        json!({"StartAt": "Each", "States": {"Each": each}})
    };
    let children = || {
        vec![
            (
                &["states:StartExecution"][..],
                res(&["arn:aws:states:*:*:stateMachine:*"]),
            ),
            (
                &["states:DescribeExecution", "states:StopExecution"][..],
                res(&["arn:aws:states:*:*:execution:*/Orders:*"]),
            ),
            (
                &["states:RedriveExecution"][..],
                res(&["arn:aws:states:*:*:execution:*/Orders:*"]),
            ),
        ]
    };
    let writes = &[
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
    ][..];
    let mut static_case = children();
    static_case.push((&["s3:GetObject"], res(&["arn:aws:s3:::in/orders.json"])));
    static_case.push((writes, res(&["arn:aws:s3:::out/results/*"])));
    let mut listing = children();
    listing.push((&["s3:ListBucket"], res(&["arn:aws:s3:::in"])));
    let mut dynamic = children();
    dynamic.push((&["s3:GetObject"], res(&["*"])));
    check(vec![
        Case {
            name: "distributed map, static reader and writer",
            definition: map(
                json!({"Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket": "in", "Key": "orders.json"}}),
                json!({"Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "out", "Prefix": "results/"}}),
            ),
            documented: static_case,
        },
        Case {
            name: "distributed map, listed objects",
            definition: map(
                json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket": "in", "Prefix": "orders/"}}),
                Value::Null,
            ),
            documented: listing,
        },
        Case {
            name: "distributed map, dynamic reader",
            definition: map(
                json!({"Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"}}),
                Value::Null,
            ),
            documented: dynamic,
        },
    ]);
}
