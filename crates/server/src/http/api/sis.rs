//! `/api/sis`: sections, rosters, enrolment history and statuses, gradebooks and grade items
//! (including the CSV upload with its preview), manual records, and students' schedules, progress
//! reports as of a date and transcripts (JSON and CSV). Who may see what
//! (`docs/product.md` §4): admins and counsellors everything; a teacher their sections; a
//! student themself. Changing statuses and manual courses, sections and enrolments is for
//! counsellors and admins; grade items and manual grades for the section's teacher too.

use super::sis_visibility::{self as visibility, Reader};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::sis::domain::grading;
use crate::store::sis::{Provenance, Refusal, SisError};
use crate::store::sis_enrolments::StatusNotes;
use crate::store::sis_grades::ManualGrade;
use crate::store::sis_sections::{NewManualSection, SectionFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schoolbridge_api::roles::Right;
use schoolbridge_api::school::TranscriptTotal;
use schoolbridge_api::sis as api;
use serde::Deserialize;

impl From<SisError> for ApiError {
    fn from(e: SisError) -> Self {
        match e {
            SisError::Store(s) => ApiError::internal(s),
            SisError::Refused(r) => {
                let status = match &r {
                    Refusal::NotFound(..)
                    | Refusal::UnknownSection(_)
                    | Refusal::UnknownPerson(_)
                    | Refusal::UnknownAssessment(_) => StatusCode::NOT_FOUND,
                    Refusal::ReadOnly(_) | Refusal::Conflict(_) => StatusCode::CONFLICT,
                    Refusal::Invalid { .. } => StatusCode::BAD_REQUEST,
                };
                ApiError::new(status, "refused", r.to_string())
            }
        }
    }
}

async fn can_view_section(s: &HttpState, a: &Authed, section_id: i64) -> Result<bool, ApiError> {
    Ok(a.may(Right::ReadAllStudents)
        || s.app.store.teaches_section(a.person.id, section_id).await?)
}

pub(super) async fn require_section_view(
    s: &HttpState,
    a: &Authed,
    section_id: i64,
) -> Result<(), ApiError> {
    if can_view_section(s, a, section_id).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn require_manager(a: &Authed) -> Result<(), ApiError> {
    a.require(Right::ManageRecords)
}

fn require_student_view(a: &Authed, person_id: i64) -> Result<(), ApiError> {
    if a.may(Right::ReadAllStudents) || a.person.id == person_id {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// How far back a change entered here may be dated: ten years (a record corrected late is
/// months old, not decades; an unbounded date would reorder a pupil's whole history).
const MAX_BACKDATE_SECS: i64 = 10 * 366 * 86_400;
/// The range of an `as_of` date: 2000-01-01 to 9999-12-31 (nothing here is older; later years
/// have no four-digit form).
const AS_OF_RANGE: std::ops::RangeInclusive<i64> = 946_684_800..=253_402_300_799;

/// A change entered here. Its date may be in the past (a withdrawal recorded late), never in the
/// future: a future change would apply at once and hide every Moodle change dated before it.
pub(super) fn manual(
    a: &Authed,
    s: &HttpState,
    effective_at: Option<i64>,
) -> Result<Provenance, ApiError> {
    let now = s.app.clock.now();
    if effective_at.is_some_and(|at| at > now) {
        return Err(ApiError::bad_request(
            "future_date",
            "The date is in the future. Enter a change on or after the day it takes effect.",
        ));
    }
    if effective_at.is_some_and(|at| at < now - MAX_BACKDATE_SECS) {
        return Err(ApiError::bad_request(
            "date_too_old",
            "The date is more than ten years ago. Check the year.",
        ));
    }
    Ok(Provenance::manual(Some(a.person.id), effective_at, now))
}

/// The time a report is as of: the end of a calendar day in the school's time zone
/// (`day=YYYY-MM-DD`), a given instant within [`AS_OF_RANGE`] (`as_of`, Unix seconds), or now.
async fn as_of(s: &HttpState, q: &AsOf) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "bad_date",
            "The date must be a day (YYYY-MM-DD) between the years 2000 and 9999.",
        )
    };
    if let Some(day) = q.day.as_deref() {
        let settings = s.app.store.school_settings().await?;
        let tz = grading::school_zone(&settings);
        return grading::end_of_day(day.trim(), &tz).ok_or_else(bad);
    }
    match q.as_of {
        None => Ok(s.app.clock.now()),
        Some(t) if AS_OF_RANGE.contains(&t) => Ok(t),
        Some(_) => Err(bad()),
    }
}

/// Query string of the sections list.
#[derive(Debug, Deserialize)]
pub struct SectionsQuery {
    container: Option<i64>,
    teacher: Option<i64>,
    course: Option<i64>,
    peer: Option<i64>,
}

/// `GET /api/sis/sections`: staff see all (with filters); teachers their own.
pub async fn sections(
    State(s): State<HttpState>,
    a: Authed,
    Query(q): Query<SectionsQuery>,
) -> Result<Json<Vec<api::SectionSummary>>, ApiError> {
    let filter = SectionFilter {
        container_id: q.container,
        teacher_id: q.teacher,
        course_id: q.course,
        peer_id: q.peer,
    };
    if a.may(Right::ReadAllStudents) {
        return Ok(Json(s.app.store.list_sections(&filter).await?));
    }
    a.require(Right::ReadSections)?;
    let mine = s.app.store.sections_taught(a.person.id).await?;
    let all = s
        .app
        .store
        .list_sections(&SectionFilter {
            teacher_id: None,
            ..filter
        })
        .await?;
    Ok(Json(
        all.into_iter().filter(|x| mine.contains(&x.id)).collect(),
    ))
}

/// `GET /api/sis/sections/{id}`.
pub async fn section(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<api::SectionPage>, ApiError> {
    require_section_view(&s, &a, id).await?;
    let roster = s
        .app
        .store
        .section_roster(id, s.app.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("section"))?;
    let teacher_history = s.app.store.teacher_history(id).await?;
    let page = api::SectionPage {
        roster,
        teacher_history,
        can_manage: a.may(Right::ManageRecords),
        can_grade: true,
    };
    Ok(Json(visibility::section_page(page, Reader::of_section(&a))))
}

/// `GET /api/sis/containers`.
pub async fn containers(
    State(s): State<HttpState>,
    a: Authed,
) -> Result<Json<Vec<api::ContainerRow>>, ApiError> {
    a.require(Right::ReadSections)?;
    Ok(Json(s.app.store.containers().await?))
}

/// `GET /api/sis/courses`.
pub async fn courses(
    State(s): State<HttpState>,
    a: Authed,
) -> Result<Json<Vec<api::CourseRow>>, ApiError> {
    a.require(Right::ReadSections)?;
    Ok(Json(s.app.store.courses().await?))
}

/// `POST /api/sis/courses`.
pub async fn create_course(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::NewCourseRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_manager(&a)?;
    let id = s.app.store.create_course(&r, s.app.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(api::Created { id })))
}

/// `POST /api/sis/terms`.
pub async fn create_term(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::NewTermRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_manager(&a)?;
    let id = s.app.store.create_term(&r, s.app.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(api::Created { id })))
}

