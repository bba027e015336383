//! The gradebook's own contract beyond one cell (issue 20, `docs/design/028-gradebook-entry.md`):
//! the rule for the over-maximum warning, and the grade import from a spreadsheet — one line per
//! row of the file with what it would do (a new grade, a change from one value to another,
//! nothing) or why it cannot be used. Both sides compile these, so the console's preview and the
//! server's apply read the same outcomes.

use serde::{Deserialize, Serialize};

use crate::sis::{AssessmentRow, PersonRef};

/// Whether points for `item` deserve the over-maximum warning: above the item's maximum, on an
/// item that is not extra credit (extra credit has no ceiling a teacher would slip past).
pub fn warns_above_maximum(item: &AssessmentRow, points: Option<f64>) -> bool {
    !item.extra_credit && crate::rules::points_above_maximum(points, item.pointval)
}

/// Why a line of a grade import cannot be used. The server also sends a sentence (`reason`);
/// the console says it in the reader's language from this code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportProblem {
    /// No student of the section has this idnumber or username.
    UnknownStudent,
    /// The section has no visible grade item of this name.
    UnknownItem,
    /// The item comes from Moodle: its grades are given in Moodle.
    MoodleItem,
    /// The cell's current grade came from Moodle (a linked item): change it in Moodle.
    FromMoodle,
    /// A required column is empty (student, item or points).
    Missing,
    /// The points are not a number ≥ 0 with at most two decimals.
    NotANumber,
    /// More points than the item's maximum (not extra credit).
    OverMaximum,
    /// The same student and item as an earlier line.
    Duplicate,
    /// The note is too long.
    NoteTooLong,
}

impl ImportProblem {
    /// A stable word for tests and `data-problem`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportProblem::UnknownStudent => "unknown_student",
            ImportProblem::UnknownItem => "unknown_item",
            ImportProblem::MoodleItem => "moodle_item",
            ImportProblem::FromMoodle => "from_moodle",
            ImportProblem::Missing => "missing",
            ImportProblem::NotANumber => "not_a_number",
            ImportProblem::OverMaximum => "over_maximum",
            ImportProblem::Duplicate => "duplicate",
            ImportProblem::NoteTooLong => "note_too_long",
        }
    }
}

/// What a line of a grade import does (or would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The cell had no grade: a new one.
    New,
    /// The cell's manual grade changes (`from`: its points; `None` when it was excused).
    Change {
        /// The current points.
        from: Option<f64>,
    },
    /// The same points as the current grade: nothing recorded.
    Unchanged,
    /// Not usable; a file with any such line applies nothing.
    Error {
        /// Why, as a code.
        problem: ImportProblem,
        /// Why, in a sentence (for API users; the console uses `problem`).
        reason: String,
    },
}

/// One line of a grade import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportLine {
    /// Line number in the file (1 = the header).
    pub line: u64,
    /// The student as the file names them (idnumber or username).
    pub student: String,
    /// The student found.
    pub person: Option<PersonRef>,
    /// The item's name as the file gives it.
    pub item: String,
    /// The item found.
    pub assessment_id: Option<i64>,
    /// The points read.
    pub points: Option<f64>,
    /// The note, if the line has one.
    pub note: Option<String>,
    /// What it does.
    pub outcome: ImportOutcome,
}

/// `POST /api/sis/sections/{id}/grades/csv?preview=…`: every line of the file with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeImport {
    /// The lines, in file order.
    pub lines: Vec<ImportLine>,
    /// Whether the grades were recorded (false for a preview).
    pub applied: bool,
}

/// How many lines of an import do what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// New grades.
    pub new: usize,
    /// Changed grades.
    pub changed: usize,
    /// Lines with the current value.
    pub unchanged: usize,
    /// Lines that cannot be used.
    pub errors: usize,
}

impl ImportCounts {
    /// Counts the lines.
    pub fn of(lines: &[ImportLine]) -> Self {
        let mut c = ImportCounts::default();
        for l in lines {
            match l.outcome {
                ImportOutcome::New => c.new += 1,
                ImportOutcome::Change { .. } => c.changed += 1,
                ImportOutcome::Unchanged => c.unchanged += 1,
                ImportOutcome::Error { .. } => c.errors += 1,
            }
        }
        c
    }

    /// Whether confirming would apply anything: no line has an error (all or nothing) and at
    /// least one line records a grade.
    pub fn can_apply(&self) -> bool {
        self.errors == 0 && self.new + self.changed > 0
    }
}

impl ImportOutcome {
    /// A stable word for `data-outcome`.
    pub fn code(&self) -> &'static str {
        match self {
            ImportOutcome::New => "new",
            ImportOutcome::Change { .. } => "change",
            ImportOutcome::Unchanged => "unchanged",
            ImportOutcome::Error { .. } => "error",
        }
    }
}

/// `POST /api/sis/assessments/{id}/rescale`: the teacher's answer when a Moodle item with another
/// maximum took over a manual item (`docs/design/026` §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RescaleChoice {
    /// Keep every manual grade's points as they are.
    KeepPoints,
    /// Write each manual grade again as points × new maximum / old maximum.
    Rescale,
}

/// The body of the rescale answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescaleRequest {
    /// What to do.
    pub choice: RescaleChoice,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pointval: f64, extra_credit: bool) -> AssessmentRow {
        AssessmentRow {
            id: 1,
            section_id: 1,
            name: "Quiz".into(),
            pointval,
            nonhonors_required: true,
            extra_credit,
            ..Default::default()
        }
    }

    #[test]
    fn extra_credit_never_warns_and_others_warn_only_above_the_maximum() {
        assert!(warns_above_maximum(&item(10.0, false), Some(10.5)));
        assert!(!warns_above_maximum(&item(10.0, false), Some(10.0)));
        assert!(!warns_above_maximum(&item(10.0, false), None));
        assert!(!warns_above_maximum(&item(10.0, true), Some(25.0)));
    }

    #[test]
    fn one_error_blocks_the_whole_file() {
        let line = |outcome| ImportLine {
            line: 2,
            student: "s1".into(),
            person: None,
            item: "Quiz".into(),
            assessment_id: None,
            points: None,
            note: None,
            outcome,
        };
        let good = [
            line(ImportOutcome::New),
            line(ImportOutcome::Change { from: Some(3.0) }),
            line(ImportOutcome::Unchanged),
        ];
        let c = ImportCounts::of(&good);
        assert_eq!((c.new, c.changed, c.unchanged, c.errors), (1, 1, 1, 0));
        assert!(c.can_apply());
        let mut bad = good.to_vec();
        bad.push(line(ImportOutcome::Error {
            problem: ImportProblem::Duplicate,
            reason: "x".into(),
        }));
        assert!(!ImportCounts::of(&bad).can_apply());
        assert!(!ImportCounts::of(&good[2..]).can_apply());
    }
}
