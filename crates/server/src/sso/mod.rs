//! Single sign-on both ways (`mnet-protocol.md` §8). (Being implemented.)

pub mod mnet;

use crate::state::AppState;

/// Ends every console session that arrived by SSO from this peer (peer deleted, single logout).
pub async fn end_sessions_from_peer(_state: &AppState, _peer_id: i64) {}