/// `POST /api/sis/sections`: a section with no Moodle presence.
pub async fn create_section(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::NewSectionRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_manager(&a)?;
    let new = NewManualSection {
        idnumber: r.idnumber,
        name: r.name,
        segment: None,
        container_id: r.container_id,
        course_id: r.course_id,
        teacher_id: r.teacher_id,
    };
    let id = s
        .app
        .store
        .create_manual_section(&new, &manual(&a, &s, None)?)
        .await?;
    Ok((StatusCode::CREATED, Json(api::Created { id })))
}

/// `PUT /api/sis/sections/{id}/teacher` (manual sections).
pub async fn set_teacher(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<api::SetTeacherRequest>,
) -> Result<StatusCode, ApiError> {
    require_manager(&a)?;
    s.app
        .store
        .set_section_teacher(id, r.teacher_id, &manual(&a, &s, r.effective_at)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/sis/sections/{id}/enrolments`.
pub async fn enrol(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<api::NewEnrolmentRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_manager(&a)?;
    let eid = s
        .app
        .store
        .create_manual_enrolment(id, r.person_id, r.role, &manual(&a, &s, r.effective_at)?)
        .await?;
    Ok((StatusCode::CREATED, Json(api::Created { id: eid })))
}

/// `GET /api/sis/enrolments/{id}/history`.
pub async fn enrolment_history(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<Vec<api::StatusChange>>, ApiError> {
    let e = s
        .app
        .store
        .enrolment(id, s.app.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("enrolment"))?;
    let reader = if can_view_section(&s, &a, e.section_id).await? {
        Reader::of_section(&a)
    } else if e.person.id == a.person.id {
        Reader::Student
    } else {
        return Err(ApiError::forbidden());
    };
    let rows = s.app.store.enrolment_history(id).await?;
    Ok(Json(visibility::status_history(rows, reader)))
}

/// `PUT /api/sis/enrolments/{id}/status`: counsellors and admins.
pub async fn change_status(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<api::StatusChangeRequest>,
) -> Result<Json<Vec<api::StatusChange>>, ApiError> {
    require_manager(&a)?;
    let notes = StatusNotes {
        staff: given(&r.note),
        transcript: given(&r.transcript_note),
    };
    s.app
        .store
        .change_enrolment_status_with(id, &r.code, notes, &manual(&a, &s, r.effective_at)?)
        .await?;
    let rows = s.app.store.enrolment_history(id).await?;
    Ok(Json(visibility::status_history(
        rows,
        Reader::of_section(&a),
    )))
}

/// `GET /api/sis/status-codes`.
pub async fn status_codes(
    State(s): State<HttpState>,
    _a: Authed,
) -> Result<Json<Vec<api::StatusCodeRow>>, ApiError> {
    Ok(Json(s.app.store.status_codes().await?))
}

/// `POST /api/sis/status-codes`: admins.
pub async fn define_status_code(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::NewStatusCodeRequest>,
) -> Result<StatusCode, ApiError> {
    a.require(Right::DefineStatusCodes)?;
    s.app
        .store
        .define_status_code(&r.code, &r.label, r.kind, s.app.clock.now())
        .await?;
    Ok(StatusCode::CREATED)
}

/// Query string of the gradebook.
#[derive(Debug, Deserialize)]
pub struct GradebookQuery {
    hidden: Option<bool>,
}

/// `GET /api/sis/sections/{id}/gradebook`.
pub async fn gradebook(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<GradebookQuery>,
) -> Result<Json<api::Gradebook>, ApiError> {
    require_section_view(&s, &a, id).await?;
    let book = s
        .app
        .store
        .gradebook(id, q.hidden.unwrap_or(false), s.app.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("section"))?;
    let mut book = visibility::gradebook(book, Reader::of_section(&a));
    book.counting = gradebook_counting(&s, &book.students).await?;
    let mut events: Vec<&mut api::GradeEvent> =
        book.cells.iter_mut().map(|c| &mut c.grade).collect();
    super::sis_gradebook::name_events(&s, &mut events).await?;
    Ok(Json(book))
}

/// What the gradebook's totals are counted and lettered with: the school's settings and the
/// students' tracks (the progress report's and transcript's rules, design 029).
async fn gradebook_counting(
    s: &HttpState,
    students: &[api::EnrolmentRow],
) -> Result<api::GradebookCounting, ApiError> {
    let settings = s.app.store.school_settings().await?;
    let ids: Vec<i64> = students.iter().map(|e| e.id).collect();
    let tracks = s.app.store.honors_of(&ids).await?;
    Ok(api::GradebookCounting {
        allow_over_100: settings.allow_over_100,
        scale: settings.scale,
        honors: students
            .iter()
            .filter(|e| tracks.get(&e.id).copied().unwrap_or(false))
            .map(|e| e.person.id)
            .collect(),
    })
}

/// `GET /api/sis/grades/{assessment}/{person}/history`: every value of a cell.
pub async fn grade_history(
    State(s): State<HttpState>,
    a: Authed,
    Path((assessment, person)): Path<(i64, i64)>,
) -> Result<Json<Vec<api::GradeEvent>>, ApiError> {
    let section = s
        .app
        .store
        .assessment_section(assessment)
        .await?
        .ok_or_else(|| ApiError::not_found("grade item"))?;
    let reader = if can_view_section(&s, &a, section).await? {
        Reader::of_section(&a)
    } else if person == a.person.id {
        Reader::Student
    } else {
        return Err(ApiError::forbidden());
    };
    let rows = s.app.store.grade_history(assessment, person).await?;
    Ok(Json(
        super::sis_gradebook::named(&s, visibility::grade_history(rows, reader)).await?,
    ))
}

/// `POST /api/sis/sections/{id}/assessments`: a manual grade item.
pub async fn create_assessment(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<api::NewAssessmentRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_section_view(&s, &a, id).await?;
    let aid = s
        .app
        .store
        .create_manual_assessment(id, &r, s.app.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(api::Created { id: aid })))
}

/// Query string of the CSV upload.
#[derive(Debug, Deserialize)]
pub struct CsvQuery {
    preview: Option<bool>,
}

/// `POST /api/sis/sections/{id}/assessments/csv?preview=true|false`: what would be created,
/// matched by name, or rejected (with line and reason); nothing is saved in a preview.
pub async fn upload_assessments(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<CsvQuery>,
    Json(r): Json<api::CsvUploadRequest>,
) -> Result<Json<Vec<api::BatchLine>>, ApiError> {
    require_section_view(&s, &a, id).await?;
    let lines = crate::sis::csv_items::parse_assessment_csv(&r.csv)
        .map_err(|e| ApiError::bad_request("bad_csv", e.to_string()))?;
    let out = if q.preview.unwrap_or(true) {
        s.app.store.preview_manual_assessments(id, &lines).await?
    } else {
        let applied = s
            .app
            .store
            .create_manual_assessments(id, &lines, s.app.clock.now())
            .await?;
        s.app.metrics.csv_batch(lines.len());
        applied
    };
    Ok(Json(out))
}

/// `GET /api/sis/grade-items-template.csv`: the columns the upload expects.
pub async fn csv_template() -> Response {
    csv_response(
        "grade-items-template.csv",
        crate::sis::csv_items::TEMPLATE.to_owned(),
    )
}

/// `PUT /api/sis/grades`: enter or correct a manual grade (grades from Moodle are read-only).
pub async fn record_grade(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::GradeRequest>,
) -> Result<Json<Vec<api::GradeEvent>>, ApiError> {
    let section = s
        .app
        .store
        .assessment_section(r.assessment_id)
        .await?
        .ok_or_else(|| ApiError::not_found("grade item"))?;
    require_section_view(&s, &a, section).await?;
    let item = s
        .app
        .store
        .assessments(section, true)
        .await?
        .into_iter()
        .find(|i| i.id == r.assessment_id)
        .ok_or_else(|| ApiError::not_found("grade item"))?;
    if schoolbridge_api::sis_gradebook::warns_above_maximum(&item, r.points) && !r.above_maximum {
        return Err(ApiError::bad_request(
            "above_maximum",
            format!(
                "{} points is more than the item's maximum of {}. Check the value, or confirm \
                 that you are giving points above the maximum.",
                r.points.map(num).unwrap_or_default(),
                num(item.pointval)
            ),
        ));
    }
    let g = ManualGrade {
        assessment_id: r.assessment_id,
        person_id: r.person_id,
        points: r.points,
        excepted: r.excepted,
        note: r.note,
    };
    s.app
        .store
        .record_manual_grade(&g, &manual(&a, &s, r.effective_at)?)
        .await?;
    let rows = s
        .app
        .store
        .grade_history(r.assessment_id, r.person_id)
        .await?;
    Ok(Json(
        super::sis_gradebook::named(&s, visibility::grade_history(rows, Reader::of_section(&a)))
            .await?,
    ))
}

/// `GET /api/sis/students/{id}`: schedule and enrolment history.
pub async fn student(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<api::StudentPage>, ApiError> {
    require_student_view(&a, id)?;
    let p = s
        .app
        .store
        .person(id)
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
    let page = api::StudentPage {
        person: api::PersonRef {
            id: p.id,
            idnumber: p.idnumber.clone(),
            firstname: p.firstname.clone(),
            lastname: p.lastname.clone(),
        },
        schedule: s.app.store.student_schedule(id, s.app.clock.now()).await?,
        enrolments: s
            .app
            .store
            .student_enrolments(id, s.app.clock.now())
            .await?,
    };
    Ok(Json(visibility::student_page(page, Reader::of_student(&a))))
}

/// Query string of the progress reports.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    /// Unix seconds (default: now).
    as_of: Option<i64>,
    /// A calendar day in the school's time zone, `YYYY-MM-DD`: the report as of its end.
    day: Option<String>,
}

/// `GET /api/sis/students/{id}/progress?as_of=…`.
pub async fn progress(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Json<api::ProgressReport>, ApiError> {
    require_student_view(&a, id)?;
    let as_of = as_of(&s, &q).await?;
    let report = s
        .app
        .store
        .progress_report(id, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
    Ok(Json(visibility::progress(report, Reader::of_student(&a))))
}

/// `GET /api/sis/students/{id}/transcript`.
pub async fn transcript(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<api::Transcript>, ApiError> {
    require_student_view(&a, id)?;
    Ok(Json(
        s.app
            .store
            .transcript(id, s.app.clock.now())
            .await?
            .ok_or_else(|| ApiError::not_found("person"))?,
    ))
}

/// `GET /api/sis/sections/{id}/progress?day=…`: every student of a section as of a day (the
/// section's teacher and staff).
pub async fn section_progress(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Json<api::SectionProgress>, ApiError> {
    require_section_view(&s, &a, id).await?;
    let as_of = as_of(&s, &q).await?;
    Ok(Json(
        s.app
            .store
            .section_progress(id, as_of)
            .await?
            .ok_or_else(|| ApiError::not_found("section"))?,
    ))
}

/// A note as typed: trimmed, and none when blank.
fn given(note: &Option<String>) -> Option<&str> {
    note.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

pub(super) fn csv_response(filename: &str, body: String) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

fn csv_text(rows: Vec<Vec<String>>) -> Result<String, ApiError> {
    // Flexible: a transcript's header lines are shorter than its table.
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|cell| spreadsheet_safe(cell).into_owned()))
            .map_err(ApiError::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(ApiError::internal)?).map_err(ApiError::internal)
}

/// A cell a spreadsheet will not run (CSV injection, OWASP): text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return — which Excel and LibreOffice read as a formula — gets a
/// leading `'`, which they show as text. Names and notes come from Moodle and from staff, so any
/// of them may start so. A plain number (a negative score, `-2.50`) is left as it is.
fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Where a grade came from, as the console says it.
fn source_words(source: api::RecordSource) -> &'static str {
    match source {
        api::RecordSource::Moodle => "Moodle",
        api::RecordSource::Manual => "Entered in SchoolBridge",
    }
}

/// A chapter number; an item without one (chapter 0) shows nothing.
fn chapter(n: i64) -> String {
    if n > 0 { n.to_string() } else { String::new() }
}

pub(super) fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A percent as the exports write it (one decimal).
fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}")).unwrap_or_default()
}

