//! SchoolBridge as an MNet host: the receive pipeline and dispatch, the outbound client, our
//! keys, and the peer registry.

pub mod context;
pub mod dispatch;
pub mod keyring;
pub mod outbound;
pub mod peer_keys;
pub mod receive;
pub mod registry;
