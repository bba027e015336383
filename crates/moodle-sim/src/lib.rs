//! moodle-sim: a Moodle-4.5-shaped MNet peer for demos, tests and load.

pub mod school;
