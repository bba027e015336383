//! End to end against real, unmodified Moodle 4.5.5+ and 5.1.6 (installed by
//! `scripts/moodle-fixture.sh`): the stage `make test-moodle` runs these tests (and only these;
//! `make test-native` skips `real_moodle::`). Each test gets a fresh Moodle cloned from the
//! template ([`site::MoodleSite`]), a fresh SchoolBridge ([`crate::server::TestServer`]) and a
//! fresh headless Chromium, and asserts every step on both sides.

pub mod pages;
pub mod sb_api;
pub mod sis_check;
pub mod site;

pub mod flows;
pub mod sso_steps;

mod course_total;
mod diagnosis;
mod keys;
mod peering;
mod push;
mod sso45;
mod sso_plugin;
mod upgrade;
