//! The console as Chromium downloads it (issue 16, "Compression and caching"): over built-in
//! https and over plain http every hashed asset arrives as its `.br` copy (the Chromium here
//! offers brotli on both; a client that offers only gzip gets the `.gz` copy, which
//! `crates/server/tests/server/console_files.rs` checks byte for byte), and on a second visit the
//! hashed assets come from the browser's cache without a request.
//!
//! The browser's Resource Timing entries say what crossed the wire: `encodedBodySize` is the
//! body as sent (compressed), `decodedBodySize` as used.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail, ensure};

use crate::driver::Browser;
use crate::server::TestServer;
use crate::support::{poll, repo_root};

/// The console's resources as the browser fetched them: (file name, encoded, decoded,
/// transferred) for every wasm, JS and CSS file.
async fn console_resources(browser: &Browser) -> anyhow::Result<Vec<(String, u64, u64, u64)>> {
    let value = browser
        .execute(
            "return performance.getEntriesByType('resource')\
               .map(e => [e.name, e.encodedBodySize, e.decodedBodySize, e.transferSize]);",
        )
        .await?;
    let mut out = Vec::new();
    for entry in value.as_array().context("resource entries")? {
        let name = entry[0].as_str().unwrap_or_default();
        let file = name.rsplit('/').next().unwrap_or_default().to_owned();
        if [".wasm", ".js", ".css"]
            .iter()
            .any(|ext| file.ends_with(ext))
        {
            let n = |i: usize| entry[i].as_u64().unwrap_or(0);
            out.push((file, n(1), n(2), n(3)));
        }
    }
    Ok(out)
}

async fn wait_for_console(browser: &Browser, url: &str) -> anyhow::Result<()> {
    browser.goto(url).await?;
    poll("the sign-in form", Duration::from_secs(30), || async move {
        let v = browser
            .execute(
                "return performance.getEntriesByName('schoolbridge:signin-interactive').length;",
            )
            .await?;
        Ok((v.as_u64() == Some(1)).then_some(()))
    })
    .await
}

fn size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("{} (build the console with `make console`)", path.display()))?
        .len())
}

/// Checks that each of the console's wasm, JS and CSS files arrived as its `copy` (`br` or
/// `gz`) from `dist/`.
fn arrived_as(resources: &[(String, u64, u64, u64)], copy: &str) -> anyhow::Result<()> {
    let dist = repo_root().join("dist");
    let mut kinds = Vec::new();
    for (file, encoded, decoded, _) in resources {
        let raw = size(&dist.join(file))?;
        let compressed = size(&dist.join(format!("{file}.{copy}")))?;
        ensure!(
            *decoded == raw,
            "{file}: the browser used {decoded} bytes, dist/ has {raw}"
        );
        ensure!(
            *encoded == compressed,
            "{file}: {encoded} bytes crossed the wire; its .{copy} copy has {compressed} (raw {raw})"
        );
        kinds.push(file.rsplit('.').next().unwrap_or_default().to_owned());
    }
    for kind in ["wasm", "js", "css"] {
        if !kinds.iter().any(|k| k == kind) {
            bail!("no .{kind} among the console's resources: {resources:?}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn chromium_gets_the_console_compressed_and_keeps_it_cached() -> anyhow::Result<()> {
    // https: brotli.
    let server = TestServer::builder("compression-https")
        .https()
        .start()
        .await?;
    let browser = Browser::start("compression-https").await?;
    wait_for_console(&browser, &server.url("/signin")).await?;
    arrived_as(&console_resources(&browser).await?, "br")?;
    browser.close().await?;

    // Plain http.
    let server = TestServer::start("compression-http").await?;
    let browser = Browser::start("compression-http").await?;
    wait_for_console(&browser, &server.url("/signin")).await?;
    arrived_as(&console_resources(&browser).await?, "br")?;

    // A second visit (a new page load, not a forced reload): the hashed assets are still fresh
    // (immutable, a year), so nothing is asked of the server for them. (Over http: Chromium
    // caches nothing from a site whose certificate error it was told to ignore.)
    wait_for_console(&browser, &server.url("/signin?again")).await?;
    let second = console_resources(&browser).await?;
    ensure!(!second.is_empty(), "no resources on the second visit");
    for (file, _, _, transferred) in &second {
        ensure!(
            *transferred == 0,
            "{file}: {transferred} bytes transferred on the second visit (not from the cache)"
        );
    }
    browser.close().await
}
