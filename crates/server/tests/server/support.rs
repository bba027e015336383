//! Test harness: `TestApp` (a running server on a fresh database) and `FakeMoodle` (a peer
//! built from the `mnet` crate that calls it exactly as Moodle 4.5 does).

use super::moodle_certificate::moodle_certificate;
use super::scratch_pg::ScratchPg;
use mnet::client::{self, Caller, ReadReply, Reply, ReplyError, Timing};
use mnet::envelope::{Cipher, PublicKeyPath};
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{Limits, Value};
use schoolbridge::config::ConfigLayer;
use schoolbridge::server::RunningServer;
use schoolbridge::store::peers::{insert_or_undelete_peer, set_peer_service};
use schoolbridge::store::people::{PeopleQuery, PersonRow};
use schoolbridge::store::{AuditFilter, AuditRow, NewPeer, PeerRow, Store};
use schoolbridge::{AppState, Clock};
use std::sync::{Mutex, OnceLock};

/// A loopback port that was free a moment ago (for a server started as a child process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The engines to run conformance tests on: SQLite always, PostgreSQL when configured. With
/// `SCHOOLBRIDGE_REQUIRE_POSTGRES=1` (CI) a missing PostgreSQL is a failure, not a skip.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if std::env::var("SCHOOLBRIDGE_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Backend::Postgres);
    } else if std::env::var("SCHOOLBRIDGE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("SCHOOLBRIDGE_REQUIRE_POSTGRES=1 but SCHOOLBRIDGE_TEST_DATABASE_URL is not set");
    } else {
        eprintln!("note: PostgreSQL tests skipped (SCHOOLBRIDGE_TEST_DATABASE_URL not set)");
    }
    v
}

/// A running SchoolBridge on a fresh database.
pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub backend: Backend,
    server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    _pg: Option<ScratchPg>,
}

impl TestApp {
    /// On SQLite.
    pub async fn start() -> TestApp {
        Self::start_on(Backend::Sqlite).await
    }

    /// On the given engine, with default settings.
    pub async fn start_on(backend: Backend) -> TestApp {
        Self::start_with(backend, ConfigLayer::default()).await
    }

