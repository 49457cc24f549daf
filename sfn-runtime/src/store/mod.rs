//! Durable storage of state machines, executions and what each transition of a Standard
//! execution persists, behind the [`Store`] trait; `sqlite::SqliteStore` (feature `sqlite`)
//! keeps them in one SQLite file.
//!
//! What a transition persists ([`Transition`]) is what recovery needs: the events fed to the
//! execution's core (its journal: replaying it rebuilds the execution), the history events it
//! appended, the timers and task tokens it set or cleared, and its outcome once it ends. A
//! transition is committed whole or not at all, before the driver acts on its commands; the
//! store checks that each journal continues exactly where the stored one ends, so a transition
//! is never stored twice or out of order. [`group::GroupCommitter`] commits the transitions of
//! many executions in one database transaction.
//!
//! The store holds text (the serialized events, histories and payloads): it does not know the
//! engine's types, and the engine does not know it is SQLite. Besides executions it keeps the
//! activities and the tags of activities and state machines ([`Tag`]).

pub mod group;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use crate::execution::Status;

/// A failed store operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("the store at {path}: {message}")]
    Database {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A transition's journal does not continue the stored one (it was already committed, or
    /// one before it is missing).
    #[error("execution {execution_arn}: its journal has {stored} events, but the transition starts at event {first}")]
    JournalGap {
        /// The execution.
        execution_arn: String,
        /// Events stored.
        stored: u64,
        /// Where the transition starts.
        first: u64,
    },
    /// A transition names an execution that does not exist.
    #[error("execution {0} does not exist")]
    NoSuchExecution(String),
    /// The file was written by a newer version of the store.
    #[error("the store at {path} has schema version {found}; this version reads {supported}: use a newer sfn")]
    Schema {
        /// The file.
        path: String,
        /// Its version.
        found: i64,
        /// The one this code reads.
        supported: i64,
    },
    /// The committing thread is gone (the store was closed).
    #[error("the store is closed")]
    Closed,
}

/// A registered state machine.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineRecord {
    /// `arn:aws:states:<region>:<account>:stateMachine:<name>`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    /// The ASL definition.
    pub definition: String,
    /// The execution role, when one was given.
    pub role_arn: Option<String>,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// An execution as `DescribeExecution` sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRecord {
    /// Its ARN.
    pub arn: String,
    /// Its name (unique per state machine).
    pub name: String,
    /// The state machine it runs.
    pub state_machine_arn: String,
    /// Its status.
    pub status: Status,
    /// The input (JSON text).
    pub input: String,
    /// The output when it succeeded (JSON text).
    pub output: Option<String>,
    /// The error when it failed.
    pub error: Option<String>,
    /// The cause when it failed.
    pub cause: Option<String>,
    /// Start, ms since the Unix epoch.
    pub started_ms: u64,
    /// End, when it ended.
    pub stopped_ms: Option<u64>,
    /// How often it was redriven.
    pub redrive_count: u32,
    /// When it was last redriven (`redriveDate`), ms since the Unix epoch.
    pub redrive_ms: Option<u64>,
    /// The execution whose `states:startExecution` task started it, if one did.
    pub parent: Option<ParentLink>,
    /// The Map Run of a distributed Map's child execution (`mapRunArn`): its parent's
    /// transitions record it ([`Transition::map_children`]); no driver of its own runs it.
    pub map_run_arn: Option<String>,
}

/// The `states:startExecution` task that started an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentLink {
    /// The parent execution.
    pub execution_arn: String,
    /// The parent's task (the core's task id).
    pub task_id: u64,
    /// The task waits for the child's end (`.sync`, `.sync:2`) and has not ended: the child's
    /// end is to be told to the parent. It stops waiting when a transition of the parent
    /// settles the task ([`Transition::settled`]) or ends the parent. See
    /// [`Store::unsettled_children`].
    pub waits: bool,
}

/// What [`Store::create_execution`] did.
#[derive(Debug, Clone, PartialEq)]
// One per `StartExecution`, returned at once: boxing the record would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Created {
    /// A new execution was stored.
    New,
    /// One with that name already exists (returned): `StartExecution` returns it when it is
    /// running with the same input, and fails with `ExecutionAlreadyExists` otherwise.
    Existing(ExecutionRecord),
}

/// How an execution ended, as one transition records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    /// The final status (not `Running`).
    pub status: Status,
    /// The output when it succeeded.
    pub output: Option<String>,
    /// The error.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it ended, ms since the Unix epoch.
    pub stopped_ms: u64,
}

