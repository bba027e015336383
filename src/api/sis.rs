//! The SIS records (`/api/sis/…`): sections and rosters, enrolment histories and statuses,
//! gradebooks, grade items (one by one or from a spreadsheet, with a preview), manual grades,
//! manual courses, terms, sections and enrolments, and a student's schedule, progress report as
//! of a date and transcript. The server decides who may see what; the console only offers.

use gloo_net::http::Method;
use schoolbridge_api::sis::{
    BatchLine, ContainerRow, CourseRow, Created, CsvUploadRequest, GradeEvent, GradeRequest,
    Gradebook, NewAssessmentRequest, NewCourseRequest, NewEnrolmentRequest, NewSectionRequest,
    NewStatusCodeRequest, NewTermRequest, ProgressReport, SectionPage, SectionProgress,
    SectionSummary, SetTeacherRequest, StatusChange, StatusChangeRequest, StatusCodeRow,
    StudentPage, Transcript,
};

use super::{ApiError, get, send, send_empty};
use crate::model::query::Query;

/// `GET /api/sis/sections`: every section for staff, a teacher's own for a teacher.
pub async fn sections() -> Result<Vec<SectionSummary>, ApiError> {
    get("/api/sis/sections").await
}

/// `GET /api/sis/sections/{id}`: roster, teacher history and what the viewer may do.
pub async fn section(id: i64) -> Result<SectionPage, ApiError> {
    get(&format!("/api/sis/sections/{id}")).await
}

/// `GET /api/sis/sections/{id}/gradebook`.
pub async fn gradebook(id: i64) -> Result<Gradebook, ApiError> {
    get(&format!("/api/sis/sections/{id}/gradebook")).await
}

/// `GET /api/sis/containers`: "ongoing" and the terms.
pub async fn containers() -> Result<Vec<ContainerRow>, ApiError> {
    get("/api/sis/containers").await
}

/// `GET /api/sis/courses`.
pub async fn courses() -> Result<Vec<CourseRow>, ApiError> {
    get("/api/sis/courses").await
}

/// `POST /api/sis/courses`.
pub async fn create_course(request: NewCourseRequest) -> Result<Created, ApiError> {
    send(Method::POST, "/api/sis/courses", Some(&request)).await
}

/// `POST /api/sis/terms`.
pub async fn create_term(request: NewTermRequest) -> Result<Created, ApiError> {
    send(Method::POST, "/api/sis/terms", Some(&request)).await
}

/// `POST /api/sis/sections`: a section with no Moodle presence.
pub async fn create_section(request: NewSectionRequest) -> Result<Created, ApiError> {
    send(Method::POST, "/api/sis/sections", Some(&request)).await
}

/// `PUT /api/sis/sections/{id}/teacher` (sections made in the SIS).
pub async fn set_teacher(id: i64, request: SetTeacherRequest) -> Result<(), ApiError> {
    send_empty(
        Method::PUT,
        &format!("/api/sis/sections/{id}/teacher"),
        Some(&request),
    )
    .await
}

/// `POST /api/sis/sections/{id}/enrolments`.
pub async fn enrol(id: i64, request: NewEnrolmentRequest) -> Result<Created, ApiError> {
    send(
        Method::POST,
        &format!("/api/sis/sections/{id}/enrolments"),
        Some(&request),
    )
    .await
}

/// `GET /api/sis/enrolments/{id}/history`.
pub async fn enrolment_history(id: i64) -> Result<Vec<StatusChange>, ApiError> {
    get(&format!("/api/sis/enrolments/{id}/history")).await
}

/// `PUT /api/sis/enrolments/{id}/status`: the new history.
pub async fn change_status(
    id: i64,
    request: StatusChangeRequest,
) -> Result<Vec<StatusChange>, ApiError> {
    send(
        Method::PUT,
        &format!("/api/sis/enrolments/{id}/status"),
        Some(&request),
    )
    .await
}

