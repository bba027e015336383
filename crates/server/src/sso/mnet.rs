//! The SSO methods peers call on us (`mnet-protocol.md` §8.3, §8.4).

use crate::accounts::sessions;
use crate::mnet_host::context::CallContext;
use crate::state::AppState;
use crate::store::sessions::{
    end_session, end_sso_sessions_of, sessions_that_jumped, take_sso_token,
};
use mnet::fault::MnetFault;
use mnet::xmlrpc::{Struct, Value};

fn text_param(params: &[Value], i: usize) -> String {
    params
        .get(i)
        .and_then(Value::to_text_lenient)
        .unwrap_or_default()
}

/// Serves `auth/mnet/auth.php/*`.
pub async fn handle(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    match ctx.method.as_str() {
        "auth/mnet/auth.php/user_authorise" => user_authorise(state, ctx, params).await,
        "auth/mnet/auth.php/keepalive_server" => keepalive_server(state, ctx, params).await,
        "auth/mnet/auth.php/kill_children" => kill_children(state, ctx, params).await,
        "auth/mnet/auth.php/kill_child" => kill_child(state, ctx, params).await,
        "auth/mnet/auth.php/update_enrolments" => update_enrolments(state, ctx, params).await,
        "auth/mnet/auth.php/keepalive_client" => Ok(Value::from("All ok")),
        _ => Err(MnetFault::NoSuchFunction),
    }
}

/// `user_authorise(token, useragent)`: the token must exist, be unused, be for the calling peer,
/// match the user agent's hash and be within its 30 s; the reply is shaped as Moodle's (capture
/// 25). Faults 1, 2, 3 as Moodle's.
async fn user_authorise(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let token = text_param(params, 0);
    let useragent = text_param(params, 1).to_lowercase();
    if token.is_empty() {
        return Err(MnetFault::NoSessionExists);
    }
    let now = state.clock.now();
    let taken =
        crate::write_tx!(state.store, |c| take_sso_token(c, &token, now).await).map_err(|e| {
            tracing::error!(error = %e, "jump token lookup failed");
            MnetFault::Unknown
        })?;
    let Some(t) = taken else {
        return Err(MnetFault::NoSessionExists);
    };
    if t.used_at.is_some()
        || t.peer_id != ctx.peer.id
        || !sessions::tokens_match(&t.useragent_sha1, &useragent)
    {
        return Err(MnetFault::NoSessionExists);
    }
    if t.confirm_timeout < now {
        return Err(MnetFault::SessionTimedOut);
    }
    let person = state
        .store
        .person(t.person_id)
        .await
        .map_err(|_| MnetFault::Unknown)?
        .ok_or(MnetFault::UserMismatch)?;
    let Some(username) = person.local_username.clone() else {
        return Err(MnetFault::UserMismatch);
    };
    ctx.set_detail(format!("user_authorise for {username}"));
    let mut s = Struct::new()
        .with("auth", "mnet")
        .with("username", username.as_str())
        .with("firstname", person.firstname.as_str())
        .with("lastname", person.lastname.as_str())
        .with(
            "email",
            person
                .email
                .clone()
                .unwrap_or_else(|| format!("{username}@invalid.invalid")),
        )
        .with("wwwroot", state.config.wwwroot.as_str())
        .with("session.gc_maxlifetime", sessions::IDLE_SECS.to_string());
    // No `lang`, `timezone`, `country` or `city`: SchoolBridge keeps none of them per person, and a
    // Moodle copies every key it imports onto the person at each login. Without `lang` it uses its
    // own site language (auth/mnet confirm_mnet_session); the others keep the person's own values.
    if let Some(id) = &person.idnumber {
        s.push("idnumber", id.as_str());
    }
    s.push("myhosts", Value::Array(Vec::new()));
    Ok(Value::Struct(s))
}

/// `keepalive_server(usernames)`: the peer says these users (of ours, who jumped there) are
/// active; their sessions here stay alive.
async fn keepalive_server(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let names = mnet::sso::keepalive_usernames(params);
    let now = state.clock.now();
    let mut kept = 0;
    for name in names.iter().take(10_000) {
        let hashes = crate::write_tx!(state.store, |c| sessions_that_jumped(c, ctx.peer.id, name)
            .await)
        .unwrap_or_default();
        for h in hashes {
            if state.store.touch_session(&h, now).await.is_ok() {
                kept += 1;
            }
        }
    }
    ctx.set_detail(format!("kept {kept} sessions alive"));
    Ok(Value::Struct(
        Struct::new()
            .with("code", 0)
            .with("message", "All ok")
            .with("last log id", 0),
    ))
}

/// `kill_children(username, useragent)`: the person signed out at the peer; end their sessions
/// here that jumped there (single logout).
async fn kill_children(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let username = text_param(params, 0);
    let now = state.clock.now();
    let hashes = crate::write_tx!(state.store, |c| sessions_that_jumped(
        c,
        ctx.peer.id,
        &username
    )
    .await)
    .map_err(|_| MnetFault::Unknown)?;
    let mut ended = 0;
    for h in hashes {
        if crate::write_tx!(state.store, |c| end_session(c, &h, now).await).unwrap_or(false) {
            ended += 1;
        }
    }
    ctx.set_detail(format!("single logout: {ended} sessions ended"));
    Ok(Value::from(format!(
        "Ended {ended} session(s) for {username}."
    )))
}

/// `update_enrolments(username, courses)`: after each repeat SSO login a Moodle reports the
/// person's courses there (§8.2 step 8, §8.4) and ignores the answer. SchoolBridge takes
/// enrolments, with their history, from `schooltool_sis`, so the report is acknowledged and
/// audited (how many courses) but not stored — as Mahara does. Without this, every repeat
/// login would leave a 7012 fault in the activity log. An unknown person answers `false`, as
/// Moodle's identity provider does.
async fn update_enrolments(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let username = text_param(params, 0);
    let courses = match params.get(1) {
        Some(Value::Struct(s)) => s.len(),
        Some(v) => v.list_lenient().map(|l| l.len()).unwrap_or(0),
        None => 0,
    };
    let known = state
        .store
        .person_by_local_username(&username)
        .await
        .map_err(|_| MnetFault::Unknown)?
        .is_some();
    if !known {
        ctx.set_detail(format!("update_enrolments: no person {username:?} here"));
        return Ok(Value::Bool(false));
    }
    ctx.set_detail(format!(
        "update_enrolments: {courses} course(s) reported for {username}; not kept (enrolments come from schooltool_sis)"
    ));
    Ok(Value::from(""))
}

/// `kill_child(username, useragent)`: the person's identity provider asks us to end the session
/// they opened here by SSO.
async fn kill_child(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let username = text_param(params, 0);
    let ua = text_param(params, 1).to_lowercase();
    let now = state.clock.now();
    let ended = crate::write_tx!(state.store, |c| end_sso_sessions_of(
        c,
        ctx.peer.id,
        &username,
        Some(ua.as_str()).filter(|u| !u.is_empty()),
        now
    )
    .await)
    .map_err(|_| MnetFault::Unknown)?;
    ctx.set_detail(format!("kill_child: {ended} sessions ended"));
    Ok(Value::Bool(true))
}
