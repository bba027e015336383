//! `/api/site-key`: our certificate, the archived keys, and rotation on demand.

use super::cert_info;
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use axum::Json;
use axum::extract::State;
use schoolbridge_api as api;
use schoolbridge_api::roles::Right;

fn info(s: &HttpState) -> api::SiteKeyInfo {
    let ring = s.app.keys.ring();
    api::SiteKeyInfo {
        wwwroot: s.app.config.wwwroot.clone(),
        current: cert_info(&ring.current().cert),
        archived: ring
            .keys
            .iter()
            .skip(1)
            .map(|k| api::ArchivedKey {
                certificate: cert_info(&k.cert),
                retired_at: k.retired_at,
            })
            .collect(),
        lifetime_days: s.app.config.key_lifetime_days,
    }
}

/// `GET /api/site-key`.
pub async fn get(
    State(s): State<HttpState>,
    authed: Authed,
) -> Result<Json<api::SiteKeyInfo>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    s.app
        .keys
        .refresh_if_rotated()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(info(&s)))
}

/// `POST /api/site-key/rotate`.
pub async fn rotate(
    State(s): State<HttpState>,
    authed: Authed,
) -> Result<Json<api::SiteKeyInfo>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    s.app.keys.rotate().await.map_err(ApiError::internal)?;
    tracing::info!(by = authed.person.id, "site key rotated from the console");
    Ok(Json(info(&s)))
}
