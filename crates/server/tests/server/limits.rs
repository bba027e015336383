//! The listener's limits (issue 18): a slow sender is cut off (head, body, idle keep-alive), and
//! past the connection cap extra connections get 503 with `Retry-After` while the server keeps
//! serving. Raw TCP on loopback, so nothing in between is kind to the server.

use super::support::{Backend, FakeMoodle, TestApp};
use schoolbridge::config::ConfigLayer;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server on SQLite with the limits `set` changes.
async fn app(set: impl FnOnce(&mut ConfigLayer)) -> TestApp {
    let mut layer = ConfigLayer::default();
    set(&mut layer);
    TestApp::start_with(Backend::Sqlite, layer).await
}

/// `http://moodle.test`, a peer that subscribes to `schooltool_sis` here.
async fn moodle_peer(app: &TestApp) -> FakeMoodle {
    let moodle = FakeMoodle::new("http://moodle.test");
    app.add_peer(&moodle, &[("schooltool_sis", false, true)])
        .await;
    moodle
}

fn addr(app: &TestApp) -> String {
    app.url.trim_start_matches("http://").to_owned()
}

/// Writes `chunks` one by one, `gap` apart, until the server closes the connection; returns how
/// long it took, or `None` when every chunk went out and the connection is still open.
async fn trickle(stream: &mut TcpStream, chunks: &[&[u8]], gap: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    for chunk in chunks {
        if stream.write_all(chunk).await.is_err() {
            return Some(start.elapsed());
        }
        // Closed (EOF, reset, or an answer followed by EOF) while we trickle?
        match tokio::time::timeout(gap, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {
                // An answer (a 4xx for a body cut short): wait for the close.
                let rest = tokio::time::timeout(Duration::from_secs(5), drain(stream)).await;
                assert!(rest.is_ok(), "the connection stays open after the answer");
                return Some(start.elapsed());
            }
            Err(_) => {}
        }
    }
    None
}

