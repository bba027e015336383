//! End-to-end tests of the console as a person uses it: the real `schoolbridge` binary serving
//! the real Trunk build in `dist/`, opened in headless Chromium driven through chromedriver.
//!
//! This is the root package's one integration-test binary (STYLE.md §7). Reusable pieces live
//! in `tests/browser/`: [`server::TestServer`] and [`driver::Browser`] start their processes
//! and end them on drop. `make test` builds `dist/` and `target/debug/schoolbridge` first.
//! Screenshots and process logs go to `test-artifacts/`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "browser/support.rs"]
mod support;

#[path = "browser/server.rs"]
mod server;

#[path = "browser/driver.rs"]
mod driver;

#[path = "browser/home.rs"]
mod home;
