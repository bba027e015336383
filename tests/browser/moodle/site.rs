//! [`MoodleSite`]: a fresh, real, unmodified Moodle for one test, cloned from the template that
//! `scripts/moodle-fixture.sh install` built (a PostgreSQL `CREATE DATABASE … TEMPLATE …` and a
//! copy of the data root, well under a second) and served by `php -S` on the version's fixed
//! loopback port. Its wwwroot is part of the template (Moodle's own MNet host record and key
//! carry it), so the sites of one version take turns: [`MoodleSite::start`] holds a file lock
//! until the site is dropped.
//!
//! Set-up and bulk data go through `tests/moodle/fixture.php` (Moodle's own PHP APIs, so every
//! event and observer fires as after a person's click); Moodle's own CLI scripts run its tasks.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{PATIENCE, artifacts_dir, poll, repo_root, tail};

/// The Moodle trees `scripts/moodle-fixture.sh` installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 4.5.5+ (LTS): MNet with `auth_mnet`, `enrol_mnet` and the Network servers block.
    M45,
    /// 5.1.6: MNet's core under `public/`, without `auth_mnet` and the block.
    M51,
}

impl Version {
    fn key(self) -> &'static str {
        match self {
            Version::M45 => "45",
            Version::M51 => "51",
        }
    }

    fn port(self) -> u16 {
        let (var, default) = match self {
            Version::M45 => ("SCHOOLBRIDGE_MOODLE45_PORT", 47045),
            Version::M51 => ("SCHOOLBRIDGE_MOODLE51_PORT", 47051),
        };
        std::env::var(var)
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(default)
    }

    /// The folder `php -S` serves: 5.1 serves `public/`, its `config.php` stays at the root.
    fn webroot(self, code: &Path) -> PathBuf {
        match self {
            Version::M45 => code.to_owned(),
            Version::M51 => code.join("public"),
        }
    }
}

/// Moodle's administrator in every fixture site.
pub const MOODLE_ADMIN: &str = "admin";
/// Their password (scripts/moodle-fixture.sh).
pub const MOODLE_ADMIN_PASSWORD: &str = "Moodle-admin-1";
/// The site's full name (what SchoolBridge should name the peer).
pub const MOODLE_SITE_NAME: &str = "Springfield Elementary Moodle";

fn moodle_home() -> PathBuf {
    std::env::var_os("SCHOOLBRIDGE_MOODLE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/schoolbridge-moodle"))
}

/// The template databases' prefix (scripts/moodle-fixture.sh: `SCHOOLBRIDGE_MOODLE_DB_PREFIX`).
fn db_prefix() -> String {
    std::env::var("SCHOOLBRIDGE_MOODLE_DB_PREFIX").unwrap_or_else(|_| "sb_moodle".into())
}

fn pg_password() -> String {
    std::env::var("SCHOOLBRIDGE_PG_PASSWORD").unwrap_or_else(|_| "schoolbridge".into())
}

