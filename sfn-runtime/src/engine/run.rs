//! The driver loop: runs the core's commands on tokio and feeds the results back as events.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use sfn_asl::error::{STATES_RUNTIME, STATES_TASK_FAILED};
use sfn_asl::resource::IntegrationPattern;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::{Duration, Instant};

use super::map_runs::{ObjectAnswer, ObjectPlace};
use super::persist::Persisted;
use super::{lock, DriverMsg, Engine, EngineError, ExecutionResult, LiveRef, TokenSlot, Tokens};
use crate::activities::Activities;
use crate::execution::{
    ChildExecutionRequest, Command, Event, Execution, Outcome, RequestId, Step, TaskId,
    TaskInvocation, TimerId,
};
use crate::history::HistoryEvent;
use crate::resources::{Resources, Route, TaskError, TaskOrigin};

/// A task the driver is running.
struct RunningTask {
    handle: AbortHandle,
    /// Its token, registered for `send_task_*`.
    token: Option<String>,
    /// The handler's answer is only the submission; the result comes by token.
    callback: bool,
    /// A `.sync` task's child execution, to stop it with the task.
    child: Option<Child>,
    /// An activity task of a persisted execution: a row of the store waits for a worker.
    stored: bool,
}

/// The child execution a `.sync` task waits for.
enum Child {
    /// Driven in memory: its driver's channel.
    Memory(mpsc::UnboundedSender<DriverMsg>),
    /// Persisted: its ARN.
    Stored(String),
}

pub(super) struct Driver {
    /// For nested executions.
    engine: Engine,
    exec: Execution,
    resources: Arc<Resources>,
    tokens: Tokens,
    activities: Arc<Activities>,
    tx: mpsc::UnboundedSender<DriverMsg>,
    rx: mpsc::UnboundedReceiver<DriverMsg>,
    origin: Instant,
    epoch_ms: u64,
    history: Vec<HistoryEvent>,
    /// Shared with an `ExecutionHandle`: events go there instead of `history`.
    live: Option<LiveRef>,
    tasks: JoinSet<(TaskId, Result<Value, TaskError>)>,
    running: BTreeMap<TaskId, RunningTask>,
    /// Object reads and writes under way on S3, and which request each answers (a panic
    /// still answers it, as a failure).
    objects: JoinSet<ObjectAnswer>,
    object_requests: BTreeMap<tokio::task::Id, (RequestId, bool)>,
    /// The core's timers by deadline, then id: timers due together fire in id order.
    timers: BTreeSet<(Instant, TimerId)>,
    /// Each timer's deadline, to cancel it.
    timer_at: BTreeMap<TimerId, Instant>,
    outcome: Option<Outcome>,
    /// Where a persisted (Standard, stored) execution commits each transition.
    persisted: Option<Persisted>,
    /// Why the driver stopped before the end: a transition could not be persisted.
    halted: Option<crate::store::StoreError>,
    /// Carrying out the pending commands of a resumed execution: tasks run again.
    resuming: bool,
    /// The submissions of the `.sync` service tasks a resumed execution runs again: they
    /// follow the job they started.
    resumed_submissions: BTreeMap<TaskId, Value>,
}

impl Driver {
    pub(super) fn new(
        engine: Engine,
        exec: Execution,
        tx: mpsc::UnboundedSender<DriverMsg>,
        rx: mpsc::UnboundedReceiver<DriverMsg>,
        epoch_ms: u64,
    ) -> Driver {
        Driver {
            resources: engine.resources.clone(),
            tokens: engine.tokens.clone(),
            activities: engine.activities.clone(),
            engine,
            exec,
            tx,
            rx,
            origin: Instant::now(),
            epoch_ms,
            history: Vec::new(),
            live: None,
            tasks: JoinSet::new(),
            running: BTreeMap::new(),
            objects: JoinSet::new(),
            object_requests: BTreeMap::new(),
            timers: BTreeSet::new(),
            timer_at: BTreeMap::new(),
            outcome: None,
            persisted: None,
            halted: None,
            resuming: false,
            resumed_submissions: BTreeMap::new(),
        }
    }

