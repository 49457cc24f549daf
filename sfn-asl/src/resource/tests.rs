use std::path::PathBuf;

use serde_json::Value;

use super::*;
use IntegrationPattern::*;

fn call(service: Service, action: &str, pattern: IntegrationPattern) -> Target {
    Target::Integration(Integration {
        service,
        action: action.into(),
        pattern,
    })
}

fn sdk(service: &str) -> Service {
    Service::AwsSdk(service.into())
}

/// Every shape of `Resource` in the real-world corpus, the conformance cases and this
/// repository's tests, with what it must parse to.
#[test]
fn every_resource_form_parses_to_its_target() {
    let cases: Vec<(&str, Target)> = vec![
        // Optimized integrations, each pattern.
        ("arn:aws:states:::lambda:invoke", call(Service::Lambda, "invoke", RequestResponse)),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            call(Service::Lambda, "invoke", WaitForTaskToken),
        ),
        ("arn:aws:states:::batch:submitJob.sync", call(Service::Batch, "submitJob", Sync)),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            call(Service::StepFunctions, "startExecution", Sync2),
        ),
        (
            "arn:aws:states:::states:startExecution.waitForTaskToken",
            call(Service::StepFunctions, "startExecution", WaitForTaskToken),
        ),
        ("arn:aws:states:::dynamodb:updateItem", call(Service::DynamoDb, "updateItem", RequestResponse)),
        ("arn:aws:states:::sqs:sendMessage", call(Service::Sqs, "sendMessage", RequestResponse)),
        ("arn:aws:states:::sns:publish.waitForTaskToken", call(Service::Sns, "publish", WaitForTaskToken)),
        ("arn:aws:states:::events:putEvents", call(Service::EventBridge, "putEvents", RequestResponse)),
        ("arn:aws:states:::ecs:runTask.sync", call(Service::Ecs, "runTask", Sync)),
        ("arn:aws:states:::glue:startJobRun", call(Service::Glue, "startJobRun", RequestResponse)),
        (
            "arn:aws:states:::apigateway:invoke.waitForTaskToken",
            call(Service::ApiGateway, "invoke", WaitForTaskToken),
        ),
        ("arn:aws:states:::http:invoke", call(Service::Http, "invoke", RequestResponse)),
        ("arn:aws:states:::athena:startQueryExecution.sync", call(Service::Athena, "startQueryExecution", Sync)),
        ("arn:aws:states:::bedrock:invokeModel", call(Service::Bedrock, "invokeModel", RequestResponse)),
        ("arn:aws:states:::mediaconvert:createJob.sync", call(Service::MediaConvert, "createJob", Sync)),
        ("arn:aws:states:::s3:listObjectsV2", call(Service::S3, "listObjectsV2", RequestResponse)),
        (
            "arn:aws:states:::elasticmapreduce:addStep.sync",
            call(Service::Emr, "addStep", Sync),
        ),
        (
            "arn:aws:states:::sagemaker:createTrainingJob.sync",
            call(Service::SageMaker, "createTrainingJob", Sync),
        ),
        // AWS SDK integrations, with and without a pattern, with a region and account.
        ("arn:aws:states:::aws-sdk:s3:getObject", call(sdk("s3"), "getObject", RequestResponse)),
        (
            "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken",
            call(sdk("dynamodb"), "putItem", WaitForTaskToken),
        ),
        (
            "arn:aws:states:us-east-1:776177632559:aws-sdk:transcribe:startTranscriptionJob",
            call(sdk("transcribe"), "startTranscriptionJob", RequestResponse),
        ),
        // Partition placeholders of deployment templates.
        (
            "arn:${AWSPartition}:states:::states:startExecution.sync:2",
            call(Service::StepFunctions, "startExecution", Sync2),
        ),
        (
            "arn:${AWS::Partition}:states:::lambda:invoke",
            call(Service::Lambda, "invoke", RequestResponse),
        ),
        // Functions and activities.
        (
            "arn:aws:lambda:eu-central-1:513725428015:function:IdempotentStepfunctionsWo-IdempotencyWorkflowInjec-ptf6qWpoUL4E",
            Target::LambdaFunction {
                name: "IdempotentStepfunctionsWo-IdempotencyWorkflowInjec-ptf6qWpoUL4E".into(),
                qualifier: None,
            },
        ),
        (
            "arn:aws:lambda:us-east-1:1:function:f:PROD",
            Target::LambdaFunction {
                name: "f".into(),
                qualifier: Some("PROD".into()),
            },
        ),
        (
            "arn:aws:lambda:::function:${fn_update_metadata}",
            Target::LambdaFunction {
                name: "${fn_update_metadata}".into(),
                qualifier: None,
            },
        ),
        (
            "arn:aws-us-gov:states:us-gov-west-1:1:activity:work",
            Target::Activity { name: "work".into() },
        ),
        // Not something Step Functions calls.
        ("${ActivityArn}", Target::Unrecognized),
        ("arn:aws:states:::mock", Target::Unrecognized),
        ("arn:aws:states:::lambda:invoke.later", Target::Unrecognized),
        ("arn:aws:states:::aws-sdk:s3", Target::Unrecognized),
        ("arn:aws:states:us-east-1:1:activity:", Target::Unrecognized),
        ("arn:aws:lambda:us-east-1:1:layer:l", Target::Unrecognized),
        ("arn:aws:lambda:us-east-1:1:function:f:1:extra", Target::Unrecognized),
        ("arn:aws:sqs:us-east-1:1:queue", Target::Unrecognized),
        // Step Functions' own resource types name things, never calls, with or without region.
        ("arn:aws:states:us-east-1:123456789012:stateMachine:M", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:M:1", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:M:PROD", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:execution:M:run-1", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:express:M:run-1:abc", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:mapRun:M/Map:abc", Target::Unrecognized),
        ("arn:aws:states:us-east-1:123456789012:stateMachineVersion:M", Target::Unrecognized),
        ("arn:aws:states:::stateMachine:M", Target::Unrecognized),
        // With a region or account, only a service this crate knows is a call.
        ("arn:aws:states:us-east-1:123456789012:unknownsvc:doIt", Target::Unrecognized),
        ("arn:aws:states::123456789012:unknownsvc:doIt", Target::Unrecognized),
        (
            "arn:aws:states:us-east-1:123456789012:sqs:sendMessage",
            call(Service::Sqs, "sendMessage", RequestResponse),
        ),
        (
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject",
            call(sdk("s3"), "getObject", RequestResponse),
        ),
        // Without them, an unlisted service is still an optimized integration, as written.
        (
            "arn:aws:states:::unknownsvc:doIt",
            call(Service::Other("unknownsvc".into()), "doIt", RequestResponse),
        ),
        ("arn:aws:states", Target::Unrecognized),
        ("notify", Target::Unrecognized),
        ("", Target::Unrecognized),
    ];
    for (text, target) in cases {
        let r = Resource::parse(text);
        assert_eq!(r.target(), &target, "{text}");
        assert_eq!(r.to_string(), text, "Display writes the text back");
        assert_eq!(r.as_str(), text);
    }
}

