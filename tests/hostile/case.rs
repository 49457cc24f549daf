//! One hostile case, and running it as a capped child process.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

/// The address-space cap of the child (`RLIMIT_AS`): the 2 GB.
const MEMORY_CAP_BYTES: u64 = 2 << 30;
/// How long a case may run before it is killed and failed. Generous: the CI machine is a
/// loaded two-core one, and the assert is on the outcome, not the speed.
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// A case: the command line, its files and standard input, and what must come out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    #[serde(skip)]
    pub name: String,
    /// Why this input is hostile and what AWS does with it (documentation only).
    #[serde(default)]
    pub about: String,
    pub args: Vec<String>,
    /// Files by name; `@name` in `args` is replaced by the file's path.
    #[serde(default, deserialize_with = "file_texts")]
    pub files: BTreeMap<String, Vec<u8>>,
    #[serde(default, deserialize_with = "optional_text")]
    pub stdin: Vec<u8>,
    pub expect: Expect,
}

/// What the run must show.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub code: i32,
    pub status: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub output: Option<Value>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
}

/// A JSON string is the file's text; any other JSON value is written compactly.
fn file_texts<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
    let files = BTreeMap::<String, Value>::deserialize(d)?;
    Ok(files
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (name, text.into_bytes())
        })
        .collect())
}

fn optional_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    Ok(String::deserialize(d)?.into_bytes())
}

/// What one run printed.
struct Ran {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Case {
    /// A case with no files, no stdin and an expected exit code of 0.
    pub fn new(name: &str, args: &[&str]) -> Case {
        Case {
            name: name.to_owned(),
            about: String::new(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            files: BTreeMap::new(),
            stdin: Vec::new(),
            expect: Expect::default(),
        }
    }

    pub fn about(mut self, about: &str) -> Case {
        self.about = about.to_owned();
        self
    }

    pub fn file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Case {
        self.files.insert(name.to_owned(), bytes.into());
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Case {
        self.stdin = bytes.into();
        self
    }

    pub fn expect(mut self, expect: Expect) -> Case {
        self.expect = expect;
        self
    }

    /// Reads `tests/hostile/NAME.json`.
    pub fn from_file(path: &Path) -> Case {
        let text = std::fs::read_to_string(path).expect("readable case file");
        let mut case: Case = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a hostile case: {e}", path.display()));
        case.name = path
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        assert!(
            !case.about.is_empty(),
            "{}: say what the attack is in `about`",
            path.display()
        );
        case
    }

    /// Runs the case and checks what `expect` says; the error names what differed.
    pub fn run(&self) -> Result<(), String> {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .map_err(|e| format!("temp folder: {e}"))?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.path().join(name), bytes)
                .map_err(|e| format!("write {name}: {e}"))?;
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a.strip_prefix('@') {
                Some(name) if self.files.contains_key(name) => {
                    dir.path().join(name).display().to_string()
                }
                _ => a.clone(),
            })
            .collect();
        let ran = run_capped(&args, &self.stdin)?;
        self.check(&ran).map_err(|why| {
            let cut = |s: &str| s.chars().take(2_000).collect::<String>();
            format!(
                "{why}\n  args: {:?}\n  exit code: {:?}, signal: {:?}\n  stdout: {}\n  stderr: {}",
                self.args,
                ran.code,
                ran.signal,
                cut(&ran.stdout),
                cut(&ran.stderr)
            )
        })
    }

    fn check(&self, ran: &Ran) -> Result<(), String> {
        let e = &self.expect;
        if ran.code != Some(e.code) {
            return Err(format!("exit code {:?}, expected {}", ran.code, e.code));
        }
        let contains = |what: &str, text: &str, part: &Option<String>| match part {
            Some(p) if !text.contains(p.as_str()) => Err(format!("{what} lacks {p:?}")),
            _ => Ok(()),
        };
        contains("stdout", &ran.stdout, &e.stdout)?;
        contains("stderr", &ran.stderr, &e.stderr)?;
        if e.status.is_none() && e.error.is_none() && e.cause.is_none() && e.output.is_none() {
            return Ok(());
        }
        let json: Value = serde_json::from_str(ran.stdout.trim_end())
            .map_err(|err| format!("stdout is not one JSON object: {err}"))?;
        let field = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        for (key, want) in [("status", &e.status), ("error", &e.error)] {
            if want.is_some() && field(key) != *want {
                return Err(format!("{key} is {:?}, expected {want:?}", field(key)));
            }
        }
        contains("cause", &field("cause").unwrap_or_default(), &e.cause)?;
        match &e.output {
            Some(want) if json.get("output") != Some(want) => {
                Err(format!("output differs from the expected {want}"))
            }
            _ => Ok(()),
        }
    }
}

/// Runs `sfn ARGS` from the repository root under the memory cap and the time limit.
fn run_capped(args: &[String], stdin: &[u8]) -> Result<Ran, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sfn"));
    command
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("RUST_BACKTRACE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe, and the closure touches no other state.
    unsafe {
        command.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: MEMORY_CAP_BYTES,
                rlim_max: MEMORY_CAP_BYTES,
            };
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0
                || libc::setrlimit(libc::RLIMIT_CORE, &no_core) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start sfn: {e}"))?;
    let input = stdin.to_vec();
    let mut pipe = child.stdin.take().expect("piped stdin");
    // A command may exit without reading all its input (a usage error, a size limit).
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = wait_or_kill(&mut child)?;
    let _ = writer.join();
    Ok(Ran {
        code: status.code(),
        signal: status.signal(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    })
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The child's exit status, or an error once [`TIME_LIMIT`] has passed (the child is killed).
fn wait_or_kill(child: &mut Child) -> Result<std::process::ExitStatus, String> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            return Ok(status);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "still running after {} s; killed",
                TIME_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
