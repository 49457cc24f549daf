//! A distributed Map's `ItemReader` and `ResultWriter` on Amazon S3: the engine uses them for
//! a bucket its local object store does not hold (see [`crate::ObjectStore::has_bucket`]).

use serde_json::{json, Value};

use super::s3;
use super::s3_errors::S3Failure;
use super::AwsClients;
use crate::item_reader::{self, ItemReadRequest, ItemReaderError, ReadPlan};
use crate::objects::ObjectInfo;
use crate::result_writer::ResultWriteRequest;

fn reader_failure(e: &S3Failure) -> ItemReaderError {
    item_reader::fail(e.cause())
}

async fn get(clients: &AwsClients, bucket: &str, key: &str) -> Result<Vec<u8>, S3Failure> {
    s3::get_bytes(clients, bucket, key).await
}

/// Every object under `prefix`, page after page, in key order.
async fn list(
    clients: &AwsClients,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<ObjectInfo>, S3Failure> {
    let mut objects = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = json!({"Bucket": bucket, "Prefix": prefix});
        if let Some(t) = &token {
            params["ContinuationToken"] = json!(t);
        }
        let page = s3::invoke(clients, "listObjectsV2", params).await?;
        for o in page["Contents"].as_array().into_iter().flatten() {
            let last_modified_ms = o["LastModified"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map_or(0, |t| u64::try_from(t.timestamp_millis()).unwrap_or(0));
            objects.push(ObjectInfo {
                key: o["Key"].as_str().unwrap_or_default().to_owned(),
                size: o["Size"].as_u64().unwrap_or(0),
                etag: o["ETag"].as_str().map(str::to_owned),
                last_modified_ms,
            });
        }
        token = page["NextContinuationToken"].as_str().map(str::to_owned);
        if page["IsTruncated"] != Value::Bool(true) || token.is_none() {
            return Ok(objects);
        }
    }
}

/// Reads the items `request` names from S3, up to its `MaxItems`.
pub(crate) async fn read_items(
    clients: &AwsClients,
    request: &ItemReadRequest,
) -> Result<Vec<Value>, ItemReaderError> {
    let config = request.config.as_ref();
    let items = match item_reader::plan(request)? {
        ReadPlan::List {
            bucket,
            prefix,
            flatten,
        } => {
            let objects = list(clients, &bucket, &prefix)
                .await
                .map_err(|e| reader_failure(&e))?;
            if flatten {
                let mut items = Vec::new();
                for o in objects {
                    let body = get(clients, &bucket, &o.key)
                        .await
                        .map_err(|e| reader_failure(&e))?;
                    items.extend(item_reader::parse_object(&body, config)?);
                }
                items
            } else {
                objects.into_iter().map(item_reader::listing_item).collect()
            }
        }
        ReadPlan::Get { bucket, key } => {
            let body = get(clients, &bucket, &key)
                .await
                .map_err(|e| reader_failure(&e))?;
            item_reader::parse_object(&body, config)?
        }
    };
    Ok(item_reader::truncate(items, request.max_items))
}

/// Writes a Map Run's result files to S3, in order (the manifest last).
pub(crate) async fn write_results(
    clients: &AwsClients,
    request: &ResultWriteRequest,
) -> Result<(), String> {
    for (key, body) in &request.files {
        // The files are JSON text already: stored as they are.
        s3::put_bytes(clients, &request.bucket, key, body.clone())
            .await
            .map_err(|e| e.cause())?;
    }
    Ok(())
}
