//! `/api/sis`: sections, rosters, enrolment history and statuses, gradebooks and grade items
//! (including the CSV upload with its preview), manual records, and students' schedules, progress
//! reports as of a date and transcripts (JSON and CSV). Who may see what
//! (`docs/product.md` §4): admins and counsellors everything; a teacher their sections; a
//! student themself. Changing statuses and manual courses, sections and enrolments is for
//! counsellors and admins; grade items and manual grades for the section's teacher too.

use super::sis_visibility::{self as visibility, Reader};
use crate::clock::utc_date_time;
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::store::sis::{ChangeMeta, Refusal, SisError};
use crate::store::sis_assessments::NewManualAssessment;
use crate::store::sis_enrolments::StatusNotes;
use crate::store::sis_grades::ManualGrade;
use crate::store::sis_sections::{NewCourse, NewManualSection, NewTerm, SectionFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schoolbridge_api::roles::Right;
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

async fn require_section_view(s: &HttpState, a: &Authed, section_id: i64) -> Result<(), ApiError> {
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
fn manual(a: &Authed, s: &HttpState, effective_at: Option<i64>) -> Result<ChangeMeta, ApiError> {
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
    Ok(ChangeMeta::manual(Some(a.person.id), effective_at, now))
}

/// The date a report is as of: now, or a given date within [`AS_OF_RANGE`].
fn as_of(s: &HttpState, given: Option<i64>) -> Result<i64, ApiError> {
    match given {
        None => Ok(s.app.clock.now()),
        Some(t) if AS_OF_RANGE.contains(&t) => Ok(t),
        Some(_) => Err(ApiError::bad_request(
            "bad_date",
            "The date must be between the years 2000 and 9999.",
        )),
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
    let id = s
        .app
        .store
        .create_course(
            &NewCourse {
                idnumber: r.idnumber,
                name: r.name,
            },
            s.app.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(api::Created { id })))
}

/// `POST /api/sis/terms`.
pub async fn create_term(
    State(s): State<HttpState>,
    a: Authed,
    Json(r): Json<api::NewTermRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_manager(&a)?;
    let id = s
        .app
        .store
        .create_term(
            &NewTerm {
                name: r.name,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
            },
            s.app.clock.now(),
        )
        .await?;
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
    Ok(Json(visibility::gradebook(book, Reader::of_section(&a))))
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
    Ok(Json(visibility::grade_history(rows, reader)))
}

/// `POST /api/sis/sections/{id}/assessments`: a manual grade item.
pub async fn create_assessment(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<api::NewAssessmentRequest>,
) -> Result<(StatusCode, Json<api::Created>), ApiError> {
    require_section_view(&s, &a, id).await?;
    let item = NewManualAssessment {
        name: r.name,
        pointval: r.pointval,
        chapter: r.chapter,
        honors_required: r.honors_required,
        nonhonors_required: r.nonhonors_required,
        extra_credit: r.extra_credit,
    };
    let aid = s
        .app
        .store
        .create_manual_assessment(id, &item, s.app.clock.now())
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
    if schoolbridge_api::rules::points_above_maximum(r.points, item.pointval) && !r.above_maximum {
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
    Ok(Json(visibility::grade_history(
        rows,
        Reader::of_section(&a),
    )))
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

/// Query string of the progress report.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    /// Unix seconds (default: now).
    as_of: Option<i64>,
}

/// `GET /api/sis/students/{id}/progress?as_of=…`.
pub async fn progress(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Json<api::ProgressReport>, ApiError> {
    require_student_view(&a, id)?;
    let as_of = as_of(&s, q.as_of)?;
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

/// A note as typed: trimmed, and none when blank.
fn given(note: &Option<String>) -> Option<&str> {
    note.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

fn csv_response(filename: &str, body: String) -> Response {
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
    let mut w = csv::Writer::from_writer(Vec::new());
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

fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `GET /api/sis/students/{id}/progress.csv?as_of=…`.
pub async fn progress_csv(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Response, ApiError> {
    require_student_view(&a, id)?;
    let as_of = as_of(&s, q.as_of)?;
    let r = s
        .app
        .store
        .progress_report(id, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
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
            "Source",
            "Percent",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for sec in &r.sections {
        for item in &sec.items {
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
                g.map(|g| utc_date_time(g.effective_at)).unwrap_or_default(),
                g.map(|g| source_words(g.source).to_owned())
                    .unwrap_or_default(),
                String::new(),
            ]);
        }
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
            String::new(),
            sec.totals
                .percent
                .map(|p| format!("{p:.1}"))
                .unwrap_or_default(),
        ]);
    }
    Ok(csv_response(
        &format!("progress-{id}-{as_of}.csv"),
        csv_text(rows)?,
    ))
}

/// `GET /api/sis/students/{id}/transcript.csv`.
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
    let mut rows = vec![
        [
            "Section",
            "Course",
            "Term",
            "Status",
            "Withdrawal code",
            "Withdrawn on",
            "Transcript note",
            "Points earned",
            "Points possible",
            "Percent",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for e in &t.entries {
        let w = e.withdrawal.as_ref();
        let mut row = vec![
            e.section.name.clone(),
            e.section
                .course
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            e.section.container_name.clone(),
            e.enrolment.status_label.clone(),
            w.map(|w| w.code.clone()).unwrap_or_default(),
            w.map(|w| utc_date_time(w.since)).unwrap_or_default(),
            w.and_then(|w| w.transcript_note.clone())
                .unwrap_or_default(),
        ];
        if schoolbridge_api::rules::transcript_shows_grade(e.enrolment.status_kind) {
            row.push(num(e.totals.earned));
            row.push(num(e.totals.possible));
            row.push(
                e.totals
                    .percent
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_default(),
            );
        } else {
            row.extend([String::new(), String::new(), String::new()]);
        }
        rows.push(row);
    }
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