    fn now(&self) -> u64 {
        let elapsed = Instant::now().saturating_duration_since(self.origin);
        self.epoch_ms
            .saturating_add(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
    }

    fn instant_at(&self, at_ms: u64) -> Instant {
        // Far-future timers are capped at ~34 years (past any execution's end, which is at most
        // a year away), so the clock never holds a deadline it cannot represent.
        let cap = Duration::from_secs(1 << 30);
        let offset = Duration::from_millis(at_ms.saturating_sub(self.epoch_ms)).min(cap);
        self.origin
            .checked_add(offset)
            .unwrap_or_else(|| self.origin + cap)
    }

    /// Records into `live`, for a handle to observe.
    pub(super) fn observed(mut self, live: LiveRef) -> Self {
        self.live = Some(live);
        self
    }

    /// Commits every transition to the store before carrying out its commands.
    pub(super) fn persisted(mut self, persisted: Persisted) -> Self {
        self.persisted = Some(persisted);
        self
    }

    pub(super) async fn run(mut self, input: Value) -> Result<ExecutionResult, EngineError> {
        let now = self.now();
        self.feed(Event::Started { input, now }).await;
        self.drive().await
    }

    /// Carries on with a restored execution: `pending` (see [`Execution::pending`]) are carried
    /// out again, except that a submitted task waits for its token instead of running again.
    pub(super) async fn resume(
        self,
        pending: Vec<Command>,
    ) -> Result<ExecutionResult, EngineError> {
        self.carry_on(pending, true).await
    }

    /// [`Driver::resume`]; `redelivered`: the tasks among `pending` ran before (a restart),
    /// rather than being new (a redrive's).
    pub(super) async fn carry_on(
        mut self,
        pending: Vec<Command>,
        redelivered: bool,
    ) -> Result<ExecutionResult, EngineError> {
        let mut answers = VecDeque::new();
        self.resuming = redelivered;
        for command in pending {
            self.carry_out(command, &mut answers);
        }
        self.resuming = false;
        while let Some(event) = answers.pop_front() {
            self.feed(event).await;
        }
        self.drive().await
    }

    /// Registers the tokens of the submitted tasks among `pending` (they wait for them instead
    /// of running again), at once, so a token answered right after a restart finds its task;
    /// returns the commands still to carry out.
    pub(super) fn await_submitted(&mut self, pending: Vec<Command>) -> Vec<Command> {
        let mut rest = Vec::with_capacity(pending.len());
        for command in pending {
            match command {
                // A `.sync` job started before the restart: the task runs again, following it.
                Command::InvokeTask(task) if self.exec.sync_submission(task.task_id).is_some() => {
                    if let Some(submission) = self.exec.sync_submission(task.task_id) {
                        self.resumed_submissions
                            .insert(task.task_id, submission.clone());
                    }
                    rest.push(Command::InvokeTask(task));
                }
                Command::InvokeTask(task) if self.exec.is_submitted(task.task_id) => {
                    self.await_token(task.task_id, task.token, false);
                }
                // Its row waits in the store for a worker.
                Command::InvokeTask(task)
                    if self.persisted.is_some()
                        && self.exec.awaits_worker(task.task_id)
                        && self.resources.awaits_worker(&task) =>
                {
                    self.await_token(task.task_id, task.token, true);
                }
                // A child on AWS started before the restart: followed again.
                Command::StartExecution(r) if self.on_aws(&r) => {
                    let task_id = r.task.task_id;
                    if let Some(submission) = self.exec.sync_submission(task_id) {
                        self.resumed_submissions.insert(task_id, submission.clone());
                        rest.push(Command::StartExecution(r));
                    } else if self.exec.is_submitted(task_id) {
                        self.await_token(task_id, r.task.token, false);
                    } else {
                        rest.push(Command::StartExecution(r));
                    }
                }
                Command::StartExecution(r) if self.exec.is_submitted(r.task.task_id) => {
                    // The child runs as an execution of its own; its driver (or the store
                    // that resumes it) reports its end. Here: its token, if it has one.
                    let stored = self.stored_child(&r);
                    self.await_token(r.task.task_id, r.task.token, false);
                    if let (Some(arn), Some(running)) =
                        (stored, self.running.get_mut(&r.task.task_id))
                    {
                        running.child = Some(Child::Stored(arn));
                    }
                }
                command => rest.push(command),
            }
        }
        rest
    }

    /// A submitted task (or, `stored`, an activity task a worker takes from the store):
    /// nothing runs; its token completes it.
    fn await_token(&mut self, task_id: TaskId, token: Option<String>, stored: bool) {
        if let Some(token) = &token {
            self.register_token(token, task_id);
        }
        let handle = self.tasks.spawn(std::future::pending());
        let running = RunningTask {
            handle,
            token,
            callback: true,
            child: None,
            stored,
        };
        self.running.insert(task_id, running);
    }

    /// Runs the loop until the execution ends, or (persisted) until it waits with nothing to
    /// do in memory and leaves it.
    async fn drive(mut self) -> Result<ExecutionResult, EngineError> {
        while self.outcome.is_none() && self.halted.is_none() {
            if self.parkable() && self.park().await {
                return Err(EngineError::DriverStopped(
                    "the execution waits in the store for a timer or a token".into(),
                ));
            }
            let next_deadline = self.next_deadline();
            tokio::select! {
                // Messages first: a `.sync` task's submission precedes its result.
                biased;
                msg = self.rx.recv() => {
                    if let Some(msg) = msg {
                        self.message(msg).await;
                    }
                }
                joined = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    match joined {
                        Some(Ok((task_id, result))) => self.task_finished(task_id, result).await,
                        Some(Err(e)) if e.is_panic() => self.task_panicked(e.id()).await,
                        _ => {}
                    }
                }
                joined = self.objects.join_next_with_id(), if !self.objects.is_empty() => {
                    let answer = match joined {
                        Some(Ok((id, answer))) => {
                            self.object_requests.remove(&id);
                            Some(answer)
                        }
                        Some(Err(e)) => self.object_requests.remove(&e.id()).map(|(request_id, read)| {
                            let cause = format!("the object request failed: {e}");
                            match read {
                                true => ObjectAnswer::Read(request_id, Err(cause)),
                                false => ObjectAnswer::Written(request_id, Err(cause)),
                            }
                        }),
                        None => None,
                    };
                    if let Some(answer) = answer {
                        let now = self.now();
                        self.feed(answer.event(now)).await;
                    }
                }
                _ = tokio::time::sleep_until(next_deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 30))), if next_deadline.is_some() => {
                    self.fire_due().await;
                }
            }
        }
        self.tasks.abort_all();
        self.objects.abort_all();
        let result = self.end();
        if let (Some(parent), Ok(result)) = (
            self.persisted.as_ref().and_then(Persisted::waiting_parent),
            &result,
        ) {
            // Committed: the parent's task waiting for it learns its end.
            self.engine.tell_parent(parent, result.outcome.clone());
        }
        if let (Some(persisted), Some(live)) = (&self.persisted, &self.live) {
            persisted.link().leave(persisted.execution_arn());
            if Arc::strong_count(live) > 1 {
                super::persist::publish(live, result.clone());
            }
        }
        result
    }

    /// The execution's result once the loop is over.
    fn end(&mut self) -> Result<ExecutionResult, EngineError> {
        if let Some(e) = self.halted.take() {
            return Err(EngineError::Store(e.to_string()));
        }
        let outcome = self.outcome.take().unwrap_or(Outcome {
            status: crate::execution::Status::Failed,
            output: None,
            error: Some(STATES_RUNTIME.into()),
            cause: Some("the execution ended without an outcome".into()),
        });
        let history = match &self.live {
            Some(live) => {
                let mut live = lock(live);
                live.outcome = Some(outcome.status);
                live.events.clone()
            }
            None => std::mem::take(&mut self.history),
        };
        Ok(ExecutionResult { outcome, history })
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// A persisted execution that only waits (for timers at least `park_after` away, and for
    /// tokens of submitted tasks), with no message pending: it can leave memory.
    fn parkable(&self) -> bool {
        let Some(after) = self.persisted.as_ref().and(self.engine.park_after) else {
            return false;
        };
        self.rx.is_empty()
            && self.objects.is_empty()
            && self.running.iter().all(|(id, r)| {
                r.callback
                    && !matches!(r.child, Some(Child::Memory(_)))
                    && (r.stored || self.exec.is_submitted(*id))
            })
            && self
                .next_deadline()
                .is_none_or(|at| at >= Instant::now() + after)
    }

    /// Commits that the execution leaves memory, then leaves unless a message came meanwhile:
    /// the engine wakes it from the store (its timers by the scheduler, its tokens by
    /// `send_task_*`, a stop by `stop_execution`). `true` when it left.
    async fn park(&mut self) -> bool {
        let due_ms = self.next_deadline().map(|at| self.ms_at(at));
        let Some(persisted) = self.persisted.as_mut() else {
            return false;
        };
        if let Err(e) = persisted.park().await {
            self.halted = Some(e);
            return false;
        }
        let link = persisted.link().clone();
        let arn = persisted.execution_arn().to_owned();
        if !link.leave_if_idle(&arn, &self.rx) {
            return false;
        }
        {
            let mut tokens = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for token in self.running.values().filter_map(|r| r.token.as_ref()) {
                if tokens
                    .get(token)
                    .is_some_and(|t| t.tx.same_channel(&self.tx))
                {
                    tokens.remove(token);
                }
            }
        }
        self.tasks.abort_all();
        if let Some(live) = self.live.take() {
            drop(live);
            link.unobserved(&arn);
        }
        if let Some(due_ms) = due_ms {
            if due_ms < link.scheduled_ms.load(std::sync::atomic::Ordering::SeqCst) {
                link.parked.notify_one();
            }
        }
        true
    }

    /// The wall-clock time (ms since the epoch) of an instant of this driver's clock.
    fn ms_at(&self, at: Instant) -> u64 {
        let offset = at.saturating_duration_since(self.origin).as_millis();
        self.epoch_ms
            .saturating_add(u64::try_from(offset).unwrap_or(u64::MAX))
    }

    /// Fires the earliest timer when it is due (one per turn of the loop, so messages that
    /// arrived meanwhile go first).
    async fn fire_due(&mut self) {
        let Some(&(at, timer_id)) = self.timers.first() else {
            return;
        };
        if at <= Instant::now() {
            self.timers.remove(&(at, timer_id));
            self.timer_at.remove(&timer_id);
            let now = self.now();
            self.feed(Event::TimerFired { timer_id, now }).await;
        }
    }

    /// A handler panicked: its task fails (it would otherwise wait forever).
    async fn task_panicked(&mut self, id: tokio::task::Id) {
        let Some(task_id) = self
            .running
            .iter()
            .find(|(_, r)| r.handle.id() == id)
            .map(|(t, _)| *t)
        else {
            return;
        };
        self.forget_task(task_id);
        let now = self.now();
        self.feed(Event::TaskFailed {
            task_id,
            error: Some(STATES_TASK_FAILED.into()),
            cause: Some("The task handler panicked.".into()),
            now,
        })
        .await;
    }

    fn forget_task(&mut self, task_id: TaskId) {
        if let Some(RunningTask {
            handle,
            token,
            child,
            ..
        }) = self.running.remove(&task_id)
        {
            handle.abort();
            // Stopping the task stops the `.sync` child it waits for.
            match child {
                Some(Child::Memory(child)) => {
                    let _ = child.send(DriverMsg::Stop(Box::new((None, None))));
                }
                Some(Child::Stored(arn)) => self.engine.stop_stored_child(&arn),
                None => {}
            }
            if let Some(token) = token {
                self.activities.withdraw(&token);
                self.tokens
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&token);
                self.engine
                    .closed_tokens
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(token);
            }
        }
    }

    async fn task_finished(&mut self, task_id: TaskId, result: Result<Value, TaskError>) {
        let callback = self.running.get(&task_id).is_some_and(|r| r.callback);
        let now = self.now();
        match (callback, result) {
            // A callback task: the handler's answer is the submission; the result comes by token.
            (true, Ok(output)) => {
                self.feed(Event::TaskSubmitted {
                    task_id,
                    output,
                    now,
                })
                .await;
            }
            (_, result) => {
                self.forget_task(task_id);
                let event = match result {
                    Ok(output) => Event::TaskSucceeded {
                        task_id,
                        output,
                        now,
                    },
                    Err(e) => Event::TaskFailed {
                        task_id,
                        error: Some(e.error),
                        cause: e.cause,
                        now,
                    },
                };
                self.feed(event).await;
            }
        }
    }

    async fn message(&mut self, msg: DriverMsg) {
        let now = self.now();
        match msg {
            DriverMsg::ActivityStarted {
                task_id,
                worker,
                ack,
            } => {
                if !self.running.contains_key(&task_id) || !self.exec.awaits_worker(task_id) {
                    return answer(ack, Err(EngineError::TaskDoesNotExist(String::new())));
                }
                let worker_name = worker.map(String::from);
                self.feed(Event::ActivityStarted {
                    task_id,
                    worker_name,
                    now,
                })
                .await;
                answer(ack, self.committed());
            }
            DriverMsg::TaskDone {
                task_id,
                result,
                ack,
            } => {
                let Some(running) = self.running.get_mut(&task_id) else {
                    return answer(ack, Err(EngineError::TaskDoesNotExist(String::new())));
                };
                // Answered by its token: a `.sync` task's child execution runs on.
                running.child = None;
                self.forget_task(task_id);
                let event = match *result {
                    Ok(output) => Event::TaskSucceeded {
                        task_id,
                        output,
                        now,
                    },
                    Err((error, cause)) => Event::TaskFailed {
                        task_id,
                        error,
                        cause,
                        now,
                    },
                };
                self.feed(event).await;
                answer(ack, self.committed());
            }
            DriverMsg::Heartbeat { task_id, ack } => {
                if !self.running.contains_key(&task_id) {
                    return answer(ack, Err(EngineError::TaskDoesNotExist(String::new())));
                }
                self.feed(Event::TaskHeartbeat { task_id, now }).await;
                answer(ack, self.committed());
            }
            DriverMsg::ChildCreated { task_id, result } => {
                self.child_created(task_id, *result).await
            }
            DriverMsg::Submitted { task_id, output } => {
                if self.running.contains_key(&task_id) {
                    self.feed(Event::TaskSubmitted {
                        task_id,
                        output,
                        now,
                    })
                    .await;
                }
            }
            DriverMsg::ChildDone { task_id, outcome } => {
                // Only a task that waits for its started child takes its end (after a restart
                // the end may be told before the task has learned that its child exists).
                if self.exec.is_submitted(task_id) && self.running.remove(&task_id).is_some() {
                    self.feed(Event::ChildFinished {
                        task_id,
                        outcome,
                        now,
                    })
                    .await;
                }
            }
            DriverMsg::Stop(reason) => {
                let (error, cause) = *reason;
                self.feed(Event::StopRequested { error, cause, now }).await;
            }
        }
    }

    /// `Ok` unless a transition could not be committed (the driver then stops where it is).
    fn committed(&self) -> Result<(), EngineError> {
        match &self.halted {
            None => Ok(()),
            Some(e) => Err(EngineError::Store(e.to_string())),
        }
    }

    /// Applies an event, then the answers of object-store commands it caused (in order, without
    /// recursion).
    async fn feed(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            self.feed_one(event, &mut queue).await;
        }
    }

    /// Applies one event; a persisted execution commits the transition before any of its
    /// commands takes effect, and stops where it is when the commit fails.
    async fn feed_one(&mut self, event: Event, answers: &mut VecDeque<Event>) {
        if self.halted.is_some() {
            return;
        }
        let step = match (&self.engine.journal, &self.persisted) {
            (None, None) => self.exec.handle(event),
            (journal, _) => {
                let step = self.exec.handle(event.clone());
                if let Some(journal) = journal {
                    journal.append(self.exec.config(), &event, &step, self.exec.snapshot());
                }
                if let Err(e) = self.persist(&event, &step).await {
                    self.halted = Some(e);
                    return;
                }
                step
            }
        };
        match &self.live {
            Some(live) => lock(live).events.extend(step.events),
            None => self.history.extend(step.events),
        }
        if self.persisted.is_none() {
            // A persisted execution's children are in the store (`Transition::map_children`).
            self.engine.map_runs.record(step.child_events);
        }
        for command in step.commands {
            self.carry_out(command, answers);
        }
        if self.outcome.is_some() {
            let ids: Vec<TaskId> = self.running.keys().copied().collect();
            for id in ids {
                self.forget_task(id);
            }
        }
    }

    /// Commits the transition of `event` when the execution is persisted.
    async fn persist(
        &mut self,
        event: &Event,
        step: &Step,
    ) -> Result<(), crate::store::StoreError> {
        let Some(persisted) = &mut self.persisted else {
            return Ok(());
        };
        let text =
            serde_json::to_string(event).map_err(|e| crate::store::StoreError::Database {
                path: String::new(),
                message: format!("the event does not serialize: {e}"),
            })?;
        let (resources, engine) = (&self.resources, &self.engine);
        let for_workers = |task: &TaskInvocation| resources.for_workers(engine, task);
        persisted.commit(text, event, step, &for_workers).await
    }

    /// Carries out one command; the answers of object-store requests go to `answers`.
    fn carry_out(&mut self, command: Command, answers: &mut VecDeque<Event>) {
        match command {
            // Local object reads and writes are answered at once (local stores are fast, and
            // the core sees them as any other event); S3's come back through `objects`.
            Command::ReadItems(request) => {
                let store = self.engine.object_store.as_deref();
                let bucket = request.parameters.get("Bucket").and_then(Value::as_str);
                match super::map_runs::place(store, &self.resources, bucket.unwrap_or_default()) {
                    ObjectPlace::Local(store) => {
                        let now = self.now();
                        answers.push_back(super::map_runs::read(store, &request, now));
                    }
                    #[cfg(feature = "aws")]
                    ObjectPlace::S3(clients) => {
                        let id = request.request_id;
                        let handle = self
                            .objects
                            .spawn(super::map_runs::read_s3(clients, request));
                        self.object_requests.insert(handle.id(), (id, true));
                    }
                }
            }
            Command::WriteResults(request) => {
                let store = self.engine.object_store.as_deref();
                match super::map_runs::place(store, &self.resources, &request.bucket) {
                    ObjectPlace::Local(store) => {
                        let now = self.now();
                        answers.push_back(super::map_runs::write(store, &request, now));
                    }
                    #[cfg(feature = "aws")]
                    ObjectPlace::S3(clients) => {
                        let id = request.request_id;
                        let handle = self
                            .objects
                            .spawn(super::map_runs::write_s3(clients, request));
                        self.object_requests.insert(handle.id(), (id, false));
                    }
                }
            }
            Command::InvokeTask(task) => {
                let task_id = task.task_id;
                // A handler serving an activity takes its task at once.
                if self.invoke(task) && self.exec.awaits_worker(task_id) {
                    let now = self.now();
                    answers.push_back(Event::ActivityStarted {
                        task_id,
                        worker_name: None,
                        now,
                    });
                }
            }
            Command::StartExecution(request) => self.start_child(*request, answers),
            Command::StartTimer { timer_id, at } => {
                let at = self.instant_at(at);
                self.timers.insert((at, timer_id));
                self.timer_at.insert(timer_id, at);
            }
            Command::CancelTask { task_id } => self.forget_task(task_id),
            Command::CancelTimer { timer_id } => {
                if let Some(at) = self.timer_at.remove(&timer_id) {
                    self.timers.remove(&(at, timer_id));
                }
            }
            Command::Finished(outcome) => self.outcome = Some(outcome),
        }
    }

    /// Starts a task: its token, and where it goes: an activity's workers (a queue in memory,
    /// or for a persisted execution the row its transition stored), or where
    /// [`Resources::route`] sends it. Its deadlines are the core's timers. `true` when a
    /// source or handler runs an activity task.
    fn invoke(&mut self, task: TaskInvocation) -> bool {
        let (task_id, token) = (task.task_id, task.token.clone());
        if let Some(token) = &token {
            self.register_token(token, task_id);
        }
        if self.resources.for_workers(&self.engine, &task) {
            // A worker answers by token; nothing runs here meanwhile.
            let stored = self.persisted.is_some();
            match (&token, stored) {
                (_, true) => self.activities.notify(),
                (Some(token), false) => {
                    let work = crate::activities::ActivityTask {
                        token: token.clone(),
                        input: task.input,
                    };
                    self.activities.schedule(&task.resource, work);
                }
                (None, false) => {}
            }
            let running = RunningTask {
                handle: self.tasks.spawn(std::future::pending()),
                token,
                callback: true,
                child: None,
                stored,
            };
            self.running.insert(task_id, running);
            return false;
        }
        let activity = task.resource.is_activity();
        let sync = matches!(
            task.resource.pattern(),
            Some(IntegrationPattern::Sync | IntegrationPattern::Sync2)
        );
        let origin = TaskOrigin {
            execution_arn: self.exec.config().execution_arn.clone(),
            redelivered: self.resuming,
        };
        let Route::Run { result, callback } = match self.engine.authorize(self.exec.config(), &task)
        {
            // The call is never made: the state fails as the service refuses it.
            Err(refused) => Route::Run {
                result: Box::pin(async move { Err(refused) }),
                callback: false,
            },
            Ok(()) => self.resources.route(task, origin),
        };
        let result = match sync {
            // A `.sync` integration reports its submission, and resumes from it.
            true => {
                let tx = self.tx.clone();
                let scope = crate::resources::TaskScope {
                    submit: Some(Arc::new(move |output| {
                        let _ = tx.send(DriverMsg::Submitted { task_id, output });
                    })),
                    resumed: self.resumed_submissions.remove(&task_id),
                };
                Box::pin(crate::resources::scoped(scope, result))
            }
            false => result,
        };
        let running = RunningTask {
            handle: self.tasks.spawn(async move { (task_id, result.await) }),
            token,
            callback,
            child: None,
            stored: false,
        };
        self.running.insert(task_id, running);
        activity
    }

    /// Registers a task's token for `send_task_*`.
    fn register_token(&self, token: &str, task_id: TaskId) {
        let slot = TokenSlot {
            tx: self.tx.clone(),
            task_id,
            execution_arn: self
                .persisted
                .as_ref()
                .map(|p| Arc::from(p.execution_arn())),
        };
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(token.to_owned(), slot);
    }

    /// Starts a `states:startExecution` task's child execution and answers `ChildStarted`; a
    /// `.sync` child's end comes back as `ChildFinished`, a `.waitForTaskToken` task's result
    /// by its token. A task source answering the resource (a mock) runs the task instead.
    fn start_child(&mut self, request: ChildExecutionRequest, answers: &mut VecDeque<Event>) {
        if self.resources.answers(&request.task.resource) || self.on_aws(&request) {
            self.invoke(request.task);
            return;
        }
        let task_id = request.task.task_id;
        let now = self.now();
        if let Err(e) = self.engine.authorize(self.exec.config(), &request.task) {
            let (error, cause) = (Some(e.error), e.cause);
            return answers.push_back(Event::TaskFailed {
                task_id,
                error,
                cause,
                now,
            });
        }
        if let Some(parent) = self
            .persisted
            .as_ref()
            .map(|p| p.execution_arn().to_owned())
        {
            if self.engine.stored_child(&request).is_some() {
                return self.start_stored_child(request, &parent, now);
            }
        }
        let child = match crate::nested::start(&self.engine, &request, now) {
            Ok(child) => child,
            Err(e) => {
                let (error, cause) = (Some(e.error), e.cause);
                let failed = Event::TaskFailed {
                    task_id,
                    error,
                    cause,
                    now,
                };
                return answers.push_back(failed);
            }
        };
        answers.push_back(Event::ChildStarted { task_id, now });
        let sync = is_sync(&request);
        let token = request.task.token;
        let running = if sync {
            let (stop, tx) = (child.tx.clone(), self.tx.clone());
            let watch = tokio::spawn(async move {
                let outcome = match child.result().await {
                    Ok(result) => result.outcome,
                    Err(e) => Outcome {
                        status: crate::execution::Status::Failed,
                        output: None,
                        error: Some(STATES_RUNTIME.into()),
                        cause: Some(e.to_string()),
                    },
                };
                let outcome = Box::new(outcome);
                let _ = tx.send(DriverMsg::ChildDone { task_id, outcome });
            });
            let handle = watch.abort_handle();
            // `SendTaskSuccess` with the task's token ends it too.
            if let Some(token) = &token {
                self.register_token(token, task_id);
            }
            RunningTask {
                handle,
                token,
                callback: false,
                child: Some(Child::Memory(stop)),
                stored: false,
            }
        } else if let Some(token) = token {
            // The child runs on by itself; the task waits for its token.
            self.register_token(&token, task_id);
            let handle = self.tasks.spawn(std::future::pending());
            RunningTask {
                handle,
                token: Some(token),
                callback: true,
                child: None,
                stored: false,
            }
        } else {
            // Request/response: the start was the result.
            return;
        };
        self.running.insert(task_id, running);
    }
}

