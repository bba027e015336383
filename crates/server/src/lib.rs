//! The SchoolBridge server: an MNet host that a stock Moodle 4.5 accepts as a peer, the
//! `schooltool_sis` service that receives a school's data, single sign-on both ways, storage on
//! SQLite or PostgreSQL, the console's host, and the command line. `docs/architecture.md` maps
//! the modules and the request flows.

pub mod accounts;
pub mod at_rest;
pub mod backup;
pub mod build_info;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto_pool;
pub mod http;
pub mod listener;
pub mod metrics;
pub mod mnet_host;
pub mod server;
pub mod sis;
pub mod sso;
pub mod state;
pub mod store;
pub mod tls;

pub use clock::Clock;
pub use config::{Config, ConfigLayer};
pub use state::AppState;
