//! S3's REST model as this integration reads it: where each member travels (path, query,
//! header, body) and, per action, its method, path, the members it takes and answers.

/// What an action's path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `/`: the account's buckets.
    Service,
    /// `/<Bucket>`.
    Bucket,
    /// `/<Bucket>/<Key>`.
    Object,
}

/// Where the request body comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Payload {
    None,
    /// The `Body` member, as JSON text.
    Body,
    /// A structure member, written as XML with the member's name as the root element.
    Xml(&'static str),
}

/// What the answer's body holds.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Nothing (the members are in headers).
    None,
    /// The object's bytes: the `Body` member.
    Body,
    /// The output's members (`ListBucketResult`'s children).
    Xml,
    /// One structure member (`CopyObjectResult`).
    XmlMember(&'static str),
}

/// One S3 action as its model describes it.
#[derive(Debug)]
pub(crate) struct Action {
    /// The API's name (`GetObject`).
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) target: Target,
    /// The fixed part of the query (`list-type=2`, `tagging`).
    pub(crate) subresource: &'static str,
    /// Members taken besides `Bucket`, `Key` and the payload.
    pub(crate) inputs: &'static [&'static str],
    pub(crate) payload: Payload,
    /// Members answered in headers.
    pub(crate) outputs: &'static [&'static str],
    pub(crate) answer: Answer,
    /// `Metadata` is answered (from `x-amz-meta-*`).
    pub(crate) metadata: bool,
    /// The body needs a checksum header (S3 refuses these requests without one).
    pub(crate) checksum: bool,
    /// A listing whose keys the SDK v2 asks S3 to URL-encode (`encoding-type=url`) and
    /// decodes again, so any key survives XML.
    pub(crate) url_encoded_listing: bool,
}

