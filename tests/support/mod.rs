//! Running the real `sfn` binary from the CLI tests.

// Each test crate uses part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What one invocation printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as the one JSON object on one line it must be.
    pub fn json(&self) -> Value {
        assert_eq!(
            self.stdout.lines().count(),
            1,
            "one JSON object on one line: {}",
            self.stdout
        );
        serde_json::from_str(&self.stdout).expect("stdout is JSON")
    }
}

/// Runs `sfn ARGS` from the repository root with `stdin` on standard input.
pub fn sfn(args: &[&str], stdin: &str) -> Run {
    sfn_env(args, stdin, &[])
}

/// `sfn ARGS` to run from the repository root, colour settings of the test's environment
/// cleared, standard streams not yet set.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sfn"));
    command
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// Runs `sfn ARGS` as [`sfn`] does, with the environment variables `env` set. Colour settings
/// inherited from the test's own environment are cleared, so output is as when piped.
pub fn sfn_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut child = command(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sfn");
    if let Some(mut i) = child.stdin.take() {
        // A command may exit without reading its standard input (a usage error).
        if let Err(e) = i.write_all(stdin.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("sfn finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
