//! The few server-rendered pages of SSO: a refusal explains why in plain words and links back to
//! where the person came from. Every string is here, in one place, for translation.

use crate::http::console::escape_html;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Where the refusal pages' stylesheet is served (a file of its own: the server's CSP allows
/// styles from `'self'` only, never inline).
pub const STYLESHEET_PATH: &str = "/sso/page.css";

/// The refusal pages' stylesheet: the console's colours and type, in a few lines, so a person
/// who is turned away still sees SchoolBridge, not a bare document.
pub const STYLESHEET: &str = "\
:root{color-scheme:light dark;--ink:#1b1f24;--muted:#4b5563;--paper:#f6f7f9;--card:#fff;--line:#d5dae1;--brand:#1d4f91}
@media (prefers-color-scheme:dark){:root{--ink:#e8eaed;--muted:#b4bac3;--paper:#15181c;--card:#1f2329;--line:#3a4048;--brand:#8ab4f8}}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--paper);color:var(--ink);font:1rem/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}
main.refusal{max-width:36rem;margin:1.5rem;padding:2rem 2.25rem;background:var(--card);border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:8px}
h1{margin:0 0 .75rem;font-size:1.5rem;line-height:1.25}
p{margin:.75rem 0;color:var(--muted)}
a{color:var(--brand);font-weight:600}
a:focus-visible{outline:3px solid var(--brand);outline-offset:2px}
";

/// `GET /sso/page.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// A page that explains a refusal.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// HTTP status.
    pub status: StatusCode,
    /// Heading.
    pub title: String,
    /// Explanation.
    pub message: String,
    /// Link back (label, URL).
    pub back: Option<(String, String)>,
}

impl Refusal {
    /// A refusal.
    pub fn new(status: StatusCode, title: &str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            title: title.to_owned(),
            message: message.into(),
            back: None,
        }
    }

    /// With a link back.
    pub fn back(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.back = Some((label.into(), url.into()));
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let back = self
            .back
            .map(|(label, url)| {
                format!(
                    "<p><a data-testid=\"sso-back\" href=\"{}\">{}</a></p>",
                    escape_html(&url),
                    escape_html(&label)
                )
            })
            .unwrap_or_default();
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><title>{t}</title><link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\"></head><body><main class=\"refusal\"><h1 data-testid=\"sso-title\">{t}</h1><p data-testid=\"sso-message\">{m}</p>{back}<p><a href=\"/\">SchoolBridge sign-in</a></p></main></body></html>",
            t = escape_html(&self.title),
            m = escape_html(&self.message),
        );
        (self.status, Html(html)).into_response()
    }
}

/// Strings.
pub mod text {
    /// No such peer, or deleted.
    pub const NOT_PERMITTED_TO_LAND: &str = "You cannot sign in from that site";
    /// Peer not configured for SSO.
    pub const NOT_CONFIGURED: &str = "Single sign-on is not set up for this site";
    /// The IdP did not confirm.
    pub const NOT_CONFIRMED: &str = "Your sign-in could not be confirmed";
    /// No login rights.
    pub const NO_LOGIN_RIGHTS: &str = "You do not have access to SchoolBridge yet";
    /// Jump refused.
    pub const CANNOT_JUMP: &str = "You cannot go to that site from here";
}
