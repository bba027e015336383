//! `/api/peers`: the peer registry for admins — list, add (preview, then confirm the
//! certificate), page, settings, services, verify, review and accept a changed key, delete and
//! restore, and the test client that calls any method through SchoolBridge's keys.

use super::{cert_info, peer_summary};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::mnet_host::outbound::{self, OutboundError};
use crate::mnet_host::previews;
use crate::mnet_host::registry::{self, RegistryError};
use crate::state::Reach;
use crate::store::{PeerRow, PeerServiceRow};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mnet::client::Reply;
use mnet::keys::PeerCertificate;
use mnet::xmlrpc::{Struct, Value};
use schoolbridge_api as api;
use schoolbridge_api::roles::Right;

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Store(s) => ApiError::internal(s),
            RegistryError::NotFound(what) => ApiError::not_found(&format!("peer {what}")),
            RegistryError::Peer { diagnosis, .. } => {
                ApiError::new(StatusCode::BAD_GATEWAY, "peer_unreachable", diagnosis)
            }
            RegistryError::AlreadyExists(w) => ApiError::new(
                StatusCode::CONFLICT,
                "already_exists",
                format!("{w} is already a peer."),
            ),
            RegistryError::CertificateChanged => {
                ApiError::new(StatusCode::CONFLICT, "certificate_changed", e.to_string())
            }
            other => ApiError::bad_request("invalid", other.to_string()),
        }
    }
}

/// The peer a `/api/peers/{id}/…` request names, for someone who may manage the network: the
/// right is checked before the id is read, so no one else learns which peers exist.
pub struct ManagedPeer(PeerRow);

impl FromRequestParts<HttpState> for ManagedPeer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &HttpState) -> Result<Self, Response> {
        let authed = Authed::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        authed
            .require(Right::ManageNetwork)
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<i64>::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let peer = s.app.store.peer(id).await.map_err(ApiError::from);
        match peer {
            Ok(Some(p)) => Ok(ManagedPeer(p)),
            Ok(None) => Err(ApiError::not_found("peer").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

async fn detail_of(s: &HttpState, p: &PeerRow) -> Result<api::PeerDetail, ApiError> {
    let cert = PeerCertificate::from_pem(&p.certificate_pem).map_err(ApiError::internal)?;
    let pending = p
        .pending_pem
        .as_deref()
        .and_then(|pem| PeerCertificate::from_pem(pem).ok())
        .map(|c| cert_info(&c));
    let services = s
        .app
        .store
        .peer_services(p.id)
        .await?
        .into_iter()
        .map(|r| api::ServiceSwitch {
            service: r.service,
            publish: r.publish,
            subscribe: r.subscribe,
        })
        .collect();
    Ok(api::PeerDetail {
        peer: peer_summary(p),
        certificate: cert_info(&cert),
        pending_certificate: pending,
        services,
        tls_verify: p.tls_verify,
        sso: crate::sso::routes::peer_sso(&s.app, p).await,
    })
}

/// `GET /api/peers`.
pub async fn list(
    State(s): State<HttpState>,
    authed: Authed,
) -> Result<Json<Vec<api::PeerSummary>>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    Ok(Json(
        s.app
            .store
            .peers(true)
            .await?
            .iter()
            .map(peer_summary)
            .collect(),
    ))
}

/// `POST /api/peers/preview`: keyswap and the checks Moodle makes; nothing is stored yet.
pub async fn preview(
    State(s): State<HttpState>,
    authed: Authed,
    Json(req): Json<api::PeerPreviewRequest>,
) -> Result<Json<api::PeerPreview>, ApiError> {
    authed.require(Right::ManageNetwork)?;
    let app_name = req.application.as_deref().unwrap_or("moodle");
    // Where a console admin may point the server (the command line's `peer add` is the
    // operator's own and is not held back).
    if let Ok(wwwroot) = crate::config::normalise_wwwroot(&req.url) {
        previews::check_target(&s.app, &wwwroot).await?;
    }
    // Checked again on the addresses each connection uses (DNS rebinding).
    let reach = Reach {
        tls_verify: req.tls_verify.unwrap_or(true),
        guarded: !s.app.config.allow_private_peers,
    };
    let p = match registry::preview(&s.app, &req.url, app_name, reach).await {
        Ok(p) => p,
        Err(RegistryError::Peer {
            source: OutboundError::InternalAddress(message),
            ..
        }) => return Err(RegistryError::BadUrl(message).into()),
        // No Moodle there: say whether the name, the port or the answer is wrong.
        Err(RegistryError::Peer { source, diagnosis }) => {
            let wwwroot = crate::config::normalise_wwwroot(&req.url).unwrap_or(req.url);
            return Err(super::peer_problems::explain(&wwwroot, &source, diagnosis, reach).await);
        }
        Err(other) => return Err(other.into()),
    };
    let out = api::PeerPreview {
        wwwroot: p.wwwroot.clone(),
        application: p.application.clone(),
        name: p.name.clone(),
        certificate: cert_info(&p.certificate),
        restores_deleted: p.restores_deleted.is_some(),
    };
    previews::keep(&s.app, &p).await?;
    Ok(Json(out))
}

/// `POST /api/peers`: the admin confirms the certificate they were shown.
pub async fn confirm(
    State(s): State<HttpState>,
    authed: Authed,
    Json(req): Json<api::ConfirmPeerRequest>,
) -> Result<(StatusCode, Json<api::PeerDetail>), ApiError> {
    authed.require(Right::ManageNetwork)?;
    let Some(preview) = previews::waiting(&s.app, &req.wwwroot).await? else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_preview",
            "Fetch the peer's certificate first (the preview expired after ten minutes).",
        ));
    };
    if preview.application != req.application {
        return Err(ApiError::bad_request(
            "invalid",
            "the application differs from the preview",
        ));
    }
    let peer = registry::confirm(
        &s.app,
        &preview,
        &req.fingerprint,
        Some(&req.name),
        req.tls_verify,
    )
    .await?;
    previews::forget(&s.app, &req.wwwroot).await?;
    Ok((StatusCode::CREATED, Json(detail_of(&s, &peer).await?)))
}

