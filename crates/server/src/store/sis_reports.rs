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

use super::school::honors_in;
use super::sis::StatusKind;
use super::sis_assessments::{AssessmentRow, COLUMNS as ASSESSMENT_COLUMNS, assessment_from_row};
use super::sis_enrolments::{
    EnrolmentRow, HISTORY_SQL, StatusChange, apply_moodle_dates, change_from_row, dated_status,
    enrolments_where,
};
use super::sis_grades::{GradeEvent, events_from};
use super::sis_people::person_ref;
use super::sis_sections::{SUMMARY_SQL, SectionSummary, section_summary, summary_from_row};
use super::{Store, StoreError};
use crate::sis::domain::grading::{self, Standing};
use jiff::tz::TimeZone;
use schoolbridge_api::school::SchoolSettings;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
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

pub use schoolbridge_api::sis::{
    CreditSummary, SchoolHeader, SectionProgress, SectionProgressRow, TranscriptTerm,
};

/// The student's student-role enrolments and their sections.
async fn student_role_enrolments(
    c: &mut AnyConnection,
    person_id: i64,
) -> Result<(Vec<EnrolmentRow>, HashMap<i64, SectionSummary>), StoreError> {
    let enrolments = enrolments_where(
        c,
        "WHERE e.person_id = $1 AND e.role = 'student' ORDER BY e.id",
        person_id,
    )
    .await?;
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
    let rows = q.fetch_all(&mut *c).await?;
    let changes = rows.iter().map(change_from_row);
    Ok(grouped(changes.collect::<Result<_, _>>()?, |ch| {
        ch.enrolment_id
    }))
}

