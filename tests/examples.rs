//! Each example under `examples/` runs natively and ends with the expected result; building
//! them writes their ASL and IAM files.

#[path = "../examples/batch_fan_out.rs"]
mod batch_fan_out;
#[path = "../examples/human_approval.rs"]
mod human_approval;
#[path = "../examples/human_approval_durable.rs"]
mod human_approval_durable;
#[path = "../examples/order_processing.rs"]
mod order_processing;

use sfn::ExecutionErrorKind;

#[tokio::test(start_paused = true)]
async fn order_processing_ships_after_one_retry() {
    let receipt = order_processing::run_example()
        .await
        .expect("the order goes through");
    assert_eq!(
        receipt,
        order_processing::Receipt {
            order_id: "order-17".into(),
            charged: 42.5,
            tracking: "TRACK-order-17".into()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn order_processing_history_shows_the_retry_and_the_branches() {
    use order_processing::{sample_order, OrderProcessing, Tasks};
    use sfn::runtime::history::EventType;
    let run = OrderProcessing::run_with_history(&Tasks::default(), sample_order()).await;
    assert!(run.output.is_ok());
    let count = |t: EventType| run.history().iter().filter(|e| e.event_type == t).count();
    assert_eq!(
        count(EventType::LambdaFunctionFailed),
        1,
        "the first validation fails"
    );
    assert_eq!(count(EventType::ParallelStateEntered), 1);
    assert_eq!(
        count(EventType::LambdaFunctionSucceeded),
        3,
        "validate, charge, reserve"
    );
    assert_eq!(
        count(EventType::TaskSucceeded),
        1,
        "ship, through lambda:invoke"
    );
}

#[tokio::test(start_paused = true)]
async fn human_approval_completes_through_the_token() {
    use human_approval::{run_example, Decision, Expense};
    let decision = run_example(
        Expense {
            id: "exp-3".into(),
            amount: 120.0,
        },
        500.0,
    )
    .await
    .expect("approved");
    assert_eq!(
        decision,
        Decision {
            id: "exp-3".into(),
            approved_by: "alice".into()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn human_approval_declined_fails_with_the_fail_state_error() {
    use human_approval::{run_example, Expense};
    let err = run_example(
        Expense {
            id: "exp-4".into(),
            amount: 9000.0,
        },
        500.0,
    )
    .await
    .expect_err("declined");
    assert_eq!(err.kind, ExecutionErrorKind::Failed);
    assert_eq!(err.error, "ExpenseDeclined");
}

/// A runtime of its own for each half, as each run of the program has: dropping it ends every
/// task of the first engine, as the end of the process would.
fn in_own_runtime<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

#[test]
fn human_approval_durable_survives_a_restart_between_request_and_approval() {
    use human_approval_durable::{approve, request, Claim, Verdict};
    let dir = tempfile::tempdir().expect("temp dir");
    let claim = Claim {
        id: "exp-9".into(),
        amount: 120.0,
    };
    let arn = in_own_runtime(request(dir.path(), claim)).expect("requested");
    assert!(arn.ends_with(":execution:DurableApproval:exp-9"), "{arn}");
    let outbox = std::fs::read_to_string(dir.path().join("outbox.json")).expect("outbox");
    assert!(outbox.contains("exp-9"), "{outbox}");
    let verdict = in_own_runtime(approve(dir.path(), 500.0)).expect("approved");
    assert_eq!(
        verdict,
        Verdict {
            id: "exp-9".into(),
            approved_by: "alice".into()
        }
    );
    // The request was answered: a third run's answer is told its task ended.
    let again = in_own_runtime(approve(dir.path(), 500.0)).expect_err("nothing waits");
    assert!(again.to_string().contains("answered already"), "{again}");
}

#[tokio::test(start_paused = true)]
async fn batch_fan_out_keeps_the_image_order() {
    let summary = batch_fan_out::run_example()
        .await
        .expect("every image resizes");
    assert_eq!(summary.count, 6);
    assert_eq!(summary.saved, (640 + 800 + 1024 + 320 + 1920 + 480) * 10);
    assert_eq!(
        summary.keys.first().map(String::as_str),
        Some("thumbs/a.png")
    );
    assert_eq!(
        summary.keys.last().map(String::as_str),
        Some("thumbs/f.png")
    );
}

/// Building staged each workflow's ASL (and IAM policy) in the compiled crate's own folder,
/// `target/stepfunctions/.staged/examples/` for this test crate (which includes the examples'
/// sources; each example binary stages under `.staged/<example>-bin/`), with the same text as
/// the `ASL` constant; `ASL_FILE` names where the deployable copy goes
/// (`target/stepfunctions/examples/`, written by `sfn build` or `write_files`).
#[test]
fn building_stages_the_asl_files() {
    let root = match std::env::var_os("SFN_ASL_OUT_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
            .join("stepfunctions"),
    };
    for (name, asl, file) in [
        (
            "OrderProcessing",
            order_processing::OrderProcessing::ASL,
            order_processing::OrderProcessing::ASL_FILE,
        ),
        (
            "HumanApproval",
            human_approval::HumanApproval::ASL,
            human_approval::HumanApproval::ASL_FILE,
        ),
        (
            "DurableApproval",
            human_approval_durable::DurableApproval::ASL,
            human_approval_durable::DurableApproval::ASL_FILE,
        ),
        (
            "BatchFanOut",
            batch_fan_out::BatchFanOut::ASL,
            batch_fan_out::BatchFanOut::ASL_FILE,
        ),
    ] {
        let staged = root
            .join(".staged/examples")
            .join(format!("{name}.asl.json"));
        let text = std::fs::read_to_string(&staged)
            .unwrap_or_else(|e| panic!("{}: {e}", staged.display()));
        assert_eq!(text, asl, "{name}");
        assert!(
            root.join(".staged/examples")
                .join(format!("{name}.iam.json"))
                .is_file(),
            "{name}.iam.json"
        );
        assert_eq!(
            file.map(std::path::PathBuf::from),
            Some(root.join("examples").join(format!("{name}.asl.json"))),
            "{name}"
        );
    }
}
