//! `/api/sis` for the gradebook beyond one cell (issue 20, `docs/design/028-gradebook-entry.md`):
//! the grade import from a spreadsheet (a preview, then the same file applied in one
//! transaction: all lines or none), its template, the answer to a rescale question, and the
//! names behind a grade ("entered by <name>", "from Moodle (<site>)") resolved here at the edge
//! from `actor_id` and `peer_id` for readers who may see them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::sis::{csv_response, manual, require_section_view};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schoolbridge_api::sis as api;
use schoolbridge_api::sis_gradebook::{GradeImport, RescaleRequest};
use serde::Deserialize;

/// Fills in `actor_name` and `peer_name` of events whose ids the reader was allowed to keep.
pub async fn name_events(
    s: &HttpState,
    events: &mut [&mut api::GradeEvent],
) -> Result<(), ApiError> {
    let mut people: HashMap<i64, Option<String>> = HashMap::new();
    let mut peers: HashMap<i64, Option<String>> = HashMap::new();
    for e in events.iter_mut() {
        if let Some(id) = e.provenance.actor_id {
            if let Entry::Vacant(slot) = people.entry(id) {
                slot.insert(s.app.store.person(id).await?.map(|p| p.full_name()));
            }
            e.actor_name = people.get(&id).cloned().flatten();
        }
        if let Some(id) = e.provenance.peer_id {
            if let Entry::Vacant(slot) = peers.entry(id) {
                slot.insert(s.app.store.peer(id).await?.map(|p| p.name));
            }
            e.peer_name = peers.get(&id).cloned().flatten();
        }
    }
    Ok(())
}

/// A history with its names filled in.
pub async fn named(
    s: &HttpState,
    mut rows: Vec<api::GradeEvent>,
) -> Result<Vec<api::GradeEvent>, ApiError> {
    let mut events: Vec<&mut api::GradeEvent> = rows.iter_mut().collect();
    name_events(s, &mut events).await?;
    Ok(rows)
}

/// Query string of the grade import.
#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    preview: Option<bool>,
}

/// `POST /api/sis/sections/{id}/grades/csv?preview=true|false`: every line with what it would
/// do or why it cannot be used; with `preview=false` the same file is checked again and applied
/// in one transaction, or refused whole (409) when any line has an error.
pub async fn import_grades(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ImportQuery>,
    Json(r): Json<api::CsvUploadRequest>,
) -> Result<Json<GradeImport>, ApiError> {
    require_section_view(&s, &a, id).await?;
    let rows = crate::sis::grade_import::parse_grade_csv(&r.csv)
        .map_err(|e| ApiError::bad_request("bad_csv", e.to_string()))?;
    if q.preview.unwrap_or(true) {
        let lines = s.app.store.preview_grade_import(id, &rows).await?;
        return Ok(Json(GradeImport {
            lines,
            applied: false,
        }));
    }
    let lines = s
        .app
        .store
        .apply_grade_import(id, &rows, &manual(&a, &s, None)?)
        .await?;
    s.app.metrics.csv_batch(rows.len());
    Ok(Json(GradeImport {
        lines,
        applied: true,
    }))
}

/// `GET /api/sis/grade-import-template.csv`: the columns the grade import expects.
pub async fn import_template() -> Response {
    csv_response(
        "grade-import-template.csv",
        crate::sis::grade_import::TEMPLATE.to_owned(),
    )
}

/// What answering a rescale question did.
#[derive(Debug, serde::Serialize)]
pub struct RescaleAnswer {
    /// How many grades were written again on the new maximum (0 when the points were kept).
    pub rescaled: usize,
}

/// `POST /api/sis/assessments/{id}/rescale`: keep the points, or rescale them to the new maximum.
pub async fn answer_rescale(
    State(s): State<HttpState>,
    a: Authed,
    Path(id): Path<i64>,
    Json(r): Json<RescaleRequest>,
) -> Result<Json<RescaleAnswer>, ApiError> {
    let section = s
        .app
        .store
        .assessment_section(id)
        .await?
        .ok_or_else(|| ApiError::not_found("grade item"))?;
    require_section_view(&s, &a, section).await?;
    let rescaled = s
        .app
        .store
        .answer_rescale(id, r.choice, &manual(&a, &s, None)?)
        .await?;
    Ok(Json(RescaleAnswer { rescaled }))
}