#[test]
fn arn_parts_are_split_around_placeholders() {
    let r = Resource::parse("arn:${AWS::Partition}:states:::aws-sdk:s3:getObject");
    let arn = r.arn().expect("an ARN");
    assert_eq!(arn.partition, Partition::Other("${AWS::Partition}".into()));
    assert_eq!(arn.service, "states");
    assert_eq!((arn.region.as_str(), arn.account.as_str()), ("", ""));
    assert_eq!(arn.resource, "aws-sdk:s3:getObject");
    assert_eq!(arn.to_string(), r.as_str());

    let r = Resource::parse("arn:aws-iso-b:states:us-isob-east-1:123:activity:approve");
    let arn = r.arn().expect("an ARN");
    assert_eq!(arn.partition, Partition::AwsIsoB);
    assert_eq!(arn.region, "us-isob-east-1");
    assert_eq!(arn.account, "123");
    assert_eq!(arn.resource, "activity:approve");
    assert!(r.is_activity());
    assert_eq!(r.pattern(), None);

    assert_eq!(Resource::parse("${LambdaArn}").arn(), None);
}

#[test]
fn every_partition_reads_and_writes_back() {
    for (text, partition) in [
        ("aws", Partition::Aws),
        ("aws-cn", Partition::AwsCn),
        ("aws-us-gov", Partition::AwsUsGov),
        ("aws-iso", Partition::AwsIso),
        ("aws-iso-b", Partition::AwsIsoB),
        ("aws-iso-e", Partition::AwsIsoE),
        ("aws-iso-f", Partition::AwsIsoF),
        ("aws-eusc", Partition::AwsEusc),
        ("${Partition}", Partition::Other("${Partition}".into())),
    ] {
        let r = Resource::parse(format!("arn:{text}:states:::sqs:sendMessage"));
        assert_eq!(r.partition(), Some(&partition), "{text}");
        assert_eq!(partition.to_string(), text);
        assert!(r.is_call(&Service::Sqs, "sendMessage"), "{text}");
    }
}