/// `items` in groups by `key`, each in the order read.
fn grouped<K: std::hash::Hash + Eq, T>(items: Vec<T>, key: impl Fn(&T) -> K) -> HashMap<K, Vec<T>> {
    let mut out: HashMap<K, Vec<T>> = HashMap::new();
    for item in items {
        out.entry(key(&item)).or_default().push(item);
    }
    out
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
    let events = events_from(
        c,
        "sis_grade_events e WHERE e.person_id = $1 AND e.effective_at <= $2",
        &[person_id, until],
    )
    .await?;
    let cells = grouped(events, |e| e.assessment_id);
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
        let enrolments = enrolments_where(
            &mut c,
            "WHERE e.person_id = $1 AND k.kind = 'active' ORDER BY e.id",
            person_id,
        )
        .await?;
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
        let enrolments =
            enrolments_where(&mut c, "WHERE e.person_id = $1 ORDER BY e.id", person_id).await?;
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

    /// A progress report as of `as_of` (Unix seconds), rebuilt from history by effective time,
    /// with the totals, letters and Moodle's course total of `sis::domain::grading` under the
    /// school's settings.
    pub async fn progress_report(
        &self,
        person_id: i64,
        as_of: i64,
    ) -> Result<Option<ProgressReport>, StoreError> {
        let (settings, tz, mut c) = self.report_basis().await?;
        let Some(person) = person_ref(&mut c, person_id).await? else {
            return Ok(None);
        };
        let (enrolments, sections) = student_role_enrolments(&mut c, person_id).await?;
        let honors = enrolment_honors(&mut c, &enrolments).await?;
        let history = histories(&mut c, person_id, Some("student"), Some(as_of)).await?;
        let items = items_of(&mut c, person_id).await?;
        let grades = grades_of(&mut c, person_id, as_of).await?;
        let school_then = AsOf::new(as_of, &settings, &history, &honors);
        let mut out = Vec::new();
        for e in enrolments {
            let Some(section) = sections.get(&e.section_id) else {
                continue;
            };
            let section_items = items.get(&e.section_id).cloned().unwrap_or_default();
            let Some(then) = school_then.stood(&e, section_items, &grades) else {
                continue; // not enrolled yet at that date
            };
            let (status, status_label, status_kind, status_since) = then.status;
            out.push(ReportSection {
                section: section.clone(),
                enrolment_id: e.id,
                status,
                status_label,
                status_kind,
                status_since,
                items: then.items,
                totals: then.standing.totals,
                honors: then.honors,
                grade: then.standing.grade,
                moodle_total: then.standing.moodle_total,
            });
        }
        out.sort_by(|a, b| by_place(&a.section, &b.section));
        Ok(Some(ProgressReport {
            person,
            as_of,
            sections: out,
            as_of_day: grading::day_of(as_of, &tz),
            time_zone: settings.time_zone.clone(),
        }))
    }

    /// Every student of a section as of `as_of`: status then, totals, grade so far and Moodle's
    /// course total. `None`: no such section.
    pub async fn section_progress(
        &self,
        section_id: i64,
        as_of: i64,
    ) -> Result<Option<SectionProgress>, StoreError> {
        let (settings, tz, mut c) = self.report_basis().await?;
        let Some(section) = section_summary(&mut c, section_id).await? else {
            return Ok(None);
        };
        let enrolments = enrolments_where(
            &mut c,
            "WHERE e.section_id = $1 AND e.role = 'student' ORDER BY e.id",
            section_id,
        )
        .await?;
        let honors = enrolment_honors(&mut c, &enrolments).await?;
        let sql = format!(
            "{HISTORY_SQL} JOIN sis_enrolments en ON en.id = h.enrolment_id
             WHERE en.section_id = $1 AND en.role = 'student' AND h.effective_at <= $2
             ORDER BY h.effective_at, h.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(section_id)
            .bind(as_of)
            .fetch_all(&mut *c)
            .await?;
        let changes = rows.iter().map(change_from_row);
        let history = grouped(changes.collect::<Result<_, _>>()?, |ch| ch.enrolment_id);
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM sis_assessments WHERE section_id = $1
             ORDER BY chapter, LOWER(name), id"
        );
        let items = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(section_id)
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(assessment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let events = events_from(
            &mut c,
            "sis_grade_events e WHERE e.effective_at <= $2
               AND e.assessment_id IN (SELECT id FROM sis_assessments WHERE section_id = $1)",
            &[section_id, as_of],
        )
        .await?;
        let cells = grouped(events, |e| (e.person_id, e.assessment_id));
        let school_then = AsOf::new(as_of, &settings, &history, &honors);
        let mut students = Vec::new();
        for e in enrolments {
            let grades: HashMap<i64, GradeEvent> = items
                .iter()
                .filter_map(|a| {
                    let events = cells.get(&(e.person.id, a.id))?;
                    schoolbridge_api::sis::current_grade(events).map(|g| (a.id, g.clone()))
                })
                .collect();
            let Some(then) = school_then.stood(&e, items.clone(), &grades) else {
                continue; // not enrolled yet at that date
            };
            let (_, status_label, status_kind, _) = then.status;
            students.push(SectionProgressRow {
                person: e.person.clone(),
                enrolment_id: e.id,
                status_label,
                status_kind,
                honors: then.honors,
                totals: then.standing.totals,
                grade: then.standing.grade,
                moodle_total: then.standing.moodle_total,
            });
        }
        students.sort_by(|a, b| {
            (
                a.person.lastname.to_lowercase(),
                a.person.firstname.to_lowercase(),
                a.person.id,
            )
                .cmp(&(
                    b.person.lastname.to_lowercase(),
                    b.person.firstname.to_lowercase(),
                    b.person.id,
                ))
        });
        Ok(Some(SectionProgress {
            has_moodle_total: items.iter().any(|a| a.is_course_total()),
            section,
            as_of,
            as_of_day: grading::day_of(as_of, &tz),
            time_zone: settings.time_zone.clone(),
            counts: settings.transcript_total,
            students,
        }))
    }

    /// A student's transcript: the school's header, every student enrolment with its status as
    /// of `at`, withdrawals with their code, date and transcript line, totals over current
    /// grades of visible items, the final grade (letter and percent), credits, and the term and
    /// cumulative GPA (`sis::domain::grading`).
    pub async fn transcript(
        &self,
        person_id: i64,
        at: i64,
    ) -> Result<Option<Transcript>, StoreError> {
        let terms = self.school_terms().await?;
        let (settings, tz, mut c) = self.report_basis().await?;
        let Some(person) = person_ref(&mut c, person_id).await? else {
            return Ok(None);
        };
        let (enrolments, sections) = student_role_enrolments(&mut c, person_id).await?;
        let honors = enrolment_honors(&mut c, &enrolments).await?;
        let history = histories(&mut c, person_id, Some("student"), None).await?;
        let mut items = items_of(&mut c, person_id).await?;
        let grades = grades_of(&mut c, person_id, i64::MAX).await?;
        let first_days = first_student_days(&mut c, person_id).await?;
        let credits = course_credits_in(&mut c).await?;
        let mut entries = Vec::new();
        for mut e in enrolments {
            apply_moodle_dates(&mut e, at);
            let Some(section) = sections.get(&e.section_id) else {
                continue;
            };
            let withdrawal = (e.status_kind == StatusKind::Withdrawn)
                .then(|| withdrawal_of(&e, history.get(&e.id).map(Vec::as_slice).unwrap_or(&[])));
            let visible: Vec<ReportItem> = items
                .remove(&e.section_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !a.hidden)
                .map(|a| ReportItem {
                    grade: grades.get(&a.id).cloned(),
                    assessment: a,
                })
                .collect();
            let on_honors = honors.get(&e.id).copied().unwrap_or(false);
            let Standing {
                totals,
                moodle_total,
                grade: final_grade,
            } = grading::standing(&visible, on_honors, withdrawal.is_some(), &settings);
            let course_credits = section
                .course
                .as_ref()
                .and_then(|c| credits.get(&c.id).copied().flatten())
                .unwrap_or(settings.default_credits);
            let (credits_attempted, credits_earned) =
                grading::credits_of(&settings, final_grade.as_ref(), course_credits);
            let term_id = first_days
                .get(&e.section_id)
                .and_then(|at| grading::term_for(&grading::day_of(*at, &tz), &terms))
                .map(|t| t.id);
            entries.push(TranscriptEntry {
                section: section.clone(),
                enrolment: e,
                withdrawal,
                totals,
                term_id,
                honors: on_honors,
                moodle_total,
                final_grade,
                credits: course_credits,
                credits_attempted,
                credits_earned,
            });
        }
        // By term (in the order of their first days; "No term" last), then by place.
        let term_rank = |id: Option<i64>| {
            id.and_then(|id| terms.iter().position(|t| t.id == id))
                .unwrap_or(usize::MAX)
        };
        entries.sort_by(|a, b| {
            term_rank(a.term_id)
                .cmp(&term_rank(b.term_id))
                .then_with(|| by_place(&a.section, &b.section))
        });
        let mut term_lines: Vec<TranscriptTerm> = Vec::new();
        for e in &entries {
            if term_lines.last().is_none_or(|t| t.term_id != e.term_id) {
                let term = e.term_id.and_then(|id| terms.iter().find(|t| t.id == id));
                term_lines.push(TranscriptTerm {
                    term_id: e.term_id,
                    name: term.map_or_else(|| "No term".to_owned(), |t| t.name.clone()),
                    first_day: term.map(|t| t.first_day.clone()),
                    last_day: term.map(|t| t.last_day.clone()),
                    summary: CreditSummary::default(),
                });
            }
        }
        for t in &mut term_lines {
            t.summary = grading::summary(
                &settings,
                entries
                    .iter()
                    .filter(|e| e.term_id == t.term_id)
                    .map(|e| (e.final_grade.as_ref(), e.credits)),
            );
        }
        let cumulative = grading::summary(
            &settings,
            entries.iter().map(|e| (e.final_grade.as_ref(), e.credits)),
        );
        Ok(Some(Transcript {
            person,
            entries,
            school: SchoolHeader {
                name: settings.name.clone(),
                address: settings.address.clone(),
            },
            printed_on: grading::day_of(at, &tz),
            terms: term_lines,
            cumulative,
        }))
    }
}

/// Where a student enrolment stood as of a date (progress reports of a student and of a
/// section): its status then, its items with the grades it had by then, whether it was on the
/// honours track, and what `grading::standing` makes of them.
struct StoodThen {
    /// Code, label, kind, since ([`status_then`]).
    status: (String, String, StatusKind, i64),
    items: Vec<ReportItem>,
    honors: bool,
    standing: Standing,
}

/// The school as it stood at one instant (`at`), for rebuilding its enrolments then: the status
/// histories and honours flags of the enrolments a report covers, under the school's settings.
struct AsOf<'a> {
    at: i64,
    settings: &'a SchoolSettings,
    history: &'a HashMap<i64, Vec<StatusChange>>,
    honors: &'a HashMap<i64, bool>,
}

