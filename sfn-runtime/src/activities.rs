//! Activities: tasks that external workers poll for (`GetActivityTask`) and answer by token.
//!
//! An activity must exist (`create_activity`) before a Task state can schedule it; a worker
//! then polls [`Engine::get_activity_task`] and reports with `send_task_success` /
//! `send_task_failure` / `send_task_heartbeat`. `ActivityStarted` (with the worker's name) is
//! recorded when a worker takes the task, and the task's `HeartbeatSeconds` counts from then;
//! its `TimeoutSeconds` counts from the scheduling (`ActivityScheduled`), waiting for a worker
//! included.
//!
//! On an engine with a store, activities are stored, and the tasks of persisted executions
//! are rows of the store rather than entries of a queue in memory: an execution waiting for a
//! worker leaves memory like one waiting for a token, a task survives a restart, and a worker
//! takes the oldest task of the activity, the take committed with `ActivityStarted` in the
//! execution's transition (so exactly one worker gets it).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use sfn_runtime::{Engine, Resources};
//! let engine = Engine::new(Resources::new());
//! let activity = engine.create_activity("review").await.unwrap();
//! assert_eq!(activity.arn, "arn:aws:states:us-east-1:123456789012:activity:review");
//! // Nothing scheduled yet: a poll with no wait returns nothing.
//! assert!(engine.try_get_activity_task(&activity.arn, Some("w-1")).await.unwrap().is_none());
//! # }
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

use crate::engine::{validate_execution_name, Engine, EngineError};
use crate::execution::{ExecutionConfig, TaskId};
use crate::store::{ActivityRecord, Page, Tag};

/// How long `GetActivityTask` waits for a task (AWS: 60 s).
pub(crate) const LONG_POLL: Duration = Duration::from_secs(60);

/// `ListActivities`' default and largest page.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// The tasks of persisted executions looked at by one take.
const TAKE_BATCH: usize = 16;

/// One scheduled activity task, as `GetActivityTask` hands it to a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityTask {
    /// The token to answer with.
    pub token: String,
    /// The task input.
    pub input: Value,
}

/// One activity: its record, and the tasks of executions not persisted waiting for a worker.
#[derive(Debug)]
struct Entry {
    record: ActivityRecord,
    /// Creation order, for `ListActivities` without a store.
    order: u64,
    queue: VecDeque<ActivityTask>,
}

#[derive(Debug, Default)]
struct Registry {
    /// By ARN.
    activities: BTreeMap<String, Entry>,
    next_order: u64,
    /// Tasks of deleted activities wait here until an activity of that ARN exists again.
    orphans: BTreeMap<String, VecDeque<ActivityTask>>,
}

/// The activities of an engine (a store's are loaded at recovery) and the queues of the
/// executions that are not persisted.
#[derive(Debug, Default)]
pub(crate) struct Activities {
    registry: Mutex<Registry>,
    scheduled: Notify,
}

impl Activities {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds `record` unless its ARN exists; the one that stands, and whether it is `record`.
    fn create(&self, record: ActivityRecord) -> (ActivityRecord, bool) {
        let mut r = self.registry();
        if let Some(e) = r.activities.get(&record.arn) {
            return (e.record.clone(), false);
        }
        let order = r.next_order;
        r.next_order += 1;
        let queue = r.orphans.remove(&record.arn).unwrap_or_default();
        let arn = record.arn.clone();
        r.activities.insert(
            arn,
            Entry {
                record: record.clone(),
                order,
                queue,
            },
        );
        (record, true)
    }

    /// The activities a store holds (at recovery).
    pub(crate) fn load(&self, records: Vec<ActivityRecord>) {
        for record in records {
            self.create(record);
        }
    }

    fn get(&self, arn: &str) -> Option<ActivityRecord> {
        self.registry()
            .activities
            .get(arn)
            .map(|e| e.record.clone())
    }

    pub(crate) fn exists(&self, arn: &str) -> bool {
        self.registry().activities.contains_key(arn)
    }

    fn delete(&self, arn: &str) {
        let mut r = self.registry();
        if let Some(e) = r.activities.remove(arn) {
            if !e.queue.is_empty() {
                r.orphans.insert(arn.to_owned(), e.queue);
            }
        }
    }

