//! The driver's side of distributed Maps: reads and writes through the engine's object store,
//! and the histories of child executions, kept for `Engine::map_run_executions`.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::execution::{ChildEvent, Event, RequestId, Status};
use crate::history::{EventType, HistoryEvent};
use crate::item_reader::{read_items, ItemReadRequest};
use crate::objects::ObjectStore;
use crate::result_writer::ResultWriteRequest;

/// Why a Map with an `ItemReader` or an exporting `ResultWriter` fails on an engine without
/// an object store.
pub(crate) const NO_OBJECT_STORE: &str = "The engine has no object store to read items from or write results to; configure one with Engine::with_object_store (e.g. LocalObjectStore::new(folder)).";

/// A distributed Map's child execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildExecution {
    /// Its ARN.
    pub execution_arn: String,
    /// The Map Run that started it.
    pub map_run_arn: String,
    /// Its own history, numbered from 1.
    pub history: Vec<HistoryEvent>,
}

impl ChildExecution {
    /// `Running` until its history ends with `ExecutionSucceeded`/`Failed`/`Aborted`.
    pub fn status(&self) -> Status {
        match self.history.last().map(|e| e.event_type) {
            Some(EventType::ExecutionSucceeded) => Status::Succeeded,
            Some(EventType::ExecutionFailed) => Status::Failed,
            Some(EventType::ExecutionAborted) => Status::Aborted,
            Some(EventType::ExecutionTimedOut) => Status::TimedOut,
            _ => Status::Running,
        }
    }
}

/// Child executions of every Map Run of an engine.
#[derive(Debug, Default)]
pub(crate) struct MapRuns {
    inner: Mutex<MapRunsInner>,
}

#[derive(Debug, Default)]
struct MapRunsInner {
    /// Children of each Map Run, in start order.
    runs: HashMap<String, Vec<ChildExecution>>,
    /// Child ARN → position in its run.
    index: HashMap<String, usize>,
}

impl MapRuns {
    fn lock(&self) -> std::sync::MutexGuard<'_, MapRunsInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn record(&self, events: Vec<ChildEvent>) {
        if events.is_empty() {
            return;
        }
        let mut inner = self.lock();
        let MapRunsInner { runs, index } = &mut *inner;
        for e in events {
            let run = runs.entry(e.map_run_arn.clone()).or_default();
            let pos = *index.entry(e.execution_arn.clone()).or_insert_with(|| {
                run.push(ChildExecution {
                    execution_arn: e.execution_arn.clone(),
                    map_run_arn: e.map_run_arn.clone(),
                    history: Vec::new(),
                });
                run.len() - 1
            });
            if let Some(child) = run.get_mut(pos) {
                // An Express child that a redrive of its Map Run starts again is a new
                // execution under the same ARN: its history starts over.
                if e.event.id == 1 {
                    child.history.clear();
                }
                child.history.push(e.event);
            }
        }
    }

    pub(crate) fn forget(&self, map_run_arn: &str) {
        let mut inner = self.lock();
        if let Some(children) = inner.runs.remove(map_run_arn) {
            for c in children {
                inner.index.remove(&c.execution_arn);
            }
        }
    }

    pub(crate) fn executions(&self, map_run_arn: &str) -> Vec<ChildExecution> {
        self.lock()
            .runs
            .get(map_run_arn)
            .cloned()
            .unwrap_or_default()
    }
}

/// Where a distributed Map's objects are read and written.
pub(crate) enum ObjectPlace<'a> {
    /// The engine's object store (none: the request fails, naming how to set one).
    Local(Option<&'a dyn ObjectStore>),
    /// Amazon S3: AWS clients are set and the local store (if any) does not hold the bucket.
    #[cfg(feature = "aws")]
    S3(crate::aws::AwsClients),
}

/// Where `bucket` is read or written.
pub(crate) fn place<'a>(
    store: Option<&'a dyn ObjectStore>,
    resources: &crate::Resources,
    bucket: &str,
) -> ObjectPlace<'a> {
    #[cfg(feature = "aws")]
    if let Some(clients) = resources.aws() {
        if !store.is_some_and(|s| s.has_bucket(bucket)) {
            return ObjectPlace::S3(clients.clone());
        }
    }
    #[cfg(not(feature = "aws"))]
    let _ = (resources, bucket);
    ObjectPlace::Local(store)
}

/// The answer of an object request carried out off the driver's loop (on S3).
#[derive(Debug)]
pub(crate) enum ObjectAnswer {
    /// Items read, or the reader's failure cause.
    Read(RequestId, Result<Vec<serde_json::Value>, String>),
    /// Results written, or the writer's failure cause.
    Written(RequestId, Result<(), String>),
}

impl ObjectAnswer {
    /// The event that answers the request.
    pub(crate) fn event(self, now: u64) -> Event {
        match self {
            ObjectAnswer::Read(request_id, result) => Event::ItemsRead {
                request_id,
                result,
                now,
            },
            ObjectAnswer::Written(request_id, result) => Event::ResultsWritten {
                request_id,
                result,
                now,
            },
        }
    }
}

/// Reads the items of `request` from S3.
#[cfg(feature = "aws")]
pub(crate) async fn read_s3(
    clients: crate::aws::AwsClients,
    request: ItemReadRequest,
) -> ObjectAnswer {
    let result = crate::aws::s3_objects::read_items(&clients, &request)
        .await
        .map_err(|e| e.cause);
    ObjectAnswer::Read(request.request_id, result)
}

/// Writes the files of `request` to S3.
#[cfg(feature = "aws")]
pub(crate) async fn write_s3(
    clients: crate::aws::AwsClients,
    request: ResultWriteRequest,
) -> ObjectAnswer {
    let result = crate::aws::s3_objects::write_results(&clients, &request).await;
    ObjectAnswer::Written(request.request_id, result)
}

/// Answers a [`crate::Command::ReadItems`].
pub(crate) fn read(store: Option<&dyn ObjectStore>, request: &ItemReadRequest, now: u64) -> Event {
    let result = match store {
        Some(store) => read_items(store, request).map_err(|e| e.cause),
        None => Err(NO_OBJECT_STORE.to_owned()),
    };
    Event::ItemsRead {
        request_id: request.request_id,
        result,
        now,
    }
}

/// Answers a [`crate::Command::WriteResults`].
pub(crate) fn write(
    store: Option<&dyn ObjectStore>,
    request: &ResultWriteRequest,
    now: u64,
) -> Event {
    let result = match store {
        Some(store) => request
            .files
            .iter()
            .try_for_each(|(key, body)| store.put(&request.bucket, key, body))
            .map_err(|e| e.to_string()),
        None => Err(NO_OBJECT_STORE.to_owned()),
    };
    Event::ResultsWritten {
        request_id: request.request_id,
        result,
        now,
    }
}
