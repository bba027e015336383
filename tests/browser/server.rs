//! [`TestServer`]: the real `schoolbridge serve` on a free loopback port, with a fresh data
//! directory, serving the real console from `dist/` (or another directory, for the benchmark's
//! baseline page). [`TestServer::builder`] can create an administrator first, with the CLI as an
//! operator would.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
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

/// Options for [`TestServer`].
pub struct Builder {
    name: String,
    admin: Option<(String, String)>,
    console_dir: PathBuf,
}

impl Builder {
    /// Creates a local administrator (`user add NAME --role admin`, password on stdin) before
    /// the server starts.
    pub fn admin(mut self, username: &str, password: &str) -> Self {
        self.admin = Some((username.to_owned(), password.to_owned()));
        self
    }

    /// Serves this directory as the console instead of `dist/`.
    pub fn console_dir(mut self, dir: &Path) -> Self {
        self.console_dir = dir.to_owned();
        self
    }

    /// Starts the server and waits until `GET /healthz` answers 200.
    pub async fn start(self) -> anyhow::Result<TestServer> {
        if !self.console_dir.join("index.html").is_file() {
            bail!(
                "{} has no index.html: the console has not been built. Run `make test` (or \
                 `trunk build --release --offline`) before `cargo test`.",
                self.console_dir.display()
            );
        }
        let binary = server_binary()?;
        let port = free_port()?;
        let wwwroot = format!("http://127.0.0.1:{port}");
        let data_dir = tempfile::tempdir().context("cannot create a data directory")?;
        let log = artifacts_dir()?.join(format!("{}-server.log", self.name));
        if let Some((username, password)) = &self.admin {
            add_admin(&binary, data_dir.path(), &wwwroot, username, password)?;
        }
        let stdout =
            File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let stderr = stdout.try_clone()?;
        let child = Command::new(&binary)
            .arg("serve")
            .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SCHOOLBRIDGE_CONSOLE_DIR", &self.console_dir)
            .env("SCHOOLBRIDGE_DATA_DIR", data_dir.path())
            .env("SCHOOLBRIDGE_WWWROOT", &wwwroot)
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
}

fn server_binary() -> anyhow::Result<PathBuf> {
    let binary = target_dir().join("debug").join("schoolbridge");
    if !binary.is_file() {
        bail!(
            "{} does not exist. Run `make test` (or `cargo build -p schoolbridge`) before \
             `cargo test`.",
            binary.display()
        );
    }
    Ok(binary)
}

/// `schoolbridge --data-dir D --wwwroot W user add NAME --firstname … --lastname … --role admin`
/// with the password on standard input.
fn add_admin(
    binary: &Path,
    data_dir: &Path,
    wwwroot: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--wwwroot", wwwroot, "user", "add", username])
        .args([
            "--firstname",
            "Seymour",
            "--lastname",
            "Skinner",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run `schoolbridge user add`")?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(format!("{password}\n").as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "`schoolbridge user add` failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

impl TestServer {
    /// A server with an empty database serving `dist/`. `name` labels the log file
    /// (`test-artifacts/<name>-server.log`).
    pub fn builder(name: &str) -> Builder {
        Builder {
            name: name.to_owned(),
            admin: None,
            console_dir: repo_root().join("dist"),
        }
    }

    /// A server with an empty database serving `dist/`.
    pub async fn start(name: &str) -> anyhow::Result<Self> {
        Self::builder(name).start().await
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The site's wwwroot, as peers reach it.
    pub fn wwwroot(&self) -> String {
        self.url("")
    }

    /// The one-time set-up link `serve` printed on an empty database.
    pub async fn setup_link(&self) -> anyhow::Result<String> {
        let log = self.log.clone();
        poll("the set-up link in the server log", PATIENCE, || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            async move {
                Ok(text
                    .split_whitespace()
                    .find(|word| word.contains("/setup?token="))
                    .map(str::to_owned))
            }
        })
        .await
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
