//! Single sign-on both ways (`mnet-protocol.md` §8), as a stock Moodle does it:
//! * `land` — Moodle → SchoolBridge: SchoolBridge is the service provider, calls the IdP's
//!   `user_authorise`, finds or creates the person by (peer, username), and starts a session
//!   only for people with login rights;
//! * `jump` — SchoolBridge → Moodle: SchoolBridge is the identity provider, issues a single-use
//!   token bound to sha1(User-Agent) and valid 30 s, and answers the peer's `user_authorise`;
//! * `mnet` — the SSO methods peers call on us (`user_authorise`, `keepalive_server`,
//!   `kill_children`, `kill_child`);
//! * `keepalive` — as Moodle's SP cron does, keeping IdP sessions alive for active users.

pub mod jump;
pub mod keepalive;
pub mod land;
pub mod mnet;
pub mod pages;
pub mod routes;

use crate::mnet_host::outbound;
use crate::state::AppState;
use crate::store::PeerRow;
use crate::store::people::PersonRow;
use crate::store::sessions::end_peer_sessions;
use ::mnet::services::{SSO_IDP, SSO_SP};
use ::mnet::xmlrpc::Value;

/// How long a jump token may wait for the peer's `user_authorise` (Moodle's default
/// `rpc_negotiation_timeout`).
pub const TOKEN_SECS: i64 = 30;

/// A peer we are the identity provider of: live (not deleted) and subscribed to our `sso_idp`.
/// `None` also when the store cannot tell (the caller then calls nobody).
pub async fn idp_peer(state: &AppState, peer_id: i64) -> Option<PeerRow> {
    let peer = state.store.peer(peer_id).await.ok().flatten()?;
    if peer.deleted {
        return None;
    }
    let subscribes = state
        .store
        .subscribes_to(peer.id, SSO_IDP)
        .await
        .unwrap_or(false);
    subscribes.then_some(peer)
}

/// Whether an administrator switched on single sign-on with a peer for people going `way`: out
/// (jump), we publish `sso_idp` and subscribe to its `sso_sp`; in (land), the other way round.
/// `false` also when the store cannot tell.
pub async fn switched_on(state: &AppState, peer_id: i64, way: routes::Way) -> bool {
    let (publish, subscribe) = match way {
        routes::Way::Out => (SSO_IDP, SSO_SP),
        routes::Way::In => (SSO_SP, SSO_IDP),
    };
    state
        .store
        .publishes_to(peer_id, publish)
        .await
        .unwrap_or(false)
        && state
            .store
            .subscribes_to(peer_id, subscribe)
            .await
            .unwrap_or(false)
}

/// Ends every console session that arrived by SSO from this peer (peer deleted).
pub async fn end_sessions_from_peer(state: &AppState, peer_id: i64) {
    let now = state.clock.now();
    if let Err(e) = crate::write_tx!(state.store, |c| end_peer_sessions(c, peer_id, now).await) {
        tracing::error!(error = %e, "could not end the peer's sessions");
    }
}

/// After a person who came from a peer signs out here, tell the peer (`kill_children`, as a
/// Moodle SP's logout does), in the background.
pub fn logout_at_idp(
    state: &AppState,
    peer_id: i64,
    person: &PersonRow,
    useragent_sha1: Option<String>,
) {
    let (state, username) = (state.clone(), person.mnet_username.clone());
    tokio::spawn(async move {
        let Some(username) = username else { return };
        let Some(peer) = idp_peer(&state, peer_id).await else {
            return;
        };
        let params = [
            Value::from(username),
            Value::from(useragent_sha1.unwrap_or_default()),
        ];
        let method = routes::current(&state, &peer, routes::Way::In)
            .await
            .idp_method("kill_children");
        if let Err(e) = outbound::call(&state, &peer, &method, &params).await {
            tracing::info!(peer = %peer.wwwroot, error = %e, "the identity provider did not confirm the single logout");
        }
    });
}

/// A local path to send a person to after SSO: only paths on this site (never an open
/// redirect). A full URL under our own wwwroot is reduced to its path.
pub fn local_path(wantsurl: Option<&str>, our_wwwroot: &str) -> String {
    let raw = wantsurl.unwrap_or("/").trim();
    let raw = raw.strip_prefix(our_wwwroot).unwrap_or(raw);
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && raw.len() <= 2000;
    if ok { raw.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths() {
        let ours = "https://sis.example";
        assert_eq!(local_path(Some("/sections/4?x=1"), ours), "/sections/4?x=1");
        assert_eq!(
            local_path(Some("https://sis.example/people"), ours),
            "/people"
        );
        assert_eq!(local_path(Some("https://evil.example/"), ours), "/");
        assert_eq!(local_path(Some("//evil.example/"), ours), "/");
        assert_eq!(local_path(Some("/\\evil.example"), ours), "/");
        assert_eq!(local_path(Some("javascript:alert(1)"), ours), "/");
        assert_eq!(local_path(None, ours), "/");
        assert_eq!(local_path(Some("/a\nb"), ours), "/");
    }
}
