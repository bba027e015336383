//! The grade import from a spreadsheet (issue 20, `docs/design/028-gradebook-entry.md`): reads
//! the file, and decides line by line — against the section's students, its items and the
//! current grades — what each line would do (a new grade, a change from X to Y, nothing) or why
//! it cannot be used. Pure: the store (`store::sis_grade_import`) reads the rows, asks
//! [`plan`], and applies the file only when no line has an error, each line through the same
//! step as a single manual grade.
//!
//! Columns (a header row first; any order, any case): `student` (or `idnumber`, `username`,
//! `userid`) — the student's idnumber or, failing that, their username; `item` (or `name`,
//! `assessment`) — the grade item's name, exactly as the gradebook shows it; `points`; and
//! optionally `note`. Points use "." for decimals, at most two. The file is read as every upload
//! is (`csv_upload`).

use std::collections::HashMap;

use schoolbridge_api::sis::{AssessmentRow, GradeEvent, PersonRef, RecordSource};
use schoolbridge_api::sis_gradebook::{
    ImportLine, ImportOutcome, ImportProblem, warns_above_maximum,
};

use crate::sis::csv_upload::{CsvError, Sheet, Upload, cell};
use crate::sis::domain::limits::{MAX_NOTE, MAX_POINTS};

/// The downloadable template: every column, with two example lines.
pub const TEMPLATE: &str =
    "student,item,points,note\nS1001,Lab 1: Density,18,\njdoe,Lab 1: Density,15.5,handed in late\n";

/// How its messages name this upload.
const UPLOAD: Upload = Upload {
    columns: "student, item, points, note",
    lines: "grades",
};

/// One line of the file as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line number (1 = the header).
    pub line: u64,
    /// The student's idnumber or username.
    pub student: String,
    /// The item's name.
    pub item: String,
    /// The points as written.
    pub points: String,
    /// The note (empty = none).
    pub note: String,
}

/// A student of the section with the names a file may use for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The person (its `idnumber` is one name).
    pub person: PersonRef,
    /// Their username (Moodle's, or the local sign-in name).
    pub username: Option<String>,
}

/// Reads an upload into rows; fully blank rows are skipped.
pub fn parse_grade_csv(text: &str) -> Result<Vec<ImportRow>, CsvError> {
    let sheet = Sheet::read(text, UPLOAD)?;
    let student = sheet.required("student", &["student", "idnumber", "username", "userid"])?;
    let item = sheet.required("item", &["item", "name", "assessment", "grade_item"])?;
    let points = sheet.required("points", &["points", "points_earned", "grade", "score"])?;
    let note = sheet.column(&["note", "comment"]);
    Ok(sheet
        .records
        .iter()
        .map(|(line, record)| ImportRow {
            line: *line,
            student: cell(record, Some(student)).to_owned(),
            item: cell(record, Some(item)).to_owned(),
            points: cell(record, Some(points)).to_owned(),
            note: cell(record, note).to_owned(),
        })
        .collect())
}

/// Points as a file writes them: digits, optionally "." and at most two decimals, no sign.
pub fn parse_points(text: &str) -> Option<f64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p <= MAX_POINTS)
}

fn points_text(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What the section holds that a file is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    /// Its students, any status.
    pub students: &'a [RosterEntry],
    /// Its visible items.
    pub items: &'a [AssessmentRow],
    /// The current grade of each graded cell, by (assessment id, person id).
    pub current: &'a HashMap<(i64, i64), GradeEvent>,
}

/// Decides every line: the first problem a line has is its error; otherwise a new grade, a
/// change from the current points, or unchanged (same points, not excused).
pub fn plan(rows: &[ImportRow], section: Section<'_>) -> Vec<ImportLine> {
    let mut seen: HashMap<(i64, i64), u64> = HashMap::new();
    rows.iter()
        .map(|row| {
            let person = find_student(section.students, &row.student);
            let item = section.items.iter().find(|i| i.name.trim() == row.item);
            let points = parse_points(&row.points);
            let outcome = match decide(row, person, item, points, &section, &mut seen) {
                Ok(o) => o,
                Err((problem, reason)) => ImportOutcome::Error { problem, reason },
            };
            ImportLine {
                line: row.line,
                student: row.student.clone(),
                person: person.cloned(),
                item: row.item.clone(),
                assessment_id: item.map(|i| i.id),
                points,
                note: Some(row.note.clone()).filter(|n| !n.is_empty()),
                outcome,
            }
        })
        .collect()
}

