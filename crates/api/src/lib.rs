//! The JSON contract between the SchoolBridge server and its console (the internal one; the wire
//! contract with Moodle is MNet, in the `mnet` crate). Plain serde types, no behaviour, so both
//! sides compile the same definitions — natively and to wasm32.

use serde::{Deserialize, Serialize};

/// Every API error: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code, e.g. `not_found`, `unauthenticated`, `peer_unreachable`.
    pub code: String,
    /// What happened and what to do, in plain words.
    pub message: String,
}

/// `GET /healthz` and `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// The site's name.
    pub site_name: String,
    /// Our wwwroot.
    pub wwwroot: String,
    /// Server version.
    pub version: String,
}
