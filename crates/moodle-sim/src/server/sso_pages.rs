//! The SSO pages (`mnet-protocol.md` §8): `jump.php`, where a logged-in user of the simulated
//! site leaves for a peer with a fresh token, and `land.php`, where a user arrives from a
//! peer (the simulator then calls the peer's `user_authorise` and logs the user in as a
//! remote user).

use super::html::{current_session, error_page, local_path, redirect, session_set_cookie};
use crate::client::Reply;
use crate::sim::{RemoteUser, SimMoodle};
use crate::sso::{BrowserSession, php_urlencode, sha1_hex};
use axum::extract::{Query, State};
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mnet::xmlrpc::Value;
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// `GET /auth/mnet/jump.php?hostid=N` or `?hostwwwroot=URL`, with an optional `wantsurl`
/// (§8.1). Not logged in: to the login page first. Then a token bound to sha1(User-Agent),
/// valid 30 s, and a 302 to the peer's land page built exactly as Moodle builds it.
pub(crate) async fn jump(
    State(sim): State<SimMoodle>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let Some(session) = current_session(&sim, &headers) else {
        let mut back = "/auth/mnet/jump.php?".to_owned();
        let query: Vec<String> = ["hostid", "hostwwwroot", "wantsurl"]
            .iter()
            .filter_map(|k| q.get(*k).map(|v| format!("{k}={}", php_urlencode(v))))
            .collect();
        back.push_str(&query.join("&"));
        return super::pages::to_login(&back);
    };
    if session.remote_host.is_some() {
        return error_page(
            &sim,
            StatusCode::FORBIDDEN,
            Some(&session),
            "You do not have permission to begin a remote session from this Moodle hub.",
        );
    }
    let peer = match (q.get("hostid"), q.get("hostwwwroot")) {
        (Some(id), _) => id.trim().parse().ok().and_then(|id| sim.peer_by_id(id)),
        (None, Some(w)) => sim.peer(&mnet::sso::jump_hostwwwroot(w)),
        (None, None) => None,
    };
    let Some(peer) = peer else {
        return error_page(
            &sim,
            StatusCode::NOT_FOUND,
            Some(&session),
            "This remote Moodle Hub has not been configured for remote login.",
        );
    };
    let wantsurl = q.get("wantsurl").map_or("", String::as_str);
    let ua_hash = sha1_hex(&user_agent(&headers));
    let now = sim.now();
    let token = sim
        .sso()
        .start_jump(&session.username, peer.id, &ua_hash, now);
    let url = match sim.land_url(&peer.wwwroot, &token, wantsurl) {
        Ok(url) => url,
        Err(e) => return error_page(&sim, StatusCode::NOT_FOUND, Some(&session), &e.to_string()),
    };
    tracing::info!(peer = %peer.wwwroot, "user jumps to a peer");
    redirect(StatusCode::FOUND, &url, None)
}

/// `GET /auth/mnet/land.php?token=…&idp=…&wantsurl=…` (§8.2, service-provider side): confirm
/// the token with the identity provider's `user_authorise(token, sha1(User-Agent))`, require
/// username, names and email, log the user in as a remote user of that peer and redirect.
pub(crate) async fn land(
    State(sim): State<SimMoodle>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let get = |k: &str| q.get(k).map_or("", |v| v.trim());
    let Some(idp) = sim.peer(get("idp")) else {
        return error_page(
            &sim,
            StatusCode::FORBIDDEN,
            None,
            "Sorry, but you are not permitted to log in from that site.",
        );
    };
    let ua_hash = sha1_hex(&user_agent(&headers));
    let params = vec![Value::from(get("token")), Value::from(ua_hash)];
    let reply = sim
        .call(&idp.wwwroot, "auth/mnet/auth.php/user_authorise", params)
        .await;
    let user = match reply {
        Ok(Reply::Value(Value::Struct(s))) => {
            let field = |k: &str| {
                s.get(k)
                    .and_then(Value::to_text_lenient)
                    .unwrap_or_default()
            };
            RemoteUser {
                username: field("username"),
                firstname: field("firstname"),
                lastname: field("lastname"),
                email: field("email"),
                host_id: idp.id,
            }
        }
        Ok(other) => {
            let code = other.fault_code().unwrap_or(0);
            tracing::warn!(peer = %idp.wwwroot, code, "user_authorise refused the landing");
            return error_page(
                &sim,
                StatusCode::FORBIDDEN,
                None,
                &format!("The identity provider refused the login (fault {code})."),
            );
        }
        Err(e) => {
            tracing::warn!(peer = %idp.wwwroot, "user_authorise failed: {e}");
            return error_page(
                &sim,
                StatusCode::BAD_GATEWAY,
                None,
                "The identity provider could not be asked.",
            );
        }
    };
    if [&user.username, &user.firstname, &user.lastname, &user.email]
        .iter()
        .any(|f| f.is_empty())
    {
        return error_page(
            &sim,
            StatusCode::FORBIDDEN,
            None,
            "Your identity provider did not send enough information (username, names and email).",
        );
    }
    let username = user.username.clone();
    sim.upsert_remote_user(user);
    let cookie = sim.sso().log_in(BrowserSession {
        username,
        remote_host: Some(idp.id),
    });
    let path = local_path(get("wantsurl"), sim.wwwroot());
    let target = if get("remoteurl") == "1" {
        format!("{}{path}", idp.wwwroot)
    } else {
        format!("{}{path}", sim.wwwroot())
    };
    tracing::info!(peer = %idp.wwwroot, "user landed from a peer");
    redirect(
        StatusCode::SEE_OTHER,
        &target,
        Some(session_set_cookie(&sim, &cookie)),
    )
}
