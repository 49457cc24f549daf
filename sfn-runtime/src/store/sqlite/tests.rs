use super::*;
use crate::store::{Closed, DueTimer, TimerChange, TokenChange};

/// A store in a fresh file under the system's temporary folder, removed when dropped.
struct TempStore {
    store: SqliteStore,
    dir: std::path::PathBuf,
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_store(tag: &str) -> TempStore {
    let dir = std::env::temp_dir().join(format!(
        "sfn-store-{tag}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = SqliteStore::open(dir.join("store.db"), Durability::Process).expect("open");
    TempStore { store, dir }
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

fn execution(name: &str, started_ms: u64) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:m:{name}"),
        name: name.into(),
        state_machine_arn: MACHINE.into(),
        status: Status::Running,
        input: "{\"n\":1}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms,
        stopped_ms: None,
        redrive_count: 0,
        redrive_ms: None,
        parent: None,
        map_run_arn: None,
    }
}

fn step(arn: &str, first: u64, events: &[&str]) -> Transition {
    Transition {
        execution_arn: arn.into(),
        first_event: first,
        journal: events.iter().map(|e| e.to_string()).collect(),
        history: events
            .iter()
            .enumerate()
            .map(|(i, e)| (first + i as u64 + 1, format!("{{\"h\":{e:?}}}")))
            .collect(),
        ..Transition::default()
    }
}

#[test]
fn machines_and_executions_round_trip_and_names_are_unique_per_machine() {
    let mut t = temp_store("names");
    let s = &mut t.store;
    let machine = StateMachineRecord {
        arn: MACHINE.into(),
        name: "m".into(),
        kind: "STANDARD".into(),
        definition: "{\"StartAt\":\"A\"}".into(),
        role_arn: None,
        created_ms: 5,
    };
    s.put_state_machine(&machine).expect("put");
    assert_eq!(
        s.state_machine(MACHINE).expect("get"),
        Some(machine.clone())
    );
    assert_eq!(s.state_machines().expect("list"), vec![machine]);
    let e = execution("run-1", 10);
    assert_eq!(s.create_execution(&e).expect("create"), Created::New);
    let mut again = execution("run-1", 11);
    again.input = "{\"n\":2}".into();
    assert_eq!(
        s.create_execution(&again).expect("create"),
        Created::Existing(e.clone())
    );
    assert_eq!(s.execution(&e.arn).expect("get"), Some(e));
    assert_eq!(s.execution("arn:none").expect("get"), None);
}

#[test]
fn a_transition_is_stored_whole_and_a_journal_never_has_a_gap_or_a_repeat() {
    let mut t = temp_store("journal");
    let s = &mut t.store;
    let e = execution("run", 1);
    s.create_execution(&e).expect("create");
    s.commit(&[step(&e.arn, 0, &["started", "task-done"])])
        .expect("commit");
    // The same transition again (a retried commit) is refused, and so is one that skips ahead.
    let repeat = s.commit(&[step(&e.arn, 0, &["started"])]);
    assert_eq!(
        repeat,
        Err(StoreError::JournalGap {
            execution_arn: e.arn.clone(),
            stored: 2,
            first: 0
        })
    );
    assert!(matches!(
        s.commit(&[step(&e.arn, 5, &["x"])]),
        Err(StoreError::JournalGap { stored: 2, .. })
    ));
    // A batch with one faulty transition stores nothing of the others.
    let other = execution("other", 2);
    s.create_execution(&other).expect("create");
    let batch = [step(&other.arn, 0, &["a"]), step(&e.arn, 0, &["dup"])];
    assert!(s.commit(&batch).is_err());
    assert!(s.journal(&other.arn).expect("journal").is_empty());
    assert_eq!(
        s.journal(&e.arn).expect("journal"),
        vec!["started", "task-done"]
    );
    assert_eq!(
        s.commit(&[step("arn:missing", 0, &["a"])]),
        Err(StoreError::NoSuchExecution("arn:missing".into()))
    );
}

#[test]
fn timers_come_due_in_deadline_order_and_go_with_the_execution() {
    let mut t = temp_store("timers");
    let s = &mut t.store;
    let (a, b) = (execution("a", 1), execution("b", 2));
    s.create_execution(&a).expect("create");
    s.create_execution(&b).expect("create");
    let mut ta = step(&a.arn, 0, &["e"]);
    ta.timers = vec![
        TimerChange::Set { id: 1, due_ms: 300 },
        TimerChange::Set { id: 2, due_ms: 100 },
    ];
    let mut tb = step(&b.arn, 0, &["e"]);
    tb.timers = vec![TimerChange::Set { id: 1, due_ms: 100 }];
    s.commit(&[ta, tb]).expect("commit");
    let due = |s: &SqliteStore, until| -> Vec<(String, u64)> {
        s.due_timers(until, 10)
            .expect("due")
            .into_iter()
            .map(|d| (d.execution_arn, d.id))
            .collect()
    };
    // In memory, their drivers fire their timers: the store lists none.
    assert_eq!(due(s, 1000), vec![]);
    assert_eq!(s.next_timer().expect("next"), None);
    assert_eq!(s.active().expect("active").len(), 2);
    // Parked (a transition without a journal event), they are the store's to wake.
    let park = |arn: &str, at: u64| Transition {
        execution_arn: arn.into(),
        first_event: at,
        park: true,
        ..Transition::default()
    };
    s.commit(&[park(&a.arn, 1), park(&b.arn, 1)]).expect("park");
    assert_eq!(s.active().expect("active"), vec![]);
    assert_eq!(s.running().expect("running").len(), 2);
    assert_eq!(due(s, 99), vec![]);
    assert_eq!(due(s, 100), vec![(a.arn.clone(), 2), (b.arn.clone(), 1)]);
    assert_eq!(
        s.next_timer().expect("next"),
        Some(DueTimer {
            execution_arn: a.arn.clone(),
            id: 2,
            due_ms: 100
        })
    );
    // Woken: its next transition brings it back into memory, then it parks again.
    let mut fired = step(&a.arn, 1, &["timer-2"]);
    fired.timers = vec![TimerChange::Clear { id: 2 }];
    s.commit(&[fired]).expect("commit");
    assert_eq!(due(s, 1000), vec![(b.arn.clone(), 1)]);
    assert_eq!(s.active().expect("active"), vec![a.clone()]);
    s.commit(&[park(&a.arn, 2)]).expect("park");
    assert_eq!(due(s, 1000), vec![(b.arn.clone(), 1), (a.arn.clone(), 1)]);
    let mut end = step(&a.arn, 2, &["stop"]);
    end.closed = Some(Closed {
        status: Status::Aborted,
        output: None,
        error: Some("E".into()),
        cause: None,
        stopped_ms: 50,
    });
    s.commit(&[end]).expect("commit");
    assert_eq!(due(s, 1000), vec![(b.arn.clone(), 1)]);
    let stored = s.execution(&a.arn).expect("get").expect("exists");
    assert_eq!(
        (stored.status, stored.error.as_deref(), stored.stopped_ms),
        (Status::Aborted, Some("E"), Some(50))
    );
    assert_eq!(s.running().expect("running"), vec![b]);
}

#[test]
fn tokens_and_activity_tasks_are_issued_taken_and_closed() {
    let mut t = temp_store("tokens");
    let s = &mut t.store;
    let e = execution("run", 1);
    s.create_execution(&e).expect("create");
    let activity = "arn:aws:states:us-east-1:123456789012:activity:work";
    let token = |name: &str, created_ms, activity_arn: Option<&str>| TokenRecord {
        token: name.into(),
        execution_arn: e.arn.clone(),
        task_id: 7,
        activity_arn: activity_arn.map(str::to_owned),
        input: Some("{}".into()),
        worker: None,
        created_ms,
        closed: false,
    };
    let mut issue = step(&e.arn, 0, &["scheduled"]);
    issue.tokens = vec![
        TokenChange::Issue(token("t2", 20, Some(activity))),
        TokenChange::Issue(token("t1", 10, Some(activity))),
        TokenChange::Issue(token("cb", 5, None)),
    ];
    s.commit(&[issue]).expect("commit");
    let names = |s: &SqliteStore| -> Vec<String> {
        s.activity_tasks(activity, 10)
            .expect("tasks")
            .into_iter()
            .map(|t| t.token)
            .collect()
    };
    assert_eq!(names(s), vec!["t1", "t2"]);
    let mut take = step(&e.arn, 1, &["started"]);
    take.tokens = vec![TokenChange::Take {
        token: "t1".into(),
        worker: "w-1".into(),
    }];
    s.commit(&[take]).expect("commit");
    assert_eq!(names(s), vec!["t2"]);
    assert_eq!(
        s.token("t1")
            .expect("token")
            .and_then(|t| t.worker)
            .as_deref(),
        Some("w-1")
    );
    let mut close = step(&e.arn, 2, &["done"]);
    close.tokens = vec![TokenChange::Close { token: "cb".into() }];
    s.commit(&[close]).expect("commit");
    assert_eq!(s.token("cb").expect("token").map(|t| t.closed), Some(true));
    assert_eq!(s.token("t2").expect("token").map(|t| t.closed), Some(false));
    // The end of the execution closes the rest: no worker can take them any more.
    let mut end = step(&e.arn, 3, &["end"]);
    end.closed = Some(Closed {
        status: Status::Aborted,
        output: None,
        error: None,
        cause: None,
        stopped_ms: 30,
    });
    s.commit(&[end]).expect("commit");
    assert_eq!(names(s), Vec::<String>::new());
    assert_eq!(s.token("t2").expect("token").map(|t| t.closed), Some(true));
    assert_eq!(s.purge_closed(31).expect("purge"), 1);
    assert_eq!(s.token("t2").expect("token"), None);
}

#[test]
fn activities_are_created_once_listed_in_pages_and_deleted() {
    let mut t = temp_store("activities");
    let s = &mut t.store;
    let record = |name: &str, created_ms| ActivityRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:activity:{name}"),
        name: name.into(),
        created_ms,
    };
    let first = s.put_activity(&record("a", 1), &[]).expect("put");
    assert_eq!(first, record("a", 1));
    // Created again: the first one stands.
    assert_eq!(s.put_activity(&record("a", 9), &[]).expect("put"), first);
    s.put_activity(&record("b", 2), &[]).expect("put");
    s.put_activity(&record("c", 3), &[]).expect("put");
    let one = s.activities(2, None).expect("page");
    let names: Vec<&str> = one.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let two = s.activities(2, one.next).expect("page");
    let names: Vec<&str> = two.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!((names, two.next), (vec!["c"], None));
    assert!(s.delete_activity(&first.arn).expect("delete"));
    assert!(!s.delete_activity(&first.arn).expect("delete"));
    assert_eq!(s.activity(&first.arn).expect("get"), None);
    assert_eq!(s.activities(0, None).expect("all").items.len(), 2);
}

#[test]
fn tags_keep_their_order_take_new_values_and_go_with_their_activity() {
    let mut t = temp_store("tags");
    let s = &mut t.store;
    let activity = ActivityRecord {
        arn: "arn:aws:states:us-east-1:123456789012:activity:a".into(),
        name: "a".into(),
        created_ms: 1,
    };
    let tag = |k: &str, v: &str| Tag::new(k, v);
    s.put_activity(&activity, &[tag("b", "1"), tag("a", "2")])
        .expect("put");
    // Created again: its tags stay as they were.
    s.put_activity(&activity, &[tag("c", "3")]).expect("put");
    assert_eq!(
        s.tags(&activity.arn).expect("tags"),
        [tag("b", "1"), tag("a", "2")]
    );
    s.tag_resource(&activity.arn, &[tag("a", "x"), tag("d", "4")])
        .expect("tag");
    s.untag_resource(&activity.arn, &["b".into(), "zz".into()])
        .expect("untag");
    assert_eq!(
        s.tags(&activity.arn).expect("tags"),
        [tag("a", "x"), tag("d", "4")]
    );
    // A state machine's tags are its own.
    s.tag_resource(MACHINE, &[tag("a", "m")]).expect("tag");
    assert!(s.delete_activity(&activity.arn).expect("delete"));
    assert_eq!(s.tags(&activity.arn).expect("tags"), []);
    assert_eq!(s.tags(MACHINE).expect("tags"), [tag("a", "m")]);
    // Created anew, it has only the tags it is created with.
    s.put_activity(&activity, &[tag("e", "5")]).expect("put");
    assert_eq!(s.tags(&activity.arn).expect("tags"), [tag("e", "5")]);
}

#[test]
fn listings_page_newest_first_and_histories_page_both_ways() {
    let mut t = temp_store("pages");
    let s = &mut t.store;
    for i in 0..5 {
        let e = execution(&format!("run-{i}"), i);
        s.create_execution(&e).expect("create");
        let mut tr = step(&e.arn, 0, &["a", "b", "c"]);
        if i % 2 == 0 {
            tr.closed = Some(Closed {
                status: Status::Succeeded,
                output: Some("{}".into()),
                error: None,
                cause: None,
                stopped_ms: 100 + i,
            });
        }
        s.commit(&[tr]).expect("commit");
    }
    let names =
        |p: &Page<ExecutionRecord>| p.items.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
    let first = s
        .executions(&ExecutionQuery {
            limit: 2,
            ..Default::default()
        })
        .expect("list");
    assert_eq!(names(&first), vec!["run-4", "run-3"]);
    let second = s
        .executions(&ExecutionQuery {
            limit: 2,
            after: first.next.clone(),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(names(&second), vec!["run-2", "run-1"]);
    let last = s
        .executions(&ExecutionQuery {
            limit: 2,
            after: second.next.clone(),
            ..Default::default()
        })
        .expect("list");
    assert_eq!((names(&last), last.next), (vec!["run-0".to_string()], None));
    let done = s
        .executions(&ExecutionQuery {
            status: Some(Status::Succeeded),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(names(&done), vec!["run-4", "run-2", "run-0"]);

    let arn = execution("run-1", 0).arn;
    let ids = |p: &Page<(u64, String)>| p.items.iter().map(|(id, _)| *id).collect::<Vec<_>>();
    let fwd = s
        .history(
            &arn,
            &HistoryQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .expect("history");
    assert_eq!(ids(&fwd), vec![1, 2]);
    let rest = s
        .history(
            &arn,
            &HistoryQuery {
                limit: 2,
                after: fwd.next.clone(),
                ..Default::default()
            },
        )
        .expect("history");
    assert_eq!((ids(&rest), rest.next), (vec![3], None));
    let back = s
        .history(
            &arn,
            &HistoryQuery {
                reverse: true,
                limit: 2,
                ..Default::default()
            },
        )
        .expect("history");
    assert_eq!(ids(&back), vec![3, 2]);

    // Retention: closed executions that ended before 103 go, with their rows.
    assert_eq!(s.purge_closed(103).expect("purge"), 2);
    assert_eq!(s.execution(&execution("run-0", 0).arn).expect("get"), None);
    assert!(s
        .execution(&execution("run-4", 0).arn)
        .expect("get")
        .is_some());
    assert!(
        s.execution(&arn).expect("get").is_some(),
        "running executions stay"
    );
}

#[test]
fn a_reopened_file_holds_what_was_committed_and_a_newer_schema_is_refused() {
    let t = temp_store("reopen");
    let path = t.dir.join("store.db");
    let e = execution("run", 1);
    {
        let mut s = SqliteStore::open(&path, Durability::Full).expect("open");
        s.create_execution(&e).expect("create");
        s.commit(&[step(&e.arn, 0, &["x", "y"])]).expect("commit");
    }
    let s = SqliteStore::open(&path, Durability::Full).expect("reopen");
    assert_eq!(s.journal(&e.arn).expect("journal"), vec!["x", "y"]);
    s.conn
        .execute("UPDATE meta SET value = 99 WHERE key = 'schema'", [])
        .expect("bump");
    drop(s);
    match SqliteStore::open(&path, Durability::Full) {
        Err(StoreError::Schema {
            found: 99,
            supported: SCHEMA_VERSION,
            ..
        }) => {}
        other => panic!("expected a schema error, got {other:?}"),
    }
    let not_a_db = t.dir.join("notes.txt");
    std::fs::write(
        &not_a_db,
        "this is not a database, just some text that is long enough",
    )
    .expect("write");
    let err = SqliteStore::open(&not_a_db, Durability::Full).expect_err("not a database");
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

/// The tables of schema 1 (journal and history keyed by execution and position, an event count
/// in each execution's row), as files written before schema 2 hold them.
const SCHEMA_1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema', 1);
CREATE TABLE executions (
    id INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    state_machine_arn TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT,
    error TEXT, cause TEXT, started_ms INTEGER NOT NULL, stopped_ms INTEGER,
    redrive_count INTEGER NOT NULL DEFAULT 0, events INTEGER NOT NULL DEFAULT 0,
    UNIQUE (state_machine_arn, name));
CREATE TABLE journal (
    execution INTEGER NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (execution, seq)) WITHOUT ROWID;
CREATE TABLE history (
    execution INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (execution, id)) WITHOUT ROWID;
INSERT INTO executions (id, arn, name, state_machine_arn, status, input, started_ms, events)
    VALUES (7, 'arn:aws:states:us-east-1:123456789012:execution:m:old', 'old',
            'arn:aws:states:us-east-1:123456789012:stateMachine:m', 'RUNNING', '{}', 1, 2);
INSERT INTO journal VALUES (7, 1, 'second'), (7, 0, 'first');
INSERT INTO history VALUES (7, 2, 'h2'), (7, 1, 'h1');
";

#[test]
fn a_schema_1_file_is_brought_up_to_date_and_keeps_its_executions_and_journals() {
    let t = temp_store("schema1");
    let path = t.dir.join("old.db");
    Connection::open(&path)
        .and_then(|c| c.execute_batch(SCHEMA_1))
        .expect("schema 1 file");
    let mut s = SqliteStore::open(&path, Durability::Process).expect("open");
    let arn = execution("old", 1).arn;
    assert_eq!(s.journal(&arn).expect("journal"), vec!["first", "second"]);
    // The journal's end is the stored position: a repeat is refused, the next one continues.
    assert!(matches!(
        s.commit(&[step(&arn, 1, &["again"])]),
        Err(StoreError::JournalGap { stored: 2, .. })
    ));
    s.commit(&[step(&arn, 2, &["third"])]).expect("commit");
    assert_eq!(
        s.journal(&arn).expect("journal"),
        vec!["first", "second", "third"]
    );
    let history = s.history(&arn, &HistoryQuery::default()).expect("history");
    let ids: Vec<u64> = history.items.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    // It gained the parked column: running and in memory, then parked.
    assert_eq!(s.active().expect("active").len(), 1);
    let park = Transition {
        execution_arn: arn.clone(),
        first_event: 3,
        park: true,
        ..Transition::default()
    };
    s.commit(&[park]).expect("park");
    assert_eq!(s.active().expect("active"), vec![]);
    assert_eq!(s.running().expect("running").len(), 1);
    let version: i64 = s
        .conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn a_batch_continues_each_journal_from_the_batch_before_it() {
    let mut t = temp_store("chain");
    let s = &mut t.store;
    let (a, b) = (execution("a", 1), execution("b", 2));
    s.create_execution(&a).expect("create");
    s.create_execution(&b).expect("create");
    // Two transitions of `a` in one batch, the second starting where the first ends, and more
    // rows than one multi-row statement takes.
    let many: Vec<String> = (0..300).map(|n| format!("e{n}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let batch = [
        step(&a.arn, 0, &["a0", "a1"]),
        step(&b.arn, 0, &many),
        step(&a.arn, 2, &["a2"]),
    ];
    s.commit(&batch).expect("commit");
    assert_eq!(s.journal(&a.arn).expect("journal"), vec!["a0", "a1", "a2"]);
    assert_eq!(s.journal(&b.arn).expect("journal"), many);
    // A later transition of the same execution that skips one fails the batch, naming it.
    let skip = [step(&a.arn, 3, &["a3"]), step(&a.arn, 5, &["a5"])];
    assert_eq!(
        s.commit(&skip),
        Err(StoreError::JournalGap {
            execution_arn: a.arn.clone(),
            stored: 4,
            first: 5
        })
    );
    assert_eq!(s.journal(&a.arn).expect("journal").len(), 3);
}

#[test]
fn a_redrive_reopens_an_execution_and_each_execution_keeps_its_definition() {
    let mut t = temp_store("redrive");
    let s = &mut t.store;
    let mut machine = StateMachineRecord {
        arn: MACHINE.into(),
        name: "m".into(),
        kind: "STANDARD".into(),
        definition: "{\"v\":1}".into(),
        role_arn: None,
        created_ms: 5,
    };
    s.put_state_machine(&machine).expect("put");
    let first = execution("run-1", 10);
    s.create_execution(&first).expect("create");
    machine.definition = "{\"v\":2}".into();
    s.put_state_machine(&machine).expect("update");
    let second = execution("run-2", 11);
    s.create_execution(&second).expect("create");
    let definition = |s: &SqliteStore, arn: &str| s.execution_definition(arn).expect("readable");
    assert_eq!(definition(s, &first.arn).as_deref(), Some("{\"v\":1}"));
    assert_eq!(definition(s, &second.arn).as_deref(), Some("{\"v\":2}"));
    assert_eq!(definition(s, "arn:none"), None);
    let failed = |stopped_ms| Closed {
        status: Status::Failed,
        output: None,
        error: Some("E".into()),
        cause: None,
        stopped_ms,
    };
    let mut end = step(&first.arn, 0, &["a"]);
    end.closed = Some(failed(20));
    s.commit(&[end]).expect("ends");
    let mut redrive = step(&first.arn, 1, &["b"]);
    redrive.redriven = Some(30);
    s.commit(&[redrive]).expect("redriven");
    let r = s.execution(&first.arn).expect("readable").expect("stored");
    assert_eq!(
        (
            r.status,
            r.redrive_count,
            r.redrive_ms,
            r.error,
            r.stopped_ms
        ),
        (Status::Running, 1, Some(30), None, None)
    );
    assert!(s
        .running()
        .expect("readable")
        .iter()
        .any(|e| e.arn == first.arn));
    // Redriven and failed again in one transition: reopened first, then closed.
    let mut both = step(&first.arn, 2, &["c"]);
    both.redriven = Some(40);
    both.closed = Some(failed(41));
    s.commit(&[both]).expect("redriven and ended");
    let r = s.execution(&first.arn).expect("readable").expect("stored");
    assert_eq!(
        (r.status, r.redrive_count, r.redrive_ms, r.stopped_ms),
        (Status::Failed, 2, Some(40), Some(41))
    );
    assert_eq!(s.journal(&first.arn).expect("journal"), vec!["a", "b", "c"]);
}

#[test]
fn executions_created_in_a_batch_commit_with_its_transitions_or_not_at_all() {
    let mut t = temp_store("create-batch");
    let s = &mut t.store;
    let old = execution("old", 1);
    s.create_execution(&old).expect("create");
    let (a, b) = (execution("a", 2), execution("b", 3));
    let mut a_again = execution("a", 4);
    a_again.input = "{\"n\":2}".into();
    // In order: `a` is new, `a` again finds the first (same transaction), `b` is new.
    let created = s
        .commit_batch(
            &[a.clone(), a_again, b.clone()],
            &[step(&old.arn, 0, &["x"])],
        )
        .expect("commit");
    assert_eq!(
        created,
        vec![Created::New, Created::Existing(a.clone()), Created::New]
    );
    assert_eq!(s.execution(&b.arn).expect("get"), Some(b));
    assert_eq!(s.journal(&old.arn).expect("journal"), vec!["x"]);
    // A faulty transition takes the batch's creations down with it.
    let c = execution("c", 5);
    assert!(matches!(
        s.commit_batch(std::slice::from_ref(&c), &[step(&old.arn, 0, &["dup"])]),
        Err(StoreError::JournalGap { stored: 1, .. })
    ));
    assert_eq!(s.execution(&c.arn).expect("get"), None);
}

#[test]
fn concurrent_creations_share_the_committers_transactions() {
    use crate::store::group::GroupCommitter;
    let t = temp_store("create-group");
    let store = SqliteStore::open(t.dir.join("group.db"), Durability::Process).expect("open");
    let committer = std::sync::Arc::new(GroupCommitter::start(store, 512));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    // The store's thread waits on a gate while the 200 creations queue behind it (the tasks
    // run in the order spawned, the gate's opener last), so they meet in its next
    // transactions.
    let (open_gate, gate) = std::sync::mpsc::channel::<()>();
    let c = committer.clone();
    let blocked = runtime.spawn(async move {
        c.call(move |_| {
            let _ = gate.recv();
        })
        .await
    });
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let c = committer.clone();
            // Every name twice: one of each pair is new, the other finds it.
            runtime.spawn(async move { c.create(execution(&format!("r{}", i / 2), 1)).await })
        })
        .collect();
    runtime.spawn(async move {
        let _ = open_gate.send(());
    });
    let created = runtime.block_on(async move {
        blocked.await.expect("task").expect("call");
        let mut created = Vec::new();
        for task in tasks {
            created.push(task.await.expect("task").expect("create"));
        }
        created
    });
    let new = created.iter().filter(|c| **c == Created::New).count();
    assert_eq!(new, 100, "one creation per name");
    let stats = committer.stats();
    assert!(
        stats.batches < 10,
        "200 queued creations share transactions: {stats:?}"
    );
}

/// Another connection writing to the file (a command opening it, say) makes a commit wait for
/// its write lock, within the busy timeout, instead of failing with "database is locked".
#[test]
fn a_commit_waits_for_another_connections_write() {
    let mut t = temp_store("locked");
    let e = execution("waits", 1);
    t.store.create_execution(&e).expect("created");
    t.store
        .commit(&[step(&e.arn, 0, &["e0"])])
        .expect("first transition");
    let other = rusqlite::Connection::open(t.dir.join("store.db")).expect("a second connection");
    other
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO activities (arn, name, created_ms) VALUES ('x', 'x', 1);",
        )
        .expect("the other connection writes");
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").expect("released");
    });
    // Started while the other write is under way: it waits for it, then commits.
    t.store
        .commit(&[step(&e.arn, 1, &["e1"])])
        .expect("the commit waits for the lock");
    release.join().expect("the other connection committed");
    assert_eq!(
        t.store.journal(&e.arn).expect("readable"),
        vec!["e0".to_owned(), "e1".to_owned()]
    );
}
