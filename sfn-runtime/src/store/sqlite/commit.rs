//! The commit path: a batch of transitions applied in one database transaction with as few
//! statements as the rows allow. Each execution's stored position (the end of its journal) is
//! read once a batch, with its parked flag, which is written only when the batch changes it;
//! journal and history rows go in multi-row `INSERT`s. Timers, tokens and outcomes (rare next
//! to events) are applied in order, statement by statement.
//!
//! The guarantees are the ones of applying the transitions one by one: each journal must
//! continue exactly where the stored one (or the batch's previous transition of the same
//! execution) ends, and any failure leaves the whole transaction to be rolled back.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use rusqlite::types::ToSql;
use rusqlite::{params, OptionalExtension, Transaction};

use super::{execution_from, i64_of, u64_of, EXECUTION_COLUMNS};
use crate::store::{
    Closed, Created, ExecutionRecord, MapChildChange, TimerChange, TokenChange, Transition,
};

/// Why a batch could not be applied.
pub(super) enum ApplyError {
    /// The stored journal (with the batch's earlier transitions) has this many events, not the
    /// transition's `first_event`.
    Gap(u64),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Sql(e)
    }
}

/// A row of `journal` or `history`: execution row id, key, event text.
type EventRow<'a> = (i64, i64, &'a str);

/// Rows a multi-row statement takes at once, largest first: a batch of n rows runs at most
/// a few statements of each size, and each size's statement is prepared once and cached.
const CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

/// Applies `transitions` in order inside `tx`; on failure, the index of the transition at
/// fault (the first one when a statement for the whole batch failed) and why.
pub(super) fn apply_batch(
    tx: &Transaction<'_>,
    transitions: &[Transition],
) -> Result<(), (usize, ApplyError)> {
    let mut positions: HashMap<&str, Position> = HashMap::with_capacity(transitions.len());
    let mut journal: Vec<EventRow<'_>> = Vec::with_capacity(transitions.len());
    let mut history: Vec<EventRow<'_>> = Vec::with_capacity(transitions.len() * 2);
    // Row ids of the distributed Map children the batch touches.
    let mut map_children: HashMap<&str, i64> = HashMap::new();
    let mut lookup = tx
        .prepare_cached(
            "SELECT e.id, coalesce((SELECT max(j.seq) + 1 FROM journal j \
             WHERE j.execution = e.id), 0), e.parked FROM executions e WHERE e.arn = ?1",
        )
        .map_err(|e| (0, e.into()))?;
    for (i, t) in transitions.iter().enumerate() {
        let at = match positions.entry(t.execution_arn.as_str()) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let found = lookup
                    .query_row([&t.execution_arn], |r| {
                        let parked = r.get(2)?;
                        Ok(Position {
                            id: r.get(0)?,
                            next: r.get(1)?,
                            stored_parked: parked,
                            parked,
                        })
                    })
                    .map_err(|e| (i, e.into()))?;
                v.insert(found)
            }
        };
        if u64_of(at.next) != t.first_event {
            return Err((i, ApplyError::Gap(u64_of(at.next))));
        }
        for event in &t.journal {
            journal.push((at.id, at.next, event.as_str()));
            at.next += 1;
        }
        history.extend(
            t.history
                .iter()
                .map(|(h, e)| (at.id, i64_of(*h), e.as_str())),
        );
        at.parked = t.park;
        apply_changes(tx, at.id, t).map_err(|e| (i, e.into()))?;
        apply_map_children(tx, &t.map_children, &mut map_children, &mut history)
            .map_err(|e| (i, e.into()))?;
    }
    let rows = |e: rusqlite::Error| (0, ApplyError::Sql(e));
    insert_events(tx, "journal (execution, seq, event)", &journal).map_err(rows)?;
    insert_events(tx, "history (execution, id, event)", &history).map_err(rows)?;
    let mut park = tx
        .prepare_cached("UPDATE executions SET parked = ?2 WHERE id = ?1")
        .map_err(rows)?;
    for at in positions.values().filter(|p| p.parked != p.stored_parked) {
        park.execute(params![at.id, at.parked]).map_err(rows)?;
    }
    Ok(())
}

/// An execution as a batch finds and leaves it.
struct Position {
    /// Its row id.
    id: i64,
    /// Events in its journal, with the batch's so far: where its next transition starts.
    next: i64,
    /// Whether it is parked in the store.
    stored_parked: bool,
    /// Whether its latest transition in the batch parks it.
    parked: bool,
}

