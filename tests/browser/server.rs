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
    https: bool,
    binary: ServerBinary,
    console_dir: PathBuf,
    tls: Option<(PathBuf, PathBuf)>,
    data_dir: TempDir,
}

/// Options for [`TestServer`].
pub struct Builder {
    name: String,
    admin: Option<(String, String)>,
    console_dir: PathBuf,
    https: bool,
}

impl Builder {
    /// Creates a local administrator (`user add NAME --role admin`, password on stdin) before
    /// the server starts.
    pub fn admin(mut self, username: &str, password: &str) -> Self {
        self.admin = Some((username.to_owned(), password.to_owned()));
        self
    }

    /// Serves over built-in HTTPS with a self-signed certificate (written into the data
    /// directory); the browser is started to accept it.
    pub fn https(mut self) -> Self {
        self.https = true;
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
        let binary = ServerBinary::find()?;
        let port = free_port()?;
        let scheme = if self.https { "https" } else { "http" };
        let wwwroot = format!("{scheme}://127.0.0.1:{port}");
        let data_dir = binary.data_dir()?;
        let log = artifacts_dir()?.join(format!("{}-server.log", self.name));
        if let Some((username, password)) = &self.admin {
            add_admin(&binary, data_dir.path(), &wwwroot, username, password)?;
        }
        File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let tls = if self.https {
            Some(self_signed_certificate(data_dir.path())?)
        } else {
            None
        };
        let child = serve(
            &binary,
            port,
            &self.console_dir,
            data_dir.path(),
            &wwwroot,
            tls.as_ref(),
            &log,
        )?;
        let mut server = TestServer {
            child,
            port,
            log,
            https: self.https,
            binary,
            console_dir: self.console_dir,
            tls,
            data_dir,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }
}

/// A key and a self-signed certificate for 127.0.0.1 (the Moodle-shaped one moodle-sim makes:
/// a browser that ignores certificate errors takes it), as PEM files in `dir`.
fn self_signed_certificate(dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let key = mnet::keys::SitePrivateKey::generate(&mut rand::rng(), 2048)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let identity = moodle_sim::SiteIdentity::moodle_shaped(
        key.clone(),
        "https://127.0.0.1",
        "SchoolBridge test",
        now - 60,
    )?;
    let (cert, key_file) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert, identity.certificate_pem())?;
    std::fs::write(&key_file, key.to_pkcs8_pem()?.as_bytes())?;
    Ok((cert, key_file))
}

/// Which `schoolbridge` the tests run: the workspace's debug build, or — with
/// `SCHOOLBRIDGE_TEST_INSTALLED=1`, as `scripts/test-deb.sh` sets it — the one the Debian package
/// installed, run as its service user the way the systemd unit runs it, on a data directory under
/// `/var/lib/schoolbridge` that belongs to that user.
struct ServerBinary {
    path: PathBuf,
    installed: bool,
}

/// The package's service user and binary.
const SERVICE_USER: &str = "schoolbridge";
const INSTALLED_BINARY: &str = "/usr/bin/schoolbridge";

impl ServerBinary {
    fn find() -> anyhow::Result<Self> {
        if std::env::var("SCHOOLBRIDGE_TEST_INSTALLED").is_ok_and(|v| v == "1") {
            if !Path::new(INSTALLED_BINARY).is_file() {
                bail!("SCHOOLBRIDGE_TEST_INSTALLED=1 but {INSTALLED_BINARY} is not installed");
            }
            return Ok(ServerBinary {
                path: INSTALLED_BINARY.into(),
                installed: true,
            });
        }
        let binary = target_dir().join("debug").join("schoolbridge");
        if !binary.is_file() {
            bail!(
                "{} does not exist. Run `make test` (or `cargo build -p schoolbridge`) before \
                 `cargo test`.",
                binary.display()
            );
        }
        Ok(ServerBinary {
            path: binary,
            installed: false,
        })
    }

    /// `schoolbridge` (as the service user for the installed one).
    fn command(&self) -> Command {
        if self.installed {
            // setpriv execs the server in its own place (runuser forks and waits: killing it
            // left the server running, holding the package test's lock).
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={SERVICE_USER}"))
                .arg(format!("--regid={SERVICE_USER}"))
                .args(["--init-groups", "--"])
                .arg(&self.path);
            c
        } else {
            Command::new(&self.path)
        }
    }

