//! `aws-sdk:<service>:<action>` → the IAM action it needs: `<prefix>:<Action>`, where the SDK's
//! service name and IAM's prefix differ for some services (`sfn` → `states`) and some calls
//! are authorized as other actions (`s3:listObjectsV2` → `s3:ListBucket`).

use super::upper_first;

/// The IAM actions an SDK call needs.
pub(super) fn actions(service: &str, action: &str) -> Vec<String> {
    if (service, action) == ("sts", "getCallerIdentity") {
        // STS answers it for any caller, even one whose policy denies it.
        return Vec::new();
    }
    let prefix = iam_prefix(service);
    if prefix == "apigateway" {
        // The API Gateway management API is authorized by HTTP verb.
        return vec![format!("apigateway:{}", http_verb(action))];
    }
    match authorized_as(prefix, action) {
        Some(list) => list.iter().map(|a| format!("{prefix}:{a}")).collect(),
        None => vec![format!("{prefix}:{}", upper_first(action))],
    }
}

/// SDK service names whose IAM prefix is another.
fn iam_prefix(service: &str) -> &str {
    match service {
        "sfn" => "states",
        "eventbridge" => "events",
        "cloudwatchlogs" => "logs",
        "apigatewayv2" => "apigateway",
        "apigatewaymanagementapi" => "execute-api",
        "emr" => "elasticmapreduce",
        "emrcontainers" => "emr-containers",
        "emrserverless" => "emr-serverless",
        "elasticloadbalancingv2" => "elasticloadbalancing",
        "sesv2" | "pinpointemail" => "ses",
        "pinpointsmsvoice" => "sms-voice",
        "iotdata" | "iotdataplane" => "iot",
        "iotjobsdataplane" => "iotjobsdata",
        "mediastoredata" => "mediastore",
        "lexruntime" | "lexruntimev2" | "lexmodelsv2" | "lexmodelbuilding" => "lex",
        "opensearch" | "elasticsearch" => "es",
        "applicationautoscaling" => "application-autoscaling",
        "cognitoidentityprovider" => "cognito-idp",
        "cognitoidentity" => "cognito-identity",
        "cognitosync" => "cognito-sync",
        "directory" | "directoryservice" => "ds",
        "configservice" => "config",
        "costexplorer" => "ce",
        "marketplacemetering" => "aws-marketplace",
        "resourcegroupstaggingapi" => "tag",
        "sagemakerruntime" => "sagemaker",
        "bedrockruntime" | "bedrockagent" | "bedrockagentruntime" => "bedrock",
        "kinesisanalyticsv2" => "kinesisanalytics",
        "dynamodbstreams" => "dynamodb",
        "s3control" => "s3",
        "timestreamquery" | "timestreamwrite" => "timestream",
        "ssoadmin" => "sso",
        "acmpca" => "acm-pca",
        "ssmincidents" => "ssm-incidents",
        "ssmcontacts" => "ssm-contacts",
        "redshiftdata" => "redshift-data",
        "rdsdata" => "rds-data",
        "networkfirewall" => "network-firewall",
        "migrationhub" => "mgh",
        "codestarconnections" => "codestar-connections",
        other => other,
    }
}

/// Calls IAM authorizes as other actions than their own name.
fn authorized_as(prefix: &str, action: &str) -> Option<&'static [&'static str]> {
    Some(match (prefix, action) {
        ("s3", "listObjectsV2" | "listObjects" | "headBucket") => &["ListBucket"],
        ("s3", "listObjectVersions") => &["ListBucketVersions"],
        ("s3", "listBuckets") => &["ListAllMyBuckets"],
        ("s3", "headObject") => &["GetObject"],
        ("s3", "copyObject" | "uploadPartCopy") => &["GetObject", "PutObject"],
        ("s3", "deleteObjects") => &["DeleteObject"],
        ("s3", "createMultipartUpload" | "uploadPart" | "completeMultipartUpload") => {
            &["PutObject"]
        }
        ("s3", "listParts") => &["ListMultipartUploadParts"],
        ("lambda", "invoke" | "invokeWithResponseStream") => &["InvokeFunction"],
        ("sqs", "sendMessageBatch") => &["SendMessage"],
        ("sqs", "deleteMessageBatch") => &["DeleteMessage"],
        ("sqs", "changeMessageVisibilityBatch") => &["ChangeMessageVisibility"],
        ("sns", "publishBatch") => &["Publish"],
        ("dynamodb", "transactGetItems") => &["GetItem"],
        ("dynamodb", "transactWriteItems") => {
            &["ConditionCheckItem", "DeleteItem", "PutItem", "UpdateItem"]
        }
        ("execute-api", "postToConnection" | "getConnection" | "deleteConnection") => {
            &["ManageConnections"]
        }
        _ => return None,
    })
}

/// `getRestApis` → `GET`, `createDeployment` → `POST`, ...
fn http_verb(action: &str) -> &'static str {
    let verbs = [
        ("get", "GET"),
        ("list", "GET"),
        ("create", "POST"),
        ("update", "PATCH"),
        ("delete", "DELETE"),
        ("put", "PUT"),
        ("import", "PUT"),
        ("tag", "PUT"),
        ("untag", "DELETE"),
    ];
    verbs
        .iter()
        .find(|(prefix, _)| action.starts_with(prefix))
        .map_or("POST", |(_, verb)| verb)
}
