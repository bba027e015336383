//! Grade events and the gradebook (`docs/product.md` §2 `new_grade`, §3, §4). Every grade
//! is an event that is never deleted, with its effective time (the sender's `timemodified`, or the
//! date a teacher gave), its recorded time, its source and attempt. The current grade of a cell
//! (assessment × student) is the event with the highest attempt, then the newest effective time,
//! then the latest arrival — among the events after the cell's newest clearing (`remove_grade`,
//! a grade cleared in Moodle), if any; `sis_grades` caches it ([`schoolbridge_api::sis::
//! current_grade`] is the rule). Grades that came from Moodle are read-only in the SIS; manual
//! grades are entered on manual items and corrected by a newer event.

use super::rows::{IntFlag, SourceText, api_row};
use super::sis::{
    Applied, ChangeMeta, ChangeStatus, Outcome, RecordSource, Refusal, clean_optional,
};
use super::sis_assessments::{MAX_POINTS, assessment, section_assessments};
use super::sis_enrolments::{ENROLMENT_SQL, MAX_NOTE, apply_moodle_dates, enrolment_from_row};
use super::sis_ledger::select_by_keys;
use super::sis_sections::section_summary;
use super::{Store, StoreError, flag};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};
use std::collections::HashMap;

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

pub(crate) const EVENT_COLUMNS: &str = "e.id, e.assessment_id, e.person_id, e.points, e.excepted, e.attempt, e.effective_at, e.recorded_at, e.source, e.peer_id, e.eventid, e.actor_id, e.note, e.stale, e.cleared";

api_row! {
    /// A row of `sis_grade_events` ([`EVENT_COLUMNS`]).
    GradeEventRecord => GradeEvent {
        id: i64,
        assessment_id: i64,
        person_id: i64,
        points: Option<f64>,
        #[sqlx(try_from = "IntFlag")]
        excepted: bool,
        attempt: i64,
        effective_at: i64,
        recorded_at: i64,
        #[sqlx(try_from = "SourceText")]
        source: RecordSource,
        peer_id: Option<i64>,
        eventid: Option<String>,
        actor_id: Option<i64>,
        note: Option<String>,
        #[sqlx(try_from = "IntFlag")]
        stale: bool,
        #[sqlx(try_from = "IntFlag")]
        cleared: bool,
    }
}

pub(crate) fn event_from_row(r: &AnyRow) -> Result<GradeEvent, sqlx::Error> {
    GradeEventRecord::from_row(r).map(GradeEvent::from)
}

/// An event with its cell's cache row (an outer join: both NULL without one).
#[derive(sqlx::FromRow)]
struct EventInCell {
    #[sqlx(flatten)]
    event: GradeEventRecord,
    current_event_id: Option<i64>,
    cleared_at: Option<i64>,
}

/// The current grade of a cell (`None` also when it was cleared since its last grade).
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
    Ok(row
        .as_ref()
        .map(event_from_row)
        .transpose()?
        .filter(|e| !e.cleared))
}

struct NewEvent<'a> {
    assessment_id: i64,
    person_id: i64,
    points: Option<f64>,
    excepted: bool,
    attempt: i64,
    note: Option<&'a str>,
}

/// What the cache says of a cell: its current grade and its newest clearing.
#[derive(Debug, Clone, Default)]
struct CellState {
    /// The current grade (`None`: no grade, or cleared since).
    current: Option<GradeEvent>,
    /// The effective time of the newest clearing.
    cleared_at: Option<i64>,
}

/// Records a grade event; it becomes the cell's current grade when it comes at or after the
/// newest clearing and ranks highest (§2; at equal times the later arrival wins).
async fn record_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &ChangeMeta,
    cell: &CellState,
) -> Result<(ChangeStatus, i64), StoreError> {
    let current = cell.current.as_ref();
    let becomes_current = cell.cleared_at.is_none_or(|t| meta.effective_at >= t)
        && current
            .is_none_or(|cur| (e.attempt, meta.effective_at) >= (cur.attempt, cur.effective_at));
    let id: i64 = sqlx::query_scalar(
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
    .await?;
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
    let status = if current.is_some() || cell.cleared_at.is_some() {
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
) -> Result<(CellState, bool), StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS}, g.event_id AS current_event_id, g.cleared_at AS cleared_at
           FROM sis_grade_events e
           LEFT JOIN sis_grades g ON g.assessment_id = e.assessment_id AND g.person_id = e.person_id
          WHERE e.assessment_id = $1 AND e.person_id = $2
            AND (g.event_id = e.id OR (e.attempt = $3 AND e.effective_at = $4 AND e.source = $5))"
    );
    let rows: Vec<EventInCell> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(e.assessment_id)
        .bind(e.person_id)
        .bind(e.attempt)
        .bind(meta.effective_at)
        .bind(meta.source.as_str())
        .fetch_all(&mut *c)
        .await?;
    let mut cell = CellState::default();
    let mut recorded = false;
    for r in rows {
        let event = GradeEvent::from(r.event);
        let current_id = r.current_event_id;
        cell.cleared_at = r.cleared_at;
        recorded |= !event.cleared
            && event.attempt == e.attempt
            && event.effective_at == meta.effective_at
            && event.source == meta.source
            && event.points.map(f64::to_bits) == e.points.map(f64::to_bits)
            && event.excepted == e.excepted;
        if current_id == Some(event.id) && !event.cleared {
            cell.current = Some(event);
        }
    }
    Ok((cell, recorded))
}

