//! The school settings (`/api/sis/settings`, issue 20): read them (everyone signed in), change
//! them, add and remove terms, set a course's credits and a student's honours track (admins and
//! counsellors; the server decides).

use gloo_net::http::Method;
use schoolbridge_api::school::{
    CreditsRequest, HonorsRequest, SchoolSettings, SchoolSettingsPage, TermRequest,
};

use super::{ApiError, NO_BODY, get, send, send_empty};

/// `GET /api/sis/settings`.
pub async fn settings() -> Result<SchoolSettingsPage, ApiError> {
    get("/api/sis/settings").await
}

/// `PUT /api/sis/settings`.
pub async fn save_settings(settings: SchoolSettings) -> Result<SchoolSettingsPage, ApiError> {
    send(Method::PUT, "/api/sis/settings", Some(&settings)).await
}

/// `POST /api/sis/settings/terms`.
pub async fn add_term(term: TermRequest) -> Result<SchoolSettingsPage, ApiError> {
    send(Method::POST, "/api/sis/settings/terms", Some(&term)).await
}

/// `DELETE /api/sis/settings/terms/{id}`.
pub async fn remove_term(id: i64) -> Result<SchoolSettingsPage, ApiError> {
    send(
        Method::DELETE,
        &format!("/api/sis/settings/terms/{id}"),
        NO_BODY,
    )
    .await
}

/// `PUT /api/sis/courses/{id}/credits`.
pub async fn set_credits(
    course_id: i64,
    credits: Option<f64>,
) -> Result<SchoolSettingsPage, ApiError> {
    send(
        Method::PUT,
        &format!("/api/sis/courses/{course_id}/credits"),
        Some(&CreditsRequest { credits }),
    )
    .await
}

/// `PUT /api/sis/enrolments/{id}/honors`.
pub async fn set_honors(enrolment_id: i64, honors: bool) -> Result<(), ApiError> {
    send_empty(
        Method::PUT,
        &format!("/api/sis/enrolments/{enrolment_id}/honors"),
        Some(&HonorsRequest { honors }),
    )
    .await
}
