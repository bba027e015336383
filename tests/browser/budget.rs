//! The console's budget (BENCHMARKS.md §4) — a benchmark, not a test, so it is `#[ignore]`d and
//! run by hand:
//!
//! ```sh
//! trunk build --release --offline && cargo build -p schoolbridge
//! cargo test -p schoolbridge-console --test browser -- --ignored --nocapture console_budget
//! ```
//!
//! * Size: the wasm and the JS in `dist/`, gzip -9, against 450 KB.
//! * Time to interactive: navigation start → the sign-in form is interactive (the console's
//!   `schoolbridge:signin-interactive` performance mark, set once the form is mounted), in a fresh
//!   headless Chromium profile each run (cold cache) and in one profile reloading (warm), median
//!   of several runs. The baseline is a static HTML page with the same form served by the same
//!   server, measured the same way (its `domInteractive`), in the same run.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

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

fn gzip_len(path: &Path) -> anyhow::Result<u64> {
    let out = Command::new("gzip")
        .arg("-9c")
        .arg(path)
        .output()
        .context("gzip")?;
    Ok(out.stdout.len() as u64)
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
    // Size.
    let dist = repo_root().join("dist");
    let (mut wasm, mut js) = ((0, 0), (0, 0));
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        let raw = std::fs::metadata(&path)?.len();
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => wasm = (raw, gzip_len(&path)?),
            Some("js") => js = (raw, gzip_len(&path)?),
            _ => {}
        }
    }
    if wasm.0 == 0 {
        bail!("no wasm in {}: build the console first", dist.display());
    }
    let total = wasm.1 + js.1;

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
         size (gzip -9): wasm {} B ({} B raw), js {} B ({} B raw), total {} B of {} B budget\n\
         sign-in interactive, cold, median of {RUNS}: /signin {cc:.0} ms, / (redirected) {ch:.0} ms; \
         baseline static page {cb:.0} ms; ratio {:.1}x\n\
         sign-in interactive, warm cache, median of {RUNS}: /signin {wc:.0} ms; baseline {wb:.0} ms; ratio {:.1}x\n\
         budget: size {} · first page ≤ {BUDGET_MS:.0} ms {}\n",
        wasm.1,
        wasm.0,
        js.1,
        js.0,
        total,
        BUDGET_BYTES,
        cc / cb.max(1.0),
        wc / wb.max(1.0),
        if total <= BUDGET_BYTES {
            "met"
        } else {
            "MISSED"
        },
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