    /// On the given engine with some settings changed.
    pub async fn start_with(backend: Backend, overrides: ConfigLayer) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (pg, database_url) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let admin = std::env::var("SCHOOLBRIDGE_TEST_DATABASE_URL").unwrap();
                let (db, url) = ScratchPg::create(&admin, "sbtest").await;
                (Some(db), Some(url))
            }
        };
        // Built-in HTTPS when the test asks for it: the site's address is then https.
        let scheme = if overrides.tls_cert_file.is_some() {
            "https"
        } else {
            "http"
        };
        let base = ConfigLayer {
            listen: Some(addr.to_string()),
            wwwroot: Some(format!("{scheme}://{addr}")),
            data_dir: Some(dir.path().to_owned()),
            database_url,
            site_name: Some("Springfield High SIS".into()),
            ..ConfigLayer::default()
        };
        Self::serve(base, &overrides, listener, backend, dir, pg).await
    }

    /// A second instance on this one's database and data directory (its master key), as a
    /// district runs several behind a load balancer on one PostgreSQL.
    pub async fn start_sharing(&self, overrides: ConfigLayer) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = ConfigLayer {
            listen: Some(listener.local_addr().unwrap().to_string()),
            wwwroot: Some(self.state.config.wwwroot.clone()),
            data_dir: Some(self.state.config.data_dir.clone()),
            database_url: Some(self.state.config.database_url.clone()),
            site_name: Some(self.state.config.site_name.clone()),
            ..ConfigLayer::default()
        };
        Self::serve(base, &overrides, listener, self.backend, dir, None).await
    }

    /// Serves on `listener` with `base` (where the site and its data are), the settings every
    /// test instance shares, then the test's `overrides`. `dir` (a scratch directory holding no
    /// console) and `pg` (a scratch PostgreSQL database) live as long as the app.
    async fn serve(
        base: ConfigLayer,
        overrides: &ConfigLayer,
        listener: tokio::net::TcpListener,
        backend: Backend,
        dir: tempfile::TempDir,
        pg: Option<ScratchPg>,
    ) -> TestApp {
        let shared = ConfigLayer {
            console_dir: Some(dir.path().join("no-console")),
            crypto_threads: Some(2),
            // Every peer of a test is on 127.0.0.1.
            allow_private_peers: Some(true),
            ..base
        };
        let config = shared.overlay(overrides).finish().unwrap();
        let state = AppState::open(config, Clock::system()).await.unwrap();
        let server = schoolbridge::server::spawn(state.clone(), listener).unwrap();
        TestApp {
            url: server.url(),
            state,
            backend,
            server: Some(server),
            dir,
            _pg: pg,
        }
    }

    /// The audit log's entries that `filter` selects, newest first.
    pub async fn audit(&self, filter: AuditFilter) -> Vec<AuditRow> {
        self.state.store.audit_entries(&filter).await.unwrap()
    }

    /// The newest audit entry (there must be one).
    pub async fn newest_audit(&self) -> AuditRow {
        let mut newest = self
            .audit(AuditFilter {
                limit: 1,
                ..Default::default()
            })
            .await;
        newest.remove(0)
    }

    /// One audit entry with its envelope (it must exist).
    pub async fn audit_entry(&self, id: i64) -> AuditRow {
        self.state.store.audit_entry(id).await.unwrap().unwrap()
    }

    /// Our current certificate.
    pub fn cert(&self) -> PeerCertificate {
        self.state.keys.ring().current().cert.clone()
    }

    /// Registers a peer directly in the store with the given services (publish, subscribe).
    pub async fn add_peer(&self, moodle: &FakeMoodle, services: &[(&str, bool, bool)]) -> PeerRow {
        let now = self.state.clock.now();
        let pem = moodle.cert.pem().to_owned();
        let fp = moodle.cert.fingerprint_sha256();
        let new = NewPeer {
            wwwroot: &moodle.wwwroot,
            name: "Springfield Moodle",
            application: "moodle",
            certificate_pem: &pem,
            certificate_expires: moodle.cert.not_after(),
            fingerprint: &fp,
            tls_verify: true,
        };
        let id = schoolbridge::write_tx!(self.state.store, |c| {
            let id = insert_or_undelete_peer(c, &new, now).await?;
            for (s, p, sub) in services {
                set_peer_service(c, id, s, *p, *sub).await?;
            }
            Ok::<_, schoolbridge::store::StoreError>(id)
        })
        .unwrap();
        self.state.store.peer(id).await.unwrap().unwrap()
    }

    /// POSTs a raw body to the MNet endpoint.
    pub async fn post(&self, body: impl Into<Vec<u8>>) -> Vec<u8> {
        // A test site with built-in HTTPS has a self-signed certificate.
        let resp = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap()
            .post(format!("{}/mnet/xmlrpc/server.php", self.url))
            .header("Content-Type", "text/xml charset=UTF-8")
            .body(body.into())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "MNet replies are always HTTP 200");
        resp.bytes().await.unwrap().to_vec()
    }

    /// Stops the server (e.g. before restarting on the same data directory).
    pub async fn stop(mut self) -> (tempfile::TempDir, Backend) {
        let _ = &self._pg;
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        self.state.store.close().await;
        (self.dir, self.backend)
    }
}

/// Pre-generated keys: RSA-2048 generation is the slow part of a test.
fn key_pool() -> &'static Mutex<Vec<SitePrivateKey>> {
    static KEYS: OnceLock<Mutex<Vec<SitePrivateKey>>> = OnceLock::new();
    KEYS.get_or_init(|| Mutex::new(Vec::new()))
}

/// A fresh RSA-2048 key (generated on demand; cheap enough with optimised dependencies).
pub fn fresh_key() -> SitePrivateKey {
    if let Some(k) = key_pool().lock().unwrap().pop() {
        return k;
    }
    SitePrivateKey::generate(&mut rand::rng(), 2048).unwrap()
}

