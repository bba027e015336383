//! The subcommands of the `moodle-sim` binary.

pub mod hostile;
pub mod load;
pub mod scenario;
pub mod serve;
pub mod site;
