//! [`TestServer`]: the real `schoolbridge serve` on a free loopback port, with a fresh data
//! directory, serving the real console from `dist/`.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{PATIENCE, artifacts_dir, free_port, poll, repo_root, tail, target_dir};

/// A running server; killed when dropped.
pub struct TestServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _data_dir: TempDir,
}

impl TestServer {
    /// Starts the server and waits until `GET /healthz` answers 200. `name` labels the log file
    /// (`test-artifacts/<name>-server.log`).
    pub async fn start(name: &str) -> anyhow::Result<Self> {
        let dist = repo_root().join("dist");
        if !dist.join("index.html").is_file() {
            bail!(
                "{} has no index.html: the console has not been built. Run `make test` (or \
                 `trunk build --release --offline`) before `cargo test`.",
                dist.display()
            );
        }
        let binary = target_dir().join("debug").join("schoolbridge");
        if !binary.is_file() {
            bail!(
                "{} does not exist. Run `make test` (or `cargo build -p schoolbridge`) before \
                 `cargo test`.",
                binary.display()
            );
        }

        let port = free_port()?;
        let data_dir = tempfile::tempdir().context("cannot create a data directory")?;
        let log = artifacts_dir()?.join(format!("{name}-server.log"));
        let stdout =
            File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let stderr = stdout.try_clone()?;
        let child = Command::new(&binary)
            .arg("serve")
            .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SCHOOLBRIDGE_CONSOLE_DIR", &dist)
            .env("SCHOOLBRIDGE_DATA_DIR", data_dir.path())
            .env("SCHOOLBRIDGE_WWWROOT", format!("http://127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = TestServer {
            child,
            port,
            log,
            _data_dir: data_dir,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn wait_until_healthy(&mut self) -> anyhow::Result<()> {
        let port = self.port;
        let what = format!("GET /healthz on port {port}");
        let outcome = poll(&what, PATIENCE, || {
            let exited = self.child.try_wait();
            async move {
                if let Some(status) = exited? {
                    bail!("the server exited early ({status})");
                }
                Ok(healthz_status(port).await.filter(|status| *status == 200))
            }
        })
        .await;
        outcome.map(|_| ()).with_context(|| {
            format!(
                "server log {}:\n{}",
                self.log.display(),
                tail(&self.log, 20)
            )
        })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The HTTP status of `GET /healthz`, or `None` if nothing answers yet. A few lines of raw
/// HTTP/1.1 keep the test free of an HTTP client dependency.
async fn healthz_status(port: u16) -> Option<u16> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.ok()?;
    let head = String::from_utf8_lossy(&response);
    head.split_whitespace().nth(1)?.parse().ok()
}
