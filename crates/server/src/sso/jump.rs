//! Jumping to a Moodle (SchoolBridge as identity provider, `mnet-protocol.md` §8.1):
//! `GET /auth/mnet/jump.php?hostid=…` or `?hostwwwroot=…`, `&wantsurl=…`. A single-use token
//! (40 hex characters from a CSPRNG), bound to sha1(User-Agent), valid 30 s; then a redirect to
//! the peer's land page exactly as Moodle builds it.

use super::TOKEN_SECS;
use super::pages::{Refusal, text};
use crate::accounts::sessions;
use crate::state::AppState;
use crate::store::people::PersonRow;
use crate::store::sessions::{SessionRow, insert_sso_token};
use axum::http::StatusCode;
use rand::Rng as _;

/// The query of the jump page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct JumpQuery {
    /// Peer id.
    pub hostid: Option<i64>,
    /// Or the peer's wwwroot.
    pub hostwwwroot: Option<String>,
    /// The page wanted on the peer.
    pub wantsurl: Option<String>,
}

/// What the jump page does.
#[derive(Debug)]
pub enum Jumped {
    /// Go to the peer's land page (or, for the person's own identity provider, its home).
    Redirect(String),
    /// Not signed in: sign in first, then come back.
    SignInFirst,
    /// Refused.
    Refused(Refusal),
}

/// A refusal with the way back to SchoolBridge's home.
fn refused(status: StatusCode, title: &str, message: impl Into<String>) -> Jumped {
    Jumped::Refused(Refusal::new(status, title, message).back("Back to SchoolBridge", "/"))
}

/// Jumps.
pub async fn jump(
    state: &AppState,
    who: Option<(SessionRow, PersonRow)>,
    q: &JumpQuery,
    user_agent: &[u8],
) -> Jumped {
    let Some((session, person)) = who else {
        return Jumped::SignInFirst;
    };
    let peer = match (q.hostid, q.hostwwwroot.as_deref()) {
        (Some(id), _) => state.store.peer(id).await.ok().flatten(),
        (None, Some(w)) => {
            let w = mnet::sso::jump_hostwwwroot(w);
            state.store.peer_by_wwwroot(&w).await.ok().flatten()
        }
        (None, None) => None,
    };
    let Some(peer) = peer.filter(|p| !p.deleted) else {
        return refused(
            StatusCode::NOT_FOUND,
            text::CANNOT_JUMP,
            "That site is not one SchoolBridge is connected to.",
        );
    };
    // A person from this very peer goes straight home (Moodle's Network servers block does the same).
    if person.peer_id == Some(peer.id) {
        return Jumped::Redirect(peer.wwwroot.clone());
    }
    // People from other sites do not roam onwards (Moodle refuses remote users too).
    if person.peer_id.is_some() {
        return refused(
            StatusCode::FORBIDDEN,
            text::CANNOT_JUMP,
            "Your account belongs to another site; sign in there to go on to this one.",
        );
    }
    if !super::switched_on(state, peer.id, super::routes::Way::Out).await {
        return refused(
            StatusCode::FORBIDDEN,
            text::NOT_CONFIGURED,
            format!(
                "An administrator must switch on single sign-on to {} (services sso_idp and sso_sp).",
                peer.name
            ),
        );
    }
    // The peer must take us: a land page, and our user_authorise subscribed (`routes`).
    let routes = super::routes::current(state, &peer, super::routes::Way::Out).await;
    let Some(land) = routes.land_path.clone().filter(|_| routes.takes_jump()) else {
        return refused(
            StatusCode::FORBIDDEN,
            text::NOT_CONFIGURED,
            format!(
                "{} has not switched on single sign-on for SchoolBridge's people (services sso_idp and sso_sp on its side).",
                peer.name
            ),
        );
    };
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let now = state.clock.now();
    let ua = sessions::useragent_sha1(user_agent);
    let stored = crate::write_tx!(state.store, |c| {
        insert_sso_token(
            c,
            &token,
            person.id,
            peer.id,
            &ua,
            now,
            now + TOKEN_SECS,
            Some(&session.id_hash),
        )
        .await
    });
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store the jump token");
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            text::CANNOT_JUMP,
            "Try again in a moment.",
        );
    }
    let wantsurl = q.wantsurl.as_deref().unwrap_or("/");
    // Moodle writes `idp` unencoded and `wantsurl` url-encoded (§8.1).
    Jumped::Redirect(format!(
        "{}{land}?token={token}&idp={}&wantsurl={}",
        peer.wwwroot,
        state.config.wwwroot,
        url::form_urlencoded::byte_serialize(wantsurl.as_bytes()).collect::<String>()
    ))
}
