//! Grade events and the gradebook (`schooltool-services.md` §2 `new_grade`, §3, §4). Every grade
//! is an event that is never deleted, with its effective time (the sender's `timemodified`, or the
//! date a teacher gave), its recorded time, its source and attempt. The current grade of a cell
//! (assessment × student) is the event with the highest attempt, then the newest effective time,
//! then the latest arrival; `sis_grades` caches it. Grades that came from Moodle are read-only
//! in the SIS; manual grades are entered on manual items and corrected by a newer event.

use super::sis::{
    Applied, ChangeMeta, ChangeStatus, Outcome, RecordSource, Refusal, clean_optional, get_flag,
};
use super::sis_assessments::{MAX_POINTS, assessment, section_assessments};
use super::sis_enrolments::{ENROLMENT_SQL, MAX_NOTE, enrolment_from_row};
use super::sis_sections::section_summary;
use super::{Store, StoreError, flag};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A validated `new_grade`.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeUpsert {
    /// The assessment's shared id.
    pub assessmentid: String,
    /// The student's shared id.
    pub userid: String,
    /// Points earned (`None` only when excepted).
    pub points: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Attempt number, ≥ 1.
    pub attempt: i64,
}

/// A grade a teacher enters or corrects in the console.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualGrade {
    /// The (manual) assessment.
    pub assessment_id: i64,
    /// The student.
    pub person_id: i64,
    /// Points (required unless excepted).
    pub points: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Why (e.g. "corrected after review").
    pub note: Option<String>,
}

pub use schoolbridge_api::sis::GradeEvent;

pub use schoolbridge_api::sis::GradeCell;

pub use schoolbridge_api::sis::Gradebook;

pub(crate) const EVENT_COLUMNS: &str = "e.id, e.assessment_id, e.person_id, e.points, e.excepted, e.attempt, e.effective_at, e.recorded_at, e.source, e.peer_id, e.eventid, e.actor_id, e.note, e.stale";

pub(crate) fn event_from_row(r: &AnyRow) -> Result<GradeEvent, sqlx::Error> {
    Ok(GradeEvent {
        id: r.try_get("id")?,
        assessment_id: r.try_get("assessment_id")?,
        person_id: r.try_get("person_id")?,
        points: r.try_get("points")?,
        excepted: get_flag(r, "excepted")?,
        attempt: r.try_get("attempt")?,
        effective_at: r.try_get("effective_at")?,
        recorded_at: r.try_get("recorded_at")?,
        source: RecordSource::parse(&r.try_get::<String, _>("source")?),
        peer_id: r.try_get("peer_id")?,
        eventid: r.try_get("eventid")?,
        actor_id: r.try_get("actor_id")?,
        note: r.try_get("note")?,
        stale: get_flag(r, "stale")?,
    })
}

/// The current grade of a cell.
pub async fn current_grade(
    c: &mut AnyConnection,
    assessment_id: i64,
    person_id: i64,
) -> Result<Option<GradeEvent>, StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM sis_grades g JOIN sis_grade_events e ON e.id = g.event_id WHERE g.assessment_id = $1 AND g.person_id = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(assessment_id)
        .bind(person_id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(event_from_row).transpose()?)
}

struct NewEvent<'a> {
    assessment_id: i64,
    person_id: i64,
    points: Option<f64>,
    excepted: bool,
    attempt: i64,
    note: Option<&'a str>,
}

