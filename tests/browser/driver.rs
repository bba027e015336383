//! [`Browser`]: headless Debian Chromium driven through its own `chromedriver`, with a fresh
//! profile. Chromedriver runs in its own process group so that dropping a [`Browser`] (even
//! when a test fails half-way) ends chromedriver and every Chromium process it started.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::elements::Element;
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

    /// The address bar.
    pub async fn current_url(&self) -> anyhow::Result<String> {
        Ok(self.client()?.current_url().await?.to_string())
    }

    /// Runs JavaScript in the page and returns its value.
    pub async fn execute(&self, script: &str) -> anyhow::Result<serde_json::Value> {
        Ok(self.client()?.execute(script, vec![]).await?)
    }

    /// The browser's `navigator.userAgent` (what it sends as `User-Agent`).
    pub async fn user_agent(&self) -> anyhow::Result<String> {
        match self.execute("return navigator.userAgent").await? {
            serde_json::Value::String(ua) => Ok(ua),
            other => bail!("navigator.userAgent is {other}"),
        }
    }

    /// Waits until an element matching `css` exists (and is displayed).
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        let client = self.client()?;
        poll(&format!("{css} to appear"), PATIENCE, || async move {
            let Ok(element) = client.find(Locator::Css(css)).await else {
                return Ok(None);
            };
            Ok(element
                .is_displayed()
                .await
                .unwrap_or(false)
                .then_some(element))
        })
        .await
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

    /// Waits until the first element matching `css` has `attribute` equal to `value`.
    pub async fn wait_for_attr(
        &self,
        css: &str,
        attribute: &str,
        value: &str,
    ) -> anyhow::Result<()> {
        let client = self.client()?;
        let what = format!("{css} to have {attribute}={value:?}");
        poll(&what, PATIENCE, || async move {
            let Ok(element) = client.find(Locator::Css(css)).await else {
                return Ok(None);
            };
            let found = element.attr(attribute).await.ok().flatten();
            Ok((found.as_deref() == Some(value)).then_some(()))
        })
        .await
    }

    /// Waits until the address bar's path (and query) satisfies `accept`.
    pub async fn wait_for_path(
        &self,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let client = self.client()?;
        let accept = &accept;
        poll(
            &format!("the address to be {what}"),
            PATIENCE,
            || async move {
                let url = client.current_url().await?;
                let path = match url.query() {
                    Some(query) => format!("{}?{query}", url.path()),
                    None => url.path().to_owned(),
                };
                Ok(accept(&path).then_some(path))
            },
        )
        .await
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// An attribute of the first element matching `css`.
    pub async fn attr(&self, css: &str, attribute: &str) -> anyhow::Result<Option<String>> {
        Ok(self.wait_for(css).await?.attr(attribute).await?)
    }

    /// Clicks the first element matching `css` (waiting for it, and for it to be enabled).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.wait_for(css).await?;
        poll(&format!("{css} to be enabled"), PATIENCE, || {
            let element = element.clone();
            async move { Ok(element.is_enabled().await.unwrap_or(false).then_some(())) }
        })
        .await?;
        element
            .click()
            .await
            .with_context(|| format!("cannot click {css}"))
    }

    /// Replaces the text of the input matching `css` by typing `text`.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let element = self.wait_for(css).await?;
        element.clear().await?;
        element
            .send_keys(text)
            .await
            .with_context(|| format!("cannot type into {css}"))
    }

    /// Chooses the option with `value` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) -> anyhow::Result<()> {
        self.wait_for(&format!("{css} option[value=\"{value}\"]"))
            .await?;
        self.wait_for(css)
            .await?
            .select_by_value(value)
            .await
            .with_context(|| format!("cannot choose {value:?} in {css}"))
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> anyhow::Result<usize> {
        Ok(self.client()?.find_all(Locator::Css(css)).await?.len())
    }

    /// Saves a PNG of the whole page to `test-artifacts/<name>.png` and returns its path. The
    /// window grows to the page's height first, so long pages are captured whole.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let client = self.client()?;
        let height = client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await?
            .as_u64()
            .unwrap_or(800)
            .clamp(600, 4000);
        client.set_window_size(1280, height as u32 + 120).await?;
        client.execute("window.scrollTo(0, 0)", vec![]).await?;
        let png = client.screenshot().await.context("screenshot failed")?;
        client.set_window_size(1280, 800).await?;
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
