//! Rows the SIS models' unit tests build their gradebooks from (tests only): one section, an
//! item, a student and a grade with plain defaults; a test changes the fields it is about.

use schoolbridge_api::sis::{
    AssessmentRow, EnrolmentRow, GradeCell, GradeEvent, PersonRef, Provenance, RecordSource, Role,
    SectionSummary, StatusKind,
};

use super::sis_grid_entry::hand_grade;

/// Item `id` ("Item {id}"): chapter 1, 10 points, required on the regular track only.
pub fn item(id: i64, origin: RecordSource) -> AssessmentRow {
    AssessmentRow {
        id,
        section_id: 1,
        origin,
        peer_id: None,
        idnumber: None,
        name: format!("Item {id}"),
        chapter: 1,
        pointval: 10.0,
        honors_required: false,
        nonhonors_required: true,
        extra_credit: false,
        hidden: false,
        hidden_at: None,
        linked_at: None,
        first_effective_at: 0,
        kind: Default::default(),
    }
}

/// Person `person` ("A S{person}"), an active student of section 1, enrolled by Moodle.
pub fn student(person: i64) -> EnrolmentRow {
    EnrolmentRow {
        id: person,
        section_id: 1,
        person: PersonRef {
            id: person,
            idnumber: None,
            firstname: "A".into(),
            lastname: format!("S{person}"),
        },
        role: Role::Student,
        status: "active".into(),
        status_label: "Active".into(),
        status_kind: StatusKind::Active,
        status_effective_at: 0,
        source: RecordSource::Moodle,
        moodle_starts_at: None,
        moodle_ends_at: None,
    }
}

/// `points` on `assessment` for `person`, first attempt, editable when it was given by hand.
pub fn grade(assessment: i64, person: i64, points: f64, source: RecordSource) -> GradeCell {
    GradeCell {
        grade: GradeEvent {
            id: assessment * 100 + person,
            provenance: Provenance {
                source,
                ..Default::default()
            },
            ..hand_grade(assessment, person, points)
        },
        editable: source == RecordSource::Manual,
    }
}

/// Section 1, "Biology", in the ongoing container.
pub fn section(source: RecordSource, active_students: i64) -> SectionSummary {
    SectionSummary {
        id: 1,
        peer_id: None,
        idnumber: None,
        name: "Biology".into(),
        segment: 1,
        container_id: 1,
        container_name: "Ongoing".into(),
        container_kind: "ongoing".into(),
        course: None,
        source,
        teacher: None,
        active_students,
    }
}
