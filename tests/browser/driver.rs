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
    port: u16,
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
            port,
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
                    // Test servers with built-in HTTPS have self-signed certificates.
                    "--ignore-certificate-errors",
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

    /// Runs JavaScript that returns a list and keeps its strings (nothing if it is no list).
    pub async fn execute_strings(&self, script: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .execute(script)
            .await?
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `element.dataset[key]` of every element matching `css`, in page order, as a JSON array.
    pub async fn dataset_of_all(&self, css: &str, key: &str) -> anyhow::Result<serde_json::Value> {
        self.execute(&format!(
            "return [...document.querySelectorAll({css:?})].map(e => e.dataset[{key:?}])"
        ))
        .await
    }

    /// The browser's `navigator.userAgent` (what it sends as `User-Agent`).
    pub async fn user_agent(&self) -> anyhow::Result<String> {
        match self.execute("return navigator.userAgent").await? {
            serde_json::Value::String(ua) => Ok(ua),
            other => bail!("navigator.userAgent is {other}"),
        }
    }

    /// The browser's cookies for the page it shows, as a `Cookie` header (to repeat one of its
    /// requests outside the browser, as someone holding its session could).
    pub async fn cookie_header(&self) -> anyhow::Result<String> {
        let cookies = self.client()?.get_all_cookies().await?;
        Ok(cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; "))
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

    /// Waits until the address bar shows a page of `origin` (`http://host:port`).
    pub async fn wait_for_origin(&self, origin: &str) -> anyhow::Result<String> {
        let client = self.client()?;
        poll(&format!("a page of {origin}"), PATIENCE, || async move {
            let url = client.current_url().await?.to_string();
            Ok(url.starts_with(origin).then_some(url))
        })
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
        // Into the middle of the window first, as a person scrolls to what they click: sticky
        // headers and footers cover elements at the window's edges. Instantly: Bootstrap 5 (Moodle 5)
        // makes scrolling smooth, and the click would land where the element was before.
        self.client()?
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})",
                vec![serde_json::to_value(&element)?],
            )
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

    /// Fills in a form's fields in turn: each `(css, text)` as [`Browser::fill`] does.
    pub async fn fill_all(&self, fields: &[(&str, &str)]) -> anyhow::Result<()> {
        for (css, text) in fields {
            self.fill(css, text).await?;
        }
        Ok(())
    }

    /// Types `keys` into the element matching `css` as they come (no clearing first), special
    /// keys as WebDriver's code points (`fantoccini::key::Key`, e.g. `'\u{e007}'` Enter).
    pub async fn type_keys(&self, css: &str, keys: &str) -> anyhow::Result<()> {
        self.wait_for(css)
            .await?
            .send_keys(keys)
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

    /// Waits until exactly `n` elements match `css` (a list that loads after its panel opens).
    pub async fn wait_for_count(&self, css: &str, n: usize) -> anyhow::Result<()> {
        let what = format!("{n} × {css}");
        poll(&what, PATIENCE, || async move {
            Ok((self.count(css).await? == n).then_some(()))
        })
        .await
    }

    /// Sizes the window (the page's width is what a phone or a laptop shows).
    pub async fn set_viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        Ok(self.client()?.set_window_size(width, height).await?)
    }

    /// Runs a Chrome DevTools command through chromedriver (`goog/cdp/execute`), for what
    /// WebDriver has no command for (print media).
    pub async fn devtools(&self, command: &str, params: serde_json::Value) -> anyhow::Result<()> {
        self.devtools_answer(command, params).await.map(|_| ())
    }

    /// Prints the page to PDF as Chromium prints it (`Page.printToPDF`, print CSS, the paper's
    /// size in inches, Chromium's default margins unless `@page` sets them), saves it to
    /// `test-artifacts/<name>.pdf` and returns its path.
    pub async fn print_to_pdf(
        &self,
        name: &str,
        paper_inches: (f64, f64),
    ) -> anyhow::Result<PathBuf> {
        use base64::Engine as _;
        let answer = self
            .devtools_answer(
                "Page.printToPDF",
                json!({
                    "paperWidth": paper_inches.0,
                    "paperHeight": paper_inches.1,
                    "printBackground": false,
                    "preferCSSPageSize": false,
                }),
            )
            .await?;
        let data = answer["value"]["data"]
            .as_str()
            .context("Page.printToPDF gave no data")?;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(data)
            .context("Page.printToPDF data is not base64")?;
        let path = artifacts_dir()?.join(format!("{name}.pdf"));
        std::fs::write(&path, pdf).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// [`Browser::devtools`], with chromedriver's JSON answer (`{"value": …}`).
    pub async fn devtools_answer(
        &self,
        command: &str,
        params: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let session = self
            .client()?
            .session_id()
            .await?
            .context("no WebDriver session")?;
        let body = json!({"cmd": command, "params": params}).to_string();
        let request = format!(
            "POST /session/{session}/goog/cdp/execute HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{body}",
            port = self.port,
            len = body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        stream.write_all(request.as_bytes()).await?;
        // Read the status line and headers, then the body by its length: chromedriver may keep
        // the connection open, so reading to the end would wait for ever.
        let mut answer = Vec::new();
        let mut chunk = [0_u8; 4096];
        let (head_end, length) = loop {
            let n = tokio::time::timeout(PATIENCE, stream.read(&mut chunk))
                .await
                .context("chromedriver did not answer")??;
            if n == 0 {
                bail!("chromedriver closed the connection during {command}");
            }
            answer.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&answer);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        while answer.len() < head_end + length {
            let n = tokio::time::timeout(PATIENCE, stream.read(&mut chunk))
                .await
                .context("chromedriver did not finish its answer")??;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..n]);
        }
        let body = serde_json::from_slice(answer.get(head_end..).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null);
        let answer = String::from_utf8_lossy(&answer);
        if !answer.starts_with("HTTP/1.1 200") {
            bail!("chromedriver refused {command}: {answer}");
        }
        Ok(body)
    }

    /// Lays the page out as it prints (`@media print`), or as it shows again.
    pub async fn emulate_print(&self, print: bool) -> anyhow::Result<()> {
        let media = if print { "print" } else { "" };
        self.devtools("Emulation.setEmulatedMedia", json!({"media": media}))
            .await
    }

    /// The accessibility problems axe-core finds on the page as it is now, one line each
    /// (rule, what it asks for, how many elements). axe-core comes from npm into `tools/`
    /// (`scripts/install-tools.sh --test`).
    pub async fn axe_violations(&self) -> anyhow::Result<Vec<String>> {
        let path = crate::support::repo_root().join("tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: run `scripts/install-tools.sh --test`",
                path.display()
            )
        })?;
        // Evaluated through WebDriver (the page's CSP allows no inline script); axe sets
        // `window.axe` itself.
        self.execute(&format!("{source}\nreturn typeof window.axe;"))
            .await?;
        self.execute_strings(
            "return window.axe.run(document).then(r => r.violations.map(v => \
             `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | ')})`));",
        )
        .await
    }

    /// Saves a PNG of the whole page to `test-artifacts/<name>.png` and returns its path. The
    /// window grows to the page's height first, so long pages are captured whole.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        self.screenshot_at(name, 1280).await
    }

    /// Like [`Browser::screenshot`], `width` pixels wide (390: a phone); the window is back to
    /// 1280 × 800 afterwards.
    pub async fn screenshot_at(&self, name: &str, width: u32) -> anyhow::Result<PathBuf> {
        let client = self.client()?;
        client.set_window_size(width, 800).await?;
        let height = client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await?
            .as_u64()
            .unwrap_or(800)
            .clamp(600, 4000);
        client.set_window_size(width, height as u32 + 120).await?;
        client.execute("window.scrollTo(0, 0)", vec![]).await?;
        let png = client.screenshot().await.context("screenshot failed")?;
        client.set_window_size(1280, 800).await?;
        let path = artifacts_dir()?.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// `error` with what the browser shows: a screenshot `shot` and the text of `part` (`body`,
    /// `main`), after `what` went wrong.
    pub async fn explain(
        &self,
        error: anyhow::Error,
        shot: &str,
        part: &str,
        what: &str,
    ) -> anyhow::Error {
        let shot = self.screenshot(shot).await;
        let text = self.text(part).await.unwrap_or_default();
        error.context(format!(
            "{what} ({shot:?}); the page says:
{text}"
        ))
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
