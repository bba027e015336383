//! The HTTP surface: the MNet endpoint and the pages a stock Moodle fetches from a peer, the JSON
//! API under `/api` (an unknown `/api/...` path is a JSON 404, never the console page), the SSO
//! pages, and the console with its SPA fallback. Handlers are thin; the work is in
//! `mnet_host`, `sis`, `sso` and the store.

pub mod api;
pub mod auth;
pub mod client_info;
pub mod console;
pub mod error;
pub mod mnet_endpoint;
pub mod monitoring;
pub mod sso_pages;

use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use console::ConsolePage;
use error::ApiError;
use schoolbridge_api::Health;
use std::sync::Arc;

/// State of the HTTP layer: the app plus the prepared console page.
#[derive(Clone, Debug)]
pub struct HttpState {
    /// The application.
    pub app: AppState,
    /// The console's index page and CSP.
    pub console: Arc<ConsolePage>,
}

impl FromRef<HttpState> for AppState {
    fn from_ref(s: &HttpState) -> AppState {
        s.app.clone()
    }
}

/// Builds the router.
pub fn router(app: AppState) -> Router {
    let files = console::files::ConsoleFiles::for_config(
        &app.config.console_dir,
        app.config.console_dir_configured,
    )
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "the console cannot be served");
        console::files::ConsoleFiles::missing(&app.config.console_dir)
    });
    let console = Arc::new(ConsolePage::new(files, &app.config.site_name));
    let max_body = app.config.max_body_bytes;
    let clients = client_info::ClientInfoLayer::new(
        app.config.trusted_proxies.clone(),
        app.config.wwwroot.starts_with("https://"),
    );
    let state = HttpState { app, console };
    let api = api::routes()
        .route("/health", get(api_health))
        .fallback(api_not_found);
    Router::new()
        .route(
            "/mnet/xmlrpc/server.php",
            post(mnet_endpoint::post).get(mnet_endpoint::get),
        )
        .route(
            "/api/xmlrpc/server.php",
            post(mnet_endpoint::post).get(mnet_endpoint::get),
        )
        .route("/mnet/publickey.php", get(publickey))
        .route("/healthz", get(healthz))
        .route("/readyz", get(monitoring::readyz))
        .route("/metrics", get(monitoring::metrics))
        .route("/auth/mnet/land.php", get(sso_pages::land_page))
        .route("/auth/xmlrpc/land.php", get(sso_pages::land_page))
        .route("/auth/mnet/jump.php", get(sso_pages::jump_page))
        .route(
            crate::sso::pages::STYLESHEET_PATH,
            get(crate::sso::pages::stylesheet),
        )
        .route("/", get(index))
        .nest("/api", api)
        .fallback(static_or_spa)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            clients,
            client_info::middleware,
        ))
        .with_state(state)
}

async fn index(State(s): State<HttpState>) -> Response {
    s.console.index()
}

/// Our certificate, as Moodle's `mnet/publickey.php` serves it (§1.1).
async fn publickey(State(app): State<AppState>) -> Response {
    let pem = app.keys.ring().current().cert.pem().to_owned();
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], pem).into_response()
}

async fn health(app: &AppState) -> Result<Health, ApiError> {
    app.store.setting("health-probe").await?;
    Ok(Health {
        status: "ok".into(),
        site_name: app.config.site_name.clone(),
        wwwroot: app.config.wwwroot.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Liveness and database reachability.
async fn healthz(State(app): State<AppState>) -> Response {
    match health(&app).await {
        Ok(_) => "ok".into_response(),
        Err(e) => e.into_response(),
    }
}

async fn api_health(State(app): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    Ok(axum::Json(health(&app).await?))
}

async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API endpoint.",
    )
}

/// A file of the console build, or the console page for client-side routes (and for
/// `/index.html`); a missing asset (a path whose last segment has an extension) is a plain 404.
async fn static_or_spa(State(s): State<HttpState>, req: Request) -> Response {
    let path = req.uri().path();
    // What the nested API router leaves over (`/api/` itself, say) is still the API's.
    if path == "/api" || path.starts_with("/api/") {
        return api_not_found().await.into_response();
    }
    let is_asset = path.rsplit('/').next().is_some_and(|seg| seg.contains('.'));
    if !is_asset || path == "/index.html" {
        return s.console.index();
    }
    let name = path.trim_start_matches('/');
    s.console
        .files
        .respond(req.method(), name, req.headers())
        .unwrap_or_else(console::asset_not_found)
}

/// Headers on every response: no sniffing, no framing, a strict CSP on pages, no caching of API
/// answers, and — when the site's address is https — HSTS for this host (a year; not its
/// subdomains, which a school may still serve over http).
async fn security_headers(State(s): State<HttpState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if let Ok(v) = HeaderValue::from_str(&s.console.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if is_api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if s.app.config.wwwroot.starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}
