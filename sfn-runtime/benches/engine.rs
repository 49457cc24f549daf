//! Engine throughput on the workloads in `benches/workloads/`: `cargo bench -p sfn-runtime --bench engine`.
//!
//! Every workload is first run once and its output compared with `<name>.output.json`.
//! The timed part includes copying the input (the engine takes it by value).
//! Times are the bench thread's CPU time ([`common::cpu_time`]), not wall time, so that other
//! load on the shared machine does not count.
//! Executions are Express with history off (see `common::express`) unless the bench name says
//! `standard`; runtimes are single-threaded, since the targets are stated for one core.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion, Throughput};
use sfn_runtime::execution::{Event, Execution};
use sfn_runtime::{Engine, ExecutionConfig, Status};
use tokio::runtime::Runtime;

use common::cpu_time::ThreadCpuTime;
use common::{check, engine, express, load, runtime, Workload};

/// Times one run of `w` through the engine per iteration, with a configuration from `config`.
fn run_engine(
    b: &mut Bencher<'_, ThreadCpuTime>,
    rt: &Runtime,
    engine: &Engine,
    w: &Workload,
    config: impl Fn() -> ExecutionConfig,
) {
    // Plain `iter`, input copy included (under 5% of the largest workload): `iter_batched`
    // keeps thousands of inputs and results alive per batch and measured 50% slower, from cache
    // misses a running engine does not have.
    b.iter(|| {
        rt.block_on(engine.start_sync_execution(w.machine.clone(), w.input.clone(), config()))
    })
}

/// 100 Pass states with Parameters and ResultPath; throughput in state transitions.
fn pass_chain(c: &mut Criterion<ThreadCpuTime>) {
    let w = load("pass-chain-100");
    let rt = runtime();
    let engine = engine();
    check(&rt, &engine, &w, express("check"));
    let mut g = c.benchmark_group("pass-chain-100");
    g.throughput(Throughput::Elements(100));
    // The deterministic core alone: what the driver adds is the difference to `engine`.
    g.bench_function("core", |b| {
        b.iter(|| {
            let mut exec = Execution::new(w.machine.clone(), express("run"));
            exec.handle(Event::Started {
                input: w.input.clone(),
                now: 0,
            });
            debug_assert_eq!(exec.status(), Status::Succeeded);
            black_box(exec.status())
        })
    });
    g.bench_function("engine", |b| {
        run_engine(b, &rt, &engine, &w, || express("run"))
    });
    // A Standard execution building its 202-event history.
    g.bench_function("engine-standard-history", |b| {
        run_engine(b, &rt, &engine, &w, || ExecutionConfig::new("bench", "run"))
    });
    g.finish();
}

/// A Choice loop of 1,000 iterations: 1,001 Choice + 1,000 Pass + 1 Succeed = 2,002 transitions.
fn choice_loop(c: &mut Criterion<ThreadCpuTime>) {
    let w = load("choice-loop-1000");
    let rt = runtime();
    let engine = engine();
    check(&rt, &engine, &w, express("check"));
    let mut g = c.benchmark_group("choice-loop-1000");
    g.throughput(Throughput::Elements(2_002));
    g.bench_function("engine", |b| {
        run_engine(b, &rt, &engine, &w, || express("run"))
    });
    g.finish();
}

/// Inline Map over 1,000 and 10,000 items; throughput in items.
fn inline_map(c: &mut Criterion<ThreadCpuTime>) {
    let rt = runtime();
    let engine = engine();
    let mut g = c.benchmark_group("map-inline");
    g.sample_size(20);
    for (name, items) in [("map-inline-1000", 1_000u64), ("map-inline-10000", 10_000)] {
        let w = load(name);
        check(&rt, &engine, &w, express("check"));
        g.throughput(Throughput::Elements(items));
        g.bench_with_input(BenchmarkId::new("engine", items), &w, |b, w| {
            run_engine(b, &rt, &engine, w, || express("run"))
        });
    }
    g.finish();
}

/// Parallel with 10 branches of two Pass states each; throughput in branches.
fn parallel(c: &mut Criterion<ThreadCpuTime>) {
    let w = load("parallel-10");
    let rt = runtime();
    let engine = engine();
    check(&rt, &engine, &w, express("check"));
    let mut g = c.benchmark_group("parallel-10");
    g.throughput(Throughput::Elements(10));
    g.bench_function("engine", |b| {
        run_engine(b, &rt, &engine, &w, || express("run"))
    });
    g.finish();
}

/// Short runs: the whole suite takes a few minutes on two shared cores.
fn config() -> Criterion<ThreadCpuTime> {
    Criterion::default()
        .with_measurement(ThreadCpuTime)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! {
    name = benches;
    config = config();
    targets = pass_chain, choice_loop, inline_map, parallel
}
criterion_main!(benches);
