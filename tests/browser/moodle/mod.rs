//! End to end against real, unmodified Moodle 4.5.5+ and 5.1.6 (installed by
//! `scripts/moodle-fixture.sh`): the stage `make test-moodle` runs these tests (and only these;
//! `make test-native` skips `real_moodle::`). Each test gets a fresh Moodle cloned from the
//! template ([`site::MoodleSite`]), a fresh SchoolBridge ([`crate::server::TestServer`]) and a
//! fresh headless Chromium, and asserts every step on both sides.

/// One test on each Moodle: `on_each_moodle!(scenario: test_on_45("m45-…"), test_on_51("m51-…"))`
/// makes the two `#[tokio::test]`s that call `scenario(Version::M45, "m45-…")` and
/// `scenario(Version::M51, "m51-…")` (the text names the test's screenshots).
macro_rules! on_each_moodle {
    ($scenario:ident: $m45:ident($shots45:literal), $m51:ident($shots51:literal)) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $m45() -> anyhow::Result<()> {
            $scenario(Version::M45, $shots45).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $m51() -> anyhow::Result<()> {
            $scenario(Version::M51, $shots51).await
        }
    };
}

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
