//! Serving the built console: its files ([`files`], compressed and cached by their names), and
//! the SPA fallback to `index.html` for client-side routes. `GET /` carries the site name in
//! `<title>`, which Moodle uses as the default peer name (`mnet-protocol.md` §1.1). The
//! Content-Security-Policy allows only our own scripts and wasm; the hashes of Trunk's inline
//! loader script are computed here from the built page.

pub mod files;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use files::{ConsoleFiles, Origin};
use sha2::{Digest, Sha256};

/// The console: its index page, prepared once at start-up, and its files.
#[derive(Debug)]
pub struct ConsolePage {
    /// `index.html` with the site name in `<title>`.
    pub html: String,
    /// The Content-Security-Policy for our pages.
    pub csp: String,
    /// The built console's files.
    pub files: ConsoleFiles,
    /// Whether a built console was found.
    pub built: bool,
}

impl ConsolePage {
    /// Prepares the index page of `files` (or a plain page saying how to build the console).
    pub fn new(files: ConsoleFiles, site_name: &str) -> Self {
        let title = escape_html(site_name);
        match files.index_html().map(String::from_utf8_lossy) {
            Some(raw) => {
                let html = replace_title(&raw, &title);
                let csp = csp_for(&html);
                ConsolePage {
                    html,
                    csp,
                    files,
                    built: true,
                }
            }
            None => {
                if let Origin::Missing(dir) = &files.origin {
                    tracing::warn!(dir = %dir.display(), "no built console found: run `make run` (or trunk build) to build it");
                }
                let html = format!(
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p>The SchoolBridge console has not been built. Run <code>make run</code>.</p></body></html>"
                );
                let csp = csp_for(&html);
                ConsolePage {
                    html,
                    csp,
                    files,
                    built: false,
                }
            }
        }
    }

    /// The index page response (revalidated on every visit: it names the hashed assets).
    pub fn index(&self) -> Response {
        let mut resp = Html(self.html.clone()).into_response();
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        resp
    }
}

fn replace_title(html: &str, title: &str) -> String {
    let lower = html.to_ascii_lowercase();
    match (lower.find("<title>"), lower.find("</title>")) {
        (Some(a), Some(b)) if b > a => format!(
            "{}<title>{title}</title>{}",
            &html[..a],
            &html[b + "</title>".len()..]
        ),
        _ => html.to_owned(),
    }
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A CSP allowing our own scripts and wasm, plus the inline scripts of this page by hash.
fn csp_for(html: &str) -> String {
    let mut hashes = String::new();
    let lower = html.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<script") {
        let tag_start = pos + start;
        let Some(tag_end) = lower[tag_start..].find('>').map(|i| tag_start + i + 1) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script>").map(|i| tag_end + i) else {
            break;
        };
        let body = &html[tag_end..close];
        if !lower[tag_start..tag_end].contains(" src=") && !body.trim().is_empty() {
            let digest =
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
            hashes.push_str(&format!(" 'sha256-{digest}'"));
        }
        pos = close + "</script>".len();
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// A 404 for a missing static asset (not the SPA page: a missing `.js` must not become HTML).
pub fn asset_not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_inline_script_hash() {
        let page = "<html><head><title>SchoolBridge</title><script type=\"module\">init()</script><script src=\"/a.js\"></script></head></html>";
        let out = replace_title(page, &escape_html("St. Mary's <High>"));
        assert!(out.contains("<title>St. Mary&#39;s &lt;High&gt;</title>"));
        let csp = csp_for(&out);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"init()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
