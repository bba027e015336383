//! Grade events and the gradebook (`docs/product.md` §2 `new_grade`, §3, §4). Every grade
//! is an event that is never deleted, with its effective time (the sender's `timemodified`, or the
//! date a teacher gave), its recorded time, its source and attempt; `sis_grades` caches each
//! cell's current event and newest clearing. Which event is current, when a change repeats the
//! history, what a clearing does and the checks of a manual grade are decided by
//! [`crate::sis::domain::grades`]; this module reads the rows it needs and writes what it decided.

use super::rows::{IntFlag, ProvenanceRecord, api_row};
use super::sis::{Applied, ChangeStatus, Outcome, Provenance, RecordSource, Refusal, bind_meta};
use super::sis_assessments::{assessment, section_assessments};
use super::sis_enrolments::{apply_moodle_dates, enrolments_where};
use super::sis_ledger::select_by_keys;
use super::sis_sections::section_summary;
use super::{Store, StoreError, flag};
use sqlx::{AnyConnection, FromRow};
use std::collections::HashMap;

use crate::sis::domain::grades::{
    CellState, GradeValue, ManualTarget, after_clearing, already_recorded, check_manual_grade,
    clearing_is_recorded, placement,
};
pub use crate::sis::domain::grades::{GradeRemoval, GradeUpsert, ManualGrade};

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
        #[sqlx(flatten)]
        provenance: ProvenanceRecord,
        note: Option<String>,
        #[sqlx(try_from = "IntFlag")]
        stale: bool,
        #[sqlx(try_from = "IntFlag")]
        cleared: bool,
    } default { actor_name, peer_name }
}

/// Grade events: `from` is the rest of a `SELECT {EVENT_COLUMNS} FROM …` statement (the events
/// as `e`, joined and filtered as needed), with `params` bound to `$1`, `$2`, … in order.
pub(crate) async fn events_from(
    c: &mut AnyConnection,
    from: &str,
    params: &[i64],
) -> Result<Vec<GradeEvent>, StoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM {from}");
    let mut q = sqlx::query_as::<_, GradeEventRecord>(sqlx::AssertSqlSafe(sql));
    for p in params {
        q = q.bind(*p);
    }
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows.into_iter().map(GradeEvent::from).collect())
}

/// The current grades of a section's cells (a cell cleared in Moodle has none; its history
/// keeps the earlier ones).
pub(crate) async fn section_current_grades(
    c: &mut AnyConnection,
    section_id: i64,
) -> Result<Vec<GradeEvent>, StoreError> {
    let events = events_from(
        c,
        "sis_grades g JOIN sis_grade_events e ON e.id = g.event_id
           JOIN sis_assessments a ON a.id = g.assessment_id WHERE a.section_id = $1",
        &[section_id],
    )
    .await?;
    Ok(events.into_iter().filter(|e| !e.cleared).collect())
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
    let events = events_from(
        c,
        "sis_grades g JOIN sis_grade_events e ON e.id = g.event_id WHERE g.assessment_id = $1 AND g.person_id = $2",
        &[assessment_id, person_id],
    )
    .await?;
    Ok(events.into_iter().find(|e| !e.cleared))
}

struct NewEvent<'a> {
    assessment_id: i64,
    person_id: i64,
    points: Option<f64>,
    excepted: bool,
    attempt: i64,
    note: Option<&'a str>,
}

impl NewEvent<'_> {
    /// The value compared with the cell's history.
    fn value(&self, meta: &Provenance) -> GradeValue {
        GradeValue {
            points: self.points,
            excepted: self.excepted,
            attempt: self.attempt,
            effective_at: meta.effective_at,
            source: meta.source,
        }
    }

    /// A clearing of the cell (`remove_grade`): no points, attempt 1.
    fn clearing(assessment_id: i64, person_id: i64) -> Self {
        NewEvent {
            assessment_id,
            person_id,
            points: None,
            excepted: false,
            attempt: 1,
            note: None,
        }
    }

    /// The event as [`insert_event`] wrote it with `id`.
    fn written(&self, id: i64, meta: &Provenance, stale: bool, cleared: bool) -> GradeEvent {
        GradeEvent {
            id,
            assessment_id: self.assessment_id,
            person_id: self.person_id,
            points: self.points,
            excepted: self.excepted,
            attempt: self.attempt,
            provenance: meta.clone(),
            note: self.note.map(str::to_owned),
            stale,
            cleared,
            ..Default::default()
        }
    }
}