/// Members sent and answered as headers, by the model's name.
pub(crate) const HEADERS: &[(&str, &str)] = &[
    ("ACL", "x-amz-acl"),
    ("AcceptRanges", "accept-ranges"),
    ("AccessPointAlias", "x-amz-access-point-alias"),
    ("ArchiveStatus", "x-amz-archive-status"),
    (
        "BucketKeyEnabled",
        "x-amz-server-side-encryption-bucket-key-enabled",
    ),
    ("BucketRegion", "x-amz-bucket-region"),
    (
        "BypassGovernanceRetention",
        "x-amz-bypass-governance-retention",
    ),
    ("CacheControl", "cache-control"),
    ("ChecksumAlgorithm", "x-amz-sdk-checksum-algorithm"),
    ("ChecksumCRC32", "x-amz-checksum-crc32"),
    ("ChecksumCRC32C", "x-amz-checksum-crc32c"),
    ("ChecksumCRC64NVME", "x-amz-checksum-crc64nvme"),
    ("ChecksumMode", "x-amz-checksum-mode"),
    ("ChecksumSHA1", "x-amz-checksum-sha1"),
    ("ChecksumSHA256", "x-amz-checksum-sha256"),
    ("ChecksumType", "x-amz-checksum-type"),
    ("ContentDisposition", "content-disposition"),
    ("ContentEncoding", "content-encoding"),
    ("ContentLanguage", "content-language"),
    ("ContentLength", "content-length"),
    ("ContentMD5", "content-md5"),
    ("ContentRange", "content-range"),
    ("ContentType", "content-type"),
    ("CopySource", "x-amz-copy-source"),
    ("CopySourceIfMatch", "x-amz-copy-source-if-match"),
    (
        "CopySourceIfModifiedSince",
        "x-amz-copy-source-if-modified-since",
    ),
    ("CopySourceIfNoneMatch", "x-amz-copy-source-if-none-match"),
    (
        "CopySourceIfUnmodifiedSince",
        "x-amz-copy-source-if-unmodified-since",
    ),
    (
        "CopySourceSSECustomerAlgorithm",
        "x-amz-copy-source-server-side-encryption-customer-algorithm",
    ),
    (
        "CopySourceSSECustomerKey",
        "x-amz-copy-source-server-side-encryption-customer-key",
    ),
    (
        "CopySourceSSECustomerKeyMD5",
        "x-amz-copy-source-server-side-encryption-customer-key-md5",
    ),
    ("CopySourceVersionId", "x-amz-copy-source-version-id"),
    ("DeleteMarker", "x-amz-delete-marker"),
    ("ETag", "etag"),
    ("ExpectedBucketOwner", "x-amz-expected-bucket-owner"),
    (
        "ExpectedSourceBucketOwner",
        "x-amz-source-expected-bucket-owner",
    ),
    ("Expiration", "x-amz-expiration"),
    ("Expires", "expires"),
    ("GrantFullControl", "x-amz-grant-full-control"),
    ("GrantRead", "x-amz-grant-read"),
    ("GrantReadACP", "x-amz-grant-read-acp"),
    ("GrantWrite", "x-amz-grant-write"),
    ("GrantWriteACP", "x-amz-grant-write-acp"),
    ("IfMatch", "if-match"),
    ("IfModifiedSince", "if-modified-since"),
    ("IfNoneMatch", "if-none-match"),
    ("IfUnmodifiedSince", "if-unmodified-since"),
    ("LastModified", "last-modified"),
    ("Location", "location"),
    ("MFA", "x-amz-mfa"),
    ("MetadataDirective", "x-amz-metadata-directive"),
    ("MissingMeta", "x-amz-missing-meta"),
    (
        "ObjectLockEnabledForBucket",
        "x-amz-bucket-object-lock-enabled",
    ),
    ("ObjectLockLegalHoldStatus", "x-amz-object-lock-legal-hold"),
    ("ObjectLockMode", "x-amz-object-lock-mode"),
    (
        "ObjectLockRetainUntilDate",
        "x-amz-object-lock-retain-until-date",
    ),
    ("ObjectOwnership", "x-amz-object-ownership"),
    (
        "OptionalObjectAttributes",
        "x-amz-optional-object-attributes",
    ),
    ("PartsCount", "x-amz-mp-parts-count"),
    ("Range", "range"),
    ("ReplicationStatus", "x-amz-replication-status"),
    ("RequestCharged", "x-amz-request-charged"),
    ("RequestPayer", "x-amz-request-payer"),
    ("Restore", "x-amz-restore"),
    (
        "SSECustomerAlgorithm",
        "x-amz-server-side-encryption-customer-algorithm",
    ),
    (
        "SSECustomerKey",
        "x-amz-server-side-encryption-customer-key",
    ),
    (
        "SSECustomerKeyMD5",
        "x-amz-server-side-encryption-customer-key-md5",
    ),
    (
        "SSEKMSEncryptionContext",
        "x-amz-server-side-encryption-context",
    ),
    ("SSEKMSKeyId", "x-amz-server-side-encryption-aws-kms-key-id"),
    ("ServerSideEncryption", "x-amz-server-side-encryption"),
    ("StorageClass", "x-amz-storage-class"),
    ("TagCount", "x-amz-tagging-count"),
    ("Tagging", "x-amz-tagging"),
    ("TaggingDirective", "x-amz-tagging-directive"),
    ("VersionId", "x-amz-version-id"),
    ("WebsiteRedirectLocation", "x-amz-website-redirect-location"),
];

/// Members sent in the query string (looked up before [`HEADERS`]: `VersionId` is sent in the
/// query and answered in a header).
pub(crate) const QUERY: &[(&str, &str)] = &[
    ("BucketRegion", "bucket-region"),
    ("ContinuationToken", "continuation-token"),
    ("Delimiter", "delimiter"),
    ("EncodingType", "encoding-type"),
    ("FetchOwner", "fetch-owner"),
    ("Marker", "marker"),
    ("MaxBuckets", "max-buckets"),
    ("MaxKeys", "max-keys"),
    ("PartNumber", "partNumber"),
    ("Prefix", "prefix"),
    ("ResponseCacheControl", "response-cache-control"),
    ("ResponseContentDisposition", "response-content-disposition"),
    ("ResponseContentEncoding", "response-content-encoding"),
    ("ResponseContentLanguage", "response-content-language"),
    ("ResponseContentType", "response-content-type"),
    ("ResponseExpires", "response-expires"),
    ("StartAfter", "start-after"),
    ("VersionId", "versionId"),
];

/// Header members that are numbers, booleans, or timestamps (HTTP dates) in the model.
pub(crate) const INTEGER_HEADERS: &[&str] =
    &["ContentLength", "MissingMeta", "PartsCount", "TagCount"];
pub(crate) const BOOLEAN_HEADERS: &[&str] = &["BucketKeyEnabled", "DeleteMarker"];
pub(crate) const DATE_HEADERS: &[&str] = &[
    "CopySourceIfModifiedSince",
    "CopySourceIfUnmodifiedSince",
    "Expires",
    "IfModifiedSince",
    "IfUnmodifiedSince",
    "LastModified",
    "ResponseExpires",
];
/// Timestamp headers written in ISO-8601 rather than as HTTP dates.
pub(crate) const ISO_DATE_HEADERS: &[&str] = &["ObjectLockRetainUntilDate"];

