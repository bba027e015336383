//! The console's decisions, as plain types and functions with native unit tests (STYLE.md §8):
//! no `leptos`, no DOM, no HTTP here. Components render what these decide; wording comes from
//! [`crate::i18n`].

pub mod audit;
pub mod certificate;
pub mod envelope;
pub mod first_run;
pub mod forms;
#[cfg(test)]
pub mod moodle_vectors;
pub mod next_path;
pub mod peers;
pub mod people;
pub mod query;
pub mod roles;
pub mod route;
pub mod school;
pub mod server_status;
pub mod sis;
#[cfg(test)]
pub mod sis_fixtures;
pub mod sis_grades;
pub mod sis_grid_entry;
pub mod test_client;
pub mod time;
