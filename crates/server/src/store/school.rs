//! The school settings' storage (`docs/design/029-school-settings-and-grading.md`): the settings
//! as one JSON value in `settings` (name `school`), terms in `school_terms`, a course's credits
//! and an enrolment's honours track in their own rows, and a `school_changes` row beside every
//! change (who, when, the new value). Checks are made before a write is asked for
//! (`schoolbridge_api::school`, and the time zone in `sis::domain::grading`); a term's overlap is
//! checked again inside the write's transaction, against the terms as they are then.

use super::{Store, StoreError};
use schoolbridge_api::school::{
    CourseCredits, SchoolSettings, SchoolTerm, SettingProblem, SettingsChange, TermRequest,
    check_term,
};
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};
use std::collections::HashMap;

/// The `settings` row the school settings live in.
const SETTINGS_NAME: &str = "school";

/// A term write that was not made.
#[derive(Debug, thiserror::Error)]
pub enum TermError {
    /// The term is not usable (overlap, days, name).
    #[error("{0}")]
    Invalid(SettingProblem),
    /// No term with this id.
    #[error("term {0} not found")]
    NotFound(i64),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn record_change(
    c: &mut AnyConnection,
    at: i64,
    actor_id: Option<i64>,
    what: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO school_changes (at, actor_id, what, detail) VALUES ($1, $2, $3, $4)")
        .bind(at)
        .bind(actor_id)
        .bind(what)
        .bind(detail.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Runs `query` (one `UPDATE` or `DELETE` of a settings row) and, when it touched a row,
/// records `what` with `detail` in the change log; `true` when it did, `false` when there was no
/// such row (nothing recorded).
async fn change_if_found(
    c: &mut AnyConnection,
    query: sqlx::query::Query<'_, Any, AnyArguments>,
    (at, actor_id): (i64, Option<i64>),
    what: &str,
    detail: serde_json::Value,
) -> Result<bool, StoreError> {
    let found = query.execute(&mut *c).await?.rows_affected() > 0;
    if found {
        record_change(c, at, actor_id, what, &detail).await?;
    }
    Ok(found)
}

async fn terms_in(c: &mut AnyConnection) -> Result<Vec<SchoolTerm>, StoreError> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, name, first_day, last_day FROM school_terms ORDER BY first_day, id",
    )
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, first_day, last_day)| SchoolTerm {
            id,
            name,
            first_day,
            last_day,
        })
        .collect())
}