pub(crate) const GET_INPUTS: &[&str] = &[
    "ChecksumMode",
    "ExpectedBucketOwner",
    "IfMatch",
    "IfModifiedSince",
    "IfNoneMatch",
    "IfUnmodifiedSince",
    "PartNumber",
    "Range",
    "RequestPayer",
    "ResponseCacheControl",
    "ResponseContentDisposition",
    "ResponseContentEncoding",
    "ResponseContentLanguage",
    "ResponseContentType",
    "ResponseExpires",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "VersionId",
];

pub(crate) const GET_OUTPUTS: &[&str] = &[
    "AcceptRanges",
    "BucketKeyEnabled",
    "CacheControl",
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumType",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentLength",
    "ContentRange",
    "ContentType",
    "DeleteMarker",
    "ETag",
    "Expiration",
    "Expires",
    "LastModified",
    "MissingMeta",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "PartsCount",
    "ReplicationStatus",
    "RequestCharged",
    "Restore",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "StorageClass",
    "TagCount",
    "VersionId",
    "WebsiteRedirectLocation",
];

pub(crate) const HEAD_OUTPUTS: &[&str] = &[
    "AcceptRanges",
    "ArchiveStatus",
    "BucketKeyEnabled",
    "CacheControl",
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumType",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentLength",
    "ContentRange",
    "ContentType",
    "DeleteMarker",
    "ETag",
    "Expiration",
    "Expires",
    "LastModified",
    "MissingMeta",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "PartsCount",
    "ReplicationStatus",
    "RequestCharged",
    "Restore",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "StorageClass",
    "VersionId",
    "WebsiteRedirectLocation",
];

pub(crate) const PUT_INPUTS: &[&str] = &[
    "ACL",
    "BucketKeyEnabled",
    "CacheControl",
    "ChecksumAlgorithm",
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentMD5",
    "ContentType",
    "ExpectedBucketOwner",
    "Expires",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "IfMatch",
    "IfNoneMatch",
    "Metadata",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "RequestPayer",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "SSEKMSEncryptionContext",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "StorageClass",
    "Tagging",
    "WebsiteRedirectLocation",
];

pub(crate) const PUT_OUTPUTS: &[&str] = &[
    "BucketKeyEnabled",
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumType",
    "ETag",
    "Expiration",
    "RequestCharged",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "SSEKMSEncryptionContext",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "VersionId",
];

pub(crate) const COPY_INPUTS: &[&str] = &[
    "ACL",
    "BucketKeyEnabled",
    "CacheControl",
    "ChecksumAlgorithm",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "CopySource",
    "CopySourceIfMatch",
    "CopySourceIfModifiedSince",
    "CopySourceIfNoneMatch",
    "CopySourceIfUnmodifiedSince",
    "CopySourceSSECustomerAlgorithm",
    "CopySourceSSECustomerKey",
    "CopySourceSSECustomerKeyMD5",
    "ExpectedBucketOwner",
    "ExpectedSourceBucketOwner",
    "Expires",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "Metadata",
    "MetadataDirective",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "RequestPayer",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "SSEKMSEncryptionContext",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "StorageClass",
    "Tagging",
    "TaggingDirective",
    "WebsiteRedirectLocation",
];

pub(crate) const COPY_OUTPUTS: &[&str] = &[
    "BucketKeyEnabled",
    "CopySourceVersionId",
    "Expiration",
    "RequestCharged",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "SSEKMSEncryptionContext",
    "SSEKMSKeyId",
    "ServerSideEncryption",
    "VersionId",
];

pub(crate) const LIST_INPUTS: &[&str] = &[
    "Delimiter",
    "EncodingType",
    "ExpectedBucketOwner",
    "Marker",
    "MaxKeys",
    "OptionalObjectAttributes",
    "Prefix",
    "RequestPayer",
];

pub(crate) const LIST_V2_INPUTS: &[&str] = &[
    "ContinuationToken",
    "Delimiter",
    "EncodingType",
    "ExpectedBucketOwner",
    "FetchOwner",
    "MaxKeys",
    "OptionalObjectAttributes",
    "Prefix",
    "RequestPayer",
    "StartAfter",
];

