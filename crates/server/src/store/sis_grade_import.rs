//! The grade import's reads and its one transaction (`docs/design/028-gradebook-entry.md`): the
//! section's students with their usernames, its visible items and its current grades, handed to
//! `sis::grade_import::plan`; the apply plans again inside the transaction and records every
//! line through [`super::sis_grades::record_manual_grade`] — the step a single manual grade
//! takes, so history, `actor_id` and the refusals are the same — or nothing at all when a line
//! has an error.

use std::collections::HashMap;

use schoolbridge_api::sis_gradebook::{ImportLine, ImportOutcome};
use sqlx::AnyConnection;

use super::sis::{Outcome, Provenance, Refusal};
use super::sis_assessments::section_assessments;
use super::sis_grades::{GradeEvent, ManualGrade, record_manual_grade, section_current_grades};
use super::{Store, StoreError};
use crate::sis::grade_import::{ImportRow, RosterEntry, Section, plan};
use schoolbridge_api::sis::PersonRef;

#[derive(sqlx::FromRow)]
struct RosterRow {
    id: i64,
    idnumber: Option<String>,
    firstname: String,
    lastname: String,
    username: Option<String>,
}

async fn roster(c: &mut AnyConnection, section_id: i64) -> Result<Vec<RosterEntry>, StoreError> {
    let rows: Vec<RosterRow> = sqlx::query_as(
        "SELECT DISTINCT p.id, p.idnumber, p.firstname, p.lastname, COALESCE(p.mnet_username, p.local_username) AS username
           FROM sis_enrolments e JOIN people p ON p.id = e.person_id
          WHERE e.section_id = $1 AND e.role = 'student' ORDER BY p.id",
    )
    .bind(section_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RosterEntry {
            person: PersonRef {
                id: r.id,
                idnumber: r.idnumber,
                firstname: r.firstname,
                lastname: r.lastname,
            },
            username: r.username,
        })
        .collect())
}

async fn current_grades(
    c: &mut AnyConnection,
    section_id: i64,
) -> Result<HashMap<(i64, i64), GradeEvent>, StoreError> {
    Ok(section_current_grades(c, section_id)
        .await?
        .into_iter()
        .map(|e| ((e.assessment_id, e.person_id), e))
        .collect())
}

/// What a file would do, line by line, without writing.
pub async fn plan_grade_import(
    c: &mut AnyConnection,
    section_id: i64,
    rows: &[ImportRow],
) -> Outcome<Vec<ImportLine>> {
    let exists = sqlx::query("SELECT 1 FROM sis_sections WHERE id = $1")
        .bind(section_id)
        .fetch_optional(&mut *c)
        .await?
        .is_some();
    if !exists {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    }
    let students = roster(c, section_id).await?;
    let items = section_assessments(c, section_id, false).await?;
    let current = current_grades(c, section_id).await?;
    Ok(Ok(plan(
        rows,
        Section {
            students: &students,
            items: &items,
            current: &current,
        },
    )))
}

/// Applies a file: all lines or none. Planned again here, inside the transaction, so the
/// outcomes the teacher confirmed are checked against the grades as they are now; any line with
/// an error refuses the whole file.
pub async fn apply_grade_import(
    c: &mut AnyConnection,
    section_id: i64,
    rows: &[ImportRow],
    meta: &Provenance,
) -> Outcome<Vec<ImportLine>> {
    let lines = crate::accepted!(plan_grade_import(c, section_id, rows).await?);
    let errors = lines
        .iter()
        .filter(|l| matches!(l.outcome, ImportOutcome::Error { .. }))
        .count();
    if errors > 0 {
        return Ok(Err(Refusal::Conflict(format!(
            "{errors} line(s) of the file cannot be used; nothing was recorded"
        ))));
    }
    for l in &lines {
        if !matches!(l.outcome, ImportOutcome::New | ImportOutcome::Change { .. }) {
            continue;
        }
        let (Some(person), Some(assessment_id)) = (&l.person, l.assessment_id) else {
            continue; // a planned grade always has both
        };
        let grade = ManualGrade {
            assessment_id,
            person_id: person.id,
            points: l.points,
            excepted: false,
            note: l.note.clone(),
        };
        crate::accepted!(record_manual_grade(c, &grade, meta).await?);
    }
    Ok(Ok(lines))
}

impl Store {
    /// The preview of a grade import (nothing written).
    pub async fn preview_grade_import(
        &self,
        section_id: i64,
        rows: &[ImportRow],
    ) -> Result<Vec<ImportLine>, super::sis::SisError> {
        let mut c = self.pool().acquire().await.map_err(StoreError::from)?;
        Ok(plan_grade_import(&mut c, section_id, rows).await??)
    }

    /// Applies a grade import in one transaction (all lines or none).
    pub async fn apply_grade_import(
        &self,
        section_id: i64,
        rows: &[ImportRow],
        meta: &Provenance,
    ) -> Result<Vec<ImportLine>, super::sis::SisError> {
        crate::sis_write!(self, |c| apply_grade_import(c, section_id, rows, meta)
            .await)
    }
}
