//! The SQLite store under load and under `SIGKILL`: its own `main` (no test harness), because
//! the crash check runs this binary again as the writer it kills.
//!
//! - Group commit: 100 executions committing concurrently share database transactions, and
//!   every journal comes out whole and in order.
//! - One faulty transition in a batch fails alone.
//! - Crash: a child process commits transitions of 50 executions as fast as it can and prints
//!   each acknowledgement; it is killed with `SIGKILL` three times, each time after a random
//!   number of acknowledgements, and restarted on the same file, continuing where the store says
//!   each execution is. After each kill every acknowledged transition is in the file, no
//!   journal has a gap or a repeat, and the history matches the journal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sfn_runtime::execution::Status;
use sfn_runtime::store::group::GroupCommitter;
use sfn_runtime::store::sqlite::SqliteStore;
use sfn_runtime::store::{Durability, ExecutionRecord, Store, StoreError, Transition};

const CHILD: &str = "SFN_STORE_CRASH_CHILD";
const EXECUTIONS: usize = 50;

fn main() {
    if let Some(path) = std::env::var_os(CHILD) {
        writer(std::path::Path::new(&path));
        return;
    }
    let checks: [(&str, fn()); 3] = [
        (
            "group_commit_shares_transactions",
            group_commit_shares_transactions,
        ),
        (
            "a_faulty_transition_fails_alone",
            a_faulty_transition_fails_alone,
        ),
        (
            "acknowledged_transitions_survive_sigkill",
            acknowledged_transitions_survive_sigkill,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (name, check) in checks {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            check();
            println!("test {name} ... ok");
        }
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sfn-durability-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn execution(i: usize) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:m:run-{i}"),
        name: format!("run-{i}"),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        status: Status::Running,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: i as u64,
        stopped_ms: None,
        redrive_count: 0,
        redrive_ms: None,
        parent: None,
        map_run_arn: None,
    }
}

/// Transition `n` (from 0) of an execution: one journal event and one history event.
fn transition(arn: &str, n: u64) -> Transition {
    Transition {
        execution_arn: arn.into(),
        first_event: n,
        journal: vec![format!("{{\"event\":{n}}}")],
        history: vec![(n + 1, format!("{{\"id\":{}}}", n + 1))],
        ..Transition::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn group_commit_shares_transactions() {
    let dir = temp_dir("group");
    let mut store = SqliteStore::open(dir.join("s.db"), Durability::Process).expect("open");
    for i in 0..100 {
        store.create_execution(&execution(i)).expect("create");
    }
    let committer = std::sync::Arc::new(GroupCommitter::start(store, 512));
    runtime().block_on(async {
        let mut tasks = Vec::new();
        for i in 0..100 {
            let c = committer.clone();
            tasks.push(tokio::spawn(async move {
                let arn = execution(i).arn;
                for n in 0..20 {
                    c.commit(transition(&arn, n)).await.expect("commit");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let stats = committer.stats();
        assert_eq!(stats.transitions, 2000);
        assert!(
            stats.batches * 2 <= stats.transitions,
            "100 concurrent writers share transactions: {stats:?}"
        );
        for i in [0, 57, 99] {
            let journal = committer
                .call(move |s| s.journal(&execution(i).arn))
                .await
                .expect("call")
                .expect("journal");
            let want: Vec<String> = (0..20).map(|n| format!("{{\"event\":{n}}}")).collect();
            assert_eq!(journal, want);
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}

fn a_faulty_transition_fails_alone() {
    let dir = temp_dir("faulty");
    let mut store = SqliteStore::open(dir.join("s.db"), Durability::Process).expect("open");
    store.create_execution(&execution(0)).expect("create");
    store.create_execution(&execution(1)).expect("create");
    let committer = std::sync::Arc::new(GroupCommitter::start(store, 64));
    runtime().block_on(async {
        let (a, b) = (execution(0).arn, execution(1).arn);
        // Sent together: a repeat of an already stored transition, and a good one.
        committer.commit(transition(&a, 0)).await.expect("first");
        let (bad, good) = tokio::join!(
            committer.commit(transition(&a, 0)),
            committer.commit(transition(&b, 0))
        );
        assert!(
            matches!(
                bad,
                Err(StoreError::JournalGap {
                    stored: 1,
                    first: 0,
                    ..
                })
            ),
            "{bad:?}"
        );
        assert_eq!(good, Ok(()));
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child: commits transitions of every execution, continuing each from its stored journal,
/// and prints `ack <execution> <n>` once transition `n` is durable. Runs until killed.
fn writer(path: &std::path::Path) {
    let mut store = SqliteStore::open(path, Durability::Process).expect("open");
    let mut next = Vec::new();
    for i in 0..EXECUTIONS {
        store.create_execution(&execution(i)).expect("create");
        next.push(store.journal(&execution(i).arn).expect("journal").len() as u64);
    }
    let committer = std::sync::Arc::new(GroupCommitter::start(store, 512));
    let (tx, rx) = std::sync::mpsc::channel::<(usize, u64)>();
    std::thread::spawn(move || {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        while let Ok((i, n)) = rx.recv() {
            let _ = writeln!(out, "ack {i} {n}");
            let _ = out.flush();
        }
    });
    runtime().block_on(async move {
        let mut tasks = Vec::new();
        for (i, start) in next.into_iter().enumerate() {
            let (c, tx) = (committer.clone(), tx.clone());
            tasks.push(tokio::spawn(async move {
                let arn = execution(i).arn;
                for n in start.. {
                    c.commit(transition(&arn, n)).await.expect("commit");
                    let _ = tx.send((i, n));
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
}

fn acknowledged_transitions_survive_sigkill() {
    let dir = temp_dir("crash");
    let path = dir.join("s.db");
    let mut acked = vec![0u64; EXECUTIONS];
    let mut seed = std::process::id() as u64 | 1;
    for kill in 0..3 {
        // xorshift: a different moment each kill, from a few hundred to a few thousand acks.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wanted = 300 + seed % 3000;
        let mut child = Command::new(std::env::current_exe().expect("this binary"))
            .env(CHILD, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the writer");
        let stdout = child.stdout.take().expect("stdout");
        let mut seen = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            let mut parts = line.split(' ').skip(1);
            let (Some(i), Some(n)) = (parts.next(), parts.next()) else {
                panic!("unexpected output: {line}")
            };
            let (i, n): (usize, u64) = (i.parse().expect("i"), n.parse().expect("n"));
            acked[i] = acked[i].max(n + 1);
            seen += 1;
            if seen == wanted {
                break;
            }
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let store = SqliteStore::open(&path, Durability::Process).expect("reopen");
        for (i, &count) in acked.iter().enumerate() {
            let arn = execution(i).arn;
            let journal = store.journal(&arn).expect("journal");
            assert!(
                journal.len() as u64 >= count,
                "kill {kill}: run-{i} lost acknowledged transitions ({} stored, {count} acknowledged)",
                journal.len()
            );
            for (n, event) in journal.iter().enumerate() {
                assert_eq!(
                    event,
                    &format!("{{\"event\":{n}}}"),
                    "kill {kill}: run-{i} event {n}"
                );
            }
            let history = store
                .history(&arn, &Default::default())
                .expect("history")
                .items;
            assert_eq!(history.len(), journal.len(), "kill {kill}: run-{i}");
        }
    }
    let total: u64 = acked.iter().sum();
    assert!(
        total >= 900,
        "three kills after 300+ acknowledgements each: {total}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
