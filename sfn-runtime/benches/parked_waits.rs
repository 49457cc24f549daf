//! Memory of Express executions parked in a one-hour `Wait` (`benches/workloads/wait-parked`):
//! `cargo bench -p sfn-runtime --bench parked_waits`. Prints bytes per execution, counted by a
//! global allocator that tracks live heap bytes, and the process's resident set.
//!
//! `SFN_BENCH_PARKED=<n>` changes the number of executions (default 100,000; 1,000 under
//! `cargo test --benches`).
//! Two figures: executions started on the engine (one tokio task, channel and timer each), and
//! the deterministic core alone (`Execution` after `Started`), which is the part the engine keeps
//! per execution whatever drives it.

mod common;
#[path = "common/memory.rs"]
mod memory;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sfn_runtime::execution::{Command, Event, Execution};
use sfn_runtime::Status;

use common::{engine, express, load, runtime};
use memory::{mib, proc_status, LIVE, PEAK};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then, as criterion
    // does, this only checks that the bench works, on a small count.
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SFN_BENCH_PARKED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 1_000 });
    let w = load("wait-parked");
    let rt = runtime();
    let engine = engine();

    // Engine: n executions on tokio tasks, each parked on its timer.
    let live0 = LIVE.load(Ordering::Relaxed);
    let rss0 = proc_status("VmRSS");
    PEAK.store(live0, Ordering::Relaxed);
    let started = Instant::now();
    let handles: Vec<_> = rt.block_on(async {
        (0..n)
            .map(|i| {
                engine.start_execution(
                    w.machine.clone(),
                    w.input.clone(),
                    express(&format!("run-{i}")),
                )
            })
            .collect()
    });
    // The tasks run once the runtime gets control; they are parked when live bytes stop moving.
    let mut last = usize::MAX;
    rt.block_on(async {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = LIVE.load(Ordering::Relaxed);
            if now == last {
                break;
            }
            last = now;
        }
    });
    let parked_in = started.elapsed();
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(live0) as u64;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(live0) as u64;
    let rss = proc_status("VmRSS").saturating_sub(rss0);
    let hwm = proc_status("VmHWM");
    println!("wait-parked/engine: {n} Express executions parked in a Wait (started and parked in {:.2}s)", parked_in.as_secs_f64());
    println!(
        "  live heap {:.1} MiB = {} B/execution (peak {:.1} MiB); RSS +{:.1} MiB = {} B/execution; peak RSS of the process {:.1} MiB",
        mib(live),
        live / n as u64,
        mib(peak),
        mib(rss),
        rss / n as u64,
        mib(hwm)
    );
    // The target is for 100,000 executions; other counts are scaled to it.
    let per_budget = 100_000.0 / n as f64 / (1u64 << 30) as f64;
    println!(
        "  target: 100,000 under 1 GiB -> {:.3} of the budget (live heap), {:.3} (RSS)",
        live as f64 * per_budget,
        rss as f64 * per_budget
    );

    // Every execution must still be waiting: a stop ends each one ABORTED.
    let aborted = rt.block_on(async {
        let mut aborted = 0usize;
        for h in &handles {
            let _ = h.stop(None, None);
        }
        for h in handles {
            if let Ok(r) = h.result().await {
                aborted += usize::from(r.outcome.status == Status::Aborted);
            }
        }
        aborted
    });
    assert_eq!(
        aborted, n,
        "every parked execution ends ABORTED when stopped"
    );
    drop(rt);

    // Core: the execution state alone, after `Started` asked for the Wait's timer.
    let live0 = LIVE.load(Ordering::Relaxed);
    let mut execs = Vec::with_capacity(n);
    for i in 0..n {
        let mut exec = Execution::new(w.machine.clone(), express(&format!("run-{i}")));
        let step = exec.handle(Event::Started {
            input: w.input.clone(),
            now: 0,
        });
        assert!(step
            .commands
            .iter()
            .any(|c| matches!(c, Command::StartTimer { .. })));
        assert_eq!(exec.status(), Status::Running);
        execs.push(exec);
    }
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(live0) as u64;
    println!(
        "wait-parked/core: {n} parked executions hold {:.1} MiB = {} B/execution",
        mib(live),
        live / n as u64
    );
    drop(execs);
}