#[test]
fn patterns_and_services_spell_as_in_the_arn() {
    for p in [RequestResponse, Sync, Sync2, WaitForTaskToken] {
        let text = format!("arn:aws:states:::states:startExecution{}", p.suffix());
        assert_eq!(Resource::parse(text).pattern(), Some(p));
    }
    assert!(Sync.is_sync() && Sync2.is_sync() && !WaitForTaskToken.is_sync());
    assert!(Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken").is_callback());
    assert_eq!(sdk("s3").to_string(), "aws-sdk:s3");
    assert_eq!(Service::Emr.to_string(), "elasticmapreduce");
    for name in [
        "lambda",
        "dynamodb",
        "events",
        "states",
        "emr-serverless",
        "s3",
        "newsvc",
    ] {
        assert_eq!(Service::from_name(name).name(), name);
    }
}

#[test]
fn equality_hashing_and_serde_follow_the_text() {
    let a = Resource::parse("arn:aws:states:::lambda:invoke");
    let b: Resource = "arn:aws:states:::lambda:invoke".into();
    assert_eq!(a, b);
    assert!(a == "arn:aws:states:::lambda:invoke");
    assert!(a.starts_with("arn:aws:states:::"), "derefs to the text");
    let json = serde_json::to_string(&a).expect("serializes");
    assert_eq!(json, r#""arn:aws:states:::lambda:invoke""#);
    let back: Resource = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back.integration(), a.integration());
}

fn resources_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match x {
                    Value::String(s) if k == "Resource" => out.push(s.clone()),
                    _ => resources_in(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| resources_in(x, out)),
        _ => {}
    }
}

fn shared(dir: &str) -> Vec<Value> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(dir);
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("shared data directory") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("readable");
            docs.push(serde_json::from_str(&text).expect("JSON"));
        }
    }
    docs
}

/// Every `Resource` of the corpus and the conformance cases: written back unchanged, its ARN
/// parts written back unchanged, and classified as expected (counts recorded once by hand).
#[test]
fn shared_corpus_resources_are_understood() {
    let mut texts = Vec::new();
    for doc in shared("corpus/real-world") {
        resources_in(&doc, &mut texts);
    }
    for case in shared("conformance/cases") {
        resources_in(&case["definition"], &mut texts);
    }
    assert_eq!(texts.len(), 651, "Resource fields in the shared data");
    let (mut calls, mut functions, mut placeholders) = (0, 0, 0);
    for text in &texts {
        let r = Resource::parse(text.as_str());
        assert_eq!(r.to_string(), *text);
        if let Some(arn) = r.arn() {
            assert_eq!(arn.to_string(), *text, "ARN parts");
        }
        match r.target() {
            Target::Integration(_) => calls += 1,
            Target::LambdaFunction { .. } => functions += 1,
            Target::Activity { .. } => panic!("no activity ARN in the corpus: {text}"),
            Target::Unrecognized => {
                assert!(
                    text.starts_with("${"),
                    "only placeholders are unrecognized: {text}"
                );
                placeholders += 1;
            }
        }
    }
    assert_eq!((calls, functions, placeholders), (586, 4, 61));
}