/// Writes a grade event (a grade, or with `cleared` a clearing) to a cell's history; returns
/// its id.
async fn insert_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &Provenance,
    stale: bool,
    cleared: bool,
) -> Result<i64, StoreError> {
    let q = sqlx::query_scalar(
        "INSERT INTO sis_grade_events (assessment_id, person_id, points, excepted, attempt, effective_at, recorded_at, source, peer_id, eventid, actor_id, note, stale, cleared)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(e.assessment_id)
    .bind(e.person_id)
    .bind(e.points)
    .bind(flag(e.excepted))
    .bind(e.attempt);
    Ok(bind_meta!(q, meta)
        .bind(e.note)
        .bind(flag(stale))
        .bind(flag(cleared))
        .fetch_one(&mut *c)
        .await?)
}

/// Records a grade event, and makes it the cell's current grade when the rule says so
/// ([`placement`]: `stale` events are history only).
async fn record_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &Provenance,
    cell: &CellState,
) -> Result<(ChangeStatus, i64), StoreError> {
    let status = placement(cell, e.attempt, meta.effective_at);
    let id = insert_event(c, e, meta, status == ChangeStatus::Stale, false).await?;
    if status == ChangeStatus::Stale {
        return Ok((status, id));
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
    Ok((status, id))
}

/// What a cell holds that a new event is compared with, read in one statement: its current
/// event, and whether the same grade (value, attempt, effective time, source) is already in the
/// history — a full sync re-sends grades with their original time, and must not add copies.
async fn cell_for_new_event(
    c: &mut AnyConnection,
    e: &NewEvent<'_>,
    meta: &Provenance,
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
    let value = e.value(meta);
    let mut cell = CellState::default();
    let mut recorded = false;
    for r in rows {
        let event = GradeEvent::from(r.event);
        let current_id = r.current_event_id;
        cell.cleared_at = r.cleared_at;
        recorded |= already_recorded(&event, &value);
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

/// A peer's cell: its (assessment, person) ids, `known` or read in one statement, and the key
/// a reply names it by; refused for an unknown assessment or person.
async fn peer_cell(
    c: &mut AnyConnection,
    peer_id: i64,
    assessmentid: &str,
    userid: &str,
    known: Option<(i64, i64)>,
) -> Outcome<(i64, i64, String)> {
    let (assessment_id, person_id): (Option<i64>, Option<i64>) = match known {
        Some((a, p)) => (Some(a), Some(p)),
        None => sqlx::query_as(
            "SELECT (SELECT id FROM sis_assessments WHERE peer_id = $1 AND idnumber = $2) AS assessment_id,
                    (SELECT id FROM people WHERE peer_id = $1 AND idnumber = $3) AS person_id",
        )
        .bind(peer_id)
        .bind(assessmentid)
        .bind(userid)
        .fetch_one(&mut *c)
        .await?,
    };
    let Some(assessment_id) = assessment_id else {
        return Ok(Err(Refusal::UnknownAssessment(assessmentid.to_owned())));
    };
    let Some(person_id) = person_id else {
        return Ok(Err(Refusal::UnknownPerson(userid.to_owned())));
    };
    Ok(Ok((
        assessment_id,
        person_id,
        format!("{assessmentid}/{userid}"),
    )))
}

/// Applies `new_grade` (§2). Refused (before any write) for an unknown assessment or person.
pub async fn apply_new_grade(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeUpsert,
    meta: &Provenance,
) -> Outcome<Applied> {
    apply_new_grade_with(c, peer_id, g, meta, None).await
}

/// [`apply_new_grade`] with the cell's (assessment, person) ids when the caller already knows
/// them ([`known_cell_ids`]), which saves a statement per grade of a batch.
pub async fn apply_new_grade_with(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeUpsert,
    meta: &Provenance,
    known: Option<(i64, i64)>,
) -> Outcome<Applied> {
    let (assessment_id, person_id, key) =
        crate::accepted!(peer_cell(c, peer_id, &g.assessmentid, &g.userid, known).await?);
    let event = NewEvent {
        assessment_id,
        person_id,
        points: g.points_earned,
        excepted: g.excepted,
        attempt: g.attempt_num,
        note: None,
    };
    let (cell, recorded) = cell_for_new_event(c, &event, meta).await?;
    if recorded {
        return Ok(Ok(Applied::new(ChangeStatus::Unchanged, key)));
    }
    let (status, _) = record_event(c, &event, meta, &cell).await?;
    Ok(Ok(Applied::new(status, key)))
}

/// Applies `remove_grade` (`docs/schooltool-sis.md`): a clearing event, after which the cell has
/// no grade until a newer one. Clearing a cell without a grade records nothing (`unchanged`);
/// an older clearing than the current grade is kept in the history and answered `stale`.
/// Refused (before any write) for an unknown assessment or person. `known`: the cell's ids when
/// the caller already has them ([`known_cell_ids`]).
pub async fn apply_remove_grade(
    c: &mut AnyConnection,
    peer_id: i64,
    g: &GradeRemoval,
    meta: &Provenance,
    known: Option<(i64, i64)>,
) -> Outcome<Applied> {
    let (assessment_id, person_id, key) =
        crate::accepted!(peer_cell(c, peer_id, &g.assessmentid, &g.userid, known).await?);
    let history = cell_events(c, assessment_id, person_id).await?;
    if !clearing_is_recorded(&history, meta.effective_at) {
        // Nothing to clear, then or now.
        return Ok(Ok(Applied::new(ChangeStatus::Unchanged, key)));
    }
    let clearing = NewEvent::clearing(assessment_id, person_id);
    let id = insert_event(c, &clearing, meta, false, true).await?;
    let clearing = clearing.written(id, meta, false, true);
    let after = after_clearing(&history, &clearing);
    // The cache points at the current grade, or at the clearing while none follows it.
    sqlx::query(
        "INSERT INTO sis_grades (assessment_id, person_id, event_id, cleared_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (assessment_id, person_id) DO UPDATE SET event_id = excluded.event_id, cleared_at = excluded.cleared_at",
    )
    .bind(assessment_id)
    .bind(person_id)
    .bind(after.cache_event_id)
    .bind(after.cleared_at)
    .execute(&mut *c)
    .await?;
    if after.status == ChangeStatus::Stale {
        sqlx::query("UPDATE sis_grade_events SET stale = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
    }
    Ok(Ok(Applied::new(after.status, key)))
}

/// Every event of a cell, by effective time then arrival.
async fn cell_events(
    c: &mut AnyConnection,
    assessment_id: i64,
    person_id: i64,
) -> Result<Vec<GradeEvent>, StoreError> {
    events_from(
        c,
        "sis_grade_events e WHERE e.assessment_id = $1 AND e.person_id = $2 ORDER BY e.effective_at, e.id",
        &[assessment_id, person_id],
    )
    .await
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

/// Enters or corrects a manual grade (§4; the checks are
/// [`crate::sis::domain::grades::check_manual_grade`]'s). A correction keeps the earlier value
/// in history.
pub async fn record_manual_grade(
    c: &mut AnyConnection,
    g: &ManualGrade,
    meta: &Provenance,
) -> Outcome<i64> {
    let Some(item) = assessment(c, g.assessment_id).await? else {
        return Ok(Err(Refusal::NotFound("assessment", g.assessment_id)));
    };
    let target = ManualTarget {
        manual_item: item.takes_manual_grades(),
        student: is_student_in(c, item.section_id, g.person_id).await?,
    };
    let cell = cell_state(c, g.assessment_id, g.person_id).await?;
    let accepted = crate::accepted!(check_manual_grade(target, g, &cell, meta.effective_at));
    let event = NewEvent {
        assessment_id: g.assessment_id,
        person_id: g.person_id,
        points: g.points,
        excepted: g.excepted,
        attempt: accepted.attempt,
        note: accepted.note.as_deref(),
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
        let mut students = enrolments_where(
            &mut c,
            "WHERE e.section_id = $1 AND e.role = 'student' ORDER BY LOWER(p.lastname), LOWER(p.firstname), e.id",
            section_id,
        )
        .await?;
        for e in &mut students {
            apply_moodle_dates(e, at);
        }
        let mut cells = Vec::new();
        for grade in section_current_grades(&mut c, section_id).await? {
            let Some(item) = assessments.iter().find(|a| a.id == grade.assessment_id) else {
                continue; // a hidden item's cell
            };
            cells.push(GradeCell {
                editable: item.takes_manual_grades()
                    && grade.provenance.source == RecordSource::Manual,
                grade,
            });
        }
        let rescales = super::sis_rescale::pending_rescales(&mut c, section_id).await?;
        Ok(Some(Gradebook {
            section,
            assessments,
            students,
            cells,
            rescales,
            counting: Default::default(),
        }))
    }

    /// Every grade event of a cell, by effective time then arrival.
    pub async fn grade_history(
        &self,
        assessment_id: i64,
        person_id: i64,
    ) -> Result<Vec<GradeEvent>, StoreError> {
        let mut c = self.pool().acquire().await?;
        cell_events(&mut c, assessment_id, person_id).await
    }

    /// Enters or corrects a manual grade; returns the new event's id.
    pub async fn record_manual_grade(
        &self,
        g: &ManualGrade,
        meta: &Provenance,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| record_manual_grade(c, g, meta).await)
    }
}
