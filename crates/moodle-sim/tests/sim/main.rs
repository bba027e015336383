//! moodle-sim's one integration test binary: two simulated sites talking MNet to each other over
//! loopback, a small SchoolBridge stand-in for pushes, the web pages, and the generator's
//! properties.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod generator;
mod loopback;
mod pages;
mod push;
mod sis_stub;
mod support;
