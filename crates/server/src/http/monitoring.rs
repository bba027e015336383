//! What a monitoring system asks (`docs/operations.md`, "Monitoring"): `/readyz` — can this
//! instance do its work (database reachable, site key loaded and valid) — and `/metrics` for
//! Prometheus. `/healthz` (the process answers) is beside the router.
//!
//! Who may read `/metrics` (`docs/design/013-deployment.md`): with `metrics_token_file` set,
//! whoever sends `Authorization: Bearer <token>`, and nobody else; without it, only a scraper on
//! this machine that connects directly — a loopback client whose request carries no forwarding
//! header. A reverse proxy on the same machine connects from loopback too, but always adds
//! `X-Forwarded-For` (the examples in `docs/` do), so a visitor coming through it is refused.

use super::HttpState;
use super::client_info::ClientInfo;
use crate::accounts::sessions::tokens_match;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Headers by which a proxy says it passed a request on.
const FORWARDING_HEADERS: &[&str] = &["x-forwarded-for", "forwarded", "x-real-ip"];

/// `GET /readyz`: 200 when the database answers and the site key is loaded and unexpired, else
/// 503; one line per check either way.
pub async fn readyz(State(s): State<HttpState>) -> Response {
    let app = &s.app;
    let mut ready = true;
    let mut lines = Vec::new();
    match app.store.setting("health-probe").await {
        Ok(_) => lines.push("ok database".to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            ready = false;
            lines.push("FAIL database: does not answer (see the server log)".to_owned());
        }
    }
    let days = (app.keys.ring().current().cert.not_after() - app.clock.now()) / 86_400;
    if days >= 0 {
        lines.push(format!("ok site key (expires in {days} days)"));
    } else {
        ready = false;
        lines.push(format!(
            "FAIL site key: expired {} days ago (run `schoolbridge key rotate`)",
            -days
        ));
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        lines.join("\n") + "\n",
    )
        .into_response()
}

/// Whether this request may read `/metrics`.
pub fn may_read_metrics(
    token: Option<&crate::config::MetricsToken>,
    client: Option<&ClientInfo>,
    headers: &HeaderMap,
) -> bool {
    if let Some(token) = token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        return tokens_match(sent.trim(), &token.0);
    }
    let forwarded = FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h));
    client.is_some_and(|c| !c.via_proxy && !forwarded && c.addr.is_some_and(|a| a.is_loopback()))
}

/// `GET /metrics`.
pub async fn metrics(
    State(s): State<HttpState>,
    client: Option<Extension<ClientInfo>>,
    headers: HeaderMap,
) -> Response {
    let client = client.map(|Extension(c)| c);
    if !may_read_metrics(
        s.app.config.metrics_token.as_ref(),
        client.as_ref(),
        &headers,
    ) {
        let why = if s.app.config.metrics_token.is_some() {
            "Send the token of metrics_token_file as Authorization: Bearer <token>.\n"
        } else {
            "Metrics are served to this machine only (set metrics_token_file to scrape from elsewhere).\n"
        };
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    match s.app.metrics.render(&s.app).await {
        Ok(text) => {
            let mut resp = text.into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "metrics: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database does not answer.\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::MetricsToken;

    fn client(addr: &str, via_proxy: bool) -> ClientInfo {
        ClientInfo {
            addr: Some(addr.parse().unwrap()),
            https: false,
            via_proxy,
        }
    }

    #[test]
    fn metrics_are_for_this_machine_or_the_token_holder() {
        let none = HeaderMap::new();
        assert!(may_read_metrics(
            None,
            Some(&client("127.0.0.1", false)),
            &none
        ));
        assert!(may_read_metrics(None, Some(&client("::1", false)), &none));
        assert!(!may_read_metrics(
            None,
            Some(&client("10.0.0.8", false)),
            &none
        ));
        assert!(!may_read_metrics(
            None,
            Some(&client("127.0.0.1", true)),
            &none
        ));
        assert!(!may_read_metrics(None, None, &none));
        // A proxy on this machine that nobody listed as trusted: its header still shows.
        let mut forwarded = HeaderMap::new();
        forwarded.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert!(!may_read_metrics(
            None,
            Some(&client("127.0.0.1", false)),
            &forwarded
        ));

        let token = MetricsToken("0123456789abcdef-metrics".into());
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef-metrics"),
        );
        assert!(may_read_metrics(
            Some(&token),
            Some(&client("10.0.0.8", false)),
            &bearer
        ));
        assert!(
            !may_read_metrics(Some(&token), Some(&client("127.0.0.1", false)), &none),
            "with a token set, loopback needs it too"
        );
        let mut wrong = HeaderMap::new();
        wrong.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer nope"),
        );
        assert!(!may_read_metrics(Some(&token), None, &wrong));
    }
}
