//! `/api/audit`: the MNet activity log for admins, with the envelope and the signer's
//! certificate so the console can verify a signature in the browser, trusting no server.

use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::store::{AuditDirection, AuditFilter, AuditRow};
use axum::Json;
use axum::extract::{Path, Query, State};
use schoolbridge_api as api;
use schoolbridge_api::roles::Right;
use serde::Deserialize;

/// Query string of `GET /api/audit`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    peer: Option<i64>,
    method: Option<String>,
    outcome: Option<String>,
    from_ms: Option<i64>,
    until_ms: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

fn summary(r: &AuditRow) -> api::AuditSummary {
    let e = &r.entry;
    api::AuditSummary {
        id: r.id,
        at_ms: e.at_ms,
        direction: e.direction.as_str().to_owned(),
        peer_id: e.peer_id,
        peer_wwwroot: e.peer_wwwroot.clone(),
        method: e.method.clone(),
        outcome: e.outcome.as_str().to_owned(),
        fault_code: e.fault_code,
        detail: e.detail.clone(),
        duration_us: e.duration_us,
        encrypted: e.encrypted,
        signed: e.signed,
    }
}

/// `GET /api/audit`.
pub async fn list(
    State(s): State<HttpState>,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<api::AuditSummary>>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    let f = AuditFilter {
        peer_id: q.peer,
        method: q.method.filter(|m| !m.trim().is_empty()),
        outcome: q.outcome.filter(|o| !o.is_empty()),
        from_ms: q.from_ms,
        until_ms: q.until_ms,
        before_id: q.before,
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(
        s.app
            .store
            .audit_entries(&f)
            .await?
            .iter()
            .map(summary)
            .collect(),
    ))
}

/// `GET /api/audit/{id}`.
pub async fn detail(
    State(s): State<HttpState>,
    authed: Authed,
    Path(id): Path<i64>,
) -> Result<Json<api::AuditDetail>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    let row = s
        .app
        .store
        .audit_entry(id)
        .await?
        .ok_or_else(|| ApiError::not_found("audit entry"))?;
    // Incoming messages and the replies we read on outgoing calls are both signed by the peer.
    let signer = match (
        row.entry.signed || row.entry.direction == AuditDirection::Out,
        row.entry.peer_id,
    ) {
        (true, Some(pid)) => s.app.store.peer(pid).await?.map(|p| p.certificate_pem),
        _ => None,
    };
    Ok(Json(api::AuditDetail {
        entry: summary(&row),
        envelope: row
            .entry
            .envelope
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
        envelope_note: row.entry.envelope_note.clone(),
        signer_certificate: signer,
    }))
}
