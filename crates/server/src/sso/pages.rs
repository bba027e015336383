//! The few server-rendered pages of SSO: a refusal explains why in plain words and links back to
//! where the person came from. Every string is here, in one place, for translation.

use crate::http::console::escape_html;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title></head><body><main><h1 data-testid=\"sso-title\">{t}</h1><p data-testid=\"sso-message\">{m}</p>{back}<p><a href=\"/\">SchoolBridge sign-in</a></p></main></body></html>",
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
