//! Built-in HTTPS (rustls): the certificate it serves, the cookies of an https site, and the
//! certificate replaced on SIGHUP without dropping a connection — that last one with the real
//! binary, signalled the way systemd's `ExecReload` and certbot's deploy hook do.

use super::support::{Backend, PRINCIPAL_PASSWORD, TestApp, free_port, fresh_key, principal};
use schoolbridge::config::ConfigLayer;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A self-signed certificate and its key written as PEM into `dir/{name}.crt|.key`; returns the
/// paths and the certificate's DER.
pub fn write_cert(dir: &Path, name: &str) -> (PathBuf, PathBuf, Vec<u8>) {
    let key = fresh_key();
    let now = schoolbridge::Clock::system().now();
    let id =
        moodle_sim::SiteIdentity::moodle_shaped(key.clone(), "https://127.0.0.1", name, now - 60)
            .unwrap();
    let (crt, key_file) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&crt, id.certificate_pem()).unwrap();
    std::fs::write(&key_file, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    (crt, key_file, id.certificate().der().to_vec())
}

/// A client that takes any certificate and reports the one it was shown.
pub fn tls_client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .tls_info(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn served_certificate(resp: &reqwest::Response) -> Vec<u8> {
    resp.extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .expect("a TLS connection")
        .to_vec()
}

/// A site on SQLite with built-in HTTPS, its certificate a self-signed one written into `dir`;
/// returns it with the certificate's DER.
pub async fn https_app(dir: &Path) -> (TestApp, Vec<u8>) {
    let (crt, key, der) = write_cert(dir, "site");
    let app = TestApp::start_with(
        Backend::Sqlite,
        ConfigLayer {
            tls_cert_file: Some(crt),
            tls_key_file: Some(key),
            ..ConfigLayer::default()
        },
    )
    .await;
    (app, der)
}

#[tokio::test]
async fn an_https_site_serves_its_certificate_with_secure_host_only_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let (app, der) = https_app(dir.path()).await;
    assert!(app.url.starts_with("https://"), "{}", app.url);
    principal(&app).await;
    let client = tls_client();

    let resp = client
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(served_certificate(&resp), der);
    assert!(resp.headers().contains_key("strict-transport-security"));

    // Plain http to the https port is not served.
    let plain = reqwest::Client::new()
        .get(app.url.replacen("https://", "http://", 1) + "/healthz")
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));

    let resp = client
        .post(format!("{}/api/session", app.url))
        .json(&serde_json::json!({"username": "principal", "password": PRINCIPAL_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let set_cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("__Host-sb_session="), "{set_cookie}");
    assert!(
        set_cookie.contains("; Secure") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let token = set_cookie
        .strip_prefix("__Host-sb_session=")
        .and_then(|r| r.split(';').next())
        .unwrap()
        .to_owned();

    let who = |cookie: String| {
        let client = client.clone();
        let url = format!("{}/api/session", app.url);
        async move {
            client
                .get(url)
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(who(format!("__Host-sb_session={token}")).await, 200);
    assert_eq!(
        who(format!("sb_session={token}")).await,
        401,
        "under https only the __Host- cookie is a session"
    );
}

/// `schoolbridge serve` as a child process, killed when dropped.
struct ServeProcess {
    child: Child,
    log: PathBuf,
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_certificate_is_replaced_on_sighup_and_open_connections_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let (first_crt, first_key, first_der) = write_cert(dir.path(), "first");
    let (crt, key) = (dir.path().join("site.crt"), dir.path().join("site.key"));
    std::fs::copy(&first_crt, &crt).unwrap();
    std::fs::copy(&first_key, &key).unwrap();
    let port = free_port();
    let log = dir.path().join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
        .arg("serve")
        .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("SCHOOLBRIDGE_DATA_DIR", dir.path().join("data"))
        .env("SCHOOLBRIDGE_CONSOLE_DIR", dir.path().join("no-console"))
        .env("SCHOOLBRIDGE_TLS_CERT_FILE", &crt)
        .env("SCHOOLBRIDGE_TLS_KEY_FILE", &key)
        .env("SCHOOLBRIDGE_CRYPTO_THREADS", "1")
        .env("SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS", "true")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let server = ServeProcess { child, log };
    let url = format!("https://127.0.0.1:{port}/healthz");

    // One client keeps its connection open across the reload.
    let kept = tls_client();
    let deadline = Instant::now() + Duration::from_secs(60);
    let first = loop {
        match kept.get(&url).send().await {
            Ok(r) if r.status() == 200 => break r,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!(
                "the server did not answer: {other:?}\n{}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            ),
        }
    };
    assert_eq!(served_certificate(&first), first_der);

    // Renewal: new files put in place (renamed over, as certbot does), then SIGHUP.
    let (second_crt, second_key, second_der) = write_cert(dir.path(), "second");
    std::fs::rename(&second_key, &key).unwrap();
    std::fs::rename(&second_crt, &crt).unwrap();
    let hup = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let fresh = tls_client().get(&url).send().await.unwrap();
        if served_certificate(&fresh) == second_der {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "new connections still get the old certificate:\n{}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The connection opened before the reload is still the same one: still the first
    // certificate, no new handshake.
    let again = kept.get(&url).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(served_certificate(&again), first_der);
    let text = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        text.contains("reloaded the TLS certificate (SIGHUP)"),
        "{text}"
    );
}