/// Records an event; it becomes the cell's current grade when it ranks highest (§2).
async fn record_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &ChangeMeta,
    current: Option<&GradeEvent>,
) -> Result<(ChangeStatus, i64), StoreError> {
    let becomes_current =
        current.is_none_or(|cur| (e.attempt, meta.effective_at) >= (cur.attempt, cur.effective_at));
    let id: i64 = sqlx::query(
        "INSERT INTO sis_grade_events (assessment_id, person_id, points, excepted, attempt, effective_at, recorded_at, source, peer_id, eventid, actor_id, note, stale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e.assessment_id)
    .bind(e.person_id)
    .bind(e.points)
    .bind(flag(e.excepted))
    .bind(e.attempt)
    .bind(meta.effective_at)
    .bind(meta.recorded_at)
    .bind(meta.source.as_str())
    .bind(meta.peer_id)
    .bind(meta.eventid.as_deref())
    .bind(meta.actor_id)
    .bind(e.note)
    .bind(flag(!becomes_current))
    .fetch_one(&mut *c)
    .await?
    .try_get(0)?;
    if !becomes_current {
        return Ok((ChangeStatus::Stale, id));
    }
    sqlx::query(
        "INSERT INTO sis_grades (assessment_id, person_id, event_id) VALUES ($1, $2, $3)
         ON CONFLICT (assessment_id, person_id) DO UPDATE SET event_id = excluded.event_id",
    )
    .bind(e.assessment_id)
    .bind(e.person_id)
    .bind(id)
    .execute(&mut *c)
    .await?;
    let status = if current.is_some() {
        ChangeStatus::Updated
    } else {
        ChangeStatus::Created
    };
    Ok((status, id))
}

/// What a cell holds that a new event is compared with, read in one statement: its current
/// event, and whether the same grade (value, attempt, effective time, source) is already in the
/// history — a full sync re-sends grades with their original time, and must not add copies.
async fn cell_for_new_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &ChangeMeta,
) -> Result<(Option<GradeEvent>, bool), StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS}, g.event_id AS current_event_id
           FROM sis_grade_events e
           LEFT JOIN sis_grades g ON g.assessment_id = e.assessment_id AND g.person_id = e.person_id
          WHERE e.assessment_id = $1 AND e.person_id = $2
            AND (g.event_id = e.id OR (e.attempt = $3 AND e.effective_at = $4 AND e.source = $5))"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(e.assessment_id)
        .bind(e.person_id)
        .bind(e.attempt)
        .bind(meta.effective_at)
        .bind(meta.source.as_str())
        .fetch_all(&mut *c)
        .await?;
    let mut current = None;
    let mut recorded = false;
    for r in rows {
        let event = event_from_row(&r)?;
        let current_id: Option<i64> = r.try_get("current_event_id")?;
        recorded |= event.attempt == e.attempt
            && event.effective_at == meta.effective_at
            && event.source == meta.source
            && event.points.map(f64::to_bits) == e.points.map(f64::to_bits)
            && event.excepted == e.excepted;
        if current_id == Some(event.id) {
            current = Some(event);
        }
    }
    Ok((current, recorded))
}

/// The ids of an assessment and a person of a peer, in one statement.
async fn cell_ids(
    c: &mut AnyConnection,
    peer_id: i64,
    assessmentid: &str,
    userid: &str,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT id FROM sis_assessments WHERE peer_id = $1 AND idnumber = $2) AS assessment_id,
                (SELECT id FROM people WHERE peer_id = $1 AND idnumber = $3) AS person_id",
    )
    .bind(peer_id)
    .bind(assessmentid)
    .bind(userid)
    .fetch_one(&mut *c)
    .await?;
    Ok((row.try_get("assessment_id")?, row.try_get("person_id")?))
}

/// Applies `new_grade` (§2). Refused (before any write) for an unknown assessment or person.
pub async fn apply_new_grade(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeUpsert,
    meta: &ChangeMeta,
) -> Outcome<Applied> {
    let (assessment_id, person_id) = cell_ids(c, peer_id, &g.assessmentid, &g.userid).await?;
    let Some(assessment_id) = assessment_id else {
        return Ok(Err(Refusal::UnknownAssessment(g.assessmentid.clone())));
    };
    let Some(person_id) = person_id else {
        return Ok(Err(Refusal::UnknownPerson(g.userid.clone())));
    };
    let key = format!("{}/{}", g.assessmentid, g.userid);
    let event = NewEvent {
        assessment_id,
        person_id,
        points: g.points,
        excepted: g.excepted,
        attempt: g.attempt,
        note: None,
    };
    let (current, recorded) = cell_for_new_event(c, &event, meta).await?;
    if recorded {
        return Ok(Ok(Applied::new(ChangeStatus::Unchanged, key)));
    }
    let (status, _) = record_event(c, &event, meta, current.as_ref()).await?;
    Ok(Ok(Applied::new(status, key)))
}

async fn is_student_in(
    c: &mut AnyConnection,
    section_id: i64,
    person_id: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM sis_enrolments WHERE section_id = $1 AND person_id = $2 AND role = 'student'",
    )
    .bind(section_id)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?
    .is_some())
}

