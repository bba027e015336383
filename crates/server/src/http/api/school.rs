//! `/api/sis/settings`: the school settings, its terms, courses' credits and a student's honours
//! track (`docs/design/029-school-settings-and-grading.md`). Everyone signed in may read the
//! settings (a transcript prints them); admins and counsellors (`Right::ManageRecords`) change
//! them, and every change is recorded (`school_changes`) with who made it.

use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::sis::domain::grading;
use crate::store::school::TermError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schoolbridge_api::roles::Right;
use schoolbridge_api::school::{
    CreditsRequest, HonorsRequest, SchoolSettings, SchoolSettingsPage, SettingProblem,
    SettingsChange, TermRequest, check_credits,
};

fn refused(p: SettingProblem) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_setting", p.to_string())
}

impl From<TermError> for ApiError {
    fn from(e: TermError) -> Self {
        match e {
            TermError::Invalid(p) => refused(p),
            TermError::NotFound(_) => ApiError::not_found("term"),
            TermError::Store(s) => ApiError::internal(s),
        }
    }
}

async fn page(s: &HttpState, a: &Authed) -> Result<SchoolSettingsPage, ApiError> {
    Ok(SchoolSettingsPage {
        settings: s.app.store.school_settings().await?,
        terms: s.app.store.school_terms().await?,
        courses: s.app.store.course_credits().await?,
        can_manage: a.may(Right::ManageRecords),
    })
}

/// `GET /api/sis/settings`.
pub async fn get(
    State(s): State<HttpState>,
    a: Authed,
) -> Result<Json<SchoolSettingsPage>, ApiError> {
    Ok(Json(page(&s, &a).await?))
}

/// The settings as they will be stored: name trimmed, the address's lines trimmed and joined
/// with `\n`, the zone's name trimmed.
fn tidy(mut settings: SchoolSettings) -> SchoolSettings {
    settings.name = settings.name.trim().to_owned();
    settings.address = settings
        .address
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned();
    settings.time_zone = settings.time_zone.trim().to_owned();
    settings
}

/// `PUT /api/sis/settings`: managers.
pub async fn put(
    State(s): State<HttpState>,
    a: Authed,
    Json(settings): Json<SchoolSettings>,
) -> Result<Json<SchoolSettingsPage>, ApiError> {
    a.require(Right::ManageRecords)?;
    let settings = tidy(settings);
    settings.check().map_err(refused)?;
    let tz = grading::zone(&settings.time_zone).map_err(refused)?;
    let settings = SchoolSettings {
        // The zone's own spelling of its name (`utc` → `UTC`).
        time_zone: tz.iana_name().unwrap_or(&settings.time_zone).to_owned(),
        ..settings
    };
    s.app
        .store
        .put_school_settings(&settings, Some(a.person.id), s.app.clock.now())
        .await?;
    Ok(Json(page(&s, &a).await?))
}

/// `POST /api/sis/settings/terms`: managers.
pub async fn create_term(
    State(s): State<HttpState>,
    a: Authed,
    Json(t): Json<TermRequest>,
) -> Result<(StatusCode, Json<SchoolSettingsPage>), ApiError> {
    a.require(Right::ManageRecords)?;
    s.app
        .store
        .save_school_term(None, &t, Some(a.person.id), s.app.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(page(&s, &a).await?)))
}

/// `PUT /api/sis/settings/terms/{id}`: managers.
pub async fn update_term(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(t): Json<TermRequest>,
) -> Result<Json<SchoolSettingsPage>, ApiError> {
    a.require(Right::ManageRecords)?;
    s.app
        .store
        .save_school_term(Some(id), &t, Some(a.person.id), s.app.clock.now())
        .await?;
    Ok(Json(page(&s, &a).await?))
}

/// `DELETE /api/sis/settings/terms/{id}`: managers.
pub async fn delete_term(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<SchoolSettingsPage>, ApiError> {
    a.require(Right::ManageRecords)?;
    if !s
        .app
        .store
        .delete_school_term(id, Some(a.person.id), s.app.clock.now())
        .await?
    {
        return Err(ApiError::not_found("term"));
    }
    Ok(Json(page(&s, &a).await?))
}

/// `PUT /api/sis/courses/{id}/credits`: managers.
pub async fn set_credits(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<CreditsRequest>,
) -> Result<Json<SchoolSettingsPage>, ApiError> {
    a.require(Right::ManageRecords)?;
    if let Some(c) = r.credits {
        check_credits(c).map_err(refused)?;
    }
    if !s
        .app
        .store
        .set_course_credits(id, r.credits, Some(a.person.id), s.app.clock.now())
        .await?
    {
        return Err(ApiError::not_found("course"));
    }
    Ok(Json(page(&s, &a).await?))
}

/// `PUT /api/sis/enrolments/{id}/honors`: managers (a counsellor sets a student's track).
pub async fn set_honors(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<HonorsRequest>,
) -> Result<StatusCode, ApiError> {
    a.require(Right::ManageRecords)?;
    if !s
        .app
        .store
        .set_enrolment_honors(id, r.honors, Some(a.person.id), s.app.clock.now())
        .await?
    {
        return Err(ApiError::not_found("student enrolment"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/sis/settings/changes`: managers; the latest 200 changes, newest first.
pub async fn changes(
    State(s): State<HttpState>,
    a: Authed,
) -> Result<Json<Vec<SettingsChange>>, ApiError> {
    a.require(Right::ManageRecords)?;
    Ok(Json(s.app.store.school_changes(200).await?))
}