/// A Moodle 4.5 as far as the wire is concerned.
pub struct FakeMoodle {
    pub wwwroot: String,
    pub key: SitePrivateKey,
    pub cert: PeerCertificate,
    /// Seconds added to its clock (skew tests).
    pub clock_offset: i64,
}

impl FakeMoodle {
    /// A Moodle-shaped identity (serial 0, SHA-1 self-signature, 28 days).
    pub fn new(wwwroot: &str) -> FakeMoodle {
        let key = fresh_key();
        let cert = Self::certificate(wwwroot, &key);
        FakeMoodle {
            wwwroot: wwwroot.to_owned(),
            key,
            cert,
            clock_offset: 0,
        }
    }

    /// The certificate a Moodle 4.5 makes for itself.
    fn certificate(wwwroot: &str, key: &SitePrivateKey) -> PeerCertificate {
        moodle_certificate(
            key,
            wwwroot,
            "Springfield Moodle",
            Clock::system().now() - 60,
        )
    }

    /// Moodle rotates its key: a new key and certificate.
    pub fn rotate(&mut self) {
        self.key = fresh_key();
        self.cert = Self::certificate(&self.wwwroot.clone(), &self.key);
    }

    /// Now, by this Moodle's clock.
    pub fn now(&self) -> i64 {
        Clock::system().now() + self.clock_offset
    }

    /// The body of a signed and encrypted call to `app_cert`.
    pub fn request(&self, app_cert: &PeerCertificate, method: &str, params: &[Value]) -> Vec<u8> {
        let caller = Caller {
            wwwroot: &self.wwwroot,
            key: &self.key,
            publickey_path: PublicKeyPath::Moodle,
        };
        client::build_request(
            &caller,
            app_cert,
            method,
            params,
            self.now(),
            Cipher::Rc4,
            &mut rand::rng(),
        )
        .unwrap()
        .body
    }

    /// Reads a reply as Moodle's client does.
    pub fn read(&self, body: &[u8], app_cert: &PeerCertificate) -> Result<ReadReply, ReplyError> {
        self.read_with_drift(body, app_cert, 15)
    }

    /// Reads a reply tolerating the given clock lead of the server.
    pub fn read_with_drift(
        &self,
        body: &[u8],
        app_cert: &PeerCertificate,
        drift: i64,
    ) -> Result<ReadReply, ReplyError> {
        let now = self.now();
        let timing = Timing {
            sent: now,
            received: now,
            drift_threshold: drift,
        };
        client::read_reply(
            body,
            &[&self.key],
            app_cert,
            timing,
            &Limits::default(),
            &mut rand::rng(),
        )
    }

    /// A signed and encrypted call; the verified reply.
    pub async fn call(
        &self,
        app: &TestApp,
        method: &str,
        params: &[Value],
    ) -> Result<Reply, ReplyError> {
        let cert = app.cert();
        let body = app.post(self.request(&cert, method, params)).await;
        self.read(&body, &cert).map(|r| r.reply)
    }

    /// The value a call is answered with (it must be one, not a fault or an error).
    pub async fn value(&self, app: &TestApp, method: &str, params: &[Value]) -> Value {
        match self.call(app, method, params).await {
            Ok(Reply::Value(value)) => value,
            other => panic!("{method}: {other:?}"),
        }
    }
}

/// A signed-in console client: the session cookie and CSRF token, sent like the console does.
pub struct Api {
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub user_agent: String,
    pub http: reqwest::Client,
}

