//! A batch of images fans out over a Map state: each image is resized by its own iteration (at
//! most four at a time), and a last task sums up the results.
//!
//! `cargo run --example batch_fan_out` prints the emitted ASL and the result of a native run.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sfn::{workflow, ExecutionError, Shape, TaskError};

/// The execution input.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Batch {
    /// Batch id.
    pub batch_id: String,
    /// The images to resize.
    pub images: Vec<Image>,
}

/// One image of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, Shape)]
pub struct Image {
    /// Object key.
    pub key: String,
    /// Width in pixels.
    pub width: u32,
}

/// What one iteration returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Object key of the thumbnail.
    pub key: String,
    /// Bytes saved.
    pub saved: u64,
}

/// What `Summarize` receives: the batch with the iterations' results.
#[derive(Debug, Deserialize)]
pub struct Resized {
    /// Batch id.
    pub batch_id: String,
    /// One thumbnail per image, in order.
    pub thumbnails: Vec<Thumbnail>,
}

/// What the workflow ends with.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Batch id.
    pub batch_id: String,
    /// Thumbnails made.
    pub count: usize,
    /// Bytes saved in all.
    pub saved: u64,
    /// Thumbnail keys, in the order of the images.
    pub keys: Vec<String>,
}

workflow! {
    /// Resizes every image of a batch, four at a time, then sums up.
    pub BatchFanOut(Batch) -> Summary {
        start Resize;

        Resize: map {
            items_path: "$.images",
            max_concurrency: 4,
            processor {
                start Thumbnail;
                Thumbnail: task "arn:aws:lambda:us-east-1:123456789012:function:thumbnail" -> Thumbnail {
                    retry: [TaskFailed] every 1s x 2,
                } end;
            },
            result_path: "$.thumbnails",
        } => Summarize;

        Summarize: task "arn:aws:lambda:us-east-1:123456789012:function:summarize" (Resized) -> Summary end;
    }
}

/// The Task states' code.
#[derive(Clone)]
pub struct Tasks;

impl BatchFanOutTasks for Tasks {
    async fn thumbnail(&self, image: Value) -> Result<Thumbnail, TaskError> {
        let image: Image = serde_json::from_value(image)
            .map_err(|e| TaskError::lambda("BadImage", e.to_string()))?;
        Ok(Thumbnail {
            key: format!("thumbs/{}", image.key),
            saved: u64::from(image.width) * 10,
        })
    }

    async fn summarize(&self, resized: Resized) -> Result<Summary, TaskError> {
        Ok(Summary {
            batch_id: resized.batch_id,
            count: resized.thumbnails.len(),
            saved: resized.thumbnails.iter().map(|t| t.saved).sum(),
            keys: resized.thumbnails.into_iter().map(|t| t.key).collect(),
        })
    }
}

/// The batch the example runs.
pub fn sample_batch() -> Batch {
    let images = ["a.png", "b.png", "c.png", "d.png", "e.png", "f.png"]
        .iter()
        .zip([640, 800, 1024, 320, 1920, 480])
        .map(|(key, width)| Image {
            key: (*key).into(),
            width,
        })
        .collect();
    Batch {
        batch_id: "batch-9".into(),
        images,
    }
}

/// Runs the sample batch natively.
pub async fn run_example() -> Result<Summary, ExecutionError> {
    BatchFanOut::run(&Tasks, sample_batch()).await
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for its items, not its `main`.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("{}", BatchFanOut::ASL);
    match run_example().await {
        Ok(summary) => println!("{summary:?}"),
        Err(e) => {
            eprintln!("the execution failed: {e}");
            std::process::exit(1);
        }
    }
}