/// A timer set or cleared by a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerChange {
    /// Fire timer `id` at `due_ms`.
    Set {
        /// The core's timer id.
        id: u64,
        /// When, ms since the Unix epoch.
        due_ms: u64,
    },
    /// Timer `id` fired or is no longer wanted.
    Clear {
        /// The core's timer id.
        id: u64,
    },
}

/// A task token (a `.waitForTaskToken` task, or an activity task) outstanding.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// The token.
    pub token: String,
    /// The execution waiting on it.
    pub execution_arn: String,
    /// The core's task id.
    pub task_id: u64,
    /// The activity, for an activity task.
    pub activity_arn: Option<String>,
    /// The activity task's input (JSON text).
    pub input: Option<String>,
    /// The worker that took the activity task, once one did.
    pub worker: Option<String>,
    /// When it was issued, ms since the Unix epoch.
    pub created_ms: u64,
    /// The task ended (answered, timed out, cancelled, or its execution ended): the token is
    /// kept so an answer that comes too late is told so (`TaskTimedOut`), until its execution
    /// is purged.
    pub closed: bool,
}

/// An activity (`CreateActivity`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRecord {
    /// `arn:aws:states:<region>:<account>:activity:<name>`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// A tag of an activity or a state machine (`TagResource`, `CreateActivity`'s `tags`): a key
/// and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    /// The key (1 to 128 characters), unique per resource.
    pub key: String,
    /// The value (0 to 256 characters).
    pub value: String,
}

impl Tag {
    /// The tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A task token issued, taken by a worker, or closed by a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenChange {
    /// A new token.
    Issue(TokenRecord),
    /// An activity worker took the task.
    Take {
        /// The token.
        token: String,
        /// The worker's name.
        worker: String,
    },
    /// Answered, timed out or no longer wanted (the token stays, closed).
    Close {
        /// The token.
        token: String,
    },
}

/// What one transition of one execution persists, committed whole or not at all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transition {
    /// The execution.
    pub execution_arn: String,
    /// The position (from 0) of the first journal event: the number of events stored before.
    pub first_event: u64,
    /// The events fed to the core (serialized), in order.
    pub journal: Vec<String>,
    /// The history events appended: (id, serialized event).
    pub history: Vec<(u64, String)>,
    /// Timers set or cleared.
    pub timers: Vec<TimerChange>,
    /// Tokens issued, taken or closed.
    pub tokens: Vec<TokenChange>,
    /// The execution ended and runs again (`RedriveExecution`) from this time on, ms since the
    /// Unix epoch: it is `RUNNING` again, its redrive count one more, before `closed` (when the
    /// redriven execution ends at once) applies.
    pub redriven: Option<u64>,
    /// The outcome, when the execution ended.
    pub closed: Option<Closed>,
    /// Its `states:startExecution` tasks (task ids) that ended in this transition: a child
    /// they waited for needs no more telling (see [`ParentLink::waits`]).
    pub settled: Vec<u64>,
    /// What the transition did to the child executions of its distributed Maps, in order.
    pub map_children: Vec<MapChildChange>,
    /// After this transition the execution waits only for its timers and task tokens, and the
    /// engine has let it leave memory: the engine wakes it from the store when a timer is due
    /// ([`Store::due_timers`]) or a token is answered, and a restarted engine does not load it
    /// ([`Store::active`]). Any transition without it marks the execution in memory again. A
    /// parking transition usually carries no journal event.
    pub park: bool,
}

/// A change a transition of its parent makes to a distributed Map's child execution.
#[derive(Debug, Clone, PartialEq)]
pub enum MapChildChange {
    /// The child started: its record (with its `map_run_arn`).
    Started(ExecutionRecord),
    /// An event of the child's own history.
    Event {
        /// The child.
        execution_arn: String,
        /// The event's id in the child's history.
        id: u64,
        /// The event, as AWS shows it (JSON text).
        event: String,
    },
    /// The child ended.
    Closed {
        /// The child.
        execution_arn: String,
        /// How.
        closed: Closed,
    },
    /// The child runs again (a redrive of its Map Run) from this time, ms since the epoch.
    Redriven {
        /// The child.
        execution_arn: String,
        /// When.
        at_ms: u64,
    },
}

/// A filter and page of [`Store::executions`], newest first as `ListExecutions` returns them.
#[derive(Debug, Clone, Default)]
pub struct ExecutionQuery {
    /// Only this state machine's executions.
    pub state_machine_arn: Option<String>,
    /// Only executions with this status.
    pub status: Option<Status>,
    /// Only the child executions of this distributed Map Run (`ListExecutions --map-run-arn`);
    /// without it, no Map Run's children are listed.
    pub map_run_arn: Option<String>,
    /// At most this many (0: no limit).
    pub limit: usize,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// A page of history events, oldest first unless `reverse`.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Newest first.
    pub reverse: bool,
    /// At most this many (0: no limit).
    pub limit: usize,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// A token for the next page, when there is more.
    pub next: Option<String>,
}

