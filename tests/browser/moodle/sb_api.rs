//! [`SchoolBridgeApi`]: SchoolBridge's own JSON API as its console uses it (session cookie and
//! CSRF token), for asserting what arrived from Moodle without clicking through every page.

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};

use crate::server::TestServer;
use crate::support::{no_redirects, set_cookies};

/// A signed-in API session.
pub struct SchoolBridgeApi {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl SchoolBridgeApi {
    /// Signs in with a local account.
    pub async fn sign_in(
        server: &TestServer,
        username: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let http = no_redirects()?;
        let base = server.url("");
        let response = http
            .post(format!("{base}/api/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await?;
        let cookie = set_cookies(&response)
            .find_map(|c| {
                let (pair, _) = c.split_once(';').unwrap_or((c, ""));
                pair.contains("session").then(|| pair.to_owned())
            })
            .context("no session cookie after sign-in")?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("sign-in as {username} failed: {status} {body}");
        }
        let csrf = body["csrf_token"]
            .as_str()
            .context("no csrf_token in the session")?
            .to_owned();
        Ok(SchoolBridgeApi {
            http,
            base,
            cookie,
            csrf,
        })
    }

    /// Sends a request and returns the JSON answer; a non-2xx status is an error.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("Cookie", &self.cookie);
        if method != Method::GET {
            request = request.header("X-CSRF-Token", &self.csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{method} {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(Method::GET, path, None).await
    }

    /// "Verify now" on a peer's page: a `listServices` round trip and its diagnosis.
    pub async fn verify_peer(&self, peer_id: i64) -> anyhow::Result<Value> {
        self.send(Method::POST, &format!("/api/peers/{peer_id}/verify"), None)
            .await
    }
}