/// `GET /api/peers/{id}`.
pub async fn detail(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
) -> Result<Json<api::PeerDetail>, ApiError> {
    Ok(Json(detail_of(&s, &p).await?))
}

/// `PUT /api/peers/{id}`: name and TLS verification.
pub async fn update(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
    Json(req): Json<api::PeerSettings>,
) -> Result<Json<api::PeerDetail>, ApiError> {
    let p = registry::update_settings(&s.app, &p, &req.name, req.tls_verify).await?;
    Ok(Json(detail_of(&s, &p).await?))
}

/// `PUT /api/peers/{id}/services`.
pub async fn set_services(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
    Json(req): Json<Vec<api::ServiceSwitch>>,
) -> Result<Json<api::PeerDetail>, ApiError> {
    let rows: Vec<PeerServiceRow> = req
        .into_iter()
        .map(|r| PeerServiceRow {
            service: r.service,
            publish: r.publish,
            subscribe: r.subscribe,
        })
        .collect();
    registry::set_services(&s.app, &p, &rows).await?;
    Ok(Json(detail_of(&s, &p).await?))
}

/// `POST /api/peers/{id}/verify`: a listServices round trip with a diagnosis.
pub async fn verify(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
) -> Result<Json<api::VerifyResult>, ApiError> {
    if p.deleted {
        return Err(ApiError::bad_request(
            "deleted",
            "This peer is deleted; restore it first.",
        ));
    }
    let v = registry::verify(&s.app, &p).await;
    Ok(Json(api::VerifyResult {
        ok: v.ok,
        services: v
            .services
            .into_iter()
            .map(|(service, publish, subscribe)| api::ServiceSwitch {
                service,
                publish,
                subscribe,
            })
            .collect(),
        diagnosis: v.diagnosis,
        millis: v.millis,
    }))
}

/// `POST /api/peers/{id}/review`: fetch the published key and compare.
pub async fn review(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
) -> Result<Json<api::ReviewResult>, ApiError> {
    let r = registry::review(&s.app, &p).await?;
    Ok(Json(api::ReviewResult {
        key_changed: r.key_changed,
        published: cert_info(&r.published),
    }))
}

/// `POST /api/peers/{id}/accept-key`.
pub async fn accept_key(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
    Json(req): Json<api::AcceptKeyRequest>,
) -> Result<Json<api::PeerDetail>, ApiError> {
    let p = registry::accept_pending_key(&s.app, &p, &req.fingerprint).await?;
    Ok(Json(detail_of(&s, &p).await?))
}

/// `DELETE /api/peers/{id}`: soft delete.
pub async fn delete(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
) -> Result<Json<api::PeerDetail>, ApiError> {
    set_deleted(&s, &p, true).await
}

/// `POST /api/peers/{id}/restore`.
pub async fn restore(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
) -> Result<Json<api::PeerDetail>, ApiError> {
    set_deleted(&s, &p, false).await
}

