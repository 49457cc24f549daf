//! A moto server on 127.0.0.1 for the AWS integration tests: `scripts/moto.sh` installs moto
//! into a venv under `target/` on first use; each [`Moto`] runs its own server on a free port
//! and stops it when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// moto's account id.
#[allow(dead_code)]
pub const ACCOUNT: &str = "123456789012";

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

/// `scripts/moto.sh`, found from the package that includes this file (the workspace root or
/// `sfn-runtime/`).
fn script() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let here = format!("{root}/scripts/moto.sh");
    if std::path::Path::new(&here).exists() {
        here
    } else {
        format!("{root}/../scripts/moto.sh")
    }
}

impl Moto {
    /// Installs moto if needed and starts a server; the error says what failed and what to do.
    pub fn start() -> Result<Moto, String> {
        let out = Command::new("bash")
            .args([script().as_str(), "path"])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script()))?;
        if !out.status.success() {
            return Err(format!(
                "{} could not install moto (needs Python 3 with venv and pip, and PyPI)",
                script()
            ));
        }
        let server = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?
            .port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {server}: {e}"))?;
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "moto did not listen on 127.0.0.1:{port} within 30 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SDK configuration of a local server at `endpoint` (moto, or a stand-in the test runs):
/// us-east-1 and static test credentials, as `AwsClients::from_config` takes it.
#[cfg(feature = "aws")]
#[allow(dead_code)]
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_credential_types::{provider::SharedCredentialsProvider, Credentials};
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .build()
}
