//! The rules of the school records, as pure functions over plain values: no SQL, no HTTP, no
//! clock (`docs/design/025-sis-domain-and-rows.md`). The store's transactions (`store::sis_*`)
//! read the rows, ask a function here what to do, and write what it decided; the rules are
//! those of `docs/design/004-sis-service-semantics.md` and `docs/product.md` §2–§4.
//!
//! * [`ordering`] — `timemodified` order: a change older than the newest one applied is history
//!   only, and a late row that ends the history restates the current state after it.
//! * [`enrolments`] — the enrolment status history: what `new_enrolment` and `remove_enrolment`
//!   do to a status, withdrawal, a counsellor's change, manual enrolment, status codes, and how
//!   Moodle's dates colour an Active status.
//! * [`assessments`] — Moodle items: when a change repeats the stored item, and when a Moodle
//!   item takes over a manual item of the same name (scenario 6).
//! * [`grades`] — which grade event of a cell is current, when a change repeats the history,
//!   what `remove_grade` clears, and the checks of a manual grade.
//! * [`people`] — `fetch_user`: create, complete a person who arrived by SSO, update; a username
//!   that moves in Moodle follows the idnumber.
//! * [`sections`] — `new_section` and the teacher history; who may change a section's teacher.
//! * [`grading`] — totals as of a time (honours track, excused, extra credit, the cap), letters,
//!   final grades, credits, GPA, terms, and calendar days in the school's time zone
//!   (`docs/design/029-school-settings-and-grading.md`).

pub mod assessments;
pub mod enrolments;
pub mod grades;
pub mod grading;
pub mod limits;
pub mod ordering;
pub mod people;
pub mod rescale;
pub mod sections;
pub mod values;
