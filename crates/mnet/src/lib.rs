//! Moodle MNet on the wire, sans I/O: XML-RPC, the signed and encrypted envelopes, site keys and
//! peer certificates, and MNet's fault codes. The specification is `docs/mnet-protocol.md`; every
//! module cites the section it implements.
//!
//! Nothing here does I/O, reads a clock or owns a random number generator: time and randomness
//! are passed in, so the crate builds for wasm32 (the console verifies signatures with it) as well
//! as natively. Data from the network goes through typestates — an [`envelope::SignedEnvelope`]
//! can only become an [`envelope::VerifiedEnvelope`] by checking its signature — so unverified
//! bytes cannot reach business logic.

pub mod client;
pub mod envelope;
pub mod fault;
pub mod keys;
pub mod server;
pub mod services;
pub mod sis;
pub mod sso;
pub mod xmlrpc;
