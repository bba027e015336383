//! What each reader may see of a school record, applied to every `/api/sis` answer a teacher or
//! a student can reach (the table is `docs/who-sees-what.md`). Student-records staff
//! (counsellors and administrators) read everything. A section's teacher reads its rosters,
//! statuses and grades, but not the counsellors' notes on statuses nor who in the office made a
//! change. A student reading their own records also loses the teachers' notes on grades and the
//! internal references of every row (who entered it, Moodle's event ids). The console hides
//! nothing by itself: what is cut here never leaves the server.

use crate::http::auth::Authed;
use schoolbridge_api::roles::Right;
use schoolbridge_api::sis as api;

/// Who is reading, for what the answer may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Counsellors and administrators: everything.
    Staff,
    /// The section's teacher.
    Teacher,
    /// The student, reading their own records.
    Student,
}

impl Reader {
    /// The reader of a student's records (the caller has checked that they may read them:
    /// staff, or the student themself).
    pub fn of_student(a: &Authed) -> Reader {
        if a.may(Right::ReadAllStudents) {
            Reader::Staff
        } else {
            Reader::Student
        }
    }

    /// The reader of a section's records (the caller has checked that they may read them:
    /// staff, or a teacher of the section).
    pub fn of_section(a: &Authed) -> Reader {
        if a.may(Right::ReadAllStudents) {
            Reader::Staff
        } else {
            Reader::Teacher
        }
    }

    /// Sees the counsellors' notes on statuses and who in the office changed them.
    fn sees_staff_notes(self) -> bool {
        self == Reader::Staff
    }

    /// Sees notes on grades and the internal references of rows.
    fn sees_grade_notes(self) -> bool {
        self != Reader::Student
    }
}

/// One status change as `reader` may see it.
pub fn status_change(mut h: api::StatusChange, reader: Reader) -> api::StatusChange {
    if !reader.sees_staff_notes() {
        h.note = None;
        h.provenance.actor_id = None;
    }
    if !reader.sees_grade_notes() {
        h.provenance.peer_id = None;
        h.provenance.eventid = None;
    }
    h
}

/// A status history as `reader` may see it.
pub fn status_history(rows: Vec<api::StatusChange>, reader: Reader) -> Vec<api::StatusChange> {
    rows.into_iter().map(|h| status_change(h, reader)).collect()
}

/// One grade event as `reader` may see it.
pub fn grade_event(mut g: api::GradeEvent, reader: Reader) -> api::GradeEvent {
    if !reader.sees_grade_notes() {
        g.note = None;
        g.provenance.actor_id = None;
        g.actor_name = None;
        g.provenance.peer_id = None;
        g.peer_name = None;
        g.provenance.eventid = None;
    }
    g
}

/// A grade history as `reader` may see it.
pub fn grade_history(rows: Vec<api::GradeEvent>, reader: Reader) -> Vec<api::GradeEvent> {
    rows.into_iter().map(|g| grade_event(g, reader)).collect()
}

/// A student page (schedule and every enrolment's history).
pub fn student_page(mut p: api::StudentPage, reader: Reader) -> api::StudentPage {
    for record in &mut p.enrolments {
        let rows = std::mem::take(&mut record.history);
        record.history = status_history(rows, reader);
    }
    p
}

/// A progress report (its grades).
pub fn progress(mut r: api::ProgressReport, reader: Reader) -> api::ProgressReport {
    for section in &mut r.sections {
        for item in &mut section.items {
            item.grade = item.grade.take().map(|g| grade_event(g, reader));
        }
    }
    r
}

/// A gradebook (its current grades).
pub fn gradebook(mut b: api::Gradebook, reader: Reader) -> api::Gradebook {
    for cell in &mut b.cells {
        let grade = cell.grade.clone();
        cell.grade = grade_event(grade, reader);
    }
    b
}

/// A section page (its teacher history: who in the office set a teacher).
pub fn section_page(mut p: api::SectionPage, reader: Reader) -> api::SectionPage {
    if !reader.sees_staff_notes() {
        for h in &mut p.teacher_history {
            h.actor_id = None;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::{Provenance, RecordSource, StatusKind};

    fn change() -> api::StatusChange {
        api::StatusChange {
            id: 1,
            enrolment_id: 2,
            status: "withdrawn_no_grade".into(),
            label: "Withdrawn No Grade".into(),
            kind: StatusKind::Withdrawn,
            provenance: Provenance {
                effective_at: 10,
                recorded_at: 11,
                source: RecordSource::Manual,
                peer_id: Some(3),
                eventid: Some("e".into()),
                actor_id: Some(4),
            },
            note: Some("Family matters".into()),
            transcript_note: Some("Moved to another school".into()),
            stale: false,
        }
    }

    #[test]
    fn only_staff_read_the_counsellors_note() {
        let staff = status_change(change(), Reader::Staff);
        assert_eq!(staff, change());
        for reader in [Reader::Teacher, Reader::Student] {
            let seen = status_change(change(), reader);
            assert_eq!(seen.note, None, "{reader:?}");
            assert_eq!(seen.provenance.actor_id, None, "{reader:?}");
            // The line meant for the transcript is for everyone.
            assert_eq!(
                seen.transcript_note.as_deref(),
                Some("Moved to another school")
            );
            assert_eq!(
                (seen.status.as_str(), seen.provenance.effective_at),
                ("withdrawn_no_grade", 10)
            );
        }
    }

    #[test]
    fn a_student_does_not_read_notes_on_grades() {
        let grade = api::GradeEvent {
            id: 1,
            assessment_id: 2,
            person_id: 3,
            points: Some(7.5),
            attempt: 1,
            provenance: Provenance::manual(Some(9), Some(10), 11),
            note: Some("Re-marked after a complaint".into()),
            actor_name: Some("Rosa Diaz".into()),
            ..Default::default()
        };
        assert_eq!(grade_event(grade.clone(), Reader::Teacher), grade);
        let seen = grade_event(grade, Reader::Student);
        assert_eq!(
            (
                seen.note,
                seen.provenance.actor_id,
                seen.actor_name,
                seen.points
            ),
            (None, None, None, Some(7.5))
        );
    }
}