    /// A fresh data directory the server may write.
    fn data_dir(&self) -> anyhow::Result<TempDir> {
        if !self.installed {
            return tempfile::tempdir().context("cannot create a data directory");
        }
        let dir = tempfile::Builder::new()
            .prefix("test-")
            .tempdir_in("/var/lib/schoolbridge")
            .context("cannot create a data directory in /var/lib/schoolbridge")?;
        let owner = Command::new("chown")
            .arg(format!("{SERVICE_USER}:{SERVICE_USER}"))
            .arg(dir.path())
            .status()?;
        if !owner.success() {
            bail!("cannot give {} to {SERVICE_USER}", dir.path().display());
        }
        Ok(dir)
    }
}

/// `schoolbridge serve` on `port` with this data directory (over HTTPS with `tls`: certificate
/// and key files), its output appended to `log`.
fn serve(
    binary: &ServerBinary,
    port: u16,
    console_dir: &Path,
    data_dir: &Path,
    wwwroot: &str,
    tls: Option<&(PathBuf, PathBuf)>,
    log: &Path,
) -> anyhow::Result<Child> {
    let stdout = File::options()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("cannot open {}", log.display()))?;
    let stderr = stdout.try_clone()?;
    let mut command = binary.command();
    if binary.installed {
        // The package's binary serves the console it carries.
        command.env_remove("SCHOOLBRIDGE_CONSOLE_DIR");
    } else {
        command.env("SCHOOLBRIDGE_CONSOLE_DIR", console_dir);
    }
    if let Some((cert, key)) = tls {
        command
            .env("SCHOOLBRIDGE_TLS_CERT_FILE", cert)
            .env("SCHOOLBRIDGE_TLS_KEY_FILE", key);
    }
    command
        .arg("serve")
        .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("SCHOOLBRIDGE_DATA_DIR", data_dir)
        .env("SCHOOLBRIDGE_WWWROOT", wwwroot)
        // moodle-sim and the real-Moodle harness's sites are all on 127.0.0.1.
        .env("SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS", "true")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("cannot start {}", binary.path.display()))
}

/// `schoolbridge --data-dir D --wwwroot W user add NAME --firstname … --lastname … --role admin`
/// with the password on standard input.
fn add_admin(
    binary: &ServerBinary,
    data_dir: &Path,
    wwwroot: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    let mut child = binary
        .command()
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
            https: false,
        }
    }

    /// A server with an empty database serving `dist/`.
    pub async fn start(name: &str) -> anyhow::Result<Self> {
        Self::builder(name).start().await
    }

    /// `http://127.0.0.1:<port><path>` (`https://` with built-in HTTPS).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}{path}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs `schoolbridge ARGS` on this server's data directory and wwwroot, as an operator on
    /// the same machine would while it serves; returns what it printed.
    pub fn cli(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = ServerBinary::find()?
            .command()
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(["--wwwroot", &self.wwwroot()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("cannot run the schoolbridge command")?;
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            bail!(
                "`schoolbridge {}` failed: {out}{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(out)
    }

    /// The site's wwwroot, as peers reach it.
    pub fn wwwroot(&self) -> String {
        self.url("")
    }

    /// Stops the server (an outage): the port stops answering; the data directory stays.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again after [`TestServer::stop`], on the same port and data directory
    /// (the same site, as after a restart or an upgrade), and waits until it is healthy.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        let wwwroot = self.wwwroot();
        self.child = serve(
            &self.binary,
            self.port,
            &self.console_dir,
            self.data_dir.path(),
            &wwwroot,
            self.tls.as_ref(),
            &self.log,
        )?;
        self.wait_until_healthy().await
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
        let (https, log) = (self.https, self.log.clone());
        let what = format!("GET /healthz on port {port}");
        let outcome = poll(&what, PATIENCE, || {
            let exited = self.child.try_wait();
            let log = log.clone();
            async move {
                if let Some(status) = exited? {
                    bail!("the server exited early ({status})");
                }
                if https {
                    // No TLS client here: the server says when it serves.
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    return Ok(text
                        .contains("SchoolBridge listening on https://")
                        .then_some(()));
                }
                Ok(healthz_status(port)
                    .await
                    .filter(|status| *status == 200)
                    .map(|_| ()))
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