#[test]
fn state_machine_arns_name_the_machine_and_their_executions() {
    let cases = [
        (
            "arn:aws:states:us-east-1:123456789012:stateMachine:M",
            "M",
            None,
        ),
        (
            "arn:aws:states:us-east-1:123456789012:stateMachine:M:1",
            "M",
            Some("1"),
        ),
        (
            "arn:aws:states:us-east-1:123456789012:stateMachine:M:PROD",
            "M",
            Some("PROD"),
        ),
    ];
    for (text, name, qualifier) in cases {
        let arn = Arn::parse(text).expect(text);
        assert_eq!(
            arn.state_machine(),
            Some(StateMachineRef { name, qualifier }),
            "{text}"
        );
        assert_eq!(
            arn.execution_arn("run-1").as_deref(),
            Some("arn:aws:states:us-east-1:123456789012:execution:M:run-1"),
            "{text}"
        );
    }
    let cn = Arn::parse("arn:aws-cn:states:cn-north-1:1:stateMachine:N:PROD").expect("ARN");
    assert_eq!(
        cn.execution_arn("*").as_deref(),
        Some("arn:aws-cn:states:cn-north-1:1:execution:N:*")
    );
    for not_a_machine in [
        "arn:aws:states:us-east-1:1:activity:a",
        "arn:aws:states:us-east-1:1:stateMachine:",
        "arn:aws:states:us-east-1:1:stateMachine:M:1:extra",
        "arn:aws:states:us-east-1:1:stateMachine:M:",
        "arn:aws:lambda:us-east-1:1:stateMachine:M",
        "arn:aws:states:us-east-1:1:execution:M:run",
    ] {
        let arn = Arn::parse(not_a_machine).expect(not_a_machine);
        assert_eq!(arn.state_machine(), None, "{not_a_machine}");
        assert_eq!(arn.execution_arn("x"), None, "{not_a_machine}");
    }
    assert_eq!(Arn::parse("M"), None);
}

#[test]
fn function_names_read_in_every_form() {
    let cases = [
        ("charge", Some(("charge", None))),
        ("charge:PROD", Some(("charge", Some("PROD")))),
        ("123456789012:function:charge", Some(("charge", None))),
        (
            "123456789012:function:charge:3",
            Some(("charge", Some("3"))),
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:charge",
            Some(("charge", None)),
        ),
        (
            "arn:aws-cn:lambda:cn-north-1:1:function:charge:PROD",
            Some(("charge", Some("PROD"))),
        ),
        (
            "arn:${AWS::Partition}:lambda:r:1:function:charge",
            Some(("charge", None)),
        ),
        ("", None),
        ("charge:", None),
        ("charge:1:2", None),
        ("123456789012:function:", None),
        ("arn:aws:states:::lambda:invoke", None),
        ("arn:aws:lambda:us-east-1:1:layer:l", None),
        ("arn:aws:lambda:us-east-1:1:function:f:1:extra", None),
    ];
    for (text, want) in cases {
        let got = FunctionRef::parse(text).map(|f| (f.name, f.qualifier));
        assert_eq!(got, want, "{text}");
    }
}

/// The IAM policy writes a function's ARN with the region and account its name gives.
#[test]
fn function_names_carry_the_region_and_account_they_name() {
    let cases = [
        ("charge", (None, None)),
        (
            "123456789012:function:charge:3",
            (None, Some("123456789012")),
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:charge",
            (Some("us-east-1"), Some("123456789012")),
        ),
        ("arn:aws:lambda:::function:charge", (None, None)),
    ];
    for (text, want) in cases {
        let got = FunctionRef::parse(text).map(|f| (f.region, f.account));
        assert_eq!(got, Some(want), "{text}");
    }
}

#[test]
fn only_request_response_and_callback_lambda_invoke_call_by_function_name() {
    for (text, by_name) in [
        ("arn:aws:states:::lambda:invoke", true),
        ("arn:aws-cn:states:::lambda:invoke", true),
        (
            "arn:aws-us-gov:states:::lambda:invoke.waitForTaskToken",
            true,
        ),
        ("arn:aws:states:::lambda:invoke.sync", false),
        ("arn:aws:lambda:us-east-1:1:function:f", false),
        ("arn:aws:states:::aws-sdk:lambda:invoke", false),
        ("arn:aws:states:::sqs:sendMessage", false),
        ("notify", false),
    ] {
        assert_eq!(
            Resource::parse(text).invokes_function_by_name(),
            by_name,
            "{text}"
        );
    }
}
