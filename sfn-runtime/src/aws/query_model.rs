//! The Query-protocol model of the `aws-sdk:sns` and `aws-sdk:sts` actions: per action, the
//! members it takes and answers, each with its shape, as the services' models describe them.
//!
//! A Query request flattens nested members by rules the model alone decides (a list is
//! `Tags.member.1.Key`, a map `Attributes.entry.1.key`, or `MessageAttributes.entry.1.Name`
//! where the model renames the map's key and value), and an XML answer carries no types (a
//! list, a map, a number and a timestamp are all elements with text), so one generic encoder
//! and decoder ([`query_codec`](super::query_codec)) read these tables; an action is one entry.
//!
//! Error names. The developer guide ("AWS SDK service integrations") forms an `aws-sdk:` error
//! as `<ServiceName>.<ErrorName>`, both in PascalCase, with the `Exception` suffix always
//! present (`AcmPca.ResourceNotFoundException`, `S3.BucketAlreadyExistsException`): the names
//! of the AWS SDK for Java 2.x, whose clients are `SnsClient` and `StsClient` (as `DynamoDbClient`
//! gives `DynamoDb`). So SNS's errors are `Sns.…` here, where its optimized integration reports
//! `SNS.…` (SDK v1). LocalStack's provider binds `DynamoDb` and `Sfn` explicitly and otherwise
//! takes botocore's `serviceId` (`SNS`, `STS`), which contradicts that rule for these two; the
//! floci emulator reports `Sns.NotFoundException` for `aws-sdk:sns:publish`. An error code the
//! model has an exception for is raised as that class (`NotFound` ⇒ `NotFoundException`,
//! `ParameterValueInvalid` ⇒ `InvalidParameterValueException`, `KMSDisabled` ⇒
//! `KmsDisabledException`, in the SDK v2's spelling); any other code as the service's base
//! exception (`Sns.SnsException`).

use super::services::{ServiceSpec, SNS, STS};