impl Store {
    /// The school settings (the defaults until a manager saves them).
    pub async fn school_settings(&self) -> Result<SchoolSettings, StoreError> {
        match self.setting(SETTINGS_NAME).await? {
            None => Ok(SchoolSettings::default()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("school settings: {e}"))),
        }
    }

    /// Saves the school settings (already checked) and records the change.
    pub async fn put_school_settings(
        &self,
        settings: &SchoolSettings,
        actor_id: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let value = serde_json::to_value(settings)
            .map_err(|e| StoreError::Corrupt(format!("school settings: {e}")))?;
        crate::write_tx!(self, |c| {
            super::settings::put_setting(c, SETTINGS_NAME, &value.to_string()).await?;
            record_change(c, now, actor_id, "settings", &value).await
        })
    }

    /// Every term, by first day.
    pub async fn school_terms(&self) -> Result<Vec<SchoolTerm>, StoreError> {
        let mut c = self.pool().acquire().await?;
        terms_in(&mut c).await
    }

    /// Adds a term (`id` `None`) or changes one, refusing one that overlaps another.
    pub async fn save_school_term(
        &self,
        id: Option<i64>,
        term: &TermRequest,
        actor_id: Option<i64>,
        now: i64,
    ) -> Result<i64, TermError> {
        let name = term.name.trim().to_owned();
        let out: Result<Result<i64, TermError>, StoreError> = crate::write_tx!(self, |c| {
            let others = terms_in(c).await?;
            if let Some(id) = id
                && !others.iter().any(|t| t.id == id)
            {
                return Ok(Err(TermError::NotFound(id)));
            }
            if let Err(p) = check_term(term, id, &others) {
                return Ok(Err(TermError::Invalid(p)));
            }
            let saved = match id {
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO school_terms (name, first_day, last_day, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                    )
                    .bind(name.as_str())
                    .bind(term.first_day.as_str())
                    .bind(term.last_day.as_str())
                    .bind(now)
                    .fetch_one(&mut *c)
                    .await?
                }
                Some(id) => {
                    sqlx::query(
                        "UPDATE school_terms SET name = $1, first_day = $2, last_day = $3, updated_at = $4 WHERE id = $5",
                    )
                    .bind(name.as_str())
                    .bind(term.first_day.as_str())
                    .bind(term.last_day.as_str())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                    id
                }
            };
            let detail = serde_json::json!({
                "id": saved, "name": name, "first_day": term.first_day, "last_day": term.last_day,
            });
            record_change(c, now, actor_id, "term", &detail).await?;
            Ok::<_, StoreError>(Ok(saved))
        });
        out?
    }

    /// Removes a term (its sections then read "No term"); `false` when there was none.
    pub async fn delete_school_term(
        &self,
        id: i64,
        actor_id: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        crate::write_tx!(self, |c| {
            let query = sqlx::query("DELETE FROM school_terms WHERE id = $1").bind(id);
            let detail = serde_json::json!({ "id": id, "deleted": true });
            change_if_found(c, query, (now, actor_id), "term", detail).await
        })
    }

    /// Every course with its own credits (`None`: the school's default), by name.
    pub async fn course_credits(&self) -> Result<Vec<CourseCredits>, StoreError> {
        let rows: Vec<(i64, String, Option<f64>)> =
            sqlx::query_as("SELECT id, name, credits FROM sis_courses ORDER BY LOWER(name), id")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(course_id, name, credits)| CourseCredits {
                course_id,
                name,
                credits,
            })
            .collect())
    }

    /// Sets a course's credits (already checked); `false` when there is no such course.
    pub async fn set_course_credits(
        &self,
        course_id: i64,
        credits: Option<f64>,
        actor_id: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        crate::write_tx!(self, |c| {
            let query =
                sqlx::query("UPDATE sis_courses SET credits = $1, updated_at = $2 WHERE id = $3")
                    .bind(credits)
                    .bind(now)
                    .bind(course_id);
            let detail = serde_json::json!({ "course_id": course_id, "credits": credits });
            change_if_found(c, query, (now, actor_id), "credits", detail).await
        })
    }

    /// Puts a student's enrolment on the honours track or off it; `false` when there is no
    /// student enrolment with this id.
    pub async fn set_enrolment_honors(
        &self,
        enrolment_id: i64,
        honors: bool,
        actor_id: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        crate::write_tx!(self, |c| {
            let query = sqlx::query(
                "UPDATE sis_enrolments SET honors = $1 WHERE id = $2 AND role = 'student'",
            )
            .bind(i64::from(honors))
            .bind(enrolment_id);
            let detail = serde_json::json!({ "enrolment_id": enrolment_id, "honors": honors });
            change_if_found(c, query, (now, actor_id), "honors", detail).await
        })
    }

    /// The honours track of enrolments, by enrolment id (`true` only for those on it).
    pub async fn honors_of(&self, enrolment_ids: &[i64]) -> Result<HashMap<i64, bool>, StoreError> {
        let mut c = self.pool().acquire().await?;
        honors_in(&mut c, enrolment_ids).await
    }

    /// The latest changes to the school settings, newest first.
    pub async fn school_changes(&self, limit: i64) -> Result<Vec<SettingsChange>, StoreError> {
        let rows: Vec<(i64, i64, Option<i64>, String, String)> = sqlx::query_as(
            "SELECT id, at, actor_id, what, detail FROM school_changes ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, at, actor_id, what, detail)| SettingsChange {
                id,
                at,
                actor_id,
                what,
                detail,
            })
            .collect())
    }
}

/// The honours flags of enrolments (`true` only for those on the track).
pub async fn honors_in(
    c: &mut AnyConnection,
    enrolment_ids: &[i64],
) -> Result<HashMap<i64, bool>, StoreError> {
    let mut out = HashMap::new();
    for chunk in enrolment_ids.chunks(500) {
        let marks = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT id, honors FROM sis_enrolments WHERE id IN ({marks})");
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for (id, honors) in q.fetch_all(&mut *c).await? {
            out.insert(id, honors != 0);
        }
    }
    Ok(out)
}
