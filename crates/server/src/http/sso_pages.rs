//! The SSO pages a stock Moodle links to (`mnet-protocol.md` §8): thin handlers around
//! `crate::sso`.

use super::HttpState;
use super::auth::cookie_token;
use crate::accounts::sessions;
use crate::sso::jump::{JumpQuery, Jumped, jump};
use crate::sso::land::{LandQuery, Landed, land};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// The User-Agent header's raw bytes: SSO tokens are bound to sha1 of exactly these (§8.1),
/// and a header with non-ASCII bytes (some in-app browsers) must hash as Moodle hashes it.
fn user_agent(headers: &axum::http::HeaderMap) -> Vec<u8> {
    headers
        .get(header::USER_AGENT)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default()
}

/// `GET /auth/mnet/land.php` (and Mahara's `/auth/xmlrpc/land.php`).
pub async fn land_page(
    State(s): State<HttpState>,
    Query(q): Query<LandQuery>,
    req: Request,
) -> Response {
    match land(&s.app, &q, &user_agent(req.headers())).await {
        Landed::Redirect {
            location,
            set_cookie,
        } => {
            let mut resp = Redirect::to(&location).into_response();
            if let Ok(v) = HeaderValue::from_str(&set_cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Landed::Refused(page) => page.into_response(),
    }
}

/// `GET /auth/mnet/jump.php`.
pub async fn jump_page(
    State(s): State<HttpState>,
    Query(q): Query<JumpQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let ua = user_agent(&parts.headers);
    let mut who = None;
    if let Some(token) = cookie_token(&parts, &s.app)
        && let Ok(Some(session)) = sessions::load(&s.app, &token).await
        && let Ok(Some(person)) = s.app.store.person(session.person_id).await
        && person.login_allowed
    {
        who = Some((session, person));
    }
    let here = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    match jump(&s.app, who, &q, &ua).await {
        Jumped::Redirect(to) => {
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Jumped::SignInFirst => {
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Redirect::to(&format!("/signin?next={next}")).into_response()
        }
        Jumped::Refused(page) => page.into_response(),
    }
}

/// Anything else under `/auth/`: not a page here.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}
