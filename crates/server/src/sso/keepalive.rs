//! Keeping identity-provider sessions alive (`mnet-protocol.md` §8.4): like Moodle's SP cron,
//! every five minutes tell each IdP which of its users were active here in the last five
//! minutes (`keepalive_server`).

use crate::mnet_host::outbound;
use crate::state::AppState;
use mnet::xmlrpc::Value;

/// One round.
pub async fn run_once(state: &AppState) {
    let since = state.clock.now() - 300;
    let Ok(peers) = state.store.peers_with_active_sso(since).await else {
        return;
    };
    for peer_id in peers {
        let Some(peer) = super::idp_peer(state, peer_id).await else {
            continue;
        };
        let Ok(names) = state.store.active_sso_usernames(peer.id, since).await else {
            continue;
        };
        if names.is_empty() {
            continue;
        }
        let list = Value::Array(names.into_iter().map(Value::from).collect());
        let method = super::routes::current(state, &peer, super::routes::Way::In)
            .await
            .idp_method("keepalive_server");
        if let Err(e) = outbound::call(state, &peer, &method, &[list]).await {
            tracing::info!(peer = %peer.wwwroot, error = %e, "keepalive_server failed");
        }
    }
}