    /// A page of the activities in creation order (without a store).
    fn list(&self, limit: usize, after: Option<u64>) -> Page<ActivityRecord> {
        let r = self.registry();
        let mut entries: Vec<&Entry> = r
            .activities
            .values()
            .filter(|e| after.is_none_or(|a| e.order > a))
            .collect();
        entries.sort_by_key(|e| e.order);
        let next = (entries.len() > limit).then(|| entries[limit - 1].order.to_string());
        Page {
            items: entries
                .into_iter()
                .take(limit)
                .map(|e| e.record.clone())
                .collect(),
            next,
        }
    }

    /// Queues a task of an execution that is not persisted.
    pub(crate) fn schedule(&self, arn: &str, task: ActivityTask) {
        {
            let mut r = self.registry();
            match r.activities.get_mut(arn) {
                Some(e) => e.queue.push_back(task),
                None => r.orphans.entry(arn.to_owned()).or_default().push_back(task),
            }
        }
        self.notify();
    }

    /// Wakes the pollers: a task was scheduled (queued, or committed to the store).
    pub(crate) fn notify(&self) {
        self.scheduled.notify_waiters();
    }

    /// Drops a task no worker took yet (its state was cancelled or timed out).
    pub(crate) fn withdraw(&self, token: &str) {
        let mut r = self.registry();
        for e in r.activities.values_mut() {
            e.queue.retain(|t| t.token != token);
        }
        for q in r.orphans.values_mut() {
            q.retain(|t| t.token != token);
        }
    }

    /// The oldest queued task of `arn`, if any.
    fn take(&self, arn: &str) -> Option<ActivityTask> {
        self.registry()
            .activities
            .get_mut(arn)
            .and_then(|e| e.queue.pop_front())
    }
}

/// The ARN of activity `name`, in the engine's account and region.
fn activity_arn(name: &str) -> String {
    ExecutionConfig::new(name, "x")
        .state_machine_arn
        .replace(":stateMachine:", ":activity:")
}

/// `arn` names an activity (`arn:aws:states:REGION:ACCOUNT:activity:NAME`), or `InvalidArn`.
fn check_arn(arn: &str) -> Result<(), EngineError> {
    if sfn_asl::resource::Resource::parse(arn).is_activity() {
        return Ok(());
    }
    Err(EngineError::InvalidArn {
        arn: arn.to_owned(),
        expected: "an activity ARN is arn:aws:states:REGION:ACCOUNT:activity:NAME".into(),
    })
}

impl Engine {
    /// `CreateActivity` without tags: see [`Engine::create_activity_with_tags`].
    pub async fn create_activity(&self, name: &str) -> Result<ActivityRecord, EngineError> {
        self.create_activity_with_tags(name, &[]).await
    }

    /// `CreateActivity`: Task states may now schedule work on the activity for workers to poll.
    /// Idempotent by name: creating it again returns the activity as it was created, and (as on
    /// AWS) a later request's tags are ignored, not applied. Stored, with its tags, when the
    /// engine has a store. A name follows the rules of execution names (`InvalidName`); the
    /// tags follow the rules of `TagResource` ([`Engine::tag_resource`]: `InvalidTag`,
    /// `TooManyTags`).
    pub async fn create_activity_with_tags(
        &self,
        name: &str,
        tags: &[Tag],
    ) -> Result<ActivityRecord, EngineError> {
        validate_execution_name(name)?;
        let arn = activity_arn(name);
        let tags = crate::tags::new_resource_tags(&arn, tags)?;
        let record = ActivityRecord {
            arn,
            name: name.to_owned(),
            created_ms: self.clock_ms(),
        };
        if self.has_store() {
            let record = self
                .with_stored(move |s| s.put_activity(&record, &tags))
                .await?;
            return Ok(self.activities().create(record).0);
        }
        let (record, created) = self.activities().create(record);
        if created {
            self.tags.replace(&record.arn, tags);
        }
        Ok(record)
    }

    /// `DescribeActivity`.
    pub async fn describe_activity(&self, arn: &str) -> Result<ActivityRecord, EngineError> {
        check_arn(arn)?;
        let found = match self.has_store() {
            true => {
                let key = arn.to_owned();
                self.with_stored(move |s| s.activity(&key)).await?
            }
            false => self.activities().get(arn),
        };
        found.ok_or_else(|| EngineError::ActivityDoesNotExist(arn.to_owned()))
    }

