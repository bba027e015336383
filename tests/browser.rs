//! End-to-end tests of the console as a person uses it: the real `schoolbridge` binary serving
//! the real Trunk build in `dist/`, opened in headless Chromium driven through chromedriver, with
//! a simulated Moodle (`moodle-sim`) in the test process when a peer is needed.
//!
//! This is the root package's one integration-test binary (STYLE.md §7). Reusable pieces live
//! in `tests/browser/`: [`server::TestServer`] and [`driver::Browser`] start their processes
//! and end them on drop; [`actions`] holds the steps people take (sign in, add a peer).
//! `make test` builds `dist/` and `target/debug/schoolbridge` first. Screenshots and process
//! logs go to `test-artifacts/`. The console benchmark (`budget`) is `#[ignore]`d: run it by
//! hand (BENCHMARKS.md §4).
#![cfg(not(target_arch = "wasm32"))]

#[path = "browser/support.rs"]
mod support;

#[path = "browser/server.rs"]
mod server;

#[path = "browser/driver.rs"]
mod driver;

#[path = "browser/actions.rs"]
mod actions;

#[path = "browser/home.rs"]
mod home;

#[path = "browser/sign_in.rs"]
mod sign_in;

#[path = "browser/setup.rs"]
mod setup;

#[path = "browser/network_admin.rs"]
mod network_admin;

#[path = "browser/sso.rs"]
mod sso;

#[path = "browser/people.rs"]
mod people;

#[path = "browser/budget.rs"]
mod budget;

#[path = "browser/compression.rs"]
mod compression;

#[path = "browser/sis_scenarios.rs"]
mod sis_scenarios;

#[path = "browser/moodle/mod.rs"]
mod real_moodle;

#[path = "browser/console_pages.rs"]
mod console_pages;
