//! `/api/people`: search, local accounts, roles, and login rights one by one or in bulk.

use super::BAD_USERNAME;
use super::person_summary;
use crate::accounts::{passwords, roles};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::store::people::{
    NewLocalPerson, PeopleQuery, insert_local_person, set_login_allowed,
    set_roles as store_set_roles,
};
use crate::store::sessions::end_person_sessions;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use schoolbridge_api as api;
use serde::Deserialize;

/// Query string of `GET /api/people`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    peer: Option<i64>,
    role: Option<String>,
    login: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/people`: admins and counsellors.
pub async fn list(
    State(s): State<HttpState>,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<api::PersonSummary>>, ApiError> {
    authed.require_staff_reader()?;
    let rows = s
        .app
        .store
        .people(&PeopleQuery {
            text: q.q,
            peer_id: q.peer,
            role: q.role,
            login_allowed: q.login,
            limit: q.limit.unwrap_or(100),
            offset: q.offset.unwrap_or(0),
        })
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(person_summary(&s.app, r).await?);
    }
    Ok(Json(out))
}

/// `POST /api/people`: a local account (admins).
pub async fn create(
    State(s): State<HttpState>,
    authed: Authed,
    Json(req): Json<api::NewPersonRequest>,
) -> Result<(StatusCode, Json<api::PersonSummary>), ApiError> {
    authed.require_admin()?;
    let app = &s.app;
    let username = api::rules::normalise_username(&req.username);
    if !api::rules::username_is_valid(&username) {
        return Err(ApiError::bad_request("bad_username", BAD_USERNAME));
    }
    if req.firstname.trim().is_empty() || req.lastname.trim().is_empty() {
        return Err(ApiError::bad_request(
            "bad_name",
            "Given and family names are needed.",
        ));
    }
    let role_names =
        roles::validate(&req.roles).map_err(|m| ApiError::bad_request("bad_role", m))?;
    if app
        .store
        .person_by_local_username(&username)
        .await?
        .is_some()
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "username_taken",
            "That sign-in name is taken.",
        ));
    }
    let hash = passwords::hash(&app.crypto, &req.password)
        .await
        .map_err(|e| ApiError::bad_request("bad_password", e.to_string()))?;
    let now = app.clock.now();
    let (first, last, email) = (
        req.firstname.trim().to_owned(),
        req.lastname.trim().to_owned(),
        req.email.clone().filter(|e| !e.trim().is_empty()),
    );
    let id = crate::write_tx!(app.store, |c| {
        let p = NewLocalPerson {
            username: &username,
            firstname: &first,
            lastname: &last,
            email: email.as_deref(),
            password_hash: Some(&hash),
            login_allowed: true,
        };
        let id = insert_local_person(c, &p, now).await?;
        store_set_roles(c, id, &role_names).await?;
        Ok::<_, crate::store::StoreError>(id)
    })?;
    let person = app
        .store
        .person(id)
        .await?
        .ok_or_else(|| ApiError::internal("new person vanished"))?;
    Ok((
        StatusCode::CREATED,
        Json(person_summary(app, &person).await?),
    ))
}

/// `PUT /api/people/login`: grant or withdraw login rights for a selection or in bulk (everyone
/// from a peer, optionally holding a role). Withdrawing also ends their sessions.
pub async fn login_rights(
    State(s): State<HttpState>,
    authed: Authed,
    Json(req): Json<api::LoginRightsRequest>,
) -> Result<Json<api::Changed>, ApiError> {
    authed.require_admin()?;
    let app = &s.app;
    let mut ids = req.person_ids.clone();
    if let Some(peer) = req.peer_id {
        let q = PeopleQuery {
            peer_id: Some(peer),
            role: req.role.clone(),
            limit: 500,
            ..PeopleQuery::default()
        };
        let mut offset = 0;
        loop {
            let page = app
                .store
                .people(&PeopleQuery {
                    offset,
                    ..q.clone()
                })
                .await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            ids.extend(page.iter().map(|p| p.id));
        }
    }
    if !req.allowed && ids.contains(&authed.person.id) {
        return Err(ApiError::bad_request(
            "self",
            "You cannot withdraw your own login rights.",
        ));
    }
    let now = app.clock.now();
    let allowed = req.allowed;
    let changed = crate::write_tx!(app.store, |c| {
        let n = set_login_allowed(c, &ids, allowed, now).await?;
        if !allowed {
            for id in &ids {
                end_person_sessions(c, *id, now).await?;
            }
        }
        Ok::<_, crate::store::StoreError>(n)
    })?;
    Ok(Json(api::Changed { changed }))
}

/// `PUT /api/people/{id}/roles` (admins).
pub async fn set_roles(
    State(s): State<HttpState>,
    authed: Authed,
    Path(id): Path<i64>,
    Json(req): Json<api::RolesRequest>,
) -> Result<Json<api::PersonSummary>, ApiError> {
    authed.require_admin()?;
    let names = roles::validate(&req.roles).map_err(|m| ApiError::bad_request("bad_role", m))?;
    if id == authed.person.id && !names.iter().any(|r| r == "admin") {
        return Err(ApiError::bad_request(
            "self",
            "You cannot remove your own admin role.",
        ));
    }
    let person = s
        .app
        .store
        .person(id)
        .await?
        .ok_or_else(|| ApiError::not_found("person"))?;
    crate::write_tx!(s.app.store, |c| store_set_roles(c, id, &names).await)?;
    Ok(Json(person_summary(&s.app, &person).await?))
}