/// `GET /api/sis/status-codes`.
pub async fn status_codes() -> Result<Vec<StatusCodeRow>, ApiError> {
    get("/api/sis/status-codes").await
}

/// `POST /api/sis/status-codes` (administrators).
pub async fn define_status_code(request: NewStatusCodeRequest) -> Result<(), ApiError> {
    send_empty(Method::POST, "/api/sis/status-codes", Some(&request)).await
}

/// `POST /api/sis/sections/{id}/assessments`: a manual grade item.
pub async fn create_assessment(
    id: i64,
    request: NewAssessmentRequest,
) -> Result<Created, ApiError> {
    send(
        Method::POST,
        &format!("/api/sis/sections/{id}/assessments"),
        Some(&request),
    )
    .await
}

/// `POST /api/sis/sections/{id}/assessments/csv?preview=…`: what a spreadsheet would do
/// (`preview`), or does.
pub async fn upload_assessments(
    id: i64,
    csv: String,
    preview: bool,
) -> Result<Vec<BatchLine>, ApiError> {
    send(
        Method::POST,
        &format!("/api/sis/sections/{id}/assessments/csv?preview={preview}"),
        Some(&CsvUploadRequest { csv }),
    )
    .await
}

/// `PUT /api/sis/grades`: enter or correct a manual grade; the cell's new history.
pub async fn record_grade(request: GradeRequest) -> Result<Vec<GradeEvent>, ApiError> {
    send(Method::PUT, "/api/sis/grades", Some(&request)).await
}

/// `GET /api/sis/grades/{assessment}/{person}/history`.
pub async fn grade_history(assessment: i64, person: i64) -> Result<Vec<GradeEvent>, ApiError> {
    get(&format!("/api/sis/grades/{assessment}/{person}/history")).await
}

/// `GET /api/sis/students/{id}`: schedule and enrolment histories.
pub async fn student(id: i64) -> Result<StudentPage, ApiError> {
    get(&format!("/api/sis/students/{id}")).await
}

/// `GET /api/sis/students/{id}/progress?day=…`: the report as of the end of a day in the
/// school's time zone.
pub async fn progress(id: i64, day: &str) -> Result<ProgressReport, ApiError> {
    get(&format!(
        "/api/sis/students/{id}/progress{}",
        Query::new().text("day", day).finish()
    ))
    .await
}

/// `GET /api/sis/sections/{id}/progress?day=…`: every student of a section as of a day.
pub async fn section_progress(id: i64, day: &str) -> Result<SectionProgress, ApiError> {
    get(&format!(
        "/api/sis/sections/{id}/progress{}",
        Query::new().text("day", day).finish()
    ))
    .await
}

/// `GET /api/sis/students/{id}/transcript`.
pub async fn transcript(id: i64) -> Result<Transcript, ApiError> {
    get(&format!("/api/sis/students/{id}/transcript")).await
}

/// `POST /api/sis/sections/{id}/grades/csv?preview=…`: what a grades file would do
/// (`preview`), or does (every line or none).
pub async fn import_grades(
    id: i64,
    csv: String,
    preview: bool,
) -> Result<schoolbridge_api::sis_gradebook::GradeImport, ApiError> {
    send(
        Method::POST,
        &format!("/api/sis/sections/{id}/grades/csv?preview={preview}"),
        Some(&CsvUploadRequest { csv }),
    )
    .await
}

/// What answering a rescale question did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub struct RescaleAnswer {
    /// Grades written again on the new maximum.
    pub rescaled: usize,
}

/// `POST /api/sis/assessments/{id}/rescale`: keep the points, or rescale them.
pub async fn answer_rescale(
    id: i64,
    choice: schoolbridge_api::sis_gradebook::RescaleChoice,
) -> Result<RescaleAnswer, ApiError> {
    send(
        Method::POST,
        &format!("/api/sis/assessments/{id}/rescale"),
        Some(&schoolbridge_api::sis_gradebook::RescaleRequest { choice }),
    )
    .await
}
