//! [`SqliteStore`]: the [`Store`] in one SQLite file (WAL journal), with the durability chosen
//! at open ([`Durability`]).
//!
//! Layout: `state_machines`, `executions` (name unique per state machine), `journal` and
//! `history` (one row per event, indexed by execution and position), `timers` (indexed by due
//! time, so waiting costs a row and nothing else), `tokens` (task tokens and activity tasks,
//! kept closed once their task ends), `activities`, `tags` (the tags of activities and state
//! machines, one row per resource and key, in the order the keys were added), and `meta` (the
//! schema version). Executions are referred to by a row id inside the file, so the per-event
//! rows do not repeat the ARN.
//!
//! Journal and history rows are stored in the order they are committed (a row id), with a
//! unique index on (execution, position): a transaction of many executions' transitions then
//! appends its rows to a few pages at the end of each table instead of touching one page per
//! execution, which is what the disk writes of a commit are made of. An execution's stored
//! position is the end of its journal (the index's last entry), so a transition writes nothing
//! to the execution's row until it ends.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Row};

use commit::ApplyError;

use super::{
    ActivityRecord, Created, DueTimer, Durability, ExecutionQuery, ExecutionRecord, HistoryQuery,
    Page, ParentLink, StateMachineRecord, Store, StoreError, Tag, TokenRecord, Transition,
};
use crate::execution::Status;

/// The layout this code writes and reads. Version 2 added `executions.parked`; version 3 keeps
/// journal and history rows in commit order (1 and 2 keyed them by execution and position, and
/// counted each execution's journal events in its row).
const SCHEMA_VERSION: i64 = 3;

