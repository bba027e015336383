//! The console's budget (BENCHMARKS.md §4) — a benchmark, not a test, so it is `#[ignore]`d and
//! run by hand:
//!
//! ```sh
//! trunk build --release --offline && cargo build -p schoolbridge
//! cargo test -p schoolbridge-console --test browser -- --ignored --nocapture console_budget
//! ```
//!
//! * Size: what a browser downloads — the bytes of every wasm, JS and CSS file as the real server
//!   sends them (its `Content-Length`) when asked with `Accept-Encoding: br`, with `gzip`, and
//!   with nothing (the uncompressed baseline) — against 450 KB with brotli (issue 16).
//! * Time to interactive: navigation start → the sign-in form is interactive (the console's
//!   `schoolbridge:signin-interactive` performance mark, set once the form is mounted), in a fresh
//!   headless Chromium profile each run (cold cache) and in one profile reloading (warm), median
//!   of several runs. The baseline is a static HTML page with the same form served by the same
//!   server, measured the same way (its `domInteractive`), in the same run.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::driver::Browser;
use crate::server::TestServer;
use crate::support::{artifacts_dir, poll, repo_root};

const RUNS: usize = 7;
const BUDGET_BYTES: u64 = 450_000;
const BUDGET_MS: f64 = 1000.0;

const BASELINE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>baseline</title></head>
<body><h1>Sign in</h1><form><label for="u">Sign-in name</label><input id="u">
<label for="p">Password</label><input id="p" type="password"><button>Sign in</button></form></body></html>
"#;

