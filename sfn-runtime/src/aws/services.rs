//! The services this module calls: how each is reached, signed, spoken to and named in errors.

/// How a service is called and how its errors are named.
#[derive(Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    /// The SDK's service id (`AWS_ENDPOINT_URL_<ID>` upper-cased, spaces as `_`).
    pub service_id: &'static str,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    /// The endpoint's first label (`dynamodb` in `dynamodb.us-east-1.amazonaws.com`).
    pub endpoint_prefix: &'static str,
    /// The wire protocol.
    pub protocol: Protocol,
    /// The error-name prefix of optimized integrations (`DynamoDB` in
    /// `DynamoDB.ResourceNotFoundException`).
    pub optimized_prefix: &'static str,
    /// The Java SDK v1 service name optimized integrations quote in causes
    /// (`AmazonDynamoDBv2`), and its base exception (`AmazonDynamoDBException`).
    pub v1_service: &'static str,
    /// The Java SDK v1 base exception of the service.
    pub v1_exception: &'static str,
    /// The SDK v2 client name `aws-sdk:` integrations use in error names and causes
    /// (`DynamoDb`).
    pub sdk_name: &'static str,
    /// What the generic `aws-sdk:` path needs from the service's model, which the JSON alone
    /// does not tell.
    pub model: ModelNotes,
}

/// The parts of a service's model the generic `aws-sdk:` path reads.
#[derive(Debug, PartialEq, Eq)]
pub struct ModelNotes {
    /// The wire names members in lowerCamelCase (`stateMachineArn`), where the integration
    /// names them as the SDK does (`StateMachineArn`).
    pub camel_case_wire: bool,
    /// Timestamp members: epoch seconds on the wire, ISO-8601 text in the SDK v2's result.
    pub timestamps: &'static [&'static str],
    /// Text members that carry JSON: a JSON value given there is sent as its text.
    pub json_text: &'static [&'static str],
}

pub(crate) const PASCAL: ModelNotes = ModelNotes {
    camel_case_wire: false,
    timestamps: &[],
    json_text: &[],
};

/// A wire protocol.
#[derive(Debug, PartialEq, Eq)]
pub enum Protocol {
    /// AWS JSON 1.0 / 1.1: `POST /`, `X-Amz-Target: <prefix>.<Action>`, JSON body.
    Json {
        /// `1.0` or `1.1`.
        version: &'static str,
        /// The target prefix (`DynamoDB_20120810`).
        target_prefix: &'static str,
    },
    /// REST-XML (S3): the action is the method and path, members go to the path, query
    /// string, headers and body, the answer is headers and XML.
    RestXml,
    /// AWS Query: form-encoded `Action=…&Version=…`, XML answer.
    Query {
        /// The API version (`2010-03-31`).
        version: &'static str,
    },
    /// REST-JSON: members in the path, query, headers and JSON body, by action (Lambda, Batch).
    RestJson,
}

pub(crate) static DYNAMODB: ServiceSpec = ServiceSpec {
    service_id: "DynamoDB",
    signing_name: "dynamodb",
    endpoint_prefix: "dynamodb",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "DynamoDB_20120810",
    },
    optimized_prefix: "DynamoDB",
    v1_service: "AmazonDynamoDBv2",
    v1_exception: "AmazonDynamoDBException",
    sdk_name: "DynamoDb",
    model: ModelNotes {
        timestamps: &[
            "CreationDateTime",
            "LastDecreaseDateTime",
            "LastIncreaseDateTime",
            "LastUpdateToPayPerRequestDateTime",
            "InaccessibleEncryptionDateTime",
            "ArchivalDateTime",
            "BackupCreationDateTime",
        ],
        ..PASCAL
    },
};

pub(crate) static SQS: ServiceSpec = ServiceSpec {
    service_id: "SQS",
    signing_name: "sqs",
    endpoint_prefix: "sqs",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "AmazonSQS",
    },
    optimized_prefix: "SQS",
    v1_service: "AmazonSQS",
    v1_exception: "AmazonSQSException",
    sdk_name: "Sqs",
    model: PASCAL,
};

pub(crate) static SNS: ServiceSpec = ServiceSpec {
    service_id: "SNS",
    signing_name: "sns",
    endpoint_prefix: "sns",
    protocol: Protocol::Query {
        version: "2010-03-31",
    },
    optimized_prefix: "SNS",
    v1_service: "AmazonSNS",
    v1_exception: "AmazonSNSException",
    sdk_name: "Sns",
    model: PASCAL,
};

/// STS, for the roles Task states name in `Credentials`.
pub(crate) static STS: ServiceSpec = ServiceSpec {
    service_id: "STS",
    signing_name: "sts",
    endpoint_prefix: "sts",
    protocol: Protocol::Query {
        version: "2011-06-15",
    },
    optimized_prefix: "STS",
    v1_service: "AWSSecurityTokenService",
    v1_exception: "AWSSecurityTokenServiceException",
    sdk_name: "Sts",
    model: PASCAL,
};