/// Enters or corrects a manual grade (§4). Refused on items from Moodle, on cells whose current
/// grade came from Moodle (read-only), for people not enrolled as students in the section, and
/// for a date before the cell's current grade. A correction keeps the earlier value in history.
pub async fn record_manual_grade(
    c: &mut AnyConnection,
    g: &ManualGrade,
    meta: &ChangeMeta,
) -> Outcome<i64> {
    let Some(item) = assessment(c, g.assessment_id).await? else {
        return Ok(Err(Refusal::NotFound("assessment", g.assessment_id)));
    };
    if !item.takes_manual_grades() {
        return Ok(Err(Refusal::ReadOnly(
            "grades of an item from Moodle are given in Moodle".into(),
        )));
    }
    if !is_student_in(c, item.section_id, g.person_id).await? {
        return Ok(Err(Refusal::invalid(
            "person",
            "not enrolled as a student in the item's section",
        )));
    }
    match g.points {
        None if !g.excepted => {
            return Ok(Err(Refusal::invalid("points", "required unless excepted")));
        }
        Some(p) if !p.is_finite() || p.abs() > MAX_POINTS => {
            return Ok(Err(Refusal::invalid("points", "not a usable number")));
        }
        _ => {}
    }
    let note = match clean_optional("note", g.note.as_deref(), MAX_NOTE) {
        Ok(n) => n,
        Err(r) => return Ok(Err(r)),
    };
    let current = current_grade(c, g.assessment_id, g.person_id).await?;
    if let Some(cur) = &current {
        if cur.source == RecordSource::Moodle {
            return Ok(Err(Refusal::ReadOnly(
                "this grade came from Moodle; change it in Moodle".into(),
            )));
        }
        if meta.effective_at < cur.effective_at {
            return Ok(Err(Refusal::Conflict(
                "the date is before the current grade's".into(),
            )));
        }
    }
    let event = NewEvent {
        assessment_id: g.assessment_id,
        person_id: g.person_id,
        points: g.points,
        excepted: g.excepted,
        attempt: current.as_ref().map_or(1, |cur| cur.attempt),
        note: note.as_deref(),
    };
    let (_, id) = record_event(c, &event, meta, current.as_ref()).await?;
    Ok(Ok(id))
}

impl Store {
    /// A section's gradebook (hidden items only when asked).
    pub async fn gradebook(
        &self,
        section_id: i64,
        include_hidden: bool,
    ) -> Result<Option<Gradebook>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let Some(section) = section_summary(&mut c, section_id).await? else {
            return Ok(None);
        };
        let assessments = section_assessments(&mut c, section_id, include_hidden).await?;
        let sql = format!(
            "{ENROLMENT_SQL} WHERE e.section_id = $1 AND e.role = 'student' ORDER BY LOWER(p.lastname), LOWER(p.firstname), e.id"
        );
        let students = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(section_id)
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(enrolment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM sis_grades g JOIN sis_grade_events e ON e.id = g.event_id
               JOIN sis_assessments a ON a.id = g.assessment_id WHERE a.section_id = $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(section_id)
            .fetch_all(&mut *c)
            .await?;
        let mut cells = Vec::with_capacity(rows.len());
        for r in &rows {
            let grade = event_from_row(r)?;
            let Some(item) = assessments.iter().find(|a| a.id == grade.assessment_id) else {
                continue; // a hidden item's cell
            };
            cells.push(GradeCell {
                editable: item.takes_manual_grades() && grade.source == RecordSource::Manual,
                grade,
            });
        }
        Ok(Some(Gradebook {
            section,
            assessments,
            students,
            cells,
        }))
    }

    /// Every grade event of a cell, by effective time then arrival.
    pub async fn grade_history(
        &self,
        assessment_id: i64,
        person_id: i64,
    ) -> Result<Vec<GradeEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM sis_grade_events e WHERE e.assessment_id = $1 AND e.person_id = $2 ORDER BY e.effective_at, e.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(assessment_id)
            .bind(person_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(event_from_row).collect::<Result<_, _>>()?)
    }

    /// Enters or corrects a manual grade; returns the new event's id.
    pub async fn record_manual_grade(
        &self,
        g: &ManualGrade,
        meta: &ChangeMeta,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| record_manual_grade(c, g, meta).await)
    }
}