impl<'a> AsOf<'a> {
    fn new(
        at: i64,
        settings: &'a SchoolSettings,
        history: &'a HashMap<i64, Vec<StatusChange>>,
        honors: &'a HashMap<i64, bool>,
    ) -> Self {
        AsOf {
            at,
            settings,
            history,
            honors,
        }
    }

    /// Where `e` stood then, with `items` (its section's) and the current `grades` by item.
    /// `None`: not enrolled yet at that date (no history row effective by then).
    fn stood(
        &self,
        e: &EnrolmentRow,
        items: Vec<AssessmentRow>,
        grades: &HashMap<i64, GradeEvent>,
    ) -> Option<StoodThen> {
        // The newest row effective by then (rows are sorted by effective time, then id).
        let then = self.history.get(&e.id).and_then(|h| h.last())?;
        let items = grading::items_as_of(items, grades, self.at);
        let honors = self.honors.get(&e.id).copied().unwrap_or(false);
        let standing = grading::standing(&items, honors, false, self.settings);
        Some(StoodThen {
            status: status_then(e, then, self.at),
            items,
            honors,
            standing,
        })
    }
}

impl Store {
    /// What every report reads before its rows: the school's settings, its time zone and a
    /// connection for the rest.
    async fn report_basis(
        &self,
    ) -> Result<(SchoolSettings, TimeZone, PoolConnection<Any>), StoreError> {
        let settings = self.school_settings().await?;
        let tz = grading::school_zone(&settings);
        let c = self.pool().acquire().await?;
        Ok((settings, tz, c))
    }
}

