//! Helpers shared by the store tests (`store_*.rs`): a fresh folder per test, and polling until
//! a condition holds (the store's clock is the real one).
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

/// An empty folder `sfn-<suite>-<tag>-<pid>` under the system's temporary folder.
pub fn temp_dir(suite: &str, tag: &str) -> PathBuf {
    let name = format!("sfn-{suite}-{tag}-{}", std::process::id());
    let dir = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Polls `done` every 10 ms, at most 30 s; panics naming `what` when it never holds.
pub async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..3000 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never: {what}");
}