pub(crate) static EVENTBRIDGE: ServiceSpec = ServiceSpec {
    service_id: "EventBridge",
    signing_name: "events",
    endpoint_prefix: "events",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "AWSEvents",
    },
    optimized_prefix: "EventBridge",
    v1_service: "AmazonEventBridge",
    v1_exception: "AmazonEventBridgeException",
    sdk_name: "EventBridge",
    model: ModelNotes {
        timestamps: &["CreationTime", "LastModifiedTime", "Time"],
        ..PASCAL
    },
};

pub(crate) static SECRETS_MANAGER: ServiceSpec = ServiceSpec {
    service_id: "Secrets Manager",
    signing_name: "secretsmanager",
    endpoint_prefix: "secretsmanager",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "secretsmanager",
    },
    optimized_prefix: "SecretsManager",
    v1_service: "AWSSecretsManager",
    v1_exception: "AWSSecretsManagerException",
    sdk_name: "SecretsManager",
    model: ModelNotes {
        timestamps: &[
            "CreatedDate",
            "DeletedDate",
            "DeletionDate",
            "LastAccessedDate",
            "LastChangedDate",
            "LastRotatedDate",
            "NextRotationDate",
        ],
        ..PASCAL
    },
};

pub(crate) static SFN: ServiceSpec = ServiceSpec {
    service_id: "SFN",
    signing_name: "states",
    endpoint_prefix: "states",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "AWSStepFunctions",
    },
    optimized_prefix: "StepFunctions",
    v1_service: "AWSStepFunctions",
    v1_exception: "AWSStepFunctionsException",
    sdk_name: "Sfn",
    model: ModelNotes {
        camel_case_wire: true,
        timestamps: &[
            "CreationDate",
            "RedriveDate",
            "StartDate",
            "StopDate",
            "Timestamp",
            "UpdateDate",
        ],
        json_text: &["Input", "Output"],
    },
};

pub(crate) static ECS: ServiceSpec = ServiceSpec {
    service_id: "ECS",
    signing_name: "ecs",
    endpoint_prefix: "ecs",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "AmazonEC2ContainerServiceV20141113",
    },
    optimized_prefix: "ECS",
    v1_service: "AmazonECS",
    v1_exception: "AmazonECSException",
    sdk_name: "Ecs",
    model: ModelNotes {
        camel_case_wire: true,
        timestamps: &[
            "CreatedAt",
            "StartedAt",
            "StoppedAt",
            "StoppingAt",
            "PullStartedAt",
            "PullStoppedAt",
            "ExecutionStoppedAt",
            "ConnectivityAt",
            "LastStartedAt",
            "RegisteredAt",
            "DeregisteredAt",
        ],
        json_text: &[],
    },
};

pub(crate) static BATCH: ServiceSpec = ServiceSpec {
    service_id: "Batch",
    signing_name: "batch",
    endpoint_prefix: "batch",
    protocol: Protocol::RestJson,
    optimized_prefix: "Batch",
    v1_service: "AWSBatch",
    v1_exception: "AWSBatchException",
    sdk_name: "Batch",
    // Batch's times are epoch milliseconds on the wire already.
    model: ModelNotes {
        camel_case_wire: true,
        ..PASCAL
    },
};

pub(crate) static GLUE: ServiceSpec = ServiceSpec {
    service_id: "Glue",
    signing_name: "glue",
    endpoint_prefix: "glue",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "AWSGlue",
    },
    optimized_prefix: "Glue",
    v1_service: "AWSGlue",
    v1_exception: "AWSGlueException",
    sdk_name: "Glue",
    model: ModelNotes {
        timestamps: &["StartedOn", "LastModifiedOn", "CompletedOn", "CreatedOn"],
        ..PASCAL
    },
};

/// The services `aws-sdk:<service>:<action>` reaches, by the SDK's service name: those on the
/// AWS JSON protocols, where one generic request serves every action.
pub(crate) fn sdk_service(name: &str) -> Option<&'static ServiceSpec> {
    match name {
        "dynamodb" => Some(&DYNAMODB),
        "sqs" => Some(&SQS),
        "eventbridge" => Some(&EVENTBRIDGE),
        "secretsmanager" => Some(&SECRETS_MANAGER),
        "sfn" => Some(&SFN),
        "ecs" => Some(&ECS),
        "glue" => Some(&GLUE),
        _ => None,
    }
}

/// The services on the Query protocol, by the SDK's service name.
pub(crate) fn query_service(name: &str) -> Option<&'static ServiceSpec> {
    match name {
        "sns" => Some(&SNS),
        "sts" => Some(&STS),
        _ => None,
    }
}

/// The `aws-sdk:` services this module calls (those of [`sdk_service`], S3, Lambda and the
/// Query-protocol ones), for error messages.
pub(crate) const SDK_SERVICES: &str =
    "dynamodb, ecs, eventbridge, glue, lambda, s3, secretsmanager, sfn, sns, sqs, sts";
