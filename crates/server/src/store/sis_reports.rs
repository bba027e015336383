//! What counsellors and principals read about one student (`docs/product.md` §4): the
//! schedule, the enrolment history, a progress report **as of a date** and the transcript.
//!
//! As-of reports are rebuilt from history by **effective time** (the sender's `timemodified`, or
//! the date a user gave), not by when SchoolBridge recorded a row: a report for 1 March shows
//! what had happened at the school by the end of that instant, even if Moodle delivered it later.
//! The rule is the one that defines the current state, restricted to rows effective by then:
//! enrolment status = the newest history row (effective time, then arrival); grade = the event
//! with the highest attempt, then the newest effective time, then the latest arrival; an item is
//! listed when it existed or had a grade by then and was not hidden then
//! (`docs/design/004-sis-service-semantics.md`).

use super::sis::StatusKind;
use super::sis_assessments::{AssessmentRow, COLUMNS as ASSESSMENT_COLUMNS, assessment_from_row};
use super::sis_enrolments::{
    ENROLMENT_SQL, EnrolmentRow, HISTORY_SQL, StatusChange, apply_moodle_dates, change_from_row,
    dated_status, enrolment_from_row,
};
use super::sis_grades::{EVENT_COLUMNS, GradeEvent, event_from_row};
use super::sis_people::person_ref;
use super::sis_sections::{SUMMARY_SQL, SectionSummary, summary_from_row};
use super::{Store, StoreError};
use sqlx::AnyConnection;
use std::collections::HashMap;

pub use schoolbridge_api::sis::ScheduleEntry;

pub use schoolbridge_api::sis::EnrolmentRecord;

pub use schoolbridge_api::sis::Totals;

pub use schoolbridge_api::sis::ReportItem;

pub use schoolbridge_api::sis::ReportSection;

pub use schoolbridge_api::sis::ProgressReport;

pub use schoolbridge_api::sis::Withdrawal;

pub use schoolbridge_api::sis::TranscriptEntry;

pub use schoolbridge_api::sis::Transcript;

/// The student's student-role enrolments and their sections.
async fn student_role_enrolments(
    c: &mut AnyConnection,
    person_id: i64,
) -> Result<(Vec<EnrolmentRow>, HashMap<i64, SectionSummary>), StoreError> {
    let sql =
        format!("{ENROLMENT_SQL} WHERE e.person_id = $1 AND e.role = 'student' ORDER BY e.id");
    let enrolments = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(enrolment_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let sections = sections_of(c, person_id, Some("student")).await?;
    Ok((enrolments, sections))
}

async fn sections_of(
    c: &mut AnyConnection,
    person_id: i64,
    role: Option<&str>,
) -> Result<HashMap<i64, SectionSummary>, StoreError> {
    let role_filter = if role.is_some() { " AND role = $2" } else { "" };
    let sql = format!(
        "{SUMMARY_SQL} WHERE s.id IN (SELECT section_id FROM sis_enrolments WHERE person_id = $1{role_filter})"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person_id);
    if let Some(r) = role {
        q = q.bind(r);
    }
    let rows = q.fetch_all(&mut *c).await?;
    let mut out = HashMap::new();
    for r in &rows {
        let s = summary_from_row(r)?;
        out.insert(s.id, s);
    }
    Ok(out)
}

async fn histories(
    c: &mut AnyConnection,
    person_id: i64,
    role: Option<&str>,
    until: Option<i64>,
) -> Result<HashMap<i64, Vec<StatusChange>>, StoreError> {
    let mut sql = format!(
        "{HISTORY_SQL} JOIN sis_enrolments en ON en.id = h.enrolment_id WHERE en.person_id = $1"
    );
    let mut n = 1;
    if role.is_some() {
        n += 1;
        sql.push_str(&format!(" AND en.role = ${n}"));
    }
    if until.is_some() {
        n += 1;
        sql.push_str(&format!(" AND h.effective_at <= ${n}"));
    }
    sql.push_str(" ORDER BY h.effective_at, h.id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person_id);
    if let Some(r) = role {
        q = q.bind(r);
    }
    if let Some(t) = until {
        q = q.bind(t);
    }
    let mut out: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    for r in &q.fetch_all(&mut *c).await? {
        let ch = change_from_row(r)?;
        out.entry(ch.enrolment_id).or_default().push(ch);
    }
    Ok(out)
}

fn by_place(a: &SectionSummary, b: &SectionSummary) -> std::cmp::Ordering {
    (a.container_id, a.segment, a.name.to_lowercase(), a.id).cmp(&(
        b.container_id,
        b.segment,
        b.name.to_lowercase(),
        b.id,
    ))
}

/// The assessments of the student's sections.
async fn items_of(
    c: &mut AnyConnection,
    person_id: i64,
) -> Result<HashMap<i64, Vec<AssessmentRow>>, StoreError> {
    let sql = format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM sis_assessments WHERE section_id IN
           (SELECT section_id FROM sis_enrolments WHERE person_id = $1 AND role = 'student')
         ORDER BY chapter, LOWER(name), id"
    );
    let mut out: HashMap<i64, Vec<AssessmentRow>> = HashMap::new();
    for r in &sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .fetch_all(&mut *c)
        .await?
    {
        let a = assessment_from_row(r)?;
        out.entry(a.section_id).or_default().push(a);
    }
    Ok(out)
}

/// The current grade per assessment as of `until`: among the student's events effective by
/// then, the rule of [`schoolbridge_api::sis::current_grade`] (a cleared cell has none).
async fn grades_of(
    c: &mut AnyConnection,
    person_id: i64,
    until: i64,
) -> Result<HashMap<i64, GradeEvent>, StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM sis_grade_events e WHERE e.person_id = $1 AND e.effective_at <= $2"
    );
    let mut cells: HashMap<i64, Vec<GradeEvent>> = HashMap::new();
    for r in &sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .bind(until)
        .fetch_all(&mut *c)
        .await?
    {
        let e = event_from_row(r)?;
        cells.entry(e.assessment_id).or_default().push(e);
    }
    Ok(cells
        .into_iter()
        .filter_map(|(assessment, events)| {
            schoolbridge_api::sis::current_grade(&events).map(|e| (assessment, e.clone()))
        })
        .collect())
}

