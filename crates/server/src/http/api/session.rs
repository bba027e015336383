//! `/api/session` (sign in, who am I, sign out) and `/api/setup` (the first administrator).

use super::sign_in_throttle::{self, Throttled};
use super::{peer_home_link, person_summary};
use crate::accounts::people::{self as accounts, AccountError, NewAccount};
use crate::accounts::{roles::effective_roles, sessions};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::client_info::ClientInfo;
use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mnet::services::{SSO_IDP, SSO_SP};
use schoolbridge_api as api;

/// Builds the session description for the console.
pub async fn session_info(state: &AppState, authed: &Authed) -> Result<api::SessionInfo, ApiError> {
    let arrived_from = match authed.session.sso_peer_id {
        Some(id) => state.store.peer(id).await?.map(|p| peer_home_link(&p)),
        None => None,
    };
    Ok(api::SessionInfo {
        person: person_summary(state, &authed.person).await?,
        roles: authed.roles.names(),
        csrf_token: authed.session.csrf_token.clone(),
        site_name: state.config.site_name.clone(),
        network_servers: network_servers(state, &authed.person).await?,
        arrived_from,
    })
}

/// The Network Servers block (`mnet-protocol.md` §8.1): for a local account, the live peers it
/// may jump to — we publish `sso_idp` to them and subscribe to their `sso_sp`, and the peer's own
/// answer to `system/listServices` says it takes people from us (it subscribes to our `sso_idp`
/// and publishes its `sso_sp`) — each through our jump page; for a person from a peer, their own
/// identity provider's home page. A peer whose answer is missing or old is asked again in the
/// background, so a Moodle that has just ticked its boxes shows up on the next page.
pub async fn network_servers(
    state: &AppState,
    person: &crate::store::people::PersonRow,
) -> Result<Vec<api::PeerLink>, ApiError> {
    if let Some(home) = person.peer_id {
        return Ok(state
            .store
            .peer(home)
            .await?
            .filter(|p| !p.deleted)
            .map(|p| vec![peer_home_link(&p)])
            .unwrap_or_default());
    }
    let mut out = Vec::new();
    for p in state.store.peers(false).await? {
        if !(state.store.publishes_to(p.id, SSO_IDP).await?
            && state.store.subscribes_to(p.id, SSO_SP).await?)
        {
            continue;
        }
        let remote = state.store.remote_services(p.id).await?;
        crate::mnet_host::registry::refresh_remote_services_soon(
            state,
            &p,
            remote.as_ref().map(|r| r.checked_at),
        );
        // … and has a land page on for us (the methods it lists: `sso::routes`).
        let takes_our_people = remote
            .as_ref()
            .is_some_and(|r| r.subscribes(SSO_IDP) && r.publishes(SSO_SP))
            && crate::sso::routes::takes_jump(state, &p, remote.as_ref()).await;
        if takes_our_people {
            out.push(api::PeerLink {
                id: p.id,
                name: p.name.clone(),
                wwwroot: p.wwwroot.clone(),
                url: format!("/auth/mnet/jump.php?hostid={}", p.id),
            });
        }
    }
    Ok(out)
}

/// `GET /api/session`.
pub async fn get(
    State(s): State<HttpState>,
    authed: Authed,
) -> Result<Json<api::SessionInfo>, ApiError> {
    Ok(Json(session_info(&s.app, &authed).await?))
}

fn bad_credentials() -> ApiError {
    AccountError::BadCredentials.into()
}

/// A refused sign-in: counted for `/metrics`, and logged with the client's address (behind a
/// proxy, the one `trusted_proxies` vouches for), so that a tool such as fail2ban can act on it.
fn sign_in_refused(app: &AppState, client: Option<&ClientInfo>, name: &str, reason: &'static str) {
    app.metrics.sign_in_failed(reason);
    let client = client
        .map(ClientInfo::addr_text)
        .unwrap_or_else(|| "-".into());
    tracing::warn!(%client, name, reason, "sign-in refused");
}

/// `POST /api/session`: sign in. After five failures for a name, further tries wait a minute.
pub async fn login(
    State(s): State<HttpState>,
    client: Option<Extension<ClientInfo>>,
    headers: HeaderMap,
    Json(req): Json<api::LoginRequest>,
) -> Result<Response, ApiError> {
    let app = &s.app;
    let client = client.map(|Extension(c)| c);
    let name = api::rules::normalise_username(&req.username);
    if name.is_empty() || name.len() > api::rules::MAX_USERNAME {
        sign_in_refused(app, client.as_ref(), "", "bad_credentials");
        return Err(bad_credentials());
    }
    let now = app.clock.now();
    let addr = sign_in_throttle::counted_address(client.as_ref());
    if let Some(why) = sign_in_throttle::attempt(app, &name, addr, now).await? {
        sign_in_refused(app, client.as_ref(), &name, "throttled");
        let message = match why {
            Throttled::Name => {
                "Too many failed sign-ins for this name. Wait a minute and try again."
            }
            Throttled::Address => {
                "Too many failed sign-ins from your network. Wait fifteen minutes and try again."
            }
        };
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            message,
        ));
    }
    let person = match accounts::check_sign_in(app, &name, &req.password).await {
        Ok(person) => person,
        Err(e) => {
            let reason = match e {
                AccountError::NoLoginRights => "no_login_rights",
                AccountError::BadCredentials => "bad_credentials",
                _ => return Err(e.into()),
            };
            sign_in_refused(app, client.as_ref(), &name, reason);
            return Err(e.into());
        }
    };
    sign_in_throttle::succeeded(app, &name).await?;
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let started = sessions::start(app, person.id, None, ua).await?;
    let session = app
        .store
        .live_session(&started.id_hash)
        .await?
        .ok_or_else(|| ApiError::internal("new session vanished"))?;
    let roles = effective_roles(app, person.id).await?;
    let info = session_info(
        app,
        &Authed {
            session,
            person,
            roles,
        },
    )
    .await?;
    let mut resp = Json(info).into_response();
    if let Ok(v) = HeaderValue::from_str(&started.set_cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `DELETE /api/session`: sign out. A session that arrived by SSO also tells its identity
/// provider (`kill_children`, as Moodle's SP does on logout).
pub async fn logout(State(s): State<HttpState>, authed: Authed) -> Result<Response, ApiError> {
    sessions::end(&s.app, &authed.session.id_hash).await?;
    if let Some(peer_id) = authed.session.sso_peer_id {
        crate::sso::logout_at_idp(
            &s.app,
            peer_id,
            &authed.person,
            authed.session.useragent_sha1.clone(),
        );
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&sessions::cookie(&s.app, "", 0)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `GET /api/setup`.
pub async fn setup_status(State(s): State<HttpState>) -> Result<Json<api::SetupStatus>, ApiError> {
    Ok(Json(api::SetupStatus {
        needs_admin: s.app.store.count_admins().await? == 0,
    }))
}

/// `POST /api/setup`: creates the first administrator with the one-time token.
pub async fn setup(
    State(s): State<HttpState>,
    Json(req): Json<api::SetupRequest>,
) -> Result<StatusCode, ApiError> {
    let new = NewAccount {
        username: req.username,
        firstname: req.firstname,
        lastname: req.lastname,
        ..NewAccount::default()
    };
    accounts::create_first_admin(&s.app, &req.token, &new, &req.password).await?;
    Ok(StatusCode::CREATED)
}