/// Which total a figure is, as the exports say it.
fn total_words(t: TranscriptTotal) -> &'static str {
    match t {
        TranscriptTotal::Schoolbridge => "SchoolBridge",
        TranscriptTotal::Moodle => "Moodle",
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// `GET /api/sis/students/{id}/progress.csv?day=…`: the figures of the progress report, item by
/// item, then SchoolBridge's total with its letter and, when the section has one, Moodle's
/// course total, each saying whether it is the one the transcript counts.
pub async fn progress_csv(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Response, ApiError> {
    require_student_view(&a, id)?;
    let as_of = as_of(&s, &q).await?;
    let r = s
        .app
        .store
        .progress_report(id, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
    let settings = s.app.store.school_settings().await?;
    let tz = grading::school_zone(&settings);
    // Headings and values in people's words, as the page shows them (issue 16): no wire words
    // such as `excepted` or `moodle`, no chapter 0 for an item without a chapter.
    let mut rows = vec![
        [
            "Section",
            "Status",
            "Item",
            "Chapter",
            "Points possible",
            "Points earned",
            "Excused",
            "Attempt",
            "Given on",
            "Letter",
            "Counts for the transcript",
            "Source",
            "Percent",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for sec in &r.sections {
        for item in sec.items.iter().filter(|i| !i.assessment.is_course_total()) {
            let g = item.grade.as_ref();
            rows.push(vec![
                sec.section.name.clone(),
                sec.status_label.clone(),
                item.assessment.name.clone(),
                chapter(item.assessment.chapter),
                num(item.assessment.pointval),
                g.and_then(|g| g.points).map(num).unwrap_or_default(),
                g.map(|g| if g.excepted { "yes" } else { "no" })
                    .unwrap_or_default()
                    .to_owned(),
                g.map(|g| g.attempt.to_string()).unwrap_or_default(),
                g.map(|g| grading::local_date_time(g.provenance.effective_at, &tz))
                    .unwrap_or_default(),
                String::new(),
                String::new(),
                g.map(|g| source_words(g.provenance.source).to_owned())
                    .unwrap_or_default(),
                String::new(),
            ]);
        }
        let counted = sec.grade.as_ref().map(|g| g.counted);
        let ours_letter = sec
            .totals
            .percent
            .and_then(|p| grading::letter(&settings, p))
            .map(|b| b.letter.clone())
            .unwrap_or_default();
        rows.push(vec![
            sec.section.name.clone(),
            sec.status_label.clone(),
            "Total".into(),
            String::new(),
            num(sec.totals.possible),
            num(sec.totals.earned),
            String::new(),
            String::new(),
            String::new(),
            ours_letter,
            yes_no(counted == Some(TranscriptTotal::Schoolbridge)),
            "SchoolBridge".into(),
            percent(sec.totals.percent),
        ]);
        if let Some(m) = &sec.moodle_total {
            rows.push(vec![
                sec.section.name.clone(),
                sec.status_label.clone(),
                "Moodle course total".into(),
                String::new(),
                num(m.possible),
                num(m.points),
                String::new(),
                String::new(),
                String::new(),
                m.percent
                    .and_then(|p| grading::letter(&settings, p))
                    .map(|b| b.letter.clone())
                    .unwrap_or_default(),
                yes_no(counted == Some(TranscriptTotal::Moodle)),
                "Moodle".into(),
                percent(m.percent),
            ]);
        }
    }
    Ok(csv_response(
        &format!("progress-{id}-{}.csv", r.as_of_day),
        csv_text(rows)?,
    ))
}

/// `GET /api/sis/sections/{id}/progress.csv?day=…`: one line per student, the figures of the
/// section's progress report.
pub async fn section_progress_csv(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Response, ApiError> {
    require_section_view(&s, &a, id).await?;
    let as_of = as_of(&s, &q).await?;
    let r = s
        .app
        .store
        .section_progress(id, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("section"))?;
    let mut rows = vec![
        [
            "Student",
            "Student number",
            "Status",
            "Honours",
            "Points earned",
            "Points possible",
            "Percent",
            "Moodle points",
            "Moodle maximum",
            "Moodle percent",
            "Grade from",
            "Letter",
            "Grade percent",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for st in &r.students {
        let m = st.moodle_total.as_ref();
        let g = st.grade.as_ref();
        rows.push(vec![
            st.person.full_name(),
            st.person.idnumber.clone().unwrap_or_default(),
            st.status_label.clone(),
            yes_no(st.honors),
            num(st.totals.earned),
            num(st.totals.possible),
            percent(st.totals.percent),
            m.map(|m| num(m.points)).unwrap_or_default(),
            m.map(|m| num(m.possible)).unwrap_or_default(),
            percent(m.and_then(|m| m.percent)),
            g.map(|g| total_words(g.counted).to_owned())
                .unwrap_or_default(),
            g.map(|g| g.letter.clone()).unwrap_or_default(),
            percent(g.and_then(|g| g.percent)),
        ]);
    }
    Ok(csv_response(
        &format!("section-progress-{id}-{}.csv", r.as_of_day),
        csv_text(rows)?,
    ))
}

/// `GET /api/sis/students/{id}/transcript.csv`: the transcript's content — the header (school,
/// student, number, date printed), one line per section (term, final grade, credits), then
/// each term's and the cumulative credits and GPA.
pub async fn transcript_csv(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    require_student_view(&a, id)?;
    let t = s
        .app
        .store
        .transcript(id, s.app.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
    let settings = s.app.store.school_settings().await?;
    let tz = grading::school_zone(&settings);
    let pair = |k: &str, v: String| vec![k.to_owned(), v];
    let mut rows = vec![
        pair("School", t.school.name.clone()),
        pair(
            "Address",
            t.school.address.lines().collect::<Vec<_>>().join(", "),
        ),
        pair("Student", t.person.full_name()),
        pair(
            "Student number",
            t.person.idnumber.clone().unwrap_or_default(),
        ),
        pair("Printed on", t.printed_on.clone()),
        vec![String::new()],
        [
            "Term",
            "Section",
            "Course",
            "Status",
            "Withdrawal code",
            "Withdrawn on",
            "Transcript note",
            "Letter",
            "Grade from",
            "Credits",
            "Credits attempted",
            "Credits earned",
            "Points earned",
            "Points possible",
            "Percent",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let term_name = |id: Option<i64>| {
        t.terms
            .iter()
            .find(|x| x.term_id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    for e in &t.entries {
        let w = e.withdrawal.as_ref();
        let g = e.final_grade.as_ref();
        let mut row = vec![
            term_name(e.term_id),
            e.section.name.clone(),
            e.section
                .course
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            e.enrolment.status_label.clone(),
            w.map(|w| w.code.clone()).unwrap_or_default(),
            w.map(|w| grading::local_date_time(w.since, &tz))
                .unwrap_or_default(),
            w.and_then(|w| w.transcript_note.clone())
                .unwrap_or_default(),
            g.map(|g| g.letter.clone()).unwrap_or_default(),
        ];
        if schoolbridge_api::rules::transcript_shows_grade(e.enrolment.status_kind) {
            row.extend([
                g.map(|g| total_words(g.counted).to_owned())
                    .unwrap_or_default(),
                num(e.credits),
                num(e.credits_attempted),
                num(e.credits_earned),
                num(e.totals.earned),
                num(e.totals.possible),
                percent(g.and_then(|g| g.percent)),
            ]);
        } else {
            row.extend([
                String::new(),
                num(e.credits),
                num(e.credits_attempted),
                num(e.credits_earned),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        rows.push(row);
    }
    rows.push(vec![String::new()]);
    rows.push(
        ["Term", "Credits attempted", "Credits earned", "GPA"]
            .map(String::from)
            .to_vec(),
    );
    let gpa = |g: Option<f64>| g.map(|g| format!("{g:.2}")).unwrap_or_default();
    for term in &t.terms {
        rows.push(vec![
            term.name.clone(),
            num(term.summary.credits_attempted),
            num(term.summary.credits_earned),
            gpa(term.summary.gpa),
        ]);
    }
    rows.push(vec![
        "Cumulative".into(),
        num(t.cumulative.credits_attempted),
        num(t.cumulative.credits_earned),
        gpa(t.cumulative.gpa),
    ]);
    Ok(csv_response(
        &format!("transcript-{id}.csv"),
        csv_text(rows)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn cells_a_spreadsheet_would_run_are_text() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-2.50", "-2.50"),
            ("+3", "+3"),
            ("Quiz 1", "Quiz 1"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), out, "{cell:?}");
        }
    }
}