/// `scripts/moodle-fixture.sh status`, once per test process: a version that is missing or
/// older than our plugins is an error that says what to run, never a silent skip.
static FIXTURE_STATUS: LazyLock<Result<String, String>> = LazyLock::new(|| {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/moodle-fixture.sh"))
        .arg("status")
        .output()
        .map_err(|e| format!("cannot run scripts/moodle-fixture.sh status: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
});

fn require_fixture(version: Version) -> anyhow::Result<()> {
    let status = FIXTURE_STATUS
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ready = status
        .lines()
        .any(|l| l.starts_with(&format!("{} ready", version.key())));
    ensure!(
        ready,
        "the real-Moodle fixture for {version:?} is not ready ({}): run `scripts/moodle-fixture.sh \
         install` (or `make test-moodle`); its header says where the Moodle trees come from",
        status.trim()
    );
    Ok(())
}

/// A running Moodle; stopped and its database dropped when dropped.
pub struct MoodleSite {
    /// The version it was installed as: its port and wwwroot.
    version: Version,
    /// The code tree it runs (another version's after [`MoodleSite::upgrade_in_place`]).
    code_version: Version,
    code: PathBuf,
    database: String,
    dataroot: TempDir,
    server: Option<Child>,
    log: PathBuf,
    name: String,
    /// Serve with the system's OpenSSL set-up (no legacy provider, so no RC4), as a Moodle
    /// whose admin skipped README.md's OpenSSL step.
    without_rc4: bool,
    _turn: File,
}

// Steps the push, outage and upgrade tests take (Moodle's CLI, its tasks, an outage of Moodle).
#[allow(dead_code)]
impl MoodleSite {
    /// A fresh site of `version` (the template's clone), served and answering. `name` labels
    /// the log (`test-artifacts/<name>-moodle.log`: requests, PHP warnings, Moodle's error_log).
    pub async fn start(version: Version, name: &str) -> anyhow::Result<Self> {
        require_fixture(version)?;
        let home = moodle_home().join(version.key());
        let code = home.join("code");
        // One site of a version at a time: they share the port and the wwwroot.
        let lock_path = home.join("turn.lock");
        let turn = tokio::task::spawn_blocking(move || -> anyhow::Result<File> {
            let file = File::create(&lock_path)
                .with_context(|| format!("cannot open {}", lock_path.display()))?;
            file.lock()
                .with_context(|| format!("cannot lock {}", lock_path.display()))?;
            Ok(file)
        })
        .await??;

        let database = format!(
            "{}{}_t{}_{}",
            db_prefix(),
            version.key(),
            std::process::id(),
            NEXT_SITE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let template = format!("{}{}_tpl", db_prefix(), version.key());
        psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
        psql(&format!("CREATE DATABASE {database} TEMPLATE {template}"))?;
        let dataroot = tempfile::Builder::new()
            .prefix(&format!("sb-moodle{}-", version.key()))
            .tempdir_in(&home)
            .context("cannot create a data root")?;
        copy_dir(&home.join("dataroot-template"), dataroot.path())?;

        let log = artifacts_dir()?.join(format!("{name}-moodle.log"));
        let mut site = MoodleSite {
            version,
            code_version: version,
            code,
            database,
            dataroot,
            server: None,
            log,
            name: name.to_owned(),
            without_rc4: false,
            _turn: turn,
        };
        site.serve()?;
        site.wait_until_serving().await?;
        Ok(site)
    }

    fn serve(&mut self) -> anyhow::Result<()> {
        let stdout = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("cannot create {}", self.log.display()))?;
        let stderr = stdout.try_clone()?;
        let mut command = self.php();
        if self.without_rc4 {
            command.env("OPENSSL_CONF", "/etc/ssl/openssl.cnf");
        }
        command
            .env("PHP_CLI_SERVER_WORKERS", "4")
            .arg("-S")
            .arg(format!("127.0.0.1:{}", self.version.port()))
            .arg("-t")
            .arg(self.code_version.webroot(&self.code))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        let child = command.spawn().context("cannot start php -S")?;
        self.server = Some(child);
        Ok(())
    }

    async fn wait_until_serving(&mut self) -> anyhow::Result<()> {
        let url = self.url("/login/index.php");
        let log = self.log.clone();
        poll(&format!("Moodle at {url}"), PATIENCE, || {
            let url = url.clone();
            async move { Ok(http_status(&url).await.filter(|s| *s == 200)) }
        })
        .await
        .with_context(|| format!("Moodle log {}:\n{}", log.display(), tail(&log, 20)))?;
        Ok(())
    }

    /// Stops `php -S` (an outage of Moodle); [`MoodleSite::resume`] serves it again.
    pub fn stop_serving(&mut self) {
        if let Some(child) = self.server.take() {
            kill_group(child);
        }
    }

    /// Serves the site again after [`MoodleSite::stop_serving`].
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        self.serve()?;
        self.wait_until_serving().await
    }

    /// Serves the site again with the system's OpenSSL set-up, which has no RC4 (PHP's
    /// `openssl_open` then fails, as on a Moodle whose admin skipped the legacy provider).
    pub async fn serve_without_rc4(&mut self) -> anyhow::Result<()> {
        self.stop_serving();
        self.without_rc4 = true;
        self.resume().await
    }

    /// Which Moodle code the site runs now.
    pub fn code_version(&self) -> Version {
        self.code_version
    }

    /// The upgrade an administrator makes: the site stops, the code of `to` is put in place
    /// (with our plugins, as the fixture installs them), Moodle's own CLI upgrade runs on the
    /// site's database and data root, and the site is served again at its own address.
    /// Returns the upgrade's output.
    pub async fn upgrade_in_place(&mut self, to: Version) -> anyhow::Result<String> {
        require_fixture(to)?;
        self.stop_serving();
        self.code_version = to;
        self.code = moodle_home().join(to.key()).join("code");
        let output = self
            .cli("admin/cli/upgrade.php", &["--non-interactive"])
            .await?;
        self.cli("admin/cli/purge_caches.php", &[]).await?;
        self.resume().await?;
        Ok(output)
    }

    /// `http://127.0.0.1:<port>`, the site's `$CFG->wwwroot`.
    pub fn wwwroot(&self) -> String {
        format!("http://127.0.0.1:{}", self.version.port())
    }

    /// A page of the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.wwwroot())
    }

    /// The log of this site's server and CLI runs.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// PHP with this site's environment: its database, data root and the OpenSSL set-up with
    /// the legacy provider (RC4) that README.md tells Moodle admins to make.
    fn php(&self) -> Command {
        let home = moodle_home();
        let mut command = Command::new("php");
        command
            .env("OPENSSL_CONF", home.join("openssl.cnf"))
            .env("SB_MOODLE_CODE", &self.code)
            .env("SB_MOODLE_DBNAME", &self.database)
            .env("SB_MOODLE_DATAROOT", self.dataroot.path())
            .env("SB_MOODLE_WWWROOT", self.wwwroot())
            .args(["-d", "max_input_vars=5000", "-d", "opcache.enable_cli=1"])
            .args(["-d", "opcache.memory_consumption=256"])
            .args(["-d", "opcache.max_accelerated_files=20000"])
            .args(["-d", "memory_limit=512M"]);
        command
    }

    async fn run_php(&self, what: &str, args: Vec<String>) -> anyhow::Result<(bool, String)> {
        let mut command = self.php();
        command.args(&args);
        let log = self.log.clone();
        let what = what.to_owned();
        let output = tokio::task::spawn_blocking(move || command.output())
            .await?
            .with_context(|| format!("cannot run php for {what}"))?;
        let mut file = File::options().create(true).append(true).open(&log)?;
        use std::io::Write as _;
        writeln!(file, "--- php {}", args.join(" "))?;
        file.write_all(&output.stderr)?;
        Ok((
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ))
    }

    /// Runs a command of `tests/moodle/fixture.php` as the site's administrator and returns its
    /// result. Changes it makes are sent by our plugin at the end of that PHP run, as at the end
    /// of a person's request.
    pub async fn fixture(&self, command: &str, args: Value) -> anyhow::Result<Value> {
        let script = repo_root().join("tests/moodle/fixture.php");
        let (_, stdout) = self
            .run_php(
                command,
                vec![
                    script.display().to_string(),
                    command.to_owned(),
                    args.to_string(),
                ],
            )
            .await?;
        let line = stdout.lines().last().unwrap_or_default();
        let reply: Value = serde_json::from_str(line).with_context(|| {
            format!(
                "fixture.php {command} printed no JSON: {stdout:?}\nMoodle log {}:\n{}",
                self.log.display(),
                tail(&self.log, 15)
            )
        })?;
        if reply["ok"] != json!(true) {
            bail!(
                "fixture.php {command} {args} failed: {}\nMoodle log {}:\n{}",
                reply["error"],
                self.log.display(),
                tail(&self.log, 15)
            );
        }
        Ok(reply["result"].clone())
    }

    /// Runs one of Moodle's own CLI scripts (`admin/cli/…`, or a plugin's `cli/…`, relative to
    /// the folder the site serves) and returns its standard output.
    pub async fn cli(&self, script: &str, args: &[&str]) -> anyhow::Result<String> {
        let path = if script.starts_with("admin/cli/") {
            self.code.join(script)
        } else {
            self.code_version.webroot(&self.code).join(script)
        };
        let mut all = vec![path.display().to_string()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let (ok, stdout) = self.run_php(script, all).await?;
        ensure!(
            ok,
            "{script} {args:?} failed:\n{stdout}\nMoodle log {}:\n{}",
            self.log.display(),
            tail(&self.log, 15)
        );
        Ok(stdout)
    }

    /// Runs a scheduled task now, as cron would (`admin/cli/scheduled_task.php --execute`).
    pub async fn run_task(&self, class: &str) -> anyhow::Result<String> {
        self.cli(
            "admin/cli/scheduled_task.php",
            &[&format!("--execute={class}")],
        )
        .await
    }

    /// Runs every queued ad hoc task now (`admin/cli/adhoc_task.php --execute`).
    pub async fn run_adhoc_tasks(&self) -> anyhow::Result<String> {
        self.cli("admin/cli/adhoc_task.php", &["--execute"]).await
    }

    /// The test's name (for screenshots).
    pub fn name(&self) -> &str {
        &self.name
    }
}

static NEXT_SITE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Drop for MoodleSite {
    fn drop(&mut self) {
        if let Some(child) = self.server.take() {
            kill_group(child);
        }
        let _ = psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.database
        ));
    }
}

/// Stops `php -S` and every worker it forked (they share its process group): the port is free
/// when this returns, so a server started next on it is the one that answers.
fn kill_group(mut child: Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let group_alive = |group: &str| {
        Command::new("kill")
            .args(["-0", "--", group])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        let _ = child.try_wait();
        if !group_alive(&group) {
            let _ = child.wait();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
    while group_alive(&group) && std::time::Instant::now() < deadline + Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One SQL statement as the fixture's PostgreSQL role, on the `postgres` database.
fn psql(sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .env("PGPASSWORD", pg_password())
        .env("PGOPTIONS", "--client-min-messages=warning")
        .args(["-h", "127.0.0.1", "-U", "schoolbridge", "-d", "postgres"])
        .args(["-v", "ON_ERROR_STOP=1", "-tAqc", sql])
        .output()
        .context("cannot run psql")?;
    ensure!(
        output.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .context("cannot run cp")?;
    ensure!(
        status.success(),
        "cannot copy {} to {}",
        from.display(),
        to.display()
    );
    Ok(())
}

/// The status of a GET, or `None` when nothing answers.
async fn http_status(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = tokio::net::TcpStream::connect(host).await.ok()?;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).await.ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    text.split_whitespace().nth(1)?.parse().ok()
}