/// The body bytes the server sends for `path` when the request says `accept_encoding` (a
/// plain HTTP/1.1 GET: the test has no HTTP client, and the headers are all it needs).
async fn wire_bytes(port: u16, path: &str, accept_encoding: Option<&str>) -> anyhow::Result<u64> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let accept = accept_encoding
        .map(|a| format!("Accept-Encoding: {a}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{accept}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        bail!("GET {path}: {}", head.lines().next().unwrap_or_default());
    }
    let body = (response.len() - end - 4) as u64;
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .context("no content-length")?;
    if length != body {
        bail!("GET {path}: content-length {length}, body {body}");
    }
    Ok(body)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn line(command: &str, args: &[&str]) -> String {
    Command::new(command)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Milliseconds from navigation start to the console's mark.
async fn console_ms(browser: &Browser, url: &str) -> anyhow::Result<f64> {
    browser.goto(url).await?;
    poll("the sign-in mark", Duration::from_secs(30), || async move {
        let value = browser
            .execute(
                "const m = performance.getEntriesByName('schoolbridge:signin-interactive'); \
                 return m.length ? m[0].startTime : null;",
            )
            .await?;
        Ok(value.as_f64())
    })
    .await
}

/// Milliseconds from navigation start to the static page's `domInteractive`.
async fn baseline_ms(browser: &Browser, url: &str) -> anyhow::Result<f64> {
    browser.goto(url).await?;
    let value = browser
        .execute("return performance.getEntriesByType('navigation')[0].domInteractive;")
        .await?;
    value.as_f64().context("no navigation timing")
}

#[tokio::test]
#[ignore = "a benchmark: run by hand, see BENCHMARKS.md §4"]
async fn console_budget() -> anyhow::Result<()> {
    // The console's files: every wasm, JS and CSS file of the build.
    let dist = repo_root().join("dist");
    let mut assets = Vec::new();
    for entry in std::fs::read_dir(&dist)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if [".wasm", ".js", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            assets.push(name);
        }
    }
    if !assets.iter().any(|a| a.ends_with(".wasm")) {
        bail!("no wasm in {}: build the console first", dist.display());
    }
    assets.sort();

    // The console and the baseline page, served by the same server.
    let served = tempfile::tempdir()?;
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        std::fs::copy(&path, served.path().join(path.file_name().context("name")?))?;
    }
    std::fs::write(served.path().join("baseline.html"), BASELINE)?;
    let server = TestServer::builder("budget")
        .console_dir(served.path())
        .start()
        .await?;

    // Size on the wire, as this server sends it.
    let port = server.port();
    let (mut br, mut gzip, mut none) = (0u64, 0u64, 0u64);
    let mut per_file = Vec::new();
    for name in &assets {
        let path = format!("/{name}");
        let b = wire_bytes(port, &path, Some("br")).await?;
        let g = wire_bytes(port, &path, Some("gzip, deflate")).await?;
        let n = wire_bytes(port, &path, None).await?;
        per_file.push(format!("{name}: br {b} B, gzip {g} B, none {n} B"));
        (br, gzip, none) = (br + b, gzip + g, none + n);
    }

    let (mut cold_console, mut cold_home, mut cold_baseline) = (vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let browser = Browser::start("budget").await?;
        cold_console.push(console_ms(&browser, &server.url("/signin")).await?);
        browser.close().await?;
        let browser = Browser::start("budget").await?;
        cold_home.push(console_ms(&browser, &server.url("/")).await?);
        browser.close().await?;
        let browser = Browser::start("budget").await?;
        cold_baseline.push(baseline_ms(&browser, &server.url("/baseline.html")).await?);
        browser.close().await?;
    }
    let browser = Browser::start("budget").await?;
    let (mut warm_console, mut warm_baseline) = (vec![], vec![]);
    console_ms(&browser, &server.url("/signin")).await?;
    baseline_ms(&browser, &server.url("/baseline.html")).await?;
    for _ in 0..RUNS {
        warm_console.push(console_ms(&browser, &server.url("/signin")).await?);
        warm_baseline.push(baseline_ms(&browser, &server.url("/baseline.html")).await?);
    }
    browser.close().await?;

    let machine = format!(
        "{} · {} cores · {} · kernel {} · {} · {}",
        line(
            "sh",
            &["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]
        ),
        line("nproc", &[]),
        line(
            "sh",
            &["-c", "free -g | awk '/Mem:/ {print $2 \" GB RAM\"}'"]
        ),
        line("uname", &["-r"]),
        line("rustc", &["-V"]),
        line("chromium", &["--version"]),
    );
    let (cc, ch, cb) = (
        median(cold_console),
        median(cold_home),
        median(cold_baseline),
    );
    let (wc, wb) = (median(warm_console), median(warm_baseline));
    let report = format!(
        "machine: {machine}\n\
         bytes on the wire (wasm + JS + CSS): br {br} B, gzip {gzip} B, none (baseline) {none} B; \
         br {:.1} % of none; budget {BUDGET_BYTES} B with br\n\
         {}\n\
         at 2 Mbit/s: br {:.1} s, gzip {:.1} s, none {:.1} s (bytes only: no latency)\n\
         sign-in interactive, cold, median of {RUNS}: /signin {cc:.0} ms, / (redirected) {ch:.0} ms; \
         baseline static page {cb:.0} ms; ratio {:.1}x\n\
         sign-in interactive, warm cache, median of {RUNS}: /signin {wc:.0} ms; baseline {wb:.0} ms; ratio {:.1}x\n\
         budget: size {} · first page ≤ {BUDGET_MS:.0} ms {}\n",
        100.0 * br as f64 / none.max(1) as f64,
        per_file.join("\n"),
        br as f64 * 8.0 / 2e6,
        gzip as f64 * 8.0 / 2e6,
        none as f64 * 8.0 / 2e6,
        cc / cb.max(1.0),
        wc / wb.max(1.0),
        if br <= BUDGET_BYTES { "met" } else { "MISSED" },
        if cc.max(ch) <= BUDGET_MS {
            "met"
        } else {
            "MISSED"
        },
    );
    println!("{report}");
    std::fs::write(artifacts_dir()?.join("console-budget.txt"), &report)?;
    Ok(())
}