/// A timer due, as [`Store::due_timers`] lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    /// The execution.
    pub execution_arn: String,
    /// The core's timer id.
    pub id: u64,
    /// When it is due.
    pub due_ms: u64,
}

/// How much a committed transition survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is flushed to the disk (`fsync`) before it is acknowledged: an acknowledged
    /// transition survives a crash of the process, of the operating system, or a power cut
    /// (on a disk that honours flushes). SQLite: WAL, `synchronous=FULL`.
    #[default]
    Full,
    /// Commits reach the operating system before they are acknowledged, and the disk at the
    /// next checkpoint: an acknowledged transition survives a crash or `SIGKILL` of the
    /// process, but the last ones may be lost if the machine itself fails. SQLite: WAL,
    /// `synchronous=NORMAL`.
    Process,
}

/// Durable storage of state machines and executions. One writer: a store is used from one
/// thread at a time (see [`group::GroupCommitter`]).
pub trait Store: Send {
    /// Stores a state machine, replacing one with the same ARN.
    fn put_state_machine(&mut self, machine: &StateMachineRecord) -> Result<(), StoreError>;
    /// The state machine with that ARN.
    fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError>;
    /// Every state machine, by ARN.
    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError>;
    /// Stores a new execution, unless its state machine already has one with that name.
    fn create_execution(&mut self, execution: &ExecutionRecord) -> Result<Created, StoreError>;
    /// The execution with that ARN.
    fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError>;
    /// Executions, newest first.
    fn executions(&self, query: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError>;
    /// The executions still running, parked or not.
    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError>;
    /// The executions still running that are not parked (see [`Transition::park`]): what a
    /// restarted engine loads at once.
    fn active(&self) -> Result<Vec<ExecutionRecord>, StoreError>;
    /// Commits transitions in one database transaction: all of them or none.
    fn commit(&mut self, transitions: &[Transition]) -> Result<(), StoreError>;
    /// Creates executions (each as [`Store::create_execution`] would, in order) and commits
    /// transitions, in one database transaction: all of them or none. What each creation did.
    fn commit_batch(
        &mut self,
        executions: &[ExecutionRecord],
        transitions: &[Transition],
    ) -> Result<Vec<Created>, StoreError>;
    /// An execution's journal, in order.
    fn journal(&self, execution_arn: &str) -> Result<Vec<String>, StoreError>;
    /// A page of an execution's history events.
    fn history(
        &self,
        execution_arn: &str,
        query: &HistoryQuery,
    ) -> Result<Page<(u64, String)>, StoreError>;
    /// Timers of parked executions (see [`Transition::park`]) due at or before `until_ms`,
    /// earliest first (then by execution and id): the ones the engine must wake.
    fn due_timers(&self, until_ms: u64, limit: usize) -> Result<Vec<DueTimer>, StoreError>;
    /// The earliest timer of a parked execution, if any.
    fn next_timer(&self) -> Result<Option<DueTimer>, StoreError>;
    /// A task token, outstanding or closed.
    fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError>;
    /// Outstanding activity tasks of an activity not yet taken by a worker, oldest first.
    fn activity_tasks(
        &self,
        activity_arn: &str,
        limit: usize,
    ) -> Result<Vec<TokenRecord>, StoreError>;
    /// Removes the executions that ended before `before_ms`, with their journals and
    /// histories; how many.
    fn purge_closed(&mut self, before_ms: u64) -> Result<usize, StoreError>;
    /// The definition an execution runs: its state machine's definition when it started (a
    /// later `put_state_machine` does not change it). `None` for an unknown execution.
    fn execution_definition(&self, execution_arn: &str) -> Result<Option<String>, StoreError>;
    /// Stores an activity with its tags unless one with its ARN exists; the stored one
    /// (`CreateActivity` is idempotent by name, and a later request's tags are ignored). A new
    /// activity has exactly `tags` (a later tag of a key replaces an earlier one), whatever
    /// tags its ARN had before.
    fn put_activity(
        &mut self,
        activity: &ActivityRecord,
        tags: &[Tag],
    ) -> Result<ActivityRecord, StoreError>;
    /// The activity with that ARN.
    fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError>;
    /// Activities in creation order, paged (`limit` 0: all).
    fn activities(
        &self,
        limit: usize,
        after: Option<String>,
    ) -> Result<Page<ActivityRecord>, StoreError>;
    /// Removes an activity and its tags; whether it existed. Its waiting tasks stay (no worker
    /// can take them until an activity of that name exists again).
    fn delete_activity(&mut self, arn: &str) -> Result<bool, StoreError>;
    /// Adds tags to a resource (by ARN), replacing the value of a key it has; in one database
    /// transaction. The store does not check that the resource exists.
    fn tag_resource(&mut self, resource_arn: &str, tags: &[Tag]) -> Result<(), StoreError>;
    /// Removes a resource's tags of these keys (keys it does not have are ignored).
    fn untag_resource(&mut self, resource_arn: &str, keys: &[String]) -> Result<(), StoreError>;
    /// A resource's tags, in the order their keys were first added.
    fn tags(&self, resource_arn: &str) -> Result<Vec<Tag>, StoreError>;
    /// Child executions that ended while a task of their running parent waits for them, and
    /// whose end the parent has not settled yet (its process stopped in between): what a
    /// restarted engine tells their parents.
    fn unsettled_children(&self) -> Result<Vec<ExecutionRecord>, StoreError>;
}

/// A boxed store is a store, so an engine can hold any one behind `Box<dyn Store>`.
impl<S: Store + ?Sized> Store for Box<S> {
    fn put_state_machine(&mut self, machine: &StateMachineRecord) -> Result<(), StoreError> {
        (**self).put_state_machine(machine)
    }
    fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError> {
        (**self).state_machine(arn)
    }
    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        (**self).state_machines()
    }
    fn create_execution(&mut self, execution: &ExecutionRecord) -> Result<Created, StoreError> {
        (**self).create_execution(execution)
    }
    fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        (**self).execution(arn)
    }
    fn executions(&self, query: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError> {
        (**self).executions(query)
    }
    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        (**self).running()
    }
    fn active(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        (**self).active()
    }
    fn commit(&mut self, transitions: &[Transition]) -> Result<(), StoreError> {
        (**self).commit(transitions)
    }
    fn commit_batch(
        &mut self,
        executions: &[ExecutionRecord],
        transitions: &[Transition],
    ) -> Result<Vec<Created>, StoreError> {
        (**self).commit_batch(executions, transitions)
    }
    fn journal(&self, execution_arn: &str) -> Result<Vec<String>, StoreError> {
        (**self).journal(execution_arn)
    }
    fn history(
        &self,
        execution_arn: &str,
        query: &HistoryQuery,
    ) -> Result<Page<(u64, String)>, StoreError> {
        (**self).history(execution_arn, query)
    }
    fn due_timers(&self, until_ms: u64, limit: usize) -> Result<Vec<DueTimer>, StoreError> {
        (**self).due_timers(until_ms, limit)
    }
    fn next_timer(&self) -> Result<Option<DueTimer>, StoreError> {
        (**self).next_timer()
    }
    fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        (**self).token(token)
    }
    fn activity_tasks(
        &self,
        activity_arn: &str,
        limit: usize,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        (**self).activity_tasks(activity_arn, limit)
    }
    fn purge_closed(&mut self, before_ms: u64) -> Result<usize, StoreError> {
        (**self).purge_closed(before_ms)
    }
    fn execution_definition(&self, execution_arn: &str) -> Result<Option<String>, StoreError> {
        (**self).execution_definition(execution_arn)
    }
    fn put_activity(
        &mut self,
        activity: &ActivityRecord,
        tags: &[Tag],
    ) -> Result<ActivityRecord, StoreError> {
        (**self).put_activity(activity, tags)
    }
    fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError> {
        (**self).activity(arn)
    }
    fn activities(
        &self,
        limit: usize,
        after: Option<String>,
    ) -> Result<Page<ActivityRecord>, StoreError> {
        (**self).activities(limit, after)
    }
    fn delete_activity(&mut self, arn: &str) -> Result<bool, StoreError> {
        (**self).delete_activity(arn)
    }
    fn tag_resource(&mut self, resource_arn: &str, tags: &[Tag]) -> Result<(), StoreError> {
        (**self).tag_resource(resource_arn, tags)
    }
    fn untag_resource(&mut self, resource_arn: &str, keys: &[String]) -> Result<(), StoreError> {
        (**self).untag_resource(resource_arn, keys)
    }
    fn tags(&self, resource_arn: &str) -> Result<Vec<Tag>, StoreError> {
        (**self).tags(resource_arn)
    }
    fn unsettled_children(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        (**self).unsettled_children()
    }
}