/// `INSERT INTO <into> VALUES (?, ?, ?), ...` for `rows`, in as few statements as [`CHUNKS`]
/// allow.
fn insert_events(tx: &Transaction<'_>, into: &str, rows: &[EventRow<'_>]) -> rusqlite::Result<()> {
    for_chunks(rows, |chunk| {
        let sql = format!("INSERT INTO {into} VALUES {}", placeholders(chunk.len(), 3));
        let mut stmt = tx.prepare_cached(&sql)?;
        for (n, (execution, key, event)) in chunk.iter().enumerate() {
            stmt.raw_bind_parameter(3 * n + 1, execution)?;
            stmt.raw_bind_parameter(3 * n + 2, key)?;
            stmt.raw_bind_parameter(3 * n + 3, event)?;
        }
        stmt.raw_execute().map(|_| ())
    })
}

/// Calls `f` on consecutive chunks of `rows` whose sizes are taken from [`CHUNKS`].
fn for_chunks<T>(
    mut rows: &[T],
    mut f: impl FnMut(&[T]) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    for size in CHUNKS {
        while rows.len() >= size {
            let (chunk, rest) = rows.split_at(size);
            f(chunk)?;
            rows = rest;
        }
    }
    Ok(())
}

/// `(?, ?), (?, ?)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// Stores a new execution unless its state machine has one of that name (then returned).
pub(super) fn create(
    conn: &rusqlite::Connection,
    e: &ExecutionRecord,
) -> rusqlite::Result<Created> {
    let existing = conn
        .prepare_cached(&format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions WHERE state_machine_arn = ?1 AND name = ?2"
        ))?
        .query_row([&e.state_machine_arn, &e.name], execution_from)
        .optional()?;
    if let Some(found) = existing {
        return Ok(Created::Existing(found));
    }
    let parent = e.parent.as_ref();
    conn.prepare_cached(
        "INSERT INTO executions (arn, name, state_machine_arn, status, input, output, error, \
         cause, started_ms, stopped_ms, redrive_count, redrive_ms, parent, parent_task, notify, \
         map_run, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, \
         ?14, ?15, ?16, (SELECT MAX(id) FROM revisions WHERE state_machine_arn = ?3))",
    )?
    .execute(params![
        e.arn,
        e.name,
        e.state_machine_arn,
        e.status.as_str(),
        e.input,
        e.output,
        e.error,
        e.cause,
        i64_of(e.started_ms),
        e.stopped_ms.map(i64_of),
        e.redrive_count,
        e.redrive_ms.map(i64_of),
        parent.map(|p| &p.execution_arn),
        parent.map(|p| i64_of(p.task_id)),
        parent.is_some_and(|p| p.waits),
        e.map_run_arn
    ])?;
    Ok(Created::New)
}

/// The redrive, timers, tokens and outcome of one transition.
fn apply_changes(tx: &Transaction<'_>, id: i64, t: &Transition) -> rusqlite::Result<()> {
    if let Some(at) = t.redriven {
        reopen(tx, id, at)?;
    }
    for change in &t.timers {
        match change {
            TimerChange::Set { id: timer, due_ms } => tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO timers (execution, id, due_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id, i64_of(*timer), i64_of(*due_ms)])?,
            TimerChange::Clear { id: timer } => tx
                .prepare_cached("DELETE FROM timers WHERE execution = ?1 AND id = ?2")?
                .execute(params![id, i64_of(*timer)])?,
        };
    }
    apply_tokens(tx, id, &t.tokens)?;
    for task in &t.settled {
        tx.prepare_cached(
            "UPDATE executions SET notify = 0 WHERE parent = ?1 AND parent_task = ?2 \
             AND notify = 1",
        )?
        .execute(params![t.execution_arn, i64_of(*task)])?;
    }
    if let Some(c) = &t.closed {
        close(tx, id, c)?;
        // No task of it waits any more.
        tx.prepare_cached("UPDATE executions SET notify = 0 WHERE parent = ?1 AND notify = 1")?
            .execute([&t.execution_arn])?;
    }
    Ok(())
}

