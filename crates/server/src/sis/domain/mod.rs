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

pub mod assessments;
pub mod enrolments;
pub mod limits;
pub mod ordering;
pub mod values;