/// Whether each of `enrolments` is on the honours track.
async fn enrolment_honors(
    c: &mut AnyConnection,
    enrolments: &[EnrolmentRow],
) -> Result<HashMap<i64, bool>, StoreError> {
    let ids: Vec<i64> = enrolments.iter().map(|e| e.id).collect();
    honors_in(c, &ids).await
}

/// An enrolment's status as of a date: the newest history row by then, coloured by Moodle's
/// dates as they stand now (code, label, kind, since).
fn status_then(
    e: &EnrolmentRow,
    then: &StatusChange,
    as_of: i64,
) -> (String, String, StatusKind, i64) {
    match dated_status(then.kind, e.moodle_starts_at, e.moodle_ends_at, as_of) {
        Some((code, label, since)) => (
            code.to_owned(),
            label.to_owned(),
            StatusKind::Inactive,
            since.map_or(then.provenance.effective_at, |s| {
                s.max(then.provenance.effective_at)
            }),
        ),
        None => (
            then.status.clone(),
            then.label.clone(),
            then.kind,
            then.provenance.effective_at,
        ),
    }
}

/// The first day a student was enrolled in each of this person's sections (the effective time
/// of the earliest history row of any student enrolment there): what places a section in a term.
async fn first_student_days(
    c: &mut AnyConnection,
    person_id: i64,
) -> Result<HashMap<i64, i64>, StoreError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT en.section_id, MIN(h.effective_at) FROM sis_enrolment_history h
           JOIN sis_enrolments en ON en.id = h.enrolment_id
          WHERE en.role = 'student' AND en.section_id IN
                (SELECT section_id FROM sis_enrolments WHERE person_id = $1 AND role = 'student')
          GROUP BY en.section_id",
    )
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Every course's own credits (`None`: the school's default).
async fn course_credits_in(c: &mut AnyConnection) -> Result<HashMap<i64, Option<f64>>, StoreError> {
    let rows: Vec<(i64, Option<f64>)> = sqlx::query_as("SELECT id, credits FROM sis_courses")
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.into_iter().collect())
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
        since: run
            .last()
            .map_or(e.status_effective_at, |h| h.provenance.effective_at),
        // The latest line written for the transcript; the staff `note` never goes here.
        transcript_note: run.iter().find_map(|h| h.transcript_note.clone()),
    }
}
