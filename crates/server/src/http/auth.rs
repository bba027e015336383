//! The signed-in person, as an extractor for API handlers: reads the session cookie, applies the
//! timeouts, loads the person and their roles, and — on every request that changes something —
//! checks the `X-CSRF-Token` header against the session's token. A person whose login rights
//! were withdrawn is signed out. Handlers ask for a right (`schoolbridge_api::roles::Right`),
//! never for a role.

use super::HttpState;
use super::error::ApiError;
use crate::accounts::roles::effective_roles;
use crate::accounts::sessions::{self, tokens_match};
use crate::store::people::PersonRow;
use crate::store::sessions::SessionRow;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use schoolbridge_api::roles::{Right, RoleSet};

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Authed {
    /// The session.
    pub session: SessionRow,
    /// The person.
    pub person: PersonRow,
    /// Their effective roles.
    pub roles: RoleSet,
}

impl Authed {
    /// Whether their roles give them `right`.
    pub fn may(&self, right: Right) -> bool {
        self.roles.may(right)
    }

    /// 403 unless their roles give them `right`.
    pub fn require(&self, right: Right) -> Result<(), ApiError> {
        if self.may(right) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The session cookie's token, if any (the cookie's name depends on the site's scheme).
pub fn cookie_token(parts: &Parts, app: &crate::state::AppState) -> Option<String> {
    let name = sessions::cookie_name(app);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| sessions::token_from_cookie_header(h, name))
}

impl FromRequestParts<HttpState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HttpState,
    ) -> Result<Self, Self::Rejection> {
        let app = &state.app;
        let token = cookie_token(parts, app).ok_or_else(ApiError::unauthenticated)?;
        let session = sessions::load(app, &token)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !tokens_match(sent, &session.csrf_token) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "This request did not come from the SchoolBridge console (missing or wrong CSRF token). Reload the page.",
                ));
            }
        }
        let person = app
            .store
            .person(session.person_id)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        if !person.login_allowed {
            sessions::end(app, &session.id_hash).await?;
            return Err(ApiError::unauthenticated());
        }
        let roles = effective_roles(app, person.id).await?;
        Ok(Authed {
            session,
            person,
            roles,
        })
    }
}