impl Store {
    /// The sections a person attends at `at` (status of kind active then, any role, within
    /// Moodle's dates).
    pub async fn student_schedule(
        &self,
        person_id: i64,
        at: i64,
    ) -> Result<Vec<ScheduleEntry>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let sql =
            format!("{ENROLMENT_SQL} WHERE e.person_id = $1 AND k.kind = 'active' ORDER BY e.id");
        let enrolments = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(enrolment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let sections = sections_of(&mut c, person_id, None).await?;
        let mut out: Vec<ScheduleEntry> = enrolments
            .into_iter()
            .filter_map(|mut e| {
                apply_moodle_dates(&mut e, at);
                (e.status_kind == StatusKind::Active).then_some(e)
            })
            .filter_map(|e| {
                sections.get(&e.section_id).map(|s| ScheduleEntry {
                    section: s.clone(),
                    enrolment: e,
                })
            })
            .collect();
        out.sort_by(|a, b| by_place(&a.section, &b.section));
        Ok(out)
    }

    /// Every enrolment of a person (any role, any status, shown as of `at`) with its full
    /// history.
    pub async fn student_enrolments(
        &self,
        person_id: i64,
        at: i64,
    ) -> Result<Vec<EnrolmentRecord>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let sql = format!("{ENROLMENT_SQL} WHERE e.person_id = $1 ORDER BY e.id");
        let enrolments = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(enrolment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let sections = sections_of(&mut c, person_id, None).await?;
        let mut history = histories(&mut c, person_id, None, None).await?;
        let mut out: Vec<EnrolmentRecord> = enrolments
            .into_iter()
            .filter_map(|mut e| {
                apply_moodle_dates(&mut e, at);
                let section = sections.get(&e.section_id)?.clone();
                Some(EnrolmentRecord {
                    history: history.remove(&e.id).unwrap_or_default(),
                    section,
                    enrolment: e,
                })
            })
            .collect();
        out.sort_by(|a, b| by_place(&a.section, &b.section));
        Ok(out)
    }