impl Driver {
    /// Whether a `states:startExecution` task's child runs on AWS: AWS clients are set and the
    /// engine does not know the state machine it names.
    fn on_aws(&self, request: &ChildExecutionRequest) -> bool {
        #[cfg(feature = "aws")]
        if self.resources.aws().is_some() {
            let arn = request.state_machine_arn.as_deref();
            return arn.is_some_and(|arn| self.engine.state_machine(arn).is_none());
        }
        let _ = request;
        false
    }

    /// Starts the persisted child of a `states:startExecution` task (see `engine::children`);
    /// the task runs until the child is stored.
    fn start_stored_child(&mut self, request: ChildExecutionRequest, parent: &str, now: u64) {
        let task_id = request.task.task_id;
        let token = request.task.token.clone();
        let waits = is_sync(&request);
        let handle = self
            .engine
            .start_stored_child(request, parent, waits, self.tx.clone(), now);
        let running = RunningTask {
            handle,
            token,
            callback: false,
            child: None,
            stored: false,
        };
        self.running.insert(task_id, running);
    }

    /// A persisted child was stored for a task (or could not be): the task is submitted (or
    /// done, with request/response), and waits for the child's end (`.sync`) or its token.
    async fn child_created(
        &mut self,
        task_id: TaskId,
        result: Result<super::children::ChildCreated, TaskError>,
    ) {
        use super::children::ChildCreated;
        let Some(running) = self.running.remove(&task_id) else {
            return;
        };
        let now = self.now();
        let created = match result {
            Ok(created) => created,
            Err(e) => {
                let (error, cause) = (Some(e.error), e.cause);
                return self
                    .feed(Event::TaskFailed {
                        task_id,
                        error,
                        cause,
                        now,
                    })
                    .await;
            }
        };
        let child = self.exec.child_execution(task_id);
        self.feed(Event::ChildStarted { task_id, now }).await;
        if !self.exec.is_submitted(task_id) {
            // Request/response: the start was the result.
            return;
        }
        let sync = child.as_ref().is_some_and(|(_, sync)| *sync);
        if let (true, ChildCreated::Ended(outcome)) = (sync, created) {
            let event = Event::ChildFinished {
                task_id,
                outcome,
                now,
            };
            return self.feed(event).await;
        }
        let token = running.token;
        if let Some(token) = &token {
            self.register_token(token, task_id);
        }
        let waiting = RunningTask {
            handle: self.tasks.spawn(std::future::pending()),
            token,
            callback: true,
            child: child
                .filter(|(_, sync)| *sync)
                .map(|(arn, _)| Child::Stored(arn)),
            stored: false,
        };
        self.running.insert(task_id, waiting);
    }

    /// The ARN of a submitted task's persisted `.sync` child, after a restart.
    fn stored_child(&self, request: &ChildExecutionRequest) -> Option<String> {
        let persisted = self.persisted.is_some() && is_sync(request);
        persisted
            .then(|| self.engine.stored_child(request))
            .flatten()
    }
}

/// Whether a `states:startExecution` task waits for its child's end.
fn is_sync(request: &ChildExecutionRequest) -> bool {
    matches!(
        request.task.resource.pattern(),
        Some(IntegrationPattern::Sync | IntegrationPattern::Sync2)
    )
}

/// Answers a `send_task_*` waiting for its message to be applied.
fn answer(ack: Option<super::Ack>, result: Result<(), EngineError>) {
    if let Some(ack) = ack {
        let _ = ack.send(result);
    }
}