pub(crate) const fn action(name: &'static str, method: &'static str, target: Target) -> Action {
    Action {
        name,
        method,
        target,
        subresource: "",
        inputs: &[],
        payload: Payload::None,
        outputs: &[],
        answer: Answer::None,
        metadata: false,
        checksum: false,
        url_encoded_listing: false,
    }
}

/// The actions this module speaks, by API name.
pub(crate) static ACTIONS: &[Action] = &[
    Action {
        inputs: &["BucketRegion", "ContinuationToken", "MaxBuckets", "Prefix"],
        answer: Answer::Xml,
        ..action("ListBuckets", "GET", Target::Service)
    },
    Action {
        inputs: &[
            "ACL",
            "GrantFullControl",
            "GrantRead",
            "GrantReadACP",
            "GrantWrite",
            "GrantWriteACP",
            "ObjectLockEnabledForBucket",
            "ObjectOwnership",
        ],
        payload: Payload::Xml("CreateBucketConfiguration"),
        outputs: &["Location"],
        ..action("CreateBucket", "PUT", Target::Bucket)
    },
    Action {
        inputs: &["ExpectedBucketOwner"],
        ..action("DeleteBucket", "DELETE", Target::Bucket)
    },
    Action {
        inputs: &["ExpectedBucketOwner"],
        outputs: &["AccessPointAlias", "BucketRegion"],
        ..action("HeadBucket", "HEAD", Target::Bucket)
    },
    Action {
        subresource: "encryption",
        inputs: &["ChecksumAlgorithm", "ContentMD5", "ExpectedBucketOwner"],
        payload: Payload::Xml("ServerSideEncryptionConfiguration"),
        checksum: true,
        ..action("PutBucketEncryption", "PUT", Target::Bucket)
    },
    Action {
        inputs: LIST_INPUTS,
        outputs: &["RequestCharged"],
        answer: Answer::Xml,
        url_encoded_listing: true,
        ..action("ListObjects", "GET", Target::Bucket)
    },
    Action {
        subresource: "list-type=2",
        inputs: LIST_V2_INPUTS,
        outputs: &["RequestCharged"],
        answer: Answer::Xml,
        url_encoded_listing: true,
        ..action("ListObjectsV2", "GET", Target::Bucket)
    },
    Action {
        inputs: GET_INPUTS,
        outputs: GET_OUTPUTS,
        answer: Answer::Body,
        metadata: true,
        ..action("GetObject", "GET", Target::Object)
    },
    Action {
        inputs: GET_INPUTS,
        outputs: HEAD_OUTPUTS,
        metadata: true,
        ..action("HeadObject", "HEAD", Target::Object)
    },
    Action {
        inputs: PUT_INPUTS,
        payload: Payload::Body,
        outputs: PUT_OUTPUTS,
        checksum: true,
        ..action("PutObject", "PUT", Target::Object)
    },
    Action {
        inputs: COPY_INPUTS,
        outputs: COPY_OUTPUTS,
        answer: Answer::XmlMember("CopyObjectResult"),
        ..action("CopyObject", "PUT", Target::Object)
    },
    Action {
        inputs: &[
            "BypassGovernanceRetention",
            "ExpectedBucketOwner",
            "IfMatch",
            "MFA",
            "RequestPayer",
            "VersionId",
        ],
        outputs: &["DeleteMarker", "RequestCharged", "VersionId"],
        ..action("DeleteObject", "DELETE", Target::Object)
    },
    Action {
        subresource: "tagging",
        inputs: &["ExpectedBucketOwner", "RequestPayer", "VersionId"],
        outputs: &["VersionId"],
        answer: Answer::Xml,
        ..action("GetObjectTagging", "GET", Target::Object)
    },
    Action {
        subresource: "tagging",
        inputs: &[
            "ChecksumAlgorithm",
            "ContentMD5",
            "ExpectedBucketOwner",
            "RequestPayer",
            "VersionId",
        ],
        payload: Payload::Xml("Tagging"),
        outputs: &["VersionId"],
        checksum: true,
        ..action("PutObjectTagging", "PUT", Target::Object)
    },
    Action {
        subresource: "tagging",
        inputs: &["ExpectedBucketOwner", "VersionId"],
        outputs: &["VersionId"],
        ..action("DeleteObjectTagging", "DELETE", Target::Object)
    },
];

/// The actions, as `aws-sdk:s3:<action>` names them, for error messages.
pub(crate) fn supported() -> String {
    ACTIONS
        .iter()
        .map(|a| lower_first(a.name))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_lowercase().to_string() + chars.as_str()
    })
}
