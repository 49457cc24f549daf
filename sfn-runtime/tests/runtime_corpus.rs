//! Every real-world definition of `../shared/corpus/real-world` runs to an end on the engine
//! with every task answered `{}` by a mock source: no panic, no hang, a final status.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sfn_runtime::resources::{TaskFuture, TaskRequest, TaskSource};
use sfn_runtime::{Engine, ExecutionConfig, Resources, Status};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/real-world"
);

/// Answers every task with an empty object.
struct EmptyAnswers;

impl TaskSource for EmptyAnswers {
    fn invoke(&self, _: &TaskRequest) -> Option<TaskFuture> {
        Some(Box::pin(async { Ok(json!({})) }))
    }
}

#[tokio::test(start_paused = true)]
async fn every_corpus_definition_runs_to_an_end() {
    let mut files: Vec<_> = std::fs::read_dir(CORPUS)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no corpus under {CORPUS}");
    let mut resources = Resources::new();
    resources.add_source(Arc::new(EmptyAnswers));
    let engine = Engine::new(resources).with_start_time(1_704_067_200_000);
    let (mut ran, mut succeeded) = (0, 0);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Definitions the validator rejects are the validator's business.
        let Ok(machine) = sfn_asl::parse(&text) else {
            continue;
        };
        let run = engine.start_sync_execution(
            Arc::new(machine),
            json!({}),
            ExecutionConfig::new("corpus", "run"),
        );
        // Ten years of virtual time: longer than any Wait, and a bound on callback waits.
        let result = tokio::time::timeout(Duration::from_secs(10 * 366 * 86_400), run).await;
        let result = result.unwrap_or_else(|_| panic!("{} did not finish", path.display()));
        assert_ne!(result.outcome.status, Status::Running, "{}", path.display());
        ran += 1;
        if result.outcome.status == Status::Succeeded {
            succeeded += 1;
        } else if std::env::var_os("SFN_CORPUS_VERBOSE").is_some() {
            let cause: String = result
                .outcome
                .cause
                .unwrap_or_default()
                .chars()
                .take(160)
                .collect();
            println!("{}: {:?} {cause}", path.display(), result.outcome.error);
        }
    }
    println!("corpus: {ran} definitions ran, {succeeded} succeeded with empty task answers");
    assert!(ran > 100, "only {ran} corpus definitions parsed");
}
