//! The server's one integration test binary: the real router on a loopback port, a fresh
//! database per test (SQLite always; PostgreSQL too when `SCHOOLBRIDGE_TEST_DATABASE_URL` is
//! set, as `make test` and CI do), and the real `mnet` client playing Moodle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accounts_api;
mod backup;
mod config_cli;
mod console_files;
mod https;
mod limits;
mod mnet_endpoint;
mod monitoring;
mod moodle_certificate;
mod progress_school;
mod scratch_pg;
mod shared_state;
mod sis_api;
mod sis_batch;
mod sis_batch_kill;
mod sis_faults;
mod sis_gradebook;
mod sis_grading;
mod sis_harness;
mod sis_moodle_status;
mod sis_ordering;
mod sis_scenarios;
mod sis_service;
mod sis_store;
mod sso;
mod store_conformance;
mod upgrades;
mod with_sim;