/// Delete and restore: the one flag.
async fn set_deleted(
    s: &HttpState,
    p: &PeerRow,
    deleted: bool,
) -> Result<Json<api::PeerDetail>, ApiError> {
    let p = registry::set_deleted(&s.app, p, deleted).await?;
    Ok(Json(detail_of(s, &p).await?))
}

fn param(p: &api::TypedParam) -> Result<Value, ApiError> {
    let bad = |m: &str| ApiError::bad_request("bad_param", format!("{m}: {:?}", p.value));
    Ok(match p.kind.as_str() {
        "string" => Value::from(p.value.as_str()),
        "int" => Value::Int(p.value.trim().parse().map_err(|_| bad("not an integer"))?),
        "double" => Value::Double(p.value.trim().parse().map_err(|_| bad("not a number"))?),
        "boolean" => Value::Bool(
            Value::from(p.value.as_str())
                .as_bool_lenient()
                .ok_or_else(|| bad("not a boolean"))?,
        ),
        "struct-json" => {
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&p.value).map_err(|_| bad("not a JSON object"))?;
            let mut s = Struct::new();
            for (k, v) in map {
                let text = match v {
                    serde_json::Value::String(t) => t,
                    other => other.to_string(),
                };
                s.push(k, text);
            }
            Value::Struct(s)
        }
        other => {
            return Err(ApiError::bad_request(
                "bad_param",
                format!("unknown parameter type {other:?}"),
            ));
        }
    })
}

/// Pretty-prints a value for people.
fn show(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Struct(s) => {
            for (k, v) in s.iter() {
                out.push_str(&format!("{pad}{k}:"));
                if matches!(v, Value::Struct(_) | Value::Array(_)) {
                    out.push('\n');
                    show(v, indent + 1, out);
                } else {
                    out.push(' ');
                    show(v, 0, out);
                }
            }
        }
        Value::Array(a) if a.is_empty() => out.push_str(&format!("{pad}[]\n")),
        Value::Array(a) => {
            for item in a {
                out.push_str(&format!("{pad}-\n"));
                show(item, indent + 1, out);
            }
        }
        Value::Base64(b) => out.push_str(&format!("{pad}<{} bytes of base64>\n", b.len())),
        Value::Nil => out.push_str(&format!("{pad}nil\n")),
        other => out.push_str(&format!(
            "{pad}{}\n",
            other.to_text_lenient().unwrap_or_default()
        )),
    }
}

/// `POST /api/peers/{id}/call`: the test client (Moodle's `admin/mnet/testclient.php`). The
/// server signs and encrypts with the site key and forwards; the reply's signed envelope comes
/// back so the console can check the signature itself.
pub async fn call(
    State(s): State<HttpState>,
    ManagedPeer(p): ManagedPeer,
    Json(req): Json<api::CallRequest>,
) -> Result<Json<api::CallResponse>, ApiError> {
    if p.deleted {
        return Err(ApiError::bad_request(
            "deleted",
            "This peer is deleted; restore it first.",
        ));
    }
    if !mnet::fault::method_name_is_valid(&req.method) {
        return Err(ApiError::bad_request(
            "bad_method",
            "Method names look like system/listServices or auth/mnet/auth.php/user_authorise.",
        ));
    }
    let params = req
        .params
        .iter()
        .map(param)
        .collect::<Result<Vec<_>, _>>()?;
    let started = std::time::Instant::now();
    let traced = outbound::call_traced(&s.app, &p, &req.method, &params).await;
    let millis = started.elapsed().as_millis() as i64;
    let peer_now = s.app.store.peer(p.id).await?.unwrap_or(p);
    let mut resp = api::CallResponse {
        request_xmlrpc: mnet::xmlrpc::write_call(&req.method, &params),
        request_envelope: traced.request_envelope,
        reply_envelope: traced
            .reply_envelope
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        peer_certificate: peer_now.certificate_pem.clone(),
        result: None,
        fault_code: None,
        error: None,
        millis,
    };
    match traced.result {
        Ok(Reply::Value(v)) => {
            let mut text = String::new();
            show(&v, 0, &mut text);
            resp.result = Some(text);
        }
        Ok(Reply::Fault(f)) => {
            resp.fault_code = Some(f.code);
            resp.error = Some(f.string);
        }
        Ok(Reply::KeyChanged(_)) => {
            resp.error = Some("The peer changed its key twice in a row.".into())
        }
        Err(e) => {
            if let OutboundError::Reply(mnet::client::ReplyError::RemoteFault(f)) = &e {
                resp.fault_code = Some(f.code);
            }
            resp.error = Some(e.diagnosis(&s.app.config.wwwroot));
        }
    }
    Ok(Json(resp))
}