async fn drain(stream: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Reads one whole answer (up to the close), as text.
async fn answer(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_slowly_trickled_head_is_cut_off() {
    let app = app(|c| c.header_timeout_secs = Some(1)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    let mut chunks: Vec<&[u8]> = vec![b"GET /healthz HTTP/1.1\r\nHost: x\r\n"];
    chunks.extend(std::iter::repeat_n(&b"X-Slow: 1\r\n"[..], 20));
    let cut = trickle(&mut s, &chunks, Duration::from_millis(250)).await;
    let cut = cut.expect("a head trickled over 5 s must be cut off after 1 s");
    assert!(cut < Duration::from_secs(4), "cut after {cut:?}");
    // The server still serves.
    let resp = reqwest::get(format!("{}/healthz", app.url)).await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_slowly_trickled_body_is_cut_off() {
    let app = app(|c| c.body_timeout_secs = Some(1)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    let head = b"POST /mnet/xmlrpc/server.php HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n";
    let mut chunks: Vec<&[u8]> = vec![head];
    // One byte every 250 ms: each frame is "recent", but the whole body is late.
    chunks.extend(std::iter::repeat_n(&b"<"[..], 20));
    let cut = trickle(&mut s, &chunks, Duration::from_millis(250)).await;
    let cut = cut.expect("a body trickled over 5 s must be cut off after 1 s");
    assert!(cut < Duration::from_secs(4), "cut after {cut:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = app(|c| c.header_timeout_secs = Some(1)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Nothing more is sent: the server closes the connection.
    let closed = tokio::time::timeout(Duration::from_secs(5), drain(&mut s)).await;
    assert!(closed.is_ok(), "an idle connection stays open");
}

#[tokio::test]
async fn past_the_connection_cap_answers_503_and_the_server_survives() {
    let app = app(|c| c.max_connections = Some(2)).await;
    // Two connections take the cap and say nothing.
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(TcpStream::connect(addr(&app)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let text = answer(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 5"),
        "{text}"
    );
    // A flood far past the cap and the overload pool: each is answered or closed, none hangs.
    let mut flood = Vec::new();
    for _ in 0..(schoolbridge::listener::OVERLOAD_SLOTS + 50) {
        if let Ok(c) = TcpStream::connect(addr(&app)).await {
            flood.push(c);
        }
    }
    for c in &mut flood {
        let _ = c
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await;
    }
    let mut busy = 0;
    for c in &mut flood {
        let text = answer(c).await;
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 503"),
            "over the cap: {text}"
        );
        busy += usize::from(!text.is_empty());
    }
    assert!(busy >= 1, "some of the flood is told to come back");
    drop(flood);
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let resp = reqwest::get(format!("{}/healthz", app.url)).await.unwrap();
    assert_eq!(
        resp.status(),
        200,
        "the cap is released when connections end"
    );
}

async fn audit_rows(app: &TestApp) -> i64 {
    let mut c = app.state.store.pool().acquire().await.unwrap();
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

/// A flood of requests from senders that prove nothing grows the audit log by a small burst
/// only (then ten a minute); a peer's signed call is still recorded.
#[tokio::test]
async fn an_anonymous_flood_does_not_grow_the_audit_log() {
    let app = app(|_| {}).await;
    let moodle = moodle_peer(&app).await;
    let before = audit_rows(&app).await;
    let garbage = format!(
        "<?xml version=\"1.0\"?><encryptedMessage><EncryptedData><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedData><EncryptedKey><CipherData><CipherValue>AAAA</CipherValue></CipherData></EncryptedKey><wwwroot>http://moodle.test</wwwroot></encryptedMessage>",
        "QUJD".repeat(1000)
    );
    for i in 0..100 {
        let body = if i % 2 == 0 {
            garbage.clone()
        } else {
            format!("<methodCall><methodName>nothing{i}</methodName></methodCall>")
        };
        app.post(body).await;
    }
    let grown = audit_rows(&app).await - before;
    assert!(
        grown <= i64::from(schoolbridge::mnet_host::audit_budget::BURST) + 1,
        "100 anonymous requests left {grown} audit entries"
    );
    assert!(grown >= 1, "the first ones are still recorded");
    // The flood is still counted, and a peer's signed call is recorded as always.
    let before = audit_rows(&app).await;
    let reply = moodle.call(&app, "system/listMethods", &[]).await.unwrap();
    assert!(matches!(reply, mnet::client::Reply::Value(_)));
    assert_eq!(audit_rows(&app).await, before + 1);
}

/// Garbage that names a registered peer: it costs a private-key operation per key before it is
/// refused (7023), which is what the per-address limit bounds.
fn garbage_as(wwwroot: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><encryptedMessage><EncryptedData><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedData><EncryptedKey><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedKey><wwwroot>{wwwroot}</wwwroot></encryptedMessage>",
        "QUJD".repeat(100),
        "A".repeat(342) + "=="
    )
}

/// A POST to the MNet endpoint as if a trusted proxy passed it on from `from`.
async fn post_from(app: &TestApp, from: &str, body: impl Into<Vec<u8>>) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/mnet/xmlrpc/server.php", app.url))
        .header("X-Forwarded-For", from)
        .body(body.into())
        .send()
        .await
        .unwrap()
}

/// An address whose requests keep failing MNet's checks is answered 429 with `Retry-After`
/// before its requests are read; other addresses, and the peer itself, are not held back.
#[tokio::test]
async fn an_address_whose_requests_keep_failing_gets_429_and_no_one_else_does() {
    let app = app(|c| {
        c.trusted_proxies = Some(vec!["127.0.0.1".into()]);
        c.mnet_failures_per_minute = Some(5);
    })
    .await;
    let moodle = moodle_peer(&app).await;
    let garbage = garbage_as("http://moodle.test");
    for i in 0..5 {
        let r = post_from(&app, "203.0.113.9", garbage.clone()).await;
        assert_eq!(r.status(), 200, "request {i}");
        let text = r.text().await.unwrap();
        assert!(text.contains("faultCode"), "{text}");
    }
    let r = post_from(&app, "203.0.113.9", garbage.clone()).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let text = r.text().await.unwrap();
    assert!(text.contains("mnet_failures_per_minute"), "{text}");
    // A request that would have been fine is held back too: the address is the sender.
    let cert = app.cert();
    let list_methods = || moodle.request(&cert, "system/listMethods", &[]);
    let from_throttled = post_from(&app, "203.0.113.9", list_methods()).await;
    assert_eq!(from_throttled.status(), 429);
    // Someone else, and the peer from its own address, are answered as always.
    let other = post_from(&app, "198.51.100.7", garbage).await;
    assert_eq!(other.status(), 200);
    let r = post_from(&app, "198.51.100.8", list_methods()).await;
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    let reply = moodle.read(&body, &cert).unwrap().reply;
    assert!(matches!(reply, mnet::client::Reply::Value(_)), "{reply:?}");
    let metrics = app.state.metrics.render(&app.state).await.unwrap();
    assert!(
        metrics.contains("schoolbridge_mnet_throttled_total{reason=\"address\"} 2"),
        "{metrics}"
    );
}

/// A peer past `mnet_calls_per_minute` is answered with fault 8199 ("not now, retry"), signed
/// and encrypted like any reply to it; another peer is not held back.
#[tokio::test]
async fn a_peer_past_its_calls_a_minute_is_told_to_retry() {
    use mnet::client::Reply;
    let app = app(|c| c.mnet_calls_per_minute = Some(3)).await;
    let busy = FakeMoodle::new("http://busy.test");
    let quiet = FakeMoodle::new("http://quiet.test");
    for m in [&busy, &quiet] {
        app.add_peer(m, &[("schooltool_sis", false, true)]).await;
    }
    for i in 0..3 {
        let reply = busy.call(&app, "system/listMethods", &[]).await.unwrap();
        assert!(matches!(reply, Reply::Value(_)), "call {i}: {reply:?}");
    }
    match busy.call(&app, "system/listMethods", &[]).await.unwrap() {
        Reply::Fault(f) => {
            assert_eq!(f.code, 8199);
            assert!(f.string.contains("mnet_calls_per_minute"), "{}", f.string);
        }
        other => panic!("expected fault 8199, got {other:?}"),
    }
    let reply = quiet.call(&app, "system/listMethods", &[]).await.unwrap();
    assert!(matches!(reply, Reply::Value(_)), "{reply:?}");
}