fn apply_tokens(
    tx: &Transaction<'_>,
    execution: i64,
    tokens: &[TokenChange],
) -> rusqlite::Result<()> {
    for change in tokens {
        match change {
            TokenChange::Issue(t) => {
                let values: [&dyn ToSql; 7] = [
                    &t.token,
                    &execution,
                    &i64_of(t.task_id),
                    &t.activity_arn,
                    &t.input,
                    &t.worker,
                    &i64_of(t.created_ms),
                ];
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO tokens (token, execution, task_id, activity_arn, \
                     input, worker, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(&values[..])?
            }
            TokenChange::Take { token, worker } => tx
                .prepare_cached("UPDATE tokens SET worker = ?2 WHERE token = ?1")?
                .execute(params![token, worker])?,
            TokenChange::Close { token } => tx
                .prepare_cached("UPDATE tokens SET closed = 1 WHERE token = ?1")?
                .execute([token])?,
        };
    }
    Ok(())
}

/// The changes of a transition to its distributed Maps' children: rows created, ended or
/// reopened at once; history rows added to `history` (inserted with the batch's). `ids` keeps
/// the children's row ids for the batch.
fn apply_map_children<'t>(
    tx: &Transaction<'_>,
    changes: &'t [MapChildChange],
    ids: &mut HashMap<&'t str, i64>,
    history: &mut Vec<EventRow<'t>>,
) -> rusqlite::Result<()> {
    for change in changes {
        match change {
            MapChildChange::Started(record) => match create(tx, record)? {
                Created::New => {
                    ids.insert(record.arn.as_str(), tx.last_insert_rowid());
                }
                // An Express child that a redrive of its Map Run starts again: a new execution
                // under the same ARN, whose record and history start over.
                Created::Existing(_) => restart(tx, child_id(tx, ids, &record.arn)?, record)?,
            },
            MapChildChange::Event {
                execution_arn,
                id,
                event,
            } => {
                let row = child_id(tx, ids, execution_arn)?;
                history.push((row, i64_of(*id), event.as_str()));
            }
            MapChildChange::Closed {
                execution_arn,
                closed,
            } => close(tx, child_id(tx, ids, execution_arn)?, closed)?,
            MapChildChange::Redriven {
                execution_arn,
                at_ms,
            } => reopen(tx, child_id(tx, ids, execution_arn)?, *at_ms)?,
        }
    }
    Ok(())
}

/// The row id of a child execution, looked up once a batch.
fn child_id<'t>(
    tx: &Transaction<'_>,
    ids: &mut HashMap<&'t str, i64>,
    execution_arn: &'t str,
) -> rusqlite::Result<i64> {
    if let Some(id) = ids.get(execution_arn) {
        return Ok(*id);
    }
    let id = tx
        .prepare_cached("SELECT id FROM executions WHERE arn = ?1")?
        .query_row([execution_arn], |r| r.get(0))?;
    ids.insert(execution_arn, id);
    Ok(id)
}

/// An ended execution starts over as `record` (running), its history gone.
fn restart(tx: &Transaction<'_>, id: i64, record: &ExecutionRecord) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM history WHERE execution = ?1")?
        .execute([id])?;
    tx.prepare_cached(
        "UPDATE executions SET status = 'RUNNING', input = ?2, output = NULL, error = NULL, \
         cause = NULL, started_ms = ?3, stopped_ms = NULL WHERE id = ?1",
    )?
    .execute(params![id, record.input, i64_of(record.started_ms)])?;
    Ok(())
}

/// An ended execution runs again (a redrive at `at_ms`).
fn reopen(tx: &Transaction<'_>, id: i64, at_ms: u64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, \
         stopped_ms = NULL, redrive_count = redrive_count + 1, redrive_ms = ?2 WHERE id = ?1",
    )?
    .execute(params![id, i64_of(at_ms)])?;
    Ok(())
}

/// Records an execution's end; its timers go, its tokens are closed.
fn close(tx: &Transaction<'_>, id: i64, c: &Closed) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped_ms = ?6 \
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        c.status.as_str(),
        c.output,
        c.error,
        c.cause,
        i64_of(c.stopped_ms)
    ])?;
    tx.prepare_cached("DELETE FROM timers WHERE execution = ?1")?
        .execute([id])?;
    tx.prepare_cached("UPDATE tokens SET closed = 1 WHERE execution = ?1 AND closed = 0")?
        .execute([id])?;
    Ok(())
}
