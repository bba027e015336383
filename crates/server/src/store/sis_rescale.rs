//! The rescale question's rows (design 026 §6, `docs/design/028-gradebook-entry.md`):
//! `sis_assessments.rescale_from` holds a linked item's former maximum while the question is
//! open. Linking asks ([`ask_on_link`], the rule is `sis::domain::rescale`); the teacher's
//! answer ([`answer_rescale`]) clears it, and "rescale" first writes every student's manual
//! grade again on the new maximum, through the step a single manual grade takes (new events:
//! the history keeps the old ones, with who answered and when).

use schoolbridge_api::sis::{PendingRescale, RecordSource};
use schoolbridge_api::sis_gradebook::RescaleChoice;
use sqlx::AnyConnection;

use super::sis::{Outcome, Provenance, Refusal};
use super::sis_assessments::assessment;
use super::sis_grades::{ManualGrade, current_grade, record_manual_grade};
use super::{Store, StoreError};
use crate::sis::domain::rescale::{question_on_link, rescaled};

/// Records the question when a Moodle item of another maximum takes over manual item `id` that
/// has manual grades.
pub async fn ask_on_link(
    c: &mut AnyConnection,
    id: i64,
    old_max: f64,
    new_max: f64,
) -> Result<(), StoreError> {
    let manual: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sis_grade_events WHERE assessment_id = $1 AND source = 'manual'",
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await?;
    if let Some(old) = question_on_link(old_max, new_max, manual > 0) {
        sqlx::query("UPDATE sis_assessments SET rescale_from = $1 WHERE id = $2")
            .bind(old)
            .bind(id)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// A section's open questions.
pub async fn pending_rescales(
    c: &mut AnyConnection,
    section_id: i64,
) -> Result<Vec<PendingRescale>, StoreError> {
    let rows: Vec<(i64, f64)> = sqlx::query_as(
        "SELECT id, rescale_from FROM sis_assessments WHERE section_id = $1 AND rescale_from IS NOT NULL ORDER BY id",
    )
    .bind(section_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(assessment_id, old_max)| PendingRescale {
            assessment_id,
            old_max,
        })
        .collect())
}

/// The teacher's answer. "Rescale" writes each student's current manual grade (not excused)
/// again as points × new ÷ old; grades from Moodle are already on Moodle's maximum. Returns how
/// many grades were written.
pub async fn answer_rescale(
    c: &mut AnyConnection,
    assessment_id: i64,
    choice: RescaleChoice,
    meta: &Provenance,
) -> Outcome<usize> {
    let Some(item) = assessment(c, assessment_id).await? else {
        return Ok(Err(Refusal::NotFound("assessment", assessment_id)));
    };
    let old: Option<f64> =
        sqlx::query_scalar("SELECT rescale_from FROM sis_assessments WHERE id = $1")
            .bind(assessment_id)
            .fetch_one(&mut *c)
            .await?;
    let Some(old) = old else {
        return Ok(Err(Refusal::Conflict(
            "this item has no open question about its maximum".into(),
        )));
    };
    let mut written = 0;
    if choice == RescaleChoice::Rescale {
        let people: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT person_id FROM sis_grades WHERE assessment_id = $1 ORDER BY person_id",
        )
        .bind(assessment_id)
        .fetch_all(&mut *c)
        .await?;
        for person_id in people {
            let Some(cur) = current_grade(c, assessment_id, person_id).await? else {
                continue;
            };
            let Some(points) = cur
                .points
                .filter(|_| cur.provenance.source == RecordSource::Manual && !cur.excepted)
            else {
                continue;
            };
            let Some(new_points) = rescaled(points, old, item.pointval) else {
                return Ok(Err(Refusal::invalid(
                    "choice",
                    "the former maximum was 0: there is nothing to rescale from",
                )));
            };
            let note = format!(
                "rescaled from {} of {} to {} of {}",
                num(points),
                num(old),
                num(new_points),
                num(item.pointval)
            );
            let grade = ManualGrade {
                assessment_id,
                person_id,
                points: Some(new_points),
                excepted: false,
                note: Some(note),
            };
            crate::accepted!(record_manual_grade(c, &grade, meta).await?);
            written += 1;
        }
    }
    sqlx::query("UPDATE sis_assessments SET rescale_from = NULL WHERE id = $1")
        .bind(assessment_id)
        .execute(&mut *c)
        .await?;
    Ok(Ok(written))
}

fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Store {
    /// A section's open rescale questions.
    pub async fn pending_rescales(
        &self,
        section_id: i64,
    ) -> Result<Vec<PendingRescale>, StoreError> {
        let mut c = self.pool().acquire().await?;
        pending_rescales(&mut c, section_id).await
    }

    /// Answers an item's rescale question; returns how many grades were written again.
    pub async fn answer_rescale(
        &self,
        assessment_id: i64,
        choice: RescaleChoice,
        meta: &Provenance,
    ) -> Result<usize, super::sis::SisError> {
        crate::sis_write!(self, |c| answer_rescale(c, assessment_id, choice, meta)
            .await)
    }
}
