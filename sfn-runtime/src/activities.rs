//! Activities: tasks that external workers poll for (`GetActivityTask`) and answer by token.
//!
//! An activity must exist (`create_activity`) before a Task state can schedule it; a worker
//! then polls [`Engine::get_activity_task`](crate::Engine::get_activity_task) and reports with
//! `send_task_success` / `send_task_failure` / `send_task_heartbeat`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use sfn_runtime::{Engine, Resources};
//! let engine = Engine::new(Resources::new());
//! let arn = "arn:aws:states:us-east-1:123456789012:activity:review";
//! engine.create_activity(arn);
//! // Nothing scheduled yet: a poll with no wait returns nothing.
//! assert!(engine.try_get_activity_task(arn).is_none());
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

use crate::engine::Engine;

/// One scheduled activity task, as `GetActivityTask` hands it to a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityTask {
    /// The token to answer with.
    pub token: String,
    /// The task input.
    pub input: Value,
}

/// The queues of every created activity.
#[derive(Debug, Default)]
pub(crate) struct Activities {
    queues: Mutex<HashMap<String, VecDeque<ActivityTask>>>,
    scheduled: Notify,
}

impl Activities {
    fn queues(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<ActivityTask>>> {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `CreateActivity` (idempotent).
    pub(crate) fn create(&self, arn: &str) {
        self.queues().entry(arn.to_owned()).or_default();
    }

    /// Queues a task for `arn`; `false` when the activity does not exist.
    pub(crate) fn schedule(&self, arn: &str, task: ActivityTask) -> bool {
        let queued = match self.queues().get_mut(arn) {
            Some(q) => {
                q.push_back(task);
                true
            }
            None => false,
        };
        if queued {
            self.scheduled.notify_waiters();
        }
        queued
    }

    /// Drops a task no worker took yet (its state was cancelled or timed out).
    pub(crate) fn withdraw(&self, token: &str) {
        for q in self.queues().values_mut() {
            q.retain(|t| t.token != token);
        }
    }

    /// The oldest task of `arn`, if any.
    pub(crate) fn take(&self, arn: &str) -> Option<ActivityTask> {
        self.queues().get_mut(arn).and_then(VecDeque::pop_front)
    }

    /// Waits until a task is scheduled somewhere.
    pub(crate) async fn changed(&self) {
        self.scheduled.notified().await;
    }
}

impl Engine {
    /// `CreateActivity`: Task states may now schedule work on `arn` for workers to poll.
    pub fn create_activity(&self, arn: &str) {
        self.activities().create(arn);
    }

    /// `GetActivityTask` without waiting: the oldest scheduled task of `arn`, if any.
    pub fn try_get_activity_task(&self, arn: &str) -> Option<ActivityTask> {
        self.activities().take(arn)
    }

    /// `GetActivityTask`: waits up to 60 seconds (AWS's long poll) for a task of `arn`.
    pub async fn get_activity_task(&self, arn: &str) -> Option<ActivityTask> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // Register interest before looking, so a task scheduled in between is not missed.
            let changed = self.activities().changed();
            if let Some(task) = self.activities().take(arn) {
                return Some(task);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.activities().take(arn);
            }
        }
    }
}
