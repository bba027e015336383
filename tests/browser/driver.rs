//! [`Browser`]: headless Debian Chromium driven through its own `chromedriver`, with a fresh
//! profile. Chromedriver runs in its own process group so that dropping a [`Browser`] (even
//! when a test fails half-way) ends chromedriver and every Chromium process it started.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tempfile::TempDir;

use crate::support::{PATIENCE, artifacts_dir, free_port, poll, tail};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A headless Chromium session; its processes end when dropped (or on [`Browser::close`]).
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    driver_log: PathBuf,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session. `name` labels the driver log
    /// (`test-artifacts/<name>-chromedriver.log`).
    pub async fn start(name: &str) -> anyhow::Result<Self> {
        for tool in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(tool).is_file() {
                bail!("{tool} is missing: run `scripts/install-tools.sh --test` (or `make test`)");
            }
        }
        let port = free_port()?;
        let driver_log = artifacts_dir()?.join(format!("{name}-chromedriver.log"));
        let stdout = File::create(&driver_log)
            .with_context(|| format!("cannot create {}", driver_log.display()))?;
        let stderr = stdout.try_clone()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {CHROMEDRIVER}"))?;
        let profile = tempfile::tempdir().context("cannot create a browser profile directory")?;
        let mut browser = Browser {
            client: None,
            driver,
            driver_log,
            _profile: profile,
        };

        poll("chromedriver to listen", PATIENCE, || async move {
            Ok(tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok())
        })
        .await
        .with_context(|| browser.log_tail())?;

        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,800",
                    format!("--user-data-dir={}", browser._profile.path().display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be a JSON object");
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .with_context(|| format!("cannot open a Chromium session\n{}", browser.log_tail()))?;
        browser.client = Some(client);
        Ok(browser)
    }

    fn client(&self) -> anyhow::Result<&Client> {
        self.client
            .as_ref()
            .context("the browser session is closed")
    }

    fn log_tail(&self) -> String {
        format!(
            "chromedriver log {}:\n{}",
            self.driver_log.display(),
            tail(&self.driver_log, 20)
        )
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client()?
            .goto(url)
            .await
            .with_context(|| format!("cannot open {url}"))
    }

    /// The document's title.
    pub async fn title(&self) -> anyhow::Result<String> {
        Ok(self.client()?.title().await?)
    }

    /// Waits until an element matching `css` exists and its text contains `needle`; returns
    /// the whole text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> anyhow::Result<String> {
        let client = self.client()?;
        let what = format!("{css} to contain {needle:?}");
        poll(&what, PATIENCE, || async move {
            let Ok(element) = client.find(Locator::Css(css)).await else {
                return Ok(None);
            };
            let text = element.text().await.unwrap_or_default();
            Ok(text.contains(needle).then_some(text))
        })
        .await
    }

    /// Saves a PNG of the viewport to `test-artifacts/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self
            .client()?
            .screenshot()
            .await
            .context("screenshot failed")?;
        let path = artifacts_dir()?.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// Ends the session politely (Chromium cleans up its own files), then chromedriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        if let Some(client) = self.client.take() {
            client
                .close()
                .await
                .context("cannot close the browser session")?;
        }
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver leads its own process group (`process_group(0)`), so its id is the group's;
        // killing the group also ends the Chromium processes it started.
        let group = format!("-{}", self.driver.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !killed {
            let _ = self.driver.kill();
        }
        let _ = self.driver.wait();
        // Give Chromium a moment to release its profile before TempDir removes it.
        std::thread::sleep(Duration::from_millis(50));
    }
}