const META: &str =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS state_machines (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    id INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    state_machine_arn TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT,
    error TEXT, cause TEXT, started_ms INTEGER NOT NULL, stopped_ms INTEGER,
    redrive_count INTEGER NOT NULL DEFAULT 0, parked INTEGER NOT NULL DEFAULT 0,
    UNIQUE (state_machine_arn, name));
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status, id);
CREATE INDEX IF NOT EXISTS executions_active ON executions (status, parked, id);
CREATE TABLE IF NOT EXISTS journal (
    execution INTEGER NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS journal_by_execution ON journal (execution, seq);
CREATE TABLE IF NOT EXISTS history (
    execution INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS history_by_execution ON history (execution, id);
CREATE TABLE IF NOT EXISTS timers (
    execution INTEGER NOT NULL, id INTEGER NOT NULL, due_ms INTEGER NOT NULL,
    PRIMARY KEY (execution, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timers_by_due ON timers (due_ms, execution, id);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, execution INTEGER NOT NULL, task_id INTEGER NOT NULL,
    activity_arn TEXT, input TEXT, worker TEXT, created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_by_activity ON tokens (activity_arn, worker, created_ms);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY, state_machine_arn TEXT NOT NULL, definition TEXT NOT NULL,
    created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS revisions_by_machine ON revisions (state_machine_arn, id);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    UNIQUE (resource_arn, key));
";

/// Columns added to tables of the first layout, with their type: a file written before them
/// gets them when opened (old rows hold NULL), and older code still reads the file.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // When the execution was last redriven.
    ("executions", "redrive_ms", "INTEGER"),
    // The definition it runs: a row of `revisions` (NULL: its machine's current one).
    ("executions", "revision", "INTEGER"),
    // The token's task ended (the row stays, for `TaskTimedOut`, until the execution goes).
    ("tokens", "closed", "INTEGER NOT NULL DEFAULT 0"),
    // The parent execution and task of a child started by `states:startExecution`.
    ("executions", "parent", "TEXT"),
    ("executions", "parent_task", "INTEGER"),
    // 1: the parent's task waits for this child's end and has not settled it yet.
    ("executions", "notify", "INTEGER NOT NULL DEFAULT 0"),
    // The Map Run of a distributed Map's child execution.
    ("executions", "map_run", "TEXT"),
];

/// Indexes over [`ADDED_COLUMNS`], made once the columns exist.
const ADDED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS executions_by_parent ON executions (parent, parent_task)
    WHERE parent IS NOT NULL;
CREATE INDEX IF NOT EXISTS executions_to_notify ON executions (id) WHERE notify = 1;
CREATE INDEX IF NOT EXISTS executions_by_map_run ON executions (map_run, id)
    WHERE map_run IS NOT NULL;
";

/// From schema 1: executions can be parked.
const FROM_SCHEMA_1: &str = "ALTER TABLE executions ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;";

/// From schema 2: journal and history rows move to tables in commit order (copied in their
/// key order), and the executions' event counts go (the journal holds them).
const FROM_SCHEMA_2: &str = "
ALTER TABLE journal RENAME TO journal_1;
CREATE TABLE journal (execution INTEGER NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL);
INSERT INTO journal (execution, seq, event)
    SELECT execution, seq, event FROM journal_1 ORDER BY execution, seq;
DROP TABLE journal_1;
ALTER TABLE history RENAME TO history_1;
CREATE TABLE history (execution INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL);
INSERT INTO history (execution, id, event)
    SELECT execution, id, event FROM history_1 ORDER BY execution, id;
DROP TABLE history_1;
ALTER TABLE executions DROP COLUMN events;
";

/// A [`Store`] in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
        let path_text = path.as_ref().display().to_string();
        let fail = |e: rusqlite::Error| StoreError::Database {
            path: path_text.clone(),
            message: e.to_string(),
        };
        let conn = Connection::open(path.as_ref()).map_err(fail)?;
        let synchronous = match durability {
            Durability::Full => "FULL",
            Durability::Process => "NORMAL",
        };
        // A 16 MiB page cache holds the pages a batch of a thousand transitions touches (the
        // default 2 MiB spills them to the WAL mid-transaction and reads them back). The WAL
        // keeps SQLite's checkpoint every 1,000 pages: with rows appended in commit order a
        // longer WAL saves little, and a WAL that keeps growing makes each flush slower.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; \
             PRAGMA foreign_keys=OFF; PRAGMA busy_timeout=5000; \
             PRAGMA cache_size=-16384;"
        ))
        .map_err(fail)?;
        // The commit path keeps a statement per multi-row size (see `commit`) besides the
        // queries: room for all of them.
        conn.set_prepared_statement_cache_capacity(64);
        let store = SqliteStore {
            conn,
            path: path_text,
        };
        store.migrate()?;
        Ok(store)
    }

    fn fail(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Database {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Runs `f` in one database transaction, committed when it succeeds. The transaction takes
    /// the write lock when it begins, so a process reading the file meanwhile makes it wait
    /// (`busy_timeout`) rather than fail.
    fn in_transaction<R>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| StoreError::Database {
            path: path.clone(),
            message: e.to_string(),
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let result = f(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(result)
    }

    /// Adds the [`ADDED_COLUMNS`] a file does not have yet.
    fn add_columns(&self) -> Result<(), StoreError> {
        for (table, column, kind) in ADDED_COLUMNS {
            let present: bool = self
                .conn
                .query_row(
                    &format!(
                        "SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"
                    ),
                    [column],
                    |r| r.get(0),
                )
                .map_err(|e| self.fail(e))?;
            if !present {
                self.conn
                    .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                    .map_err(|e| self.fail(e))?;
            }
        }
        Ok(())
    }

    /// Creates the tables, or brings an older file's up to [`SCHEMA_VERSION`], in one
    /// transaction; refuses a file written by a newer version.
    fn migrate(&self) -> Result<(), StoreError> {
        let fail = |e| self.fail(e);
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(fail)?;
        tx.execute_batch(META).map_err(fail)?;
        let found: Option<i64> = tx
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(fail)?;
        match found {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::Schema {
                    path: self.path.clone(),
                    found: v,
                    supported: SCHEMA_VERSION,
                })
            }
            Some(1) => {
                tx.execute_batch(FROM_SCHEMA_1).map_err(fail)?;
                tx.execute_batch(FROM_SCHEMA_2).map_err(fail)?;
            }
            Some(2) => tx.execute_batch(FROM_SCHEMA_2).map_err(fail)?,
            _ => {}
        }
        // Every open: tables added to the layout since the file was made are created.
        tx.execute_batch(SCHEMA).map_err(fail)?;
        self.add_columns()?;
        tx.execute_batch(ADDED_INDEXES).map_err(fail)?;
        if found != Some(SCHEMA_VERSION) {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// The row id of an execution.
    fn execution_id(&self, arn: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM executions WHERE arn = ?1")
            .and_then(|mut s| s.query_row([arn], |r| r.get(0)).optional())
            .map_err(|e| self.fail(e))?
            .ok_or_else(|| StoreError::NoSuchExecution(arn.to_owned()))
    }
}

fn status_from(text: &str) -> Status {
    match text {
        "SUCCEEDED" => Status::Succeeded,
        "FAILED" => Status::Failed,
        "TIMED_OUT" => Status::TimedOut,
        "ABORTED" => Status::Aborted,
        _ => Status::Running,
    }
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

const EXECUTION_COLUMNS: &str = "arn, name, state_machine_arn, status, input, output, error, \
                                 cause, started_ms, stopped_ms, redrive_count, redrive_ms, \
                                 parent, parent_task, notify, map_run";

/// How many columns [`EXECUTION_COLUMNS`] names (a query selecting more reads them after).
const EXECUTION_COLUMN_COUNT: usize = 16;

fn execution_from(r: &Row<'_>) -> rusqlite::Result<ExecutionRecord> {
    Ok(ExecutionRecord {
        arn: r.get(0)?,
        name: r.get(1)?,
        state_machine_arn: r.get(2)?,
        status: status_from(&r.get::<_, String>(3)?),
        input: r.get(4)?,
        output: r.get(5)?,
        error: r.get(6)?,
        cause: r.get(7)?,
        started_ms: u64_of(r.get(8)?),
        stopped_ms: r.get::<_, Option<i64>>(9)?.map(u64_of),
        redrive_count: u32::try_from(r.get::<_, i64>(10)?).unwrap_or(0),
        redrive_ms: r.get::<_, Option<i64>>(11)?.map(u64_of),
        parent: match (
            r.get::<_, Option<String>>(12)?,
            r.get::<_, Option<i64>>(13)?,
        ) {
            (Some(execution_arn), Some(task)) => Some(ParentLink {
                execution_arn,
                task_id: u64_of(task),
                waits: r.get::<_, i64>(14)? != 0,
            }),
            _ => None,
        },
        map_run_arn: r.get(15)?,
    })
}

fn machine_from(r: &Row<'_>) -> rusqlite::Result<StateMachineRecord> {
    Ok(StateMachineRecord {
        arn: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        definition: r.get(3)?,
        role_arn: r.get(4)?,
        created_ms: u64_of(r.get(5)?),
    })
}

fn token_from(r: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        token: r.get(0)?,
        execution_arn: r.get(1)?,
        task_id: u64_of(r.get(2)?),
        activity_arn: r.get(3)?,
        input: r.get(4)?,
        worker: r.get(5)?,
        created_ms: u64_of(r.get(6)?),
        closed: r.get(7)?,
    })
}

const TOKEN_SELECT: &str = "SELECT t.token, e.arn, t.task_id, t.activity_arn, t.input, t.worker, \
                            t.created_ms, t.closed FROM tokens t JOIN executions e \
                            ON e.id = t.execution";

fn activity_from(r: &Row<'_>) -> rusqlite::Result<ActivityRecord> {
    Ok(ActivityRecord {
        arn: r.get(0)?,
        name: r.get(1)?,
        created_ms: u64_of(r.get(2)?),
    })
}

/// A page token: the last key of the page, as text.
fn after_key(after: &Option<String>) -> Option<i64> {
    after.as_deref().and_then(|a| a.parse().ok())
}

impl SqliteStore {
    /// Turns a failed [`commit::apply_batch`] into the store's error (a journal gap keeps its
    /// numbers).
    fn commit_error(&self, t: &Transition, e: ApplyError) -> StoreError {
        match e {
            ApplyError::Gap(stored) => StoreError::JournalGap {
                execution_arn: t.execution_arn.clone(),
                stored,
                first: t.first_event,
            },
            ApplyError::Sql(rusqlite::Error::QueryReturnedNoRows) => {
                StoreError::NoSuchExecution(t.execution_arn.clone())
            }
            ApplyError::Sql(e) => self.fail(e),
        }
    }
}

impl SqliteStore {
    /// Running executions matching `filter` (an SQL condition starting with `AND`), by id.
    fn running_where(&self, filter: &str) -> Result<Vec<ExecutionRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE status = 'RUNNING' \
                 AND map_run IS NULL {filter} ORDER BY id"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], execution_from)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }
}

impl Store for SqliteStore {
    fn put_state_machine(&mut self, m: &StateMachineRecord) -> Result<(), StoreError> {
        let latest: Option<String> = self
            .conn
            .query_row(
                "SELECT definition FROM revisions WHERE state_machine_arn = ?1 \
                 ORDER BY id DESC LIMIT 1",
                [&m.arn],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        if latest.as_deref() != Some(m.definition.as_str()) {
            self.conn
                .execute(
                    "INSERT INTO revisions (state_machine_arn, definition, created_ms) \
                     VALUES (?1, ?2, ?3)",
                    params![m.arn, m.definition, i64_of(m.created_ms)],
                )
                .map_err(|e| self.fail(e))?;
        }
        self.conn
            .execute(
                "INSERT OR REPLACE INTO state_machines (arn, name, kind, definition, role_arn, \
                 created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    m.arn,
                    m.name,
                    m.kind,
                    m.definition,
                    m.role_arn,
                    i64_of(m.created_ms)
                ],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT arn, name, kind, definition, role_arn, created_ms FROM state_machines \
                 WHERE arn = ?1",
                [arn],
                machine_from,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT arn, name, kind, definition, role_arn, created_ms FROM state_machines \
                 ORDER BY arn",
            )
            .map_err(|e| self.fail(e))?;
        let rows = stmt.query_map([], machine_from).map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn create_execution(&mut self, e: &ExecutionRecord) -> Result<Created, StoreError> {
        commit::create(&self.conn, e).map_err(|err| self.fail(err))
    }

    fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = ?1"),
                [arn],
                execution_from,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn executions(&self, q: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError> {
        let limit = if q.limit == 0 {
            i64::MAX
        } else {
            i64_of(q.limit as u64 + 1)
        };
        let sql = format!(
            "SELECT {EXECUTION_COLUMNS}, id FROM executions WHERE (?1 IS NULL OR \
             state_machine_arn = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR id < ?3) \
             AND ((?5 IS NULL AND map_run IS NULL) OR map_run = ?5) ORDER BY id DESC LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map(
                params![
                    q.state_machine_arn,
                    q.status.map(Status::as_str),
                    after_key(&q.after),
                    limit,
                    q.map_run_arn
                ],
                |r| Ok((execution_from(r)?, r.get::<_, i64>(EXECUTION_COLUMN_COUNT)?)),
            )
            .map_err(|e| self.fail(e))?;
        let rows: Vec<(ExecutionRecord, i64)> =
            rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))?;
        Ok(page(rows, q.limit))
    }

    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.running_where("")
    }

    fn active(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.running_where("AND parked = 0")
    }

    fn commit(&mut self, transitions: &[Transition]) -> Result<(), StoreError> {
        self.commit_batch(&[], transitions).map(|_| ())
    }

    fn commit_batch(
        &mut self,
        executions: &[ExecutionRecord],
        transitions: &[Transition],
    ) -> Result<Vec<Created>, StoreError> {
        if executions.is_empty() && transitions.is_empty() {
            return Ok(Vec::new());
        }
        // The write lock is taken at the start (waiting for another connection's write, such
        // as a command opening the file, within the busy timeout): a transaction that reads
        // first and then writes could not wait for it and would fail with "database is locked".
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::Database {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        let mut created = Vec::with_capacity(executions.len());
        for e in executions {
            match commit::create(&tx, e) {
                Ok(c) => created.push(c),
                Err(err) => {
                    drop(tx);
                    return Err(self.fail(err));
                }
            }
        }
        if let Err((at, e)) = commit::apply_batch(&tx, transitions) {
            drop(tx);
            return Err(self.commit_error(&transitions[at], e));
        }
        tx.commit().map_err(|e| self.fail(e))?;
        Ok(created)
    }

    fn journal(&self, execution_arn: &str) -> Result<Vec<String>, StoreError> {
        let id = self.execution_id(execution_arn)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT event FROM journal WHERE execution = ?1 ORDER BY seq")
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([id], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn history(
        &self,
        execution_arn: &str,
        q: &HistoryQuery,
    ) -> Result<Page<(u64, String)>, StoreError> {
        let id = self.execution_id(execution_arn)?;
        let limit = if q.limit == 0 {
            i64::MAX
        } else {
            i64_of(q.limit as u64 + 1)
        };
        let sql = if q.reverse {
            "SELECT id, event FROM history WHERE execution = ?1 AND (?2 IS NULL OR id < ?2) \
             ORDER BY id DESC LIMIT ?3"
        } else {
            "SELECT id, event FROM history WHERE execution = ?1 AND (?2 IS NULL OR id > ?2) \
             ORDER BY id LIMIT ?3"
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map(params![id, after_key(&q.after), limit], |r| {
                let hid: i64 = r.get(0)?;
                Ok(((u64_of(hid), r.get::<_, String>(1)?), hid))
            })
            .map_err(|e| self.fail(e))?;
        let rows: Vec<((u64, String), i64)> =
            rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))?;
        Ok(page(rows, q.limit))
    }

    fn due_timers(&self, until_ms: u64, limit: usize) -> Result<Vec<DueTimer>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.arn, t.id, t.due_ms FROM timers t JOIN executions e ON e.id = \
                 t.execution WHERE t.due_ms <= ?1 AND e.parked = 1 \
                 ORDER BY t.due_ms, t.execution, t.id LIMIT ?2",
            )
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map(params![i64_of(until_ms), i64_of(limit as u64)], timer_from)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn next_timer(&self) -> Result<Option<DueTimer>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT e.arn, t.id, t.due_ms FROM timers t JOIN executions e ON e.id = \
                 t.execution WHERE e.parked = 1 ORDER BY t.due_ms, t.execution, t.id LIMIT 1",
            )
            .and_then(|mut s| s.query_row([], timer_from).optional())
            .map_err(|e| self.fail(e))
    }

    fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.conn
            .prepare_cached(&format!("{TOKEN_SELECT} WHERE t.token = ?1"))
            .and_then(|mut s| s.query_row([token], token_from).optional())
            .map_err(|e| self.fail(e))
    }

    fn activity_tasks(
        &self,
        activity_arn: &str,
        limit: usize,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{TOKEN_SELECT} WHERE t.activity_arn = ?1 AND t.worker IS NULL \
                 AND t.closed = 0 ORDER BY t.created_ms, t.rowid LIMIT ?2"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map(params![activity_arn, i64_of(limit as u64)], token_from)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn purge_closed(&mut self, before_ms: u64) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::Database {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        let purge = |tx: &rusqlite::Transaction<'_>| -> rusqlite::Result<usize> {
            let old = "SELECT id FROM executions WHERE status <> 'RUNNING' AND stopped_ms < ?1";
            for table in ["journal", "history", "timers", "tokens"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE execution IN ({old})"),
                    [i64_of(before_ms)],
                )?;
            }
            tx.execute(
                "DELETE FROM executions WHERE status <> 'RUNNING' AND stopped_ms < ?1",
                [i64_of(before_ms)],
            )
        };
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| StoreError::Database {
            path: path.clone(),
            message: e.to_string(),
        };
        let removed = purge(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(removed)
    }

    fn execution_definition(&self, execution_arn: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(r.definition, m.definition) FROM executions e \
                 LEFT JOIN revisions r ON r.id = e.revision \
                 LEFT JOIN state_machines m ON m.arn = e.state_machine_arn WHERE e.arn = ?1",
            )
            .and_then(|mut s| s.query_row([execution_arn], |r| r.get(0)).optional())
            .map(Option::flatten)
            .map_err(|e| self.fail(e))
    }

    fn put_activity(
        &mut self,
        a: &ActivityRecord,
        tags: &[Tag],
    ) -> Result<ActivityRecord, StoreError> {
        self.in_transaction(|tx| {
            let added = tx.execute(
                "INSERT OR IGNORE INTO activities (arn, name, created_ms) VALUES (?1, ?2, ?3)",
                params![a.arn, a.name, i64_of(a.created_ms)],
            )?;
            if added > 0 {
                // Tags an older version of the store left when it deleted an activity of
                // that ARN.
                tags::remove_all(tx, &a.arn)?;
                tags::put(tx, &a.arn, tags)?;
            }
            Ok(())
        })?;
        self.activity(&a.arn)?.ok_or_else(|| StoreError::Database {
            path: self.path.clone(),
            message: format!("the activity {} was not stored", a.arn),
        })
    }

    fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError> {
        self.conn
            .prepare_cached("SELECT arn, name, created_ms FROM activities WHERE arn = ?1")
            .and_then(|mut s| s.query_row([arn], activity_from).optional())
            .map_err(|e| self.fail(e))
    }

    fn activities(
        &self,
        limit: usize,
        after: Option<String>,
    ) -> Result<Page<ActivityRecord>, StoreError> {
        let rows = if limit == 0 {
            i64::MAX
        } else {
            i64_of(limit as u64 + 1)
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT arn, name, created_ms, id FROM activities WHERE (?1 IS NULL OR id > ?1) \
                 ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.fail(e))?;
        let found = stmt
            .query_map(params![after_key(&after), rows], |r| {
                Ok((activity_from(r)?, r.get::<_, i64>(3)?))
            })
            .map_err(|e| self.fail(e))?;
        let found: Vec<(ActivityRecord, i64)> =
            found.collect::<Result<_, _>>().map_err(|e| self.fail(e))?;
        Ok(page(found, limit))
    }

    fn delete_activity(&mut self, arn: &str) -> Result<bool, StoreError> {
        self.in_transaction(|tx| {
            let removed = tx.execute("DELETE FROM activities WHERE arn = ?1", [arn])?;
            tags::remove_all(tx, arn)?;
            Ok(removed > 0)
        })
    }

    fn tag_resource(&mut self, resource_arn: &str, tags: &[Tag]) -> Result<(), StoreError> {
        self.in_transaction(|tx| tags::put(tx, resource_arn, tags))
    }

    fn untag_resource(&mut self, resource_arn: &str, keys: &[String]) -> Result<(), StoreError> {
        self.in_transaction(|tx| tags::remove(tx, resource_arn, keys))
    }

    fn tags(&self, resource_arn: &str) -> Result<Vec<Tag>, StoreError> {
        tags::list(&self.conn, resource_arn).map_err(|e| self.fail(e))
    }

    fn unsettled_children(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE notify = 1 \
                 AND status != 'RUNNING' ORDER BY id"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], execution_from)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }
}

fn timer_from(r: &Row<'_>) -> rusqlite::Result<DueTimer> {
    Ok(DueTimer {
        execution_arn: r.get(0)?,
        id: u64_of(r.get(1)?),
        due_ms: u64_of(r.get(2)?),
    })
}

/// The first `limit` rows (all when 0), and a next-page token when one more row was read.
fn page<T>(mut rows: Vec<(T, i64)>, limit: usize) -> Page<T> {
    let next = if limit > 0 && rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(_, key)| key.to_string())
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(item, _)| item).collect(),
        next,
    }
}

mod commit;
mod tags;
#[cfg(test)]
mod tests;