fn decide(
    row: &ImportRow,
    person: Option<&PersonRef>,
    item: Option<&AssessmentRow>,
    points: Option<f64>,
    section: &Section<'_>,
    seen: &mut HashMap<(i64, i64), u64>,
) -> Result<ImportOutcome, (ImportProblem, String)> {
    for (value, column) in [
        (&row.student, "student"),
        (&row.item, "item"),
        (&row.points, "points"),
    ] {
        if value.is_empty() {
            return Err((ImportProblem::Missing, format!("the {column} is empty")));
        }
    }
    let person = person.ok_or_else(|| {
        (
            ImportProblem::UnknownStudent,
            format!(
                "no student of this section has the idnumber or username {:?}",
                row.student
            ),
        )
    })?;
    let item = item.ok_or_else(|| {
        (
            ImportProblem::UnknownItem,
            format!("this section has no grade item named {:?}", row.item),
        )
    })?;
    if item.origin == RecordSource::Moodle {
        return Err((
            ImportProblem::MoodleItem,
            format!(
                "{:?} comes from Moodle: its grades are given in Moodle",
                item.name
            ),
        ));
    }
    let points = points.ok_or_else(|| {
        (
            ImportProblem::NotANumber,
            format!(
                "points {:?} is not a number (0 or more, at most two decimals)",
                row.points
            ),
        )
    })?;
    if warns_above_maximum(item, Some(points)) {
        return Err((
            ImportProblem::OverMaximum,
            format!(
                "{} points is more than the item's maximum of {}",
                points_text(points),
                points_text(item.pointval)
            ),
        ));
    }
    if row.note.chars().count() > MAX_NOTE {
        return Err((
            ImportProblem::NoteTooLong,
            format!("the note is longer than {MAX_NOTE} characters"),
        ));
    }
    if let Some(first) = seen.get(&(item.id, person.id)) {
        return Err((
            ImportProblem::Duplicate,
            format!("the same student and item as line {first}"),
        ));
    }
    seen.insert((item.id, person.id), row.line);
    let Some(current) = section.current.get(&(item.id, person.id)) else {
        return Ok(ImportOutcome::New);
    };
    if current.provenance.source == RecordSource::Moodle {
        return Err((
            ImportProblem::FromMoodle,
            "this grade came from Moodle; change it in Moodle".into(),
        ));
    }
    if !current.excepted && current.points.map(f64::to_bits) == Some(points.to_bits()) {
        return Ok(ImportOutcome::Unchanged);
    }
    Ok(ImportOutcome::Change {
        from: current.points.filter(|_| !current.excepted),
    })
}

