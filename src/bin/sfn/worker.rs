//! `sfn worker`: the engine process of a store file. It holds the store's owner lock, resumes
//! every running execution, fires their timers when due, runs their tasks, and carries out the
//! requests the other commands send to its socket, until Ctrl-C or SIGTERM stops it.

use std::io::Write;
use std::path::Path;

use sfn_runtime::Engine;

use crate::cli::{runtime, BadInvocation, Outcome, SUCCESS};
use crate::stored::owner::{self, Reply, MAX_LINE};
use crate::stored::{api_error, open_engine, Request, StoreArg, TaskArgs};

/// Drive a store's executions until stopped (Ctrl-C or SIGTERM).
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Drives the executions of a store file until Ctrl-C or SIGTERM stops it: \
resumes every running execution, fires timers when they are due, runs tasks (answered as \
`sfn run` answers them: --mock-config/--test-case, --aws), and carries out what the other \
commands (`sfn start`, `stop`, `redrive`, `send-task-*`, `create-state-machine`, `create-activity`, \
`delete-activity`, `get-activity-task`) ask while it runs: they \
send their request to its socket, STORE.sock, and print its answer.\n\n\
One process drives a store at a time; a second worker on the same store is refused. Stopping \
the worker commits nothing more: every transition committed stays, and the next worker (or \
command) resumes from there, running again the tasks that were in flight."
)]
pub(crate) struct Args {
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    tasks: TaskArgs,
}

pub(crate) fn run(args: Args, _out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let path = args.store.path();
    let lock = take(&path)?;
    let rt = runtime(true)?;
    let outcome = rt.block_on(serve(&path, &args.tasks, err));
    drop(lock);
    outcome
}

/// Takes the store's owner lock: waits for a command that holds it to end (at most 30 s), and
/// refuses when another worker holds it.
fn take(path: &Path) -> Result<owner::Owner, BadInvocation> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(lock) = owner::try_lock(path)? {
            return Ok(lock);
        }
        if owner::worker_listens(path) || std::time::Instant::now() > deadline {
            return Err(BadInvocation(format!(
                "{}: process {} already drives this store (one process drives a store at a \
                 time); stop it first, or send it requests with the other commands",
                path.display(),
                owner::holder(path).unwrap_or_else(|| "?".into())
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Resumes the store's executions and answers requests until a stop signal.
#[cfg(unix)]
async fn serve(path: &Path, tasks: &TaskArgs, err: &mut dyn Write) -> Outcome {
    use tokio::signal::unix::{signal, SignalKind};

    let engine = open_engine(path, tasks, None)?;
    let resumed = engine
        .recover()
        .await
        .map_err(|e| BadInvocation(format!("{}: {}", path.display(), api_error(e).message)))?;
    let socket = owner::socket_path(path);
    // The lock is ours: a socket file left there is a stopped worker's.
    let _ = std::fs::remove_file(&socket);
    let listener = tokio::net::UnixListener::bind(&socket)
        .map_err(|e| BadInvocation(format!("{}: cannot listen: {e}", socket.display())))?;
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|e| BadInvocation(format!("cannot watch for SIGTERM: {e}")))?;
    let _ = writeln!(
        err,
        "sfn worker: driving {} ({} running executions resumed); requests on {}; Ctrl-C or \
         SIGTERM stops it",
        path.display(),
        resumed.len(),
        socket.display()
    );
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(answer(engine.clone(), stream));
                }
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        }
    }
    engine.halt();
    let _ = std::fs::remove_file(&socket);
    let _ = writeln!(
        err,
        "sfn worker: stopped; what was committed stays in {}",
        path.display()
    );
    Ok(SUCCESS)
}

#[cfg(not(unix))]
async fn serve(_: &Path, _: &TaskArgs, _: &mut dyn Write) -> Outcome {
    Err(BadInvocation(
        "`sfn worker` needs a Unix system (its socket)".into(),
    ))
}

/// Reads one request from `stream`, carries it out, and writes the reply.
#[cfg(unix)]
async fn answer(engine: Engine, stream: tokio::net::UnixStream) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    if BufReader::new(read)
        .take(MAX_LINE)
        .read_line(&mut line)
        .await
        .is_err()
    {
        return;
    }
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => match request.execute(&engine).await {
            Ok(value) => Reply::Ok(value),
            Err(e) => Reply::Error(e),
        },
        Err(e) => Reply::Error(crate::stored::ApiError::new(
            "ValidationException",
            format!("the request does not read: {e}; use the same version of sfn as the worker"),
        )),
    };
    if let Ok(mut text) = serde_json::to_string(&reply) {
        text.push('\n');
        let _ = write.write_all(text.as_bytes()).await;
    }
}
