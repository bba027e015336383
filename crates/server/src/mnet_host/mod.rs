//! SchoolBridge as an MNet host: the receive pipeline and dispatch, the outbound client, our
//! keys, and the peer registry.

pub mod audit_budget;
pub mod context;
pub mod dispatch;
pub mod keyring;
pub mod outbound;
pub mod peer_keys;
pub mod previews;
pub mod receive;
pub mod registry;
pub mod sender_limits;
pub mod site_name;