/// How a member is written in a request and read from an answer.
#[derive(Debug)]
pub enum Shape {
    /// Text: a string, or a blob as its base64 text.
    Text,
    /// A whole number (`PackedPolicySize`).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// ISO-8601 on the wire; in results as Java's `Instant` prints it, like S3's dates.
    Timestamp,
    /// `Name.member.N` in a request, `<Name><member>…</member></Name>` in an answer.
    List(&'static Shape),
    /// `Name.entry.N.<key>` and `Name.entry.N.<value>` in a request,
    /// `<Name><entry><key>…</key><value>…</value></entry></Name>` in an answer.
    Map {
        /// The element of an entry's key.
        key: &'static str,
        /// The element of an entry's value.
        value: &'static str,
        /// The values' shape.
        of: &'static Shape,
    },
    /// Named members.
    Structure(&'static [Member]),
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// As the state names it (PascalCase, as every `aws-sdk:` parameter).
    pub name: &'static str,
    /// As the wire names it, when the model renames it (`PolicyArns.member.1.arn`).
    pub wire: &'static str,
    /// How it is written and read.
    pub shape: &'static Shape,
}

const fn m(name: &'static str, shape: &'static Shape) -> Member {
    Member {
        name,
        wire: name,
        shape,
    }
}

/// One action: its input members and the members of its `<{Action}Result>`.
#[derive(Debug)]
pub(crate) struct Action {
    /// The API's name (`CreateTopic`).
    pub(crate) name: &'static str,
    pub(crate) input: &'static [Member],
    /// Empty for actions that answer only `ResponseMetadata` (`DeleteTopic`).
    pub(crate) output: &'static [Member],
}

/// A Query-protocol service as `aws-sdk:<service>` reaches it.
#[derive(Debug)]
pub(crate) struct QueryApi {
    /// The service as the resource names it (`sns`).
    pub(crate) service: &'static str,
    pub(crate) spec: &'static ServiceSpec,
    pub(crate) actions: &'static [Action],
    /// Error code → the SDK v2's exception class, for the codes the model has a class for.
    pub(crate) errors: &'static [(&'static str, &'static str)],
}

impl QueryApi {
    /// The action `aws-sdk:<service>:<action>` names (`createTopic`).
    pub(crate) fn action(&self, action: &str) -> Option<&'static Action> {
        self.actions
            .iter()
            .find(|a| super::s3_model::lower_first(a.name) == action)
    }

    /// The actions as the resource names them, for error messages.
    pub(crate) fn supported(&self) -> String {
        self.actions
            .iter()
            .map(|a| super::s3_model::lower_first(a.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The exception class the SDK v2 raises for `code`, `None` for its base exception.
    pub(crate) fn error_class(&self, code: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, class)| *class)
    }
}

/// The `aws-sdk:` services on the Query protocol, by the resource's name.
pub(crate) fn api(service: &str) -> Option<&'static QueryApi> {
    [&SNS_API, &STS_API]
        .into_iter()
        .find(|api| api.service == service)
}

const TEXT: Shape = Shape::Text;
const INTEGER: Shape = Shape::Integer;
const BOOLEAN: Shape = Shape::Boolean;
const TIMESTAMP: Shape = Shape::Timestamp;
const TEXTS: Shape = Shape::List(&TEXT);
const TAG: Shape = Shape::Structure(&[m("Key", &TEXT), m("Value", &TEXT)]);
const TAGS: Shape = Shape::List(&TAG);

// ---- SNS (2010-03-31) ----

/// `TopicAttributesMap`, `SubscriptionAttributesMap`: the default `key` / `value` names.
const ATTRIBUTES: Shape = Shape::Map {
    key: "key",
    value: "value",
    of: &TEXT,
};
/// `MessageAttributeMap` renames its key and value `Name` and `Value`.
const MESSAGE_ATTRIBUTES: Shape = Shape::Map {
    key: "Name",
    value: "Value",
    of: &Shape::Structure(&[
        m("DataType", &TEXT),
        m("StringValue", &TEXT),
        m("BinaryValue", &TEXT),
    ]),
};
const PUBLISH_BATCH_ENTRIES: Shape = Shape::List(&Shape::Structure(&[
    m("Id", &TEXT),
    m("Message", &TEXT),
    m("Subject", &TEXT),
    m("MessageStructure", &TEXT),
    m("MessageAttributes", &MESSAGE_ATTRIBUTES),
    m("MessageDeduplicationId", &TEXT),
    m("MessageGroupId", &TEXT),
]));
const PUBLISH_BATCH_RESULTS: Shape = Shape::List(&Shape::Structure(&[
    m("Id", &TEXT),
    m("MessageId", &TEXT),
    m("SequenceNumber", &TEXT),
]));
const BATCH_ERRORS: Shape = Shape::List(&Shape::Structure(&[
    m("Id", &TEXT),
    m("Code", &TEXT),
    m("Message", &TEXT),
    m("SenderFault", &BOOLEAN),
]));
const TOPICS: Shape = Shape::List(&Shape::Structure(&[m("TopicArn", &TEXT)]));
const SUBSCRIPTIONS: Shape = Shape::List(&Shape::Structure(&[
    m("SubscriptionArn", &TEXT),
    m("Owner", &TEXT),
    m("Protocol", &TEXT),
    m("Endpoint", &TEXT),
    m("TopicArn", &TEXT),
]));

/// An action whose answer has no members.
const fn no_output(name: &'static str, input: &'static [Member]) -> Action {
    Action {
        name,
        input,
        output: &[],
    }
}

pub(crate) static SNS_API: QueryApi = QueryApi {
    service: "sns",
    spec: &SNS,
    actions: &[
        Action {
            name: "Publish",
            input: &[
                m("TopicArn", &TEXT),
                m("TargetArn", &TEXT),
                m("PhoneNumber", &TEXT),
                m("Message", &TEXT),
                m("Subject", &TEXT),
                m("MessageStructure", &TEXT),
                m("MessageAttributes", &MESSAGE_ATTRIBUTES),
                m("MessageDeduplicationId", &TEXT),
                m("MessageGroupId", &TEXT),
            ],
            output: &[m("MessageId", &TEXT), m("SequenceNumber", &TEXT)],
        },
        Action {
            name: "PublishBatch",
            input: &[
                m("TopicArn", &TEXT),
                m("PublishBatchRequestEntries", &PUBLISH_BATCH_ENTRIES),
            ],
            output: &[
                m("Successful", &PUBLISH_BATCH_RESULTS),
                m("Failed", &BATCH_ERRORS),
            ],
        },
        Action {
            name: "CreateTopic",
            input: &[
                m("Name", &TEXT),
                m("Attributes", &ATTRIBUTES),
                m("Tags", &TAGS),
                m("DataProtectionPolicy", &TEXT),
            ],
            output: &[m("TopicArn", &TEXT)],
        },
        no_output("DeleteTopic", &[m("TopicArn", &TEXT)]),
        Action {
            name: "ListTopics",
            input: &[m("NextToken", &TEXT)],
            output: &[m("Topics", &TOPICS), m("NextToken", &TEXT)],
        },
        Action {
            name: "GetTopicAttributes",
            input: &[m("TopicArn", &TEXT)],
            output: &[m("Attributes", &ATTRIBUTES)],
        },
        no_output(
            "SetTopicAttributes",
            &[
                m("TopicArn", &TEXT),
                m("AttributeName", &TEXT),
                m("AttributeValue", &TEXT),
            ],
        ),
        Action {
            name: "Subscribe",
            input: &[
                m("TopicArn", &TEXT),
                m("Protocol", &TEXT),
                m("Endpoint", &TEXT),
                m("Attributes", &ATTRIBUTES),
                m("ReturnSubscriptionArn", &BOOLEAN),
            ],
            output: &[m("SubscriptionArn", &TEXT)],
        },
        Action {
            name: "ConfirmSubscription",
            input: &[
                m("TopicArn", &TEXT),
                m("Token", &TEXT),
                m("AuthenticateOnUnsubscribe", &TEXT),
            ],
            output: &[m("SubscriptionArn", &TEXT)],
        },
        no_output("Unsubscribe", &[m("SubscriptionArn", &TEXT)]),
        Action {
            name: "ListSubscriptions",
            input: &[m("NextToken", &TEXT)],
            output: &[m("Subscriptions", &SUBSCRIPTIONS), m("NextToken", &TEXT)],
        },
        Action {
            name: "ListSubscriptionsByTopic",
            input: &[m("TopicArn", &TEXT), m("NextToken", &TEXT)],
            output: &[m("Subscriptions", &SUBSCRIPTIONS), m("NextToken", &TEXT)],
        },
        Action {
            name: "GetSubscriptionAttributes",
            input: &[m("SubscriptionArn", &TEXT)],
            output: &[m("Attributes", &ATTRIBUTES)],
        },
        no_output(
            "SetSubscriptionAttributes",
            &[
                m("SubscriptionArn", &TEXT),
                m("AttributeName", &TEXT),
                m("AttributeValue", &TEXT),
            ],
        ),
        no_output("TagResource", &[m("ResourceArn", &TEXT), m("Tags", &TAGS)]),
        no_output(
            "UntagResource",
            &[m("ResourceArn", &TEXT), m("TagKeys", &TEXTS)],
        ),
        Action {
            name: "ListTagsForResource",
            input: &[m("ResourceArn", &TEXT)],
            output: &[m("Tags", &TAGS)],
        },
    ],
    errors: &[
        ("AuthorizationError", "AuthorizationErrorException"),
        (
            "BatchEntryIdsNotDistinct",
            "BatchEntryIdsNotDistinctException",
        ),
        ("BatchRequestTooLong", "BatchRequestTooLongException"),
        ("ConcurrentAccess", "ConcurrentAccessException"),
        ("EmptyBatchRequest", "EmptyBatchRequestException"),
        ("EndpointDisabled", "EndpointDisabledException"),
        (
            "FilterPolicyLimitExceeded",
            "FilterPolicyLimitExceededException",
        ),
        ("InternalError", "InternalErrorException"),
        ("InvalidBatchEntryId", "InvalidBatchEntryIdException"),
        ("InvalidParameter", "InvalidParameterException"),
        ("ParameterValueInvalid", "InvalidParameterValueException"),
        ("InvalidSecurity", "InvalidSecurityException"),
        ("InvalidState", "InvalidStateException"),
        ("KMSAccessDenied", "KmsAccessDeniedException"),
        ("KMSDisabled", "KmsDisabledException"),
        ("KMSInvalidState", "KmsInvalidStateException"),
        ("KMSNotFound", "KmsNotFoundException"),
        ("KMSOptInRequired", "KmsOptInRequiredException"),
        ("KMSThrottling", "KmsThrottlingException"),
        ("NotFound", "NotFoundException"),
        ("OptedOut", "OptedOutException"),
        (
            "PlatformApplicationDisabled",
            "PlatformApplicationDisabledException",
        ),
        ("ReplayLimitExceeded", "ReplayLimitExceededException"),
        ("ResourceNotFound", "ResourceNotFoundException"),
        ("StaleTag", "StaleTagException"),
        (
            "SubscriptionLimitExceeded",
            "SubscriptionLimitExceededException",
        ),
        ("TagLimitExceeded", "TagLimitExceededException"),
        ("TagPolicy", "TagPolicyException"),
        ("Throttled", "ThrottledException"),
        (
            "TooManyEntriesInBatchRequest",
            "TooManyEntriesInBatchRequestException",
        ),
        ("TopicLimitExceeded", "TopicLimitExceededException"),
        ("UserError", "UserErrorException"),
        ("ValidationException", "ValidationException"),
        ("VerificationException", "VerificationException"),
    ],
};

// ---- STS (2011-06-15) ----

const CREDENTIALS: Shape = Shape::Structure(&[
    m("AccessKeyId", &TEXT),
    m("SecretAccessKey", &TEXT),
    m("SessionToken", &TEXT),
    m("Expiration", &TIMESTAMP),
]);
/// `PolicyDescriptorType`'s one member is `arn` on the wire, `Arn` in the state.
const POLICY_ARNS: Shape = Shape::List(&Shape::Structure(&[Member {
    name: "Arn",
    wire: "arn",
    shape: &TEXT,
}]));
const PROVIDED_CONTEXTS: Shape = Shape::List(&Shape::Structure(&[
    m("ProviderArn", &TEXT),
    m("ContextAssertion", &TEXT),
]));

pub(crate) static STS_API: QueryApi = QueryApi {
    service: "sts",
    spec: &STS,
    actions: &[
        Action {
            name: "GetCallerIdentity",
            input: &[],
            output: &[m("UserId", &TEXT), m("Account", &TEXT), m("Arn", &TEXT)],
        },
        Action {
            name: "AssumeRole",
            input: &[
                m("RoleArn", &TEXT),
                m("RoleSessionName", &TEXT),
                m("PolicyArns", &POLICY_ARNS),
                m("Policy", &TEXT),
                m("DurationSeconds", &INTEGER),
                m("Tags", &TAGS),
                m("TransitiveTagKeys", &TEXTS),
                m("ExternalId", &TEXT),
                m("SerialNumber", &TEXT),
                m("TokenCode", &TEXT),
                m("SourceIdentity", &TEXT),
                m("ProvidedContexts", &PROVIDED_CONTEXTS),
            ],
            output: &[
                m("Credentials", &CREDENTIALS),
                m(
                    "AssumedRoleUser",
                    &Shape::Structure(&[m("AssumedRoleId", &TEXT), m("Arn", &TEXT)]),
                ),
                m("PackedPolicySize", &INTEGER),
                m("SourceIdentity", &TEXT),
            ],
        },
        Action {
            name: "GetSessionToken",
            input: &[
                m("DurationSeconds", &INTEGER),
                m("SerialNumber", &TEXT),
                m("TokenCode", &TEXT),
            ],
            output: &[m("Credentials", &CREDENTIALS)],
        },
    ],
    errors: &[
        ("ExpiredTokenException", "ExpiredTokenException"),
        ("IDPCommunicationError", "IdpCommunicationErrorException"),
        ("IDPRejectedClaim", "IdpRejectedClaimException"),
        (
            "InvalidAuthorizationMessageException",
            "InvalidAuthorizationMessageException",
        ),
        (
            "InvalidContextAssertion",
            "InvalidContextAssertionException",
        ),
        ("InvalidIdentityToken", "InvalidIdentityTokenException"),
        (
            "MalformedPolicyDocument",
            "MalformedPolicyDocumentException",
        ),
        ("PackedPolicyTooLarge", "PackedPolicyTooLargeException"),
        ("RegionDisabledException", "RegionDisabledException"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_found_by_their_resource_name() {
        let sns = api("sns").expect("sns");
        assert_eq!(
            sns.action("createTopic").map(|a| a.name),
            Some("CreateTopic")
        );
        assert_eq!(
            sns.action("listTagsForResource").map(|a| a.name),
            Some("ListTagsForResource")
        );
        assert!(sns.action("CreateTopic").is_none());
        assert!(sns.supported().contains("publishBatch"));
        assert_eq!(
            api("sts")
                .and_then(|a| a.action("assumeRole"))
                .map(|a| a.name),
            Some("AssumeRole")
        );
        assert!(api("iam").is_none());
    }

    #[test]
    fn error_codes_name_the_sdk_v2_classes() {
        assert_eq!(SNS_API.error_class("NotFound"), Some("NotFoundException"));
        assert_eq!(
            SNS_API.error_class("ParameterValueInvalid"),
            Some("InvalidParameterValueException")
        );
        assert_eq!(
            SNS_API.error_class("KMSDisabled"),
            Some("KmsDisabledException")
        );
        assert_eq!(SNS_API.error_class("ValidationError"), None);
        assert_eq!(
            STS_API.error_class("MalformedPolicyDocument"),
            Some("MalformedPolicyDocumentException")
        );
    }
}