/// The ids of an assessment and a person of a peer, in one statement.
/// The ids of the assessments and people of a peer that exist, by idnumber, read in a few
/// statements (a batch's grades). Ids never change once given, so a batch may use them for every
/// change after the read; one missing here (created later in the batch) is looked up as usual.
pub async fn known_cell_ids(
    c: &mut AnyConnection,
    peer_id: i64,
    assessmentids: &[&str],
    userids: &[&str],
) -> Result<(HashMap<String, i64>, HashMap<String, i64>), StoreError> {
    Ok((
        ids_by_idnumber(c, "sis_assessments", peer_id, assessmentids).await?,
        ids_by_idnumber(c, "people", peer_id, userids).await?,
    ))
}

async fn ids_by_idnumber(
    c: &mut AnyConnection,
    table: &'static str,
    peer_id: i64,
    idnumbers: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::new();
    for r in select_by_keys(c, "idnumber, id", table, "idnumber", peer_id, idnumbers).await? {
        let (idnumber, id) = <(String, i64)>::from_row(&r)?;
        found.insert(idnumber, id);
    }
    Ok(found)
}

async fn cell_ids(
    c: &mut AnyConnection,
    peer_id: i64,
    assessmentid: &str,
    userid: &str,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT id FROM sis_assessments WHERE peer_id = $1 AND idnumber = $2) AS assessment_id,
                (SELECT id FROM people WHERE peer_id = $1 AND idnumber = $3) AS person_id",
    )
    .bind(peer_id)
    .bind(assessmentid)
    .bind(userid)
    .fetch_one(&mut *c)
    .await?)
}

/// Applies `new_grade` (§2). Refused (before any write) for an unknown assessment or person.
pub async fn apply_new_grade(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeUpsert,
    meta: &ChangeMeta,
) -> Outcome<Applied> {
    apply_new_grade_with(c, peer_id, g, meta, None).await
}

/// [`apply_new_grade`] with the cell's (assessment, person) ids when the caller already knows
/// them ([`known_cell_ids`]), which saves a statement per grade of a batch.
pub async fn apply_new_grade_with(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeUpsert,
    meta: &ChangeMeta,
    known: Option<(i64, i64)>,
) -> Outcome<Applied> {
    let (assessment_id, person_id) = match known {
        Some((a, p)) => (Some(a), Some(p)),
        None => cell_ids(c, peer_id, &g.assessmentid, &g.userid).await?,
    };
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
    let (cell, recorded) = cell_for_new_event(c, &event, meta).await?;
    if recorded {
        return Ok(Ok(Applied::new(ChangeStatus::Unchanged, key)));
    }
    let (status, _) = record_event(c, &event, meta, &cell).await?;
    Ok(Ok(Applied::new(status, key)))
}

/// A validated `remove_grade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeRemoval {
    /// The assessment's shared id.
    pub assessmentid: String,
    /// The student's shared id.
    pub userid: String,
}

/// Applies `remove_grade` (`docs/schooltool-sis.md`): a clearing event, after which the cell has
/// no grade until a newer one. Clearing a cell without a grade records nothing (`unchanged`);
/// an older clearing than the current grade is kept in the history and answered `stale`.
/// Refused (before any write) for an unknown assessment or person.
pub async fn apply_remove_grade(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeRemoval,
    meta: &ChangeMeta,
) -> Outcome<Applied> {
    apply_remove_grade_with(c, peer_id, g, meta, None).await
}

