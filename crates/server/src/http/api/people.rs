//! `/api/people`: search, local accounts, roles, and login rights one by one or in bulk. Each
//! handler checks the right, calls `accounts::people` (the rules, shared with the CLI) and
//! answers in API types; [`AccountError`] becomes an API error here.

use super::person_summary;
use crate::accounts::passwords::PasswordError;
use crate::accounts::people::{self as accounts, AccountError, Actor, NewAccount, Selection};
use crate::http::HttpState;
use crate::http::auth::Authed;
use crate::http::error::ApiError;
use crate::store::people::PeopleQuery;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use schoolbridge_api as api;
use schoolbridge_api::roles::Right;
use serde::Deserialize;

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        let (status, code) = match e {
            AccountError::Store(s) => return ApiError::internal(s),
            AccountError::Password(PasswordError::Hash) => return ApiError::internal(message),
            AccountError::NotFound => return ApiError::not_found("person"),
            AccountError::BadUsername => (StatusCode::BAD_REQUEST, "bad_username"),
            AccountError::MissingName => (StatusCode::BAD_REQUEST, "bad_name"),
            AccountError::UnknownRole(_) => (StatusCode::BAD_REQUEST, "bad_role"),
            AccountError::Password(PasswordError::TooShort) => {
                (StatusCode::BAD_REQUEST, "bad_password")
            }
            AccountError::UsernameTaken => (StatusCode::CONFLICT, "username_taken"),
            AccountError::NotLocal => (StatusCode::BAD_REQUEST, "not_local"),
            AccountError::OwnLoginRights | AccountError::OwnAdminRole => {
                (StatusCode::BAD_REQUEST, "self")
            }
            AccountError::AlreadySetUp => (StatusCode::FORBIDDEN, "already_set_up"),
            AccountError::BadSetupToken => (StatusCode::FORBIDDEN, "bad_setup_token"),
            AccountError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            AccountError::NoLoginRights => (StatusCode::FORBIDDEN, "no_login_rights"),
        };
        ApiError::new(status, code, message)
    }
}

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
    authed.require(Right::ReadPeople)?;
    let rows = accounts::list(
        &s.app,
        &PeopleQuery {
            text: q.q,
            peer_id: q.peer,
            role: q.role,
            login_allowed: q.login,
            limit: q.limit.unwrap_or(100),
            offset: q.offset.unwrap_or(0),
        },
    )
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
    authed.require(Right::ManageAccounts)?;
    let new = NewAccount {
        username: req.username,
        firstname: req.firstname,
        lastname: req.lastname,
        email: req.email,
        roles: req.roles,
    };
    let person = accounts::create(&s.app, &new, &req.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(person_summary(&s.app, &person).await?),
    ))
}

/// `PUT /api/people/login`: grant or withdraw login rights for a selection or in bulk (everyone
/// from a peer, optionally holding a role). Withdrawing also ends their sessions.
pub async fn login_rights(
    State(s): State<HttpState>,
    authed: Authed,
    Json(req): Json<api::LoginRightsRequest>,
) -> Result<Json<api::Changed>, ApiError> {
    authed.require(Right::ManageAccounts)?;
    let selection = Selection {
        person_ids: req.person_ids,
        peer_id: req.peer_id,
        role: req.role,
    };
    let changed = accounts::set_login_rights(
        &s.app,
        Actor::Person(authed.person.id),
        &selection,
        req.allowed,
    )
    .await?;
    Ok(Json(api::Changed { changed }))
}

/// `PUT /api/people/{id}/roles` (admins).
pub async fn set_roles(
    State(s): State<HttpState>,
    authed: Authed,
    Path(id): Path<i64>,
    Json(req): Json<api::RolesRequest>,
) -> Result<Json<api::PersonSummary>, ApiError> {
    authed.require(Right::ManageAccounts)?;
    let person =
        accounts::set_roles(&s.app, Actor::Person(authed.person.id), id, &req.roles).await?;
    Ok(Json(person_summary(&s.app, &person).await?))
}
