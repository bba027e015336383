//! The SIS pages (issue 7), one page per file (listed in `pages::PAGES`): sections and their
//! rosters, gradebooks with manual items, grades and a spreadsheet upload, enrolment statuses
//! and their history, manual records, and a student's schedule, progress report as of a date and
//! transcript. Who sees what: `docs/design/010-sis-console.md` and `docs/who-sees-what.md` (the
//! server cuts every answer to its reader). Shared here: the parts every SIS table shows.

pub mod enrolment;
pub mod gradebook;
pub mod gradebook_import;
pub mod my_records;
pub mod person_picker;
pub mod progress;
pub mod records;
pub mod section;
pub mod section_progress;
pub mod sections;
pub mod settings;
pub mod student;
pub mod students;
pub mod transcript;

use schoolbridge_api::rules::is_derived_idnumber;
use schoolbridge_api::sis::{RecordSource, StatusKind};

use crate::i18n::sis;
use crate::ui::{Cell, Part, Tone};

/// Where a record came from, as a badge.
fn source_part(source: RecordSource) -> Part {
    let t = sis();
    match source {
        RecordSource::Moodle => Part::Badge(Tone::Info, t.source_moodle.to_owned()),
        RecordSource::Manual => Part::Badge(Tone::Good, t.source_manual.to_owned()),
    }
}

/// The source badge in a cell of its own.
fn source_cell(source: RecordSource) -> Cell {
    Cell::empty().and(source_part(source))
}

/// An enrolment status: its label, coloured by what it means (the words say it too).
fn status_part(kind: StatusKind, label: &str) -> Part {
    let tone = match kind {
        StatusKind::Active => Tone::Good,
        StatusKind::Inactive => Tone::Warn,
        StatusKind::Withdrawn => Tone::Warn,
        StatusKind::Completed => Tone::Info,
    };
    Part::Badge(tone, label.to_owned())
}

/// "arrived late" after a change that came in after a later one (it did not become current).
fn late_part(stale: bool) -> Option<Part> {
    stale.then(|| Part::Badge(Tone::Warn, sis().arrived_late.to_owned()))
}

/// A date and time in a history table (does not wrap).
fn date_cell(at: i64) -> Cell {
    Cell::date(crate::model::time::date_time(at))
}

/// An id number people may read: a school's own, not one Moodle made up from its internal id
/// (`moodle-user-51`), which means nothing to anyone.
fn shown_idnumber(idnumber: Option<&str>) -> Option<&str> {
    idnumber.filter(|id| !is_derived_idnumber(id))
}
