//! Network administration: peers, the test client, the site key, people and the MNet activity
//! log (`/api/peers`, `/api/site-key`, `/api/people`, `/api/audit`).

use gloo_net::http::Method;
use schoolbridge_api::{
    AcceptKeyRequest, AuditDetail, AuditSummary, CallRequest, CallResponse, Changed,
    ConfirmPeerRequest, FirstRun, LoginRightsRequest, NewPersonRequest, PeerDetail, PeerPreview,
    PeerPreviewRequest, PeerSettings, PeerSummary, PersonSummary, ReviewResult, RolesRequest,
    ServiceSwitch, SiteKeyInfo, VerifyResult,
};

use super::{ApiError, NO_BODY, get, send};

/// `GET /api/first-run`: what a fresh install still needs, from real state.
pub async fn first_run() -> Result<FirstRun, ApiError> {
    get("/api/first-run").await
}

/// `GET /api/peers` (deleted ones included).
pub async fn peers() -> Result<Vec<PeerSummary>, ApiError> {
    get("/api/peers").await
}

/// `POST /api/peers/preview`: keyswap with the address; nothing is stored yet.
pub async fn preview_peer(request: PeerPreviewRequest) -> Result<PeerPreview, ApiError> {
    send(Method::POST, "/api/peers/preview", Some(&request)).await
}

/// `POST /api/peers`: confirm the certificate the administrator saw.
pub async fn confirm_peer(request: ConfirmPeerRequest) -> Result<PeerDetail, ApiError> {
    send(Method::POST, "/api/peers", Some(&request)).await
}

/// `GET /api/peers/{id}`.
pub async fn peer(id: i64) -> Result<PeerDetail, ApiError> {
    get(&format!("/api/peers/{id}")).await
}

/// `PUT /api/peers/{id}`: name and TLS verification.
pub async fn update_peer(id: i64, settings: PeerSettings) -> Result<PeerDetail, ApiError> {
    send(Method::PUT, &format!("/api/peers/{id}"), Some(&settings)).await
}

/// `PUT /api/peers/{id}/services`: every switch.
pub async fn set_services(id: i64, services: Vec<ServiceSwitch>) -> Result<PeerDetail, ApiError> {
    send(
        Method::PUT,
        &format!("/api/peers/{id}/services"),
        Some(&services),
    )
    .await
}

/// `POST /api/peers/{id}/verify`: a `system/listServices` round trip with a diagnosis.
pub async fn verify_peer(id: i64) -> Result<VerifyResult, ApiError> {
    send(Method::POST, &format!("/api/peers/{id}/verify"), NO_BODY).await
}

/// `POST /api/peers/{id}/review`: fetch the published key and compare.
pub async fn review_key(id: i64) -> Result<ReviewResult, ApiError> {
    send(Method::POST, &format!("/api/peers/{id}/review"), NO_BODY).await
}

/// `POST /api/peers/{id}/accept-key` with the fingerprint the administrator saw.
pub async fn accept_key(id: i64, fingerprint: String) -> Result<PeerDetail, ApiError> {
    send(
        Method::POST,
        &format!("/api/peers/{id}/accept-key"),
        Some(&AcceptKeyRequest { fingerprint }),
    )
    .await
}

/// `DELETE /api/peers/{id}` (soft: no traffic, restorable).
pub async fn delete_peer(id: i64) -> Result<PeerDetail, ApiError> {
    send(Method::DELETE, &format!("/api/peers/{id}"), NO_BODY).await
}

/// `POST /api/peers/{id}/restore`.
pub async fn restore_peer(id: i64) -> Result<PeerDetail, ApiError> {
    send(Method::POST, &format!("/api/peers/{id}/restore"), NO_BODY).await
}

/// `POST /api/peers/{id}/call`: the test client.
pub async fn call(id: i64, request: CallRequest) -> Result<CallResponse, ApiError> {
    send(
        Method::POST,
        &format!("/api/peers/{id}/call"),
        Some(&request),
    )
    .await
}

/// `GET /api/site-key`.
pub async fn site_key() -> Result<SiteKeyInfo, ApiError> {
    get("/api/site-key").await
}

/// `POST /api/site-key/rotate`.
pub async fn rotate_site_key() -> Result<SiteKeyInfo, ApiError> {
    send(Method::POST, "/api/site-key/rotate", NO_BODY).await
}

/// `GET /api/people{query}` (query from `model::people::PeopleFilter::query`).
pub async fn people(query: String) -> Result<Vec<PersonSummary>, ApiError> {
    get(&format!("/api/people{query}")).await
}

/// `POST /api/people`: a local account.
pub async fn create_person(request: NewPersonRequest) -> Result<PersonSummary, ApiError> {
    send(Method::POST, "/api/people", Some(&request)).await
}

/// `PUT /api/people/login`: login rights, one by one or in bulk.
pub async fn set_login_rights(request: LoginRightsRequest) -> Result<Changed, ApiError> {
    send(Method::PUT, "/api/people/login", Some(&request)).await
}

/// `PUT /api/people/{id}/roles`.
pub async fn set_roles(id: i64, roles: Vec<String>) -> Result<PersonSummary, ApiError> {
    send(
        Method::PUT,
        &format!("/api/people/{id}/roles"),
        Some(&RolesRequest { roles }),
    )
    .await
}

/// `GET /api/audit{query}` (query from `model::audit::AuditFilter::query`).
pub async fn audit(query: String) -> Result<Vec<AuditSummary>, ApiError> {
    get(&format!("/api/audit{query}")).await
}

/// `GET /api/audit/{id}`: the entry with its envelope and the signer's certificate.
pub async fn audit_entry(id: i64) -> Result<AuditDetail, ApiError> {
    get(&format!("/api/audit/{id}")).await
}