    /// A progress report as of `as_of` (Unix seconds), rebuilt from history by effective time.
    pub async fn progress_report(
        &self,
        person_id: i64,
        as_of: i64,
    ) -> Result<Option<ProgressReport>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let Some(person) = person_ref(&mut c, person_id).await? else {
            return Ok(None);
        };
        let (enrolments, sections) = student_role_enrolments(&mut c, person_id).await?;
        let history = histories(&mut c, person_id, Some("student"), Some(as_of)).await?;
        let mut items = items_of(&mut c, person_id).await?;
        let grades = grades_of(&mut c, person_id, as_of).await?;
        let mut out = Vec::new();
        for e in enrolments {
            // The newest row effective by then (rows are sorted by effective time, then id).
            let Some(then) = history.get(&e.id).and_then(|h| h.last()) else {
                continue; // not enrolled yet at that date
            };
            let Some(section) = sections.get(&e.section_id) else {
                continue;
            };
            let report_items: Vec<ReportItem> = items
                .remove(&e.section_id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    let grade = grades.get(&a.id).cloned();
                    let existed = a.first_effective_at <= as_of || grade.is_some();
                    let hidden_then = a.hidden && a.hidden_at.is_none_or(|h| h <= as_of);
                    (existed && !hidden_then).then_some(ReportItem {
                        assessment: a,
                        grade,
                    })
                })
                .collect();
            let totals = Totals::of(
                report_items
                    .iter()
                    .map(|i| (&i.assessment, i.grade.as_ref())),
            );
            // Moodle's dates as they stand now, read as of the report's date.
            let (status, status_label, status_kind, status_since) =
                match dated_status(then.kind, e.moodle_starts_at, e.moodle_ends_at, as_of) {
                    Some((code, label, since)) => (
                        code.to_owned(),
                        label.to_owned(),
                        StatusKind::Inactive,
                        since.map_or(then.effective_at, |s| s.max(then.effective_at)),
                    ),
                    None => (
                        then.status.clone(),
                        then.label.clone(),
                        then.kind,
                        then.effective_at,
                    ),
                };
            out.push(ReportSection {
                section: section.clone(),
                enrolment_id: e.id,
                status,
                status_label,
                status_kind,
                status_since,
                items: report_items,
                totals,
            });
        }
        out.sort_by(|a, b| by_place(&a.section, &b.section));
        Ok(Some(ProgressReport {
            person,
            as_of,
            sections: out,
        }))
    }

    /// A student's transcript: every student enrolment with its status as of `at`, withdrawals
    /// with their code, date and transcript line, and totals over current grades of visible items.
    pub async fn transcript(
        &self,
        person_id: i64,
        at: i64,
    ) -> Result<Option<Transcript>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let Some(person) = person_ref(&mut c, person_id).await? else {
            return Ok(None);
        };
        let (enrolments, sections) = student_role_enrolments(&mut c, person_id).await?;
        let history = histories(&mut c, person_id, Some("student"), None).await?;
        let mut items = items_of(&mut c, person_id).await?;
        let grades = grades_of(&mut c, person_id, i64::MAX).await?;
        let mut entries = Vec::new();
        for mut e in enrolments {
            apply_moodle_dates(&mut e, at);
            let Some(section) = sections.get(&e.section_id) else {
                continue;
            };
            let withdrawal = (e.status_kind == StatusKind::Withdrawn)
                .then(|| withdrawal_of(&e, history.get(&e.id).map(Vec::as_slice).unwrap_or(&[])));
            let visible: Vec<AssessmentRow> = items
                .remove(&e.section_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !a.hidden)
                .collect();
            let totals = Totals::of(visible.iter().map(|a| (a, grades.get(&a.id))));
            entries.push(TranscriptEntry {
                section: section.clone(),
                enrolment: e,
                withdrawal,
                totals,
            });
        }
        entries.sort_by(|a, b| by_place(&a.section, &b.section));
        Ok(Some(Transcript { person, entries }))
    }
}

/// The current withdrawal: the run of withdrawn-kind rows at the end of the history.
fn withdrawal_of(e: &EnrolmentRow, history: &[StatusChange]) -> Withdrawal {
    let run: Vec<&StatusChange> = history
        .iter()
        .rev()
        .take_while(|h| h.kind == StatusKind::Withdrawn)
        .collect();
    Withdrawal {
        code: e.status.clone(),
        label: e.status_label.clone(),
        since: run.last().map_or(e.status_effective_at, |h| h.effective_at),
        // The latest line written for the transcript; the staff `note` never goes here.
        transcript_note: run.iter().find_map(|h| h.transcript_note.clone()),
    }
}
