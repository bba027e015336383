//! Signing in and out, the first administrator, and the health check.

use gloo_net::http::Method;
use schoolbridge_api::{LoginRequest, SessionInfo, SetupRequest, SetupStatus};

use super::{ApiError, NO_BODY, get, get_text, send, send_empty, set_csrf_token};

/// `GET /api/session`: who is signed in ([`ApiError::SignedOut`] when nobody is).
pub async fn current() -> Result<SessionInfo, ApiError> {
    let info: SessionInfo = get("/api/session").await?;
    set_csrf_token(Some(info.csrf_token.clone()));
    Ok(info)
}

/// `POST /api/session`: sign in with a local account.
pub async fn sign_in(request: LoginRequest) -> Result<SessionInfo, ApiError> {
    let info: SessionInfo = send(Method::POST, "/api/session", Some(&request)).await?;
    set_csrf_token(Some(info.csrf_token.clone()));
    Ok(info)
}

/// `DELETE /api/session`: sign out (an SSO session also ends at its identity provider).
pub async fn sign_out() -> Result<(), ApiError> {
    let outcome = send_empty(Method::DELETE, "/api/session", NO_BODY).await;
    set_csrf_token(None);
    match outcome {
        Err(ApiError::SignedOut) => Ok(()),
        other => other,
    }
}

/// `GET /api/setup`: whether the first administrator still has to be created.
pub async fn setup_status() -> Result<SetupStatus, ApiError> {
    get("/api/setup").await
}

/// `POST /api/setup`: create the first administrator with the one-time token.
pub async fn set_up(request: SetupRequest) -> Result<(), ApiError> {
    send_empty(Method::POST, "/api/setup", Some(&request)).await
}

/// `GET /healthz`: `"ok"` when the server and its database answer.
pub async fn health() -> Result<String, ApiError> {
    get_text("/healthz").await
}
