//! The server's one integration test binary: the real router on a loopback port, a fresh
//! database per test (SQLite always; PostgreSQL too when `SCHOOLBRIDGE_TEST_DATABASE_URL` is
//! set, as `make test` and CI do), and the real `mnet` client playing Moodle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accounts_api;
mod config_cli;
mod mnet_endpoint;
mod progress_school;
mod scratch_pg;
mod sis_api;
mod sis_faults;
mod sis_harness;
mod sis_ordering;
mod sis_scenarios;
mod sis_service;
mod sis_store;
mod sso;
mod store_conformance;
mod with_sim;