/// A student by idnumber (exactly), else by username (any case: Moodle keeps them lower-case).
fn find_student<'a>(students: &'a [RosterEntry], given: &str) -> Option<&'a PersonRef> {
    if given.is_empty() {
        return None;
    }
    students
        .iter()
        .find(|s| s.person.idnumber.as_deref() == Some(given))
        .or_else(|| {
            students.iter().find(|s| {
                s.username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(given))
            })
        })
        .map(|s| &s.person)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::Provenance;

    fn student(id: i64, idnumber: &str, username: &str) -> RosterEntry {
        RosterEntry {
            person: PersonRef {
                id,
                idnumber: Some(idnumber.into()),
                firstname: "S".into(),
                lastname: format!("{id}"),
            },
            username: Some(username.into()),
        }
    }

    fn item(
        id: i64,
        name: &str,
        pointval: f64,
        origin: RecordSource,
        extra: bool,
    ) -> AssessmentRow {
        AssessmentRow {
            id,
            section_id: 1,
            origin,
            name: name.into(),
            pointval,
            nonhonors_required: true,
            extra_credit: extra,
            ..Default::default()
        }
    }

    fn grade(assessment_id: i64, person_id: i64, points: f64, source: RecordSource) -> GradeEvent {
        GradeEvent {
            id: 1,
            provenance: Provenance {
                source,
                ..Default::default()
            },
            ..GradeEvent::first_attempt(assessment_id, person_id, Some(points))
        }
    }

    #[test]
    fn reads_columns_in_any_order_with_an_optional_note() {
        let text = "\u{feff}Points,Item,Student\n18,Lab 1,S1\n\n 15.5 , Lab 1 ,jdoe\n";
        let rows = parse_grade_csv(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].line,
                rows[0].student.as_str(),
                rows[0].points.as_str()
            ),
            (2, "S1", "18")
        );
        assert_eq!((rows[1].line, rows[1].item.as_str()), (4, "Lab 1"));
        assert_eq!(rows[1].note, "");
        let with_note = parse_grade_csv(TEMPLATE).unwrap();
        assert_eq!(with_note[1].note, "handed in late");
        assert_eq!(
            parse_grade_csv(""),
            Err(CsvError::Empty("student, item, points, note"))
        );
        assert_eq!(
            parse_grade_csv("student,points\nS1,3\n"),
            Err(CsvError::MissingColumn("item"))
        );
    }

    #[test]
    fn points_are_read_strictly() {
        assert_eq!(parse_points("18"), Some(18.0));
        assert_eq!(parse_points("15.5"), Some(15.5));
        assert_eq!(parse_points(".25"), Some(0.25));
        for bad in ["", "-1", "1.234", "abc", "1e3", ".", "12,5", "NaN", "inf"] {
            assert_eq!(parse_points(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_line_gets_an_outcome_or_its_error() {
        let students = [student(10, "S1", "ada"), student(11, "S2", "jdoe")];
        let items = [
            item(1, "Lab 1", 20.0, RecordSource::Manual, false),
            item(2, "Quiz", 10.0, RecordSource::Moodle, false),
            item(3, "Bonus", 5.0, RecordSource::Manual, true),
            item(4, "Linked", 10.0, RecordSource::Manual, false),
        ];
        let mut current = HashMap::new();
        current.insert((1, 11), grade(1, 11, 12.0, RecordSource::Manual));
        current.insert((4, 10), grade(4, 10, 7.0, RecordSource::Moodle));
        let row = |line, student: &str, item: &str, points: &str| ImportRow {
            line,
            student: student.into(),
            item: item.into(),
            points: points.into(),
            note: String::new(),
        };
        let rows = [
            row(2, "S1", "Lab 1", "18"),
            row(3, "JDOE", "Lab 1", "15"),
            row(4, "S2", "Lab 1", "12"),
            row(5, "S9", "Lab 1", "1"),
            row(6, "S1", "Lab 9", "1"),
            row(7, "S1", "Quiz", "1"),
            row(8, "S1", "Lab 1", "2"),
            row(9, "S2", "Bonus", "x"),
            row(10, "S2", "Bonus", "9"),
            row(11, "S1", "Linked", "3"),
            row(12, "S1", "Bonus", "25"),
            row(13, "S1", "", "1"),
        ];
        let section = Section {
            students: &students,
            items: &items,
            current: &current,
        };
        let lines = plan(&rows, section);
        let problem = |i: usize| match &lines[i].outcome {
            ImportOutcome::Error { problem, .. } => Some(*problem),
            _ => None,
        };
        assert_eq!(lines[0].outcome, ImportOutcome::New);
        assert_eq!(lines[0].person.as_ref().map(|p| p.id), Some(10));
        // By username, any case; 12 → 15 is a change from 12.
        assert_eq!(lines[1].outcome, ImportOutcome::Change { from: Some(12.0) });
        assert_eq!(lines[1].person.as_ref().map(|p| p.id), Some(11));
        // The same student again (by idnumber this time) for the same item.
        assert_eq!(problem(2), Some(ImportProblem::Duplicate));
        assert_eq!(problem(3), Some(ImportProblem::UnknownStudent));
        assert_eq!(problem(4), Some(ImportProblem::UnknownItem));
        assert_eq!(problem(5), Some(ImportProblem::MoodleItem));
        assert_eq!(problem(6), Some(ImportProblem::Duplicate));
        assert_eq!(problem(7), Some(ImportProblem::NotANumber));
        // Extra credit above its maximum is no error.
        assert_eq!(lines[8].outcome, ImportOutcome::New);
        assert_eq!(problem(9), Some(ImportProblem::FromMoodle));
        assert_eq!(lines[10].outcome, ImportOutcome::New);
        assert_eq!(problem(11), Some(ImportProblem::Missing));
        // Above the maximum of an item that is not extra credit.
        let over = plan(
            &[row(2, "S1", "Lab 1", "20.5")],
            Section {
                students: &students,
                items: &items,
                current: &HashMap::new(),
            },
        );
        match &over[0].outcome {
            ImportOutcome::Error { problem, reason } => {
                assert_eq!(*problem, ImportProblem::OverMaximum);
                assert!(
                    reason.contains("20.5") && reason.contains("of 20"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // The current value again: unchanged.
        let same = plan(&[row(2, "S2", "Lab 1", "12.00")], section);
        assert_eq!(same[0].outcome, ImportOutcome::Unchanged);
    }
}
