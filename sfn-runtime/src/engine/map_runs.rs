//! The driver's side of distributed Maps: reads and writes through the engine's object store,
//! and the histories of child executions, kept for `Engine::map_run_executions`.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::execution::{ChildEvent, Event, Status};
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
