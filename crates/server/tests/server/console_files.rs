//! The console's files over HTTP: each hashed asset in the coding the client accepts (the `.br`
//! or `.gz` copy byte for byte), `Vary: Accept-Encoding`, a year's `immutable` cache, ETags and
//! 304s; `index.html` revalidated every time. And, in a build with `embed-console`, the same
//! from the binary alone, with no console directory anywhere.

use super::support::{Backend, TestApp};
use schoolbridge::config::ConfigLayer;

const WASM: &str = "app-0123456789abcdef_bg.wasm";

/// A small stand-in for Trunk's `dist/`, with compressed copies (their bytes only have to
/// differ: the server never decodes them).
fn fake_dist(dir: &std::path::Path) {
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html><head><title>SchoolBridge</title></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join(WASM), vec![0u8; 4096]).unwrap();
    std::fs::write(dir.join(format!("{WASM}.br")), b"brotli bytes").unwrap();
    std::fs::write(dir.join(format!("{WASM}.gz")), b"gzip bytes!").unwrap();
    std::fs::write(dir.join("robots.txt"), "User-agent: *\n").unwrap();
}

/// A site on SQLite serving a [`fake_dist`] as its console; the directory lives as long as the
/// returned guard.
async fn app_with_fake_dist() -> (tempfile::TempDir, TestApp) {
    let dist = tempfile::tempdir().unwrap();
    fake_dist(dist.path());
    let app = TestApp::start_with(
        Backend::Sqlite,
        ConfigLayer {
            console_dir: Some(dist.path().to_owned()),
            ..ConfigLayer::default()
        },
    )
    .await;
    (dist, app)
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn assets_go_out_in_the_coding_the_client_accepts_and_are_cached_by_name() {
    let (_dist, app) = app_with_fake_dist().await;
    let url = format!("{}/{WASM}", app.url);
    for (accept, coding, body) in [
        (
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            &b"brotli bytes"[..],
        ),
        (Some("gzip, deflate"), Some("gzip"), &b"gzip bytes!"[..]),
        (None, None, &[0u8; 4096][..]),
    ] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("Accept-Encoding", a)).into_iter().collect();
        let resp = get(&url, &headers).await;
        assert_eq!(resp.status(), 200);
        let h = resp.headers().clone();
        assert_eq!(
            h.get("content-encoding").and_then(|v| v.to_str().ok()),
            coding,
            "{accept:?}"
        );
        assert_eq!(h["vary"], "accept-encoding");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(h["content-type"], "application/wasm");
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert_eq!(resp.bytes().await.unwrap().as_ref(), body, "{accept:?}");
        let again = get(
            &url,
            &[
                ("Accept-Encoding", accept.unwrap_or("identity")),
                ("If-None-Match", &etag),
            ],
        )
        .await;
        assert_eq!(again.status(), 304, "{accept:?}");
    }
    let head = reqwest::Client::new()
        .head(&url)
        .header("Accept-Encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "12");

    // Not hashed: revalidated on every visit.
    let robots = get(&format!("{}/robots.txt", app.url), &[]).await;
    assert_eq!(robots.headers()["cache-control"], "no-cache");
    for page in ["/", "/index.html", "/people"] {
        let resp = get(&format!("{}{page}", app.url), &[]).await;
        assert_eq!(resp.status(), 200, "{page}");
        assert_eq!(resp.headers()["cache-control"], "no-cache", "{page}");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("<title>Springfield High SIS</title>"),
            "{page}"
        );
    }
    assert_eq!(
        get(&format!("{}/missing-0123456789abcdef.js", app.url), &[])
            .await
            .status(),
        404
    );
    assert_eq!(
        get(&format!("{}/{WASM}.gz", app.url), &[]).await.status(),
        404
    );
}

/// The release way: no console directory at all, the binary serves what it carries.
#[cfg(feature = "embed-console")]
#[tokio::test]
async fn a_binary_with_the_console_inside_needs_no_console_directory() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let version = Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    assert!(version.contains("console: embedded, build "), "{version}");
    assert!(version.contains("with brotli and gzip copies"), "{version}");
    assert!(
        version.contains(&format!(
            "database schema: {}",
            schoolbridge::store::schema_version()
        )),
        "{version}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Run from an empty directory: there is no ./dist to fall back on.
    let mut child = Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("SCHOOLBRIDGE_CONSOLE_DIR")
        .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("SCHOOLBRIDGE_DATA_DIR", dir.path().join("data"))
        .env("SCHOOLBRIDGE_CRYPTO_THREADS", "1")
        .env("SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut page = None;
    for _ in 0..600 {
        if let Ok(r) = reqwest::get(format!("{base}/signin")).await {
            page = Some(r.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page = page.expect("the server answered");
    let wasm = page
        .split(['"', '\''])
        .find(|s| s.ends_with("_bg.wasm"))
        .unwrap_or_else(|| panic!("the console page names its wasm: {page}"))
        .trim_start_matches('/')
        .to_owned();
    let resp = get(&format!("{base}/{wasm}"), &[("Accept-Encoding", "br")]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "br");
    assert_eq!(resp.headers()["content-type"], "application/wasm");
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 18: no path under `/api` answers the console page — an unknown one (or `/api` itself)
/// is a JSON 404 — while other unknown paths still get the SPA.
#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_console_page() {
    let (_dist, app) = app_with_fake_dist().await;
    for path in [
        "/api",
        "/api/",
        "/api/nothing",
        "/api/sis/nothing/here",
        "/api/peers/1/nothing",
        "/api//",
    ] {
        let resp = get(&format!("{}{path}", app.url), &[]).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/json", "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
    let resp = get(&format!("{}/people/7", app.url), &[]).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("<title>"));
}
