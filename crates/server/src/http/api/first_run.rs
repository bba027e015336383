//! `GET /api/first-run` (admins): the three things a fresh install still needs, each read from
//! what is stored rather than remembered — a live peer; school records accepted from a peer
//! SchoolBridge publishes `schooltool_sis` to (so both sides ticked the service); someone from a
//! peer allowed to sign in. The console's home page ticks them off.

use super::peer_home_link;
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::store::people::PeopleQuery;
use crate::store::{AuditDirection, AuditFilter};
use axum::Json;
use axum::extract::State;
use mnet::services::SCHOOLTOOL_SIS;
use schoolbridge_api as api;
use schoolbridge_api::roles::Right;

/// `GET /api/first-run`.
pub async fn get(
    State(s): State<HttpState>,
    authed: Authed,
) -> Result<Json<api::FirstRun>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    let store = &s.app.store;
    let peers = store.peers(false).await?;
    let mut out = api::FirstRun {
        wwwroot: s.app.config.wwwroot.clone(),
        peers: peers.iter().map(peer_home_link).collect(),
        ..api::FirstRun::default()
    };
    for peer in &peers {
        let publishes = store
            .peer_services(peer.id)
            .await?
            .iter()
            .any(|svc| svc.service == SCHOOLTOOL_SIS && svc.publish);
        if publishes && !out.records_arrived {
            let accepted = store
                .audit_entries(&AuditFilter {
                    peer_id: Some(peer.id),
                    method: Some("schooltool/sis/".into()),
                    outcome: Some("ok".into()),
                    limit: 50,
                    ..AuditFilter::default()
                })
                .await?;
            out.records_arrived = accepted
                .iter()
                .any(|row| row.entry.direction == AuditDirection::In);
        }
        if !out.sign_in_granted {
            let allowed = store
                .people(&PeopleQuery {
                    peer_id: Some(peer.id),
                    login_allowed: Some(true),
                    limit: 1,
                    ..PeopleQuery::default()
                })
                .await?;
            out.sign_in_granted = !allowed.is_empty();
        }
    }
    Ok(Json(out))
}