/// [`apply_remove_grade`] with the cell's ids when the caller already knows them.
pub async fn apply_remove_grade_with(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeRemoval,
    meta: &ChangeMeta,
    known: Option<(i64, i64)>,
) -> Outcome<Applied> {
    let (assessment_id, person_id) = match known {
        Some((a, p)) => (Some(a), Some(p)),
        None => cell_ids(c, peer_id, &g.assessmentid, &g.userid).await?,
    };
    let Some(assessment_id) = assessment_id else {
        return Ok(Err(Refusal::UnknownAssessment(g.assessmentid.clone())));
    };
    let Some(person_id) = person_id else {
        return Ok(Err(Refusal::UnknownPerson(g.userid.clone())));
    };
    let key = format!("{}/{}", g.assessmentid, g.userid);
    let mut events = cell_events(c, assessment_id, person_id).await?;
    let before = schoolbridge_api::sis::current_grade(&events).map(|e| e.id);
    let graded_before_then = schoolbridge_api::sis::current_grade(
        events
            .iter()
            .filter(|e| e.effective_at <= meta.effective_at),
    )
    .is_some();
    if !graded_before_then && before.is_none() {
        // Nothing to clear, then or now.
        return Ok(Ok(Applied::new(ChangeStatus::Unchanged, key)));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sis_grade_events (assessment_id, person_id, points, excepted, attempt, effective_at, recorded_at, source, peer_id, eventid, actor_id, note, stale, cleared)
         VALUES ($1, $2, NULL, 0, 1, $3, $4, $5, $6, $7, $8, NULL, 0, 1) RETURNING id",
    )
    .bind(assessment_id)
    .bind(person_id)
    .bind(meta.effective_at)
    .bind(meta.recorded_at)
    .bind(meta.source.as_str())
    .bind(meta.peer_id)
    .bind(meta.eventid.as_deref())
    .bind(meta.actor_id)
    .fetch_one(&mut *c)
    .await?;
    events.extend(cell_events_by_id(c, id).await?);
    let after = schoolbridge_api::sis::current_grade(&events).map(|e| e.id);
    let cleared_at = events
        .iter()
        .filter(|e| e.cleared)
        .map(|e| e.effective_at)
        .max();
    // The cache points at the current grade, or at the clearing while none follows it.
    sqlx::query(
        "INSERT INTO sis_grades (assessment_id, person_id, event_id, cleared_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (assessment_id, person_id) DO UPDATE SET event_id = excluded.event_id, cleared_at = excluded.cleared_at",
    )
    .bind(assessment_id)
    .bind(person_id)
    .bind(after.unwrap_or(id))
    .bind(cleared_at)
    .execute(&mut *c)
    .await?;
    let status = if after == before {
        sqlx::query("UPDATE sis_grade_events SET stale = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        ChangeStatus::Stale
    } else {
        ChangeStatus::Updated
    };
    Ok(Ok(Applied::new(status, key)))
}

/// Every event of a cell.
async fn cell_events(
    c: &mut AnyConnection,
    assessment_id: i64,
    person_id: i64,
) -> Result<Vec<GradeEvent>, StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM sis_grade_events e WHERE e.assessment_id = $1 AND e.person_id = $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(assessment_id)
        .bind(person_id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(event_from_row)
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

async fn cell_events_by_id(c: &mut AnyConnection, id: i64) -> Result<Vec<GradeEvent>, StoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM sis_grade_events e WHERE e.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(event_from_row)
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
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
    let note = crate::accepted!(clean_optional("note", g.note.as_deref(), MAX_NOTE));
    let cell = cell_state(c, g.assessment_id, g.person_id).await?;
    let current = cell.current.clone();
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
    if cell.cleared_at.is_some_and(|t| meta.effective_at < t) {
        return Ok(Err(Refusal::Conflict(
            "the date is before the grade was cleared".into(),
        )));
    }
    let event = NewEvent {
        assessment_id: g.assessment_id,
        person_id: g.person_id,
        points: g.points,
        excepted: g.excepted,
        attempt: current.as_ref().map_or(1, |cur| cur.attempt),
        note: note.as_deref(),
    };
    let (_, id) = record_event(c, &event, meta, &cell).await?;
    Ok(Ok(id))
}

/// The cache's word on a cell.
async fn cell_state(
    c: &mut AnyConnection,
    assessment_id: i64,
    person_id: i64,
) -> Result<CellState, StoreError> {
    let cleared_at: Option<i64> = sqlx::query_scalar(
        "SELECT cleared_at FROM sis_grades WHERE assessment_id = $1 AND person_id = $2",
    )
    .bind(assessment_id)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?
    .flatten();
    Ok(CellState {
        current: current_grade(c, assessment_id, person_id).await?,
        cleared_at,
    })
}

impl Store {
    /// A section's gradebook (hidden items only when asked), students shown as of `at`.
    pub async fn gradebook(
        &self,
        section_id: i64,
        include_hidden: bool,
        at: i64,
    ) -> Result<Option<Gradebook>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let Some(section) = section_summary(&mut c, section_id).await? else {
            return Ok(None);
        };
        let assessments = section_assessments(&mut c, section_id, include_hidden).await?;
        let sql = format!(
            "{ENROLMENT_SQL} WHERE e.section_id = $1 AND e.role = 'student' ORDER BY LOWER(p.lastname), LOWER(p.firstname), e.id"
        );
        let mut students = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(section_id)
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(enrolment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        for e in &mut students {
            apply_moodle_dates(e, at);
        }
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
            if grade.cleared {
                continue; // cleared in Moodle: no grade (its history keeps the earlier ones)
            }
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
