//! The simulator's HTML: escaping, the page frame with Moodle's login info line, cookies and
//! redirects. Pages carry `data-testid` attributes for browser tests and Moodle's own element
//! ids (`username`, `password`, `loginbtn`) where a Moodle page has them.

use crate::sim::SimMoodle;
use crate::sso::{BrowserSession, sha1_hex};
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The session cookie's name: `MoodleSession` plus a suffix of this site (Moodle's
/// `$CFG->sessioncookie`), so that two simulators on one host do not share a cookie.
pub(crate) fn cookie_name(sim: &SimMoodle) -> String {
    format!("MoodleSession{}", &sha1_hex(sim.wwwroot())[..8])
}

/// The browser's session cookie value, if it sent one.
pub(crate) fn session_cookie(sim: &SimMoodle, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(sim);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// The logged-in browser session, if any.
pub(crate) fn current_session(sim: &SimMoodle, headers: &HeaderMap) -> Option<BrowserSession> {
    session_cookie(sim, headers).and_then(|c| sim.browser_session(&c))
}

/// The display name of a session's user and, for a remote user, the name and wwwroot of the
/// site they came from.
pub(crate) fn who(sim: &SimMoodle, session: &BrowserSession) -> (String, Option<(String, String)>) {
    match session.remote_host {
        None => (
            sim.user(&session.username)
                .map_or_else(|| session.username.clone(), |u| u.fullname()),
            None,
        ),
        Some(host) => {
            let name = sim.remote_user(host, &session.username).map_or_else(
                || session.username.clone(),
                |u| format!("{} {}", u.firstname, u.lastname),
            );
            let from = sim.peer_by_id(host).map(|p| (p.name, p.wwwroot));
            (name, from)
        }
    }
}

/// A whole page: the site name, Moodle's login info line, the content.
pub(crate) fn page(
    sim: &SimMoodle,
    status: StatusCode,
    title: &str,
    session: Option<&BrowserSession>,
    content: &str,
) -> Response {
    let login_info = match session {
        None => "You are not logged in. (<a href=\"/login/index.php\" data-testid=\"login-link\">Log in</a>)".to_owned(),
        Some(s) => {
            let (name, from) = who(sim, s);
            let from = from.map_or_else(String::new, |(n, w)| {
                format!(" from <a href=\"{}\" data-testid=\"idp-link\">{}</a>", esc(&w), esc(&n))
            });
            format!(
                "You are logged in as <span data-testid=\"user-fullname\">{}</span>{from} \
                 (<a href=\"/login/logout.php\" data-testid=\"logout-link\">Log out</a>)",
                esc(&name)
            )
        }
    };
    let site = esc(sim.site_name());
    let title = esc(title);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;margin:0}}header{{background:#f98012;color:#fff;padding:.6em 1em}}\
         header a{{color:#fff}}main{{padding:1em;max-width:60em}}section{{border:1px solid #ddd;padding:.5em 1em;margin:1em 0}}\
         footer{{color:#777;font-size:.8em;padding:1em}}</style>\n</head>\n<body>\n\
         <header><a href=\"/\" data-testid=\"site-name\">{site}</a> · <span class=\"logininfo\" data-testid=\"login-info\">{login_info}</span></header>\n\
         <main>\n{content}\n</main>\n<footer>moodle-sim: a Moodle 4.5-shaped MNet peer for tests and demos</footer>\n</body>\n</html>\n"
    );
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// An error page in Moodle's manner.
pub(crate) fn error_page(
    sim: &SimMoodle,
    status: StatusCode,
    session: Option<&BrowserSession>,
    message: &str,
) -> Response {
    let content = format!(
        "<div class=\"alert\" data-testid=\"error\" role=\"alert\">{}</div>\n<p><a href=\"/\">Continue</a></p>",
        esc(message)
    );
    page(
        sim,
        status,
        &format!("Error | {}", sim.site_name()),
        session,
        &content,
    )
}

/// A redirect with the given status (302 for the jump, as Moodle's `redirect()` of an
/// external URL with headers; 303 elsewhere) and optional cookie.
pub(crate) fn redirect(status: StatusCode, location: &str, cookie: Option<String>) -> Response {
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// `Set-Cookie` for a new session.
pub(crate) fn session_set_cookie(sim: &SimMoodle, value: &str) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        cookie_name(sim)
    )
}

/// `Set-Cookie` that ends a session.
pub(crate) fn session_clear_cookie(sim: &SimMoodle) -> String {
    format!(
        "{}=deleted; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        cookie_name(sim)
    )
}

/// A root-relative local path (Moodle's `PARAM_LOCALURL` for our purposes), else `/`.
pub(crate) fn local_path(candidate: &str, wwwroot: &str) -> String {
    let c = candidate.trim();
    let c = c.strip_prefix(wwwroot).unwrap_or(c);
    if c.starts_with('/') && !c.starts_with("//") && !c.contains(['\\', '\r', '\n']) {
        c.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_local_paths() {
        assert_eq!(
            esc("<a href=\"x\">O'Brien & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
        assert_eq!(
            local_path("/course/view.php?id=2", "http://s"),
            "/course/view.php?id=2"
        );
        assert_eq!(local_path("http://s/my/", "http://s"), "/my/");
        assert_eq!(local_path("//evil.example/", "http://s"), "/");
        assert_eq!(local_path("https://evil.example/", "http://s"), "/");
    }
}
