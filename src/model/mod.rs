//! The console's decisions, as plain types and functions with native unit tests (STYLE.md §8):
//! no `leptos`, no DOM, no HTTP here. Components render what these decide; wording comes from
//! [`crate::i18n`].

pub mod audit;
pub mod certificate;
pub mod envelope;
pub mod first_run;
pub mod forms;
pub mod next_path;
pub mod peers;
pub mod people;
pub mod query;
pub mod roles;
pub mod route;
pub mod server_status;
pub mod sis;
pub mod sis_grades;
pub mod test_client;
pub mod time;
