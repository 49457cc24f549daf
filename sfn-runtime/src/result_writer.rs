//! A distributed Map's `ResultWriter`: how child results are shaped (`WriterConfig`) and the
//! files exported to the object store (`<Prefix>/<MapRunId>/manifest.json` and one file per
//! status).
//!
//! Layout as AWS documents it: `manifest.json` holds `DestinationBucket`, `MapRunArn` and
//! `ResultFiles{FAILED, PENDING, SUCCEEDED}` (each a list of `{Key, Size}`), and each result
//! file holds the child executions of one status (`ExecutionArn`, `Input`, `Output` as JSON
//! text, `Status`, dates, ...). Not confirmed against AWS: the `.jsonl` file suffix for
//! `OutputType: JSONL`, files of a status with no execution being left out, and the redrive
//! fields' texts.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sfn_asl::model::{OutputType, WriterTransformation};

use crate::execution::iso_time;
use crate::execution::Failure;

/// The error of every writer failure.
pub(crate) use sfn_asl::error::STATES_RESULT_WRITER_FAILED as RESULT_WRITER_FAILED;

/// One finished child execution of a Map Run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChildRecord {
    /// Its ARN.
    pub execution_arn: String,
    /// Its name.
    pub name: String,
    /// The ARN of the state machine it ran.
    pub state_machine_arn: String,
    /// Its input.
    pub input: Value,
    /// Start and stop time, ms since the epoch.
    pub start_ms: u64,
    /// Stop time.
    pub stop_ms: u64,
    /// Output, or the failure.
    pub result: Result<Value, Failure>,
    /// How often it was redriven (with its Map Run), and when last.
    #[serde(default)]
    pub redrive_count: u32,
    /// When it was last redriven.
    #[serde(default)]
    pub redrive_ms: Option<u64>,
}

impl ChildRecord {
    /// The entry AWS writes for it with `Transformation: NONE` (metadata and JSON text).
    pub(crate) fn to_entry(&self) -> Value {
        let text = |v: &Value| serde_json::to_string(v).unwrap_or_default();
        let mut entry = json!({
            "ExecutionArn": self.execution_arn,
            "Input": text(&self.input),
            "InputDetails": {"Included": true},
            "Name": self.name,
            "RedriveCount": self.redrive_count,
            "StartDate": iso_time(self.start_ms),
            "StateMachineArn": self.state_machine_arn,
            "StopDate": iso_time(self.stop_ms),
        });
        if let Value::Object(e) = &mut entry {
            if let Some(at) = self.redrive_ms {
                e.insert("RedriveDate".into(), iso_time(at).into());
            }
            match &self.result {
                Ok(output) => {
                    e.insert("Output".into(), text(output).into());
                    e.insert("OutputDetails".into(), json!({"Included": true}));
                    e.insert("RedriveStatus".into(), "NOT_REDRIVABLE".into());
                    e.insert(
                        "RedriveStatusReason".into(),
                        "Execution is SUCCEEDED and cannot be redriven".into(),
                    );
                    e.insert("Status".into(), "SUCCEEDED".into());
                }
                Err(f) => {
                    if let Some(error) = &f.error {
                        e.insert("Error".into(), error.clone().into());
                    }
                    if let Some(cause) = &f.cause {
                        e.insert("Cause".into(), cause.clone().into());
                    }
                    e.insert("RedriveStatus".into(), "REDRIVABLE".into());
                    e.insert("Status".into(), "FAILED".into());
                }
            }
        }
        entry
    }
}

/// Shapes successful outputs by `WriterConfig.Transformation`: `COMPACT` keeps them, `FLATTEN`
/// splices array outputs into the list. (`NONE` needs the records: [`shape_records`].)
pub(crate) fn shape_outputs(
    outputs: Vec<Value>,
    transformation: WriterTransformation,
) -> Vec<Value> {
    match transformation {
        WriterTransformation::Flatten => outputs
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items,
                other => vec![other],
            })
            .collect(),
        _ => outputs,
    }
}

/// The results of a Map Run as `Transformation` shapes them; failed children always keep
/// their full entry (AWS returns those unchanged).
pub(crate) fn shape_records(
    records: &[ChildRecord],
    transformation: WriterTransformation,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        match (&r.result, transformation) {
            (Ok(v), WriterTransformation::Compact) => out.push(v.clone()),
            (Ok(v), WriterTransformation::Flatten) => {
                out.extend(shape_outputs(vec![v.clone()], transformation))
            }
            _ => out.push(r.to_entry()),
        }
    }
    out
}

/// The files of an export, keys relative to the bucket, and the manifest's key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Export {
    /// `(key, body)` of every file, the manifest last.
    pub files: Vec<(String, Vec<u8>)>,
    /// The manifest's key (`ResultWriterDetails.Key`).
    pub manifest_key: String,
}

/// Builds the files a Map Run exports under `<prefix>/<map_run_id>/`.
pub(crate) fn export(
    bucket: &str,
    prefix: &str,
    map_run_arn: &str,
    map_run_id: &str,
    records: &[ChildRecord],
    output_type: OutputType,
    transformation: WriterTransformation,
) -> Export {
    let dir = if prefix.is_empty() {
        map_run_id.to_owned()
    } else {
        format!("{}/{map_run_id}", prefix.trim_end_matches('/'))
    };
    let suffix = match output_type {
        OutputType::Json => "json",
        OutputType::Jsonl => "jsonl",
    };
    let (ok, failed): (Vec<ChildRecord>, Vec<ChildRecord>) =
        records.iter().cloned().partition(|r| r.result.is_ok());
    let mut files = Vec::new();
    let mut listed = |status: &str, group: &[ChildRecord]| -> Value {
        if group.is_empty() {
            return json!([]);
        }
        let entries = shape_records(group, transformation);
        let body = match output_type {
            OutputType::Json => serde_json::to_vec(&entries).unwrap_or_default(),
            OutputType::Jsonl => entries
                .iter()
                .map(|e| serde_json::to_string(e).unwrap_or_default() + "\n")
                .collect::<String>()
                .into_bytes(),
        };
        let key = format!("{dir}/{status}_0.{suffix}");
        let size = body.len();
        files.push((key.clone(), body));
        json!([{"Key": key, "Size": size}])
    };
    let succeeded = listed("SUCCEEDED", &ok);
    let failed = listed("FAILED", &failed);
    let manifest = json!({
        "DestinationBucket": bucket,
        "MapRunArn": map_run_arn,
        "ResultFiles": {"FAILED": failed, "PENDING": [], "SUCCEEDED": succeeded},
    });
    let manifest_key = format!("{dir}/manifest.json");
    files.push((
        manifest_key.clone(),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    ));
    Export {
        files,
        manifest_key,
    }
}

/// What the core asks the driver to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultWriteRequest {
    /// Identifies the answer ([`crate::Event::ResultsWritten`]).
    pub request_id: crate::execution::RequestId,
    /// The bucket.
    pub bucket: String,
    /// `(key, body)` pairs.
    pub files: Vec<(String, Vec<u8>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_joins_array_outputs() {
        let outputs = vec![json!([1, 2]), json!([3])];
        assert_eq!(
            shape_outputs(outputs, WriterTransformation::Flatten),
            vec![json!(1), json!(2), json!(3)]
        );
    }
}
