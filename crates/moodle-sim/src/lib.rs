//! moodle-sim: a Moodle-4.5-shaped MNet peer for demos, tests and load.
//!
//! A [`SimMoodle`] presents itself exactly as a Moodle 4.5 site with our `local_schooltool`
//! plugin does: a Moodle-shaped certificate, the MNet endpoint at `/mnet/xmlrpc/server.php`
//! with Moodle's pipeline and faults, Moodle's client behaviour when it calls out (7025
//! handling included), SSO jump and land pages, and a generated school that it pushes to a
//! peer one `schooltool/sis/*` call per change. The protocol itself is the `mnet` crate's; this
//! crate only wires it to HTTP and to simulated state.
//!
//! Tests of other crates start one with [`start_loopback`], register it with [`SimMoodle::add_peer`],
//! and drive it with [`SimMoodle::call`], [`SimMoodle::push`], [`SimMoodle::jump`],
//! [`SimMoodle::rotate_key`] and [`SimMoodle::set_clock_offset`].

pub mod calls;
mod client;
pub mod clock;
mod error;
pub mod identity;
pub mod peers;
mod push;
pub mod school;
mod server;
mod sim;
pub mod sso;

pub use calls::{CallOutcome, ReceivedCall, Transport};
pub use client::Reply;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SimError;
pub use identity::SiteIdentity;
pub use peers::{Application, PeerRecord};
pub use push::{PushProgress, PushStop, PushSummary};
pub use school::{Change, ChangeBody, Role, SchoolSpec, SchoolState, Story};
pub use server::{ServeHandle, start_loopback};
pub use sim::{
    MOODLE_TIMEOUT, PushOptions, RemoteUser, SPRINGFIELD, SimConfig, SimMoodle, normalise_wwwroot,
};
