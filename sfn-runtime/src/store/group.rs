//! [`GroupCommitter`]: one thread owns the [`Store`] and commits, in one database transaction,
//! every transition waiting when it is free, so a disk that flushes a few hundred times a second
//! still persists tens of thousands of transitions a second. Each caller's `commit` returns once
//! its transition is durable.
//!
//! Starting an execution ([`GroupCommitter::create`]) joins the same batches: a thousand
//! concurrent starts cost a few flushes, not a thousand.
//!
//! A batch that fails as a whole (one transition's journal does not continue the stored one) is
//! committed again one creation or transition at a time, so only the faulty one gets the error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::{Created, ExecutionRecord, Store, StoreError, Transition};

/// Work for the store's thread (a commit is by far the common request: not boxed).
#[allow(clippy::large_enum_variant)]
enum Request<S> {
    Commit(Transition, oneshot::Sender<Result<(), StoreError>>),
    Create(
        ExecutionRecord,
        oneshot::Sender<Result<Created, StoreError>>,
    ),
    Run(Box<dyn FnOnce(&mut S) + Send>),
}

/// Counters of what was committed.
#[derive(Debug, Default)]
struct Counters {
    transitions: AtomicU64,
    batches: AtomicU64,
}

impl Counters {
    /// One more database transaction, carrying `transitions` transitions.
    fn committed(&self, transitions: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.transitions
            .fetch_add(transitions as u64, Ordering::Relaxed);
    }
}

/// How many transitions were committed, in how many database transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitStats {
    /// Transitions committed.
    pub transitions: u64,
    /// Database transactions that committed them.
    pub batches: u64,
}

/// Owns a [`Store`] on a thread of its own and groups commits.
pub struct GroupCommitter<S: Store + 'static> {
    requests: Option<mpsc::Sender<Request<S>>>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl<S: Store + 'static> std::fmt::Debug for GroupCommitter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommitter")
            .field("stats", &self.stats())
            .finish()
    }
}

impl<S: Store + 'static> GroupCommitter<S> {
    /// Starts the store's thread. `max_batch`: at most this many transitions a transaction.
    pub fn start(store: S, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let thread = std::thread::Builder::new()
            .name("sfn-store".into())
            .spawn(move || serve(store, rx, max_batch.max(1), &c))
            .ok();
        GroupCommitter {
            requests: thread.as_ref().map(|_| tx),
            thread,
            counters,
        }
    }

    /// Commits one transition; returns once it is durable (as the store's durability says).
    pub async fn commit(&self, transition: Transition) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Commit(transition, reply))?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Creates an execution ([`Store::create_execution`]) in the next batch; returns once it is
    /// durable, with what the store did (an execution of that name may already exist).
    pub async fn create(&self, execution: ExecutionRecord) -> Result<Created, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Create(execution, reply))?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the store's thread, between batches, and returns what it returns.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut S) -> R + Send + 'static,
    ) -> Result<R, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Run(Box::new(move |s| {
            let _ = reply.send(f(s));
        })))?;
        answer.await.map_err(|_| StoreError::Closed)
    }

    fn send(&self, request: Request<S>) -> Result<(), StoreError> {
        self.requests
            .as_ref()
            .ok_or(StoreError::Closed)?
            .send(request)
            .map_err(|_| StoreError::Closed)
    }

    /// What was committed so far.
    pub fn stats(&self) -> CommitStats {
        CommitStats {
            transitions: self.counters.transitions.load(Ordering::Relaxed),
            batches: self.counters.batches.load(Ordering::Relaxed),
        }
    }

    /// Finishes the work sent so far and closes the store.
    pub fn close(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        self.requests = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl<S: Store + 'static> Drop for GroupCommitter<S> {
    fn drop(&mut self) {
        self.shut();
    }
}

/// The store's thread: waits for work, then takes everything waiting (up to `max_batch`
/// creations and transitions) into one transaction.
fn serve<S: Store>(
    mut store: S,
    rx: mpsc::Receiver<Request<S>>,
    max_batch: usize,
    counters: &Counters,
) {
    let mut batch = Pending::default();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(request) = next.take() {
            match request {
                Request::Commit(t, reply) => batch.commits.push((t, reply)),
                Request::Create(e, reply) => batch.creates.push((e, reply)),
                Request::Run(f) => {
                    flush(&mut store, &mut batch, counters);
                    f(&mut store);
                }
            }
            if batch.len() < max_batch {
                next = rx.try_recv().ok();
            }
        }
        flush(&mut store, &mut batch, counters);
    }
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// What the next transaction carries.
#[derive(Default)]
struct Pending {
    creates: Vec<(ExecutionRecord, Reply<Created>)>,
    commits: Vec<(Transition, Reply<()>)>,
}

impl Pending {
    fn len(&self) -> usize {
        self.creates.len() + self.commits.len()
    }
}

fn flush<S: Store>(store: &mut S, batch: &mut Pending, counters: &Counters) {
    if batch.len() == 0 {
        return;
    }
    let (executions, created_replies): (Vec<ExecutionRecord>, Vec<_>) =
        batch.creates.drain(..).unzip();
    let (transitions, replies): (Vec<Transition>, Vec<_>) = batch.commits.drain(..).unzip();
    match store.commit_batch(&executions, &transitions) {
        Ok(created) => {
            counters.committed(transitions.len());
            for (reply, c) in created_replies.into_iter().zip(created) {
                let _ = reply.send(Ok(c));
            }
            for reply in replies {
                let _ = reply.send(Ok(()));
            }
        }
        Err(_) if executions.len() + transitions.len() > 1 => {
            // One faulty transition spoils the transaction: commit each on its own.
            for (e, reply) in executions.iter().zip(created_replies) {
                let result = store.commit_batch(std::slice::from_ref(e), &[]);
                if result.is_ok() {
                    counters.committed(0);
                }
                let _ = reply.send(result.and_then(|mut c| c.pop().ok_or(StoreError::Closed)));
            }
            for (t, reply) in transitions.iter().zip(replies) {
                let result = store.commit_batch(&[], std::slice::from_ref(t));
                if result.is_ok() {
                    counters.committed(1);
                }
                let _ = reply.send(result.map(|_| ()));
            }
        }
        Err(e) => {
            for reply in created_replies {
                let _ = reply.send(Err(e.clone()));
            }
            for reply in replies {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}