    /// `ListActivities`: in creation order, `max_results` a page (0: AWS's default, 100; at
    /// most 1,000), from the `next` of the previous page.
    pub async fn list_activities(
        &self,
        max_results: usize,
        next: Option<String>,
    ) -> Result<Page<ActivityRecord>, EngineError> {
        let limit = match max_results {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        };
        let after = match &next {
            Some(t) => Some(t.parse::<u64>().map_err(|_| {
                EngineError::InvalidToken(format!("{t} (a nextToken of ListActivities)"))
            })?),
            None => None,
        };
        match self.has_store() {
            true => self.with_stored(move |s| s.activities(limit, next)).await,
            false => Ok(self.activities().list(limit, after)),
        }
    }

    /// `DeleteActivity`: no new task can be scheduled on it, and no worker can poll it; its
    /// tags go with it. Tasks already scheduled stay, waiting until their `TimeoutSeconds`,
    /// their execution's timeout or a stop, or until an activity of that name is created
    /// again. Deleting an activity that does not exist succeeds, as on AWS.
    pub async fn delete_activity(&self, arn: &str) -> Result<(), EngineError> {
        check_arn(arn)?;
        if self.has_store() {
            let key = arn.to_owned();
            self.with_stored(move |s| s.delete_activity(&key)).await?;
        }
        self.activities().delete(arn);
        self.tags.replace(arn, Vec::new());
        Ok(())
    }

    /// `GetActivityTask` without waiting: the oldest task of the activity, if one waits.
    pub async fn try_get_activity_task(
        &self,
        arn: &str,
        worker_name: Option<&str>,
    ) -> Result<Option<ActivityTask>, EngineError> {
        self.poll_activity(arn, worker_name, Duration::ZERO).await
    }

    /// `GetActivityTask`: waits up to 60 seconds (AWS's long poll) for a task of the activity
    /// and takes the oldest one: `ActivityStarted` (with `worker_name`) is recorded, and
    /// committed for a persisted execution, before the task is returned. `None` when no task
    /// came (AWS returns no token then).
    pub async fn get_activity_task(
        &self,
        arn: &str,
        worker_name: Option<&str>,
    ) -> Result<Option<ActivityTask>, EngineError> {
        self.poll_activity(arn, worker_name, LONG_POLL).await
    }

    async fn poll_activity(
        &self,
        arn: &str,
        worker: Option<&str>,
        wait: Duration,
    ) -> Result<Option<ActivityTask>, EngineError> {
        check_arn(arn)?;
        if !self.activities().exists(arn) {
            return Err(EngineError::ActivityDoesNotExist(arn.to_owned()));
        }
        let deadline = Instant::now() + wait;
        loop {
            // Created before looking: a task scheduled in between wakes it.
            let scheduled = self.activities().scheduled.notified();
            if let Some(task) = self.take_activity_task(arn, worker).await? {
                return Ok(Some(task));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // Another process on the same store file may schedule tasks too: look again
            // every second.
            let until = match self.has_store() {
                true => deadline.min(now + Duration::from_secs(1)),
                false => deadline,
            };
            let _ = tokio::time::timeout_at(until, scheduled).await;
        }
    }

    /// Takes the oldest task of `arn`: a queued one of an execution in memory, else a stored
    /// one. Each goes to its execution's driver, which records `ActivityStarted` unless
    /// another worker took the task first.
    async fn take_activity_task(
        &self,
        arn: &str,
        worker: Option<&str>,
    ) -> Result<Option<ActivityTask>, EngineError> {
        while let Some(task) = self.activities().take(arn) {
            if self
                .start_activity_task(&task.token, None, None, worker)
                .await
            {
                return Ok(Some(task));
            }
        }
        if !self.has_store() {
            return Ok(None);
        }
        let key = arn.to_owned();
        let rows = self
            .with_stored(move |s| s.activity_tasks(&key, TAKE_BATCH))
            .await?;
        for row in rows {
            let started = self
                .start_activity_task(
                    &row.token,
                    Some(&row.execution_arn),
                    Some(TaskId(row.task_id)),
                    worker,
                )
                .await;
            if started {
                let input = row.input.as_deref().unwrap_or("null");
                return Ok(Some(ActivityTask {
                    input: serde_json::from_str(input).unwrap_or(Value::Null),
                    token: row.token,
                }));
            }
        }
        Ok(None)
    }
}