impl Api {
    /// A client that is not signed in.
    pub fn anonymous(app: &TestApp) -> Api {
        Api {
            base: app.url.clone(),
            cookie: None,
            csrf: None,
            user_agent: "Mozilla/5.0 (SchoolBridge tests)".into(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Signs in; panics unless it works.
    pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> Api {
        let mut api = Api::anonymous(app);
        let (status, body) = api.try_sign_in(username, password).await;
        assert_eq!(status, 200, "sign-in failed: {body}");
        api.csrf = body["csrf_token"].as_str().map(str::to_owned);
        api
    }

    /// A local administrator (`admin`, `admin-password`) created and signed in.
    pub async fn admin(app: &TestApp) -> Api {
        local_account(app, "admin", "admin-password", &["admin"], true).await;
        Api::sign_in(app, "admin", "admin-password").await
    }

    /// Add peer's first step (`POST /api/peers/preview`): the certificate at `url`, reviewed.
    pub async fn preview_peer(&mut self, url: &str) -> (u16, serde_json::Value) {
        self.post("/api/peers/preview", serde_json::json!({ "url": url }))
            .await
    }

    /// Withdraws or allows sign-in for these people at once (`PUT /api/people/login`).
    pub async fn set_login(
        &mut self,
        person_ids: &[i64],
        allowed: bool,
    ) -> (u16, serde_json::Value) {
        let body = serde_json::json!({"person_ids": person_ids, "allowed": allowed});
        self.put("/api/people/login", body).await
    }

    /// One sign-in attempt (`POST /api/session`); returns the status and the JSON body.
    pub async fn try_sign_in(
        &mut self,
        username: &str,
        password: &str,
    ) -> (u16, serde_json::Value) {
        let body = serde_json::json!({"username": username, "password": password});
        self.post("/api/session", body).await
    }

    /// Sends a request; returns the status and the JSON body (or Null).
    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path))
            .header("User-Agent", &self.user_agent);
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("sb_session={c}"));
        }
        if method != reqwest::Method::GET
            && let Some(t) = &self.csrf
        {
            req = req.header("X-CSRF-Token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        if let Some(set) = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            && let Some(tok) = set
                .strip_prefix("sb_session=")
                .and_then(|r| r.split(';').next())
        {
            self.cookie = if tok.is_empty() {
                None
            } else {
                Some(tok.to_owned())
            };
        }
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// `POST` with a JSON body; returns the status and the JSON body.
    pub async fn post(&mut self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// `PUT` with a JSON body; returns the status and the JSON body.
    pub async fn put(&mut self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `DELETE`; returns the status and the JSON body.
    pub async fn delete(&mut self, path: &str) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// A GET's body as text, whatever its status (a CSV download).
    pub async fn get_text(&self, path: &str) -> String {
        self.get_raw(path).await.text().await.unwrap()
    }

    /// A raw GET that does not follow redirects (SSO pages).
    pub async fn get_raw(&self, path_or_url: &str) -> reqwest::Response {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{}", self.base, path_or_url)
        };
        let mut req = self.http.get(url).header("User-Agent", &self.user_agent);
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("sb_session={c}"));
        }
        req.send().await.unwrap()
    }
}

/// Everyone in the store's `people`, up to `limit`, as the People page lists them.
pub async fn everyone(store: &Store, limit: i64) -> Vec<PersonRow> {
    let query = PeopleQuery {
        limit,
        ..Default::default()
    };
    store.people(&query).await.unwrap()
}

/// The administrator the HTTPS and monitoring tests sign in as: `principal`, with
/// [`PRINCIPAL_PASSWORD`].
pub async fn principal(app: &TestApp) -> i64 {
    local_account(app, "principal", PRINCIPAL_PASSWORD, &["admin"], true).await
}

/// [`principal`]'s password.
pub const PRINCIPAL_PASSWORD: &str = "a long enough password";

/// Creates a local account with a password and roles.
pub async fn local_account(
    app: &TestApp,
    username: &str,
    password: &str,
    roles: &[&str],
    login_allowed: bool,
) -> i64 {
    use schoolbridge::store::people::{NewLocalPerson, insert_local_person, set_roles};
    let hash = schoolbridge::accounts::passwords::hash(&app.state.crypto, password)
        .await
        .unwrap();
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    let now = app.state.clock.now();
    schoolbridge::write_tx!(app.state.store, |c| {
        let p = NewLocalPerson {
            username,
            firstname: "Test",
            lastname: username,
            email: Some("t@example.org"),
            password_hash: Some(&hash),
            login_allowed,
        };
        let id = insert_local_person(c, &p, now).await?;
        set_roles(c, id, &roles).await?;
        Ok::<_, schoolbridge::store::StoreError>(id)
    })
    .unwrap()
}
