//! The JSON API under `/api` (types in `schoolbridge-api`). Every route checks the role of the
//! signed-in person (`super::auth::Authed`); handlers are thin and call the domain modules.

pub mod audit;
pub mod first_run;
pub mod peer_problems;
pub mod peers;
pub mod people;
pub mod school;
pub mod session;
pub mod sign_in_throttle;
pub mod sis;
pub mod sis_gradebook;
pub mod sis_visibility;
pub mod site_key;

use super::HttpState;
use crate::state::AppState;
use crate::store::PeerRow;
use crate::store::people::PersonRow;
use axum::Router;
use axum::routing::{get, post, put};
use mnet::keys::PeerCertificate;
use schoolbridge_api as api;

/// The API routes (mounted at `/api`).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route(
            "/session",
            get(session::get)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/setup", get(session::setup_status).post(session::setup))
        .route("/first-run", get(first_run::get))
        .route("/peers", get(peers::list).post(peers::confirm))
        .route("/peers/preview", post(peers::preview))
        .route(
            "/peers/{id}",
            get(peers::detail).put(peers::update).delete(peers::delete),
        )
        .route("/peers/{id}/services", put(peers::set_services))
        .route("/peers/{id}/verify", post(peers::verify))
        .route("/peers/{id}/review", post(peers::review))
        .route("/peers/{id}/accept-key", post(peers::accept_key))
        .route("/peers/{id}/restore", post(peers::restore))
        .route("/peers/{id}/call", post(peers::call))
        .route("/site-key", get(site_key::get))
        .route("/site-key/rotate", post(site_key::rotate))
        .route("/people", get(people::list).post(people::create))
        .route("/people/login", put(people::login_rights))
        .route("/people/{id}/roles", put(people::set_roles))
        .route("/audit", get(audit::list))
        .route("/audit/{id}", get(audit::detail))
        .route(
            "/sis/sections",
            get(sis::sections).post(sis::create_section),
        )
        .route("/sis/sections/{id}", get(sis::section))
        .route("/sis/sections/{id}/teacher", put(sis::set_teacher))
        .route("/sis/sections/{id}/enrolments", post(sis::enrol))
        .route("/sis/sections/{id}/gradebook", get(sis::gradebook))
        .route(
            "/sis/sections/{id}/assessments",
            post(sis::create_assessment),
        )
        .route(
            "/sis/sections/{id}/assessments/csv",
            post(sis::upload_assessments),
        )
        .route("/sis/grade-items-template.csv", get(sis::csv_template))
        .route(
            "/sis/sections/{id}/grades/csv",
            post(sis_gradebook::import_grades),
        )
        .route(
            "/sis/grade-import-template.csv",
            get(sis_gradebook::import_template),
        )
        .route(
            "/sis/assessments/{id}/rescale",
            post(sis_gradebook::answer_rescale),
        )
        .route("/sis/containers", get(sis::containers))
        .route("/sis/courses", get(sis::courses).post(sis::create_course))
        .route("/sis/terms", post(sis::create_term))
        .route("/sis/enrolments/{id}/history", get(sis::enrolment_history))
        .route("/sis/enrolments/{id}/status", put(sis::change_status))
        .route(
            "/sis/status-codes",
            get(sis::status_codes).post(sis::define_status_code),
        )
        .route("/sis/grades", put(sis::record_grade))
        .route(
            "/sis/grades/{assessment}/{person}/history",
            get(sis::grade_history),
        )
        .route("/sis/students/{id}", get(sis::student))
        .route("/sis/students/{id}/progress", get(sis::progress))
        .route("/sis/students/{id}/progress.csv", get(sis::progress_csv))
        .route("/sis/students/{id}/transcript", get(sis::transcript))
        .route(
            "/sis/students/{id}/transcript.csv",
            get(sis::transcript_csv),
        )
        .route("/sis/sections/{id}/progress", get(sis::section_progress))
        .route(
            "/sis/sections/{id}/progress.csv",
            get(sis::section_progress_csv),
        )
        .route("/sis/settings", get(school::get).put(school::put))
        .route("/sis/settings/changes", get(school::changes))
        .route("/sis/settings/terms", post(school::create_term))
        .route(
            "/sis/settings/terms/{id}",
            put(school::update_term).delete(school::delete_term),
        )
        .route("/sis/courses/{id}/credits", put(school::set_credits))
        .route("/sis/enrolments/{id}/honors", put(school::set_honors))
}

/// A certificate for the console.
pub fn cert_info(cert: &PeerCertificate) -> api::CertificateInfo {
    api::CertificateInfo {
        pem: cert.pem().to_owned(),
        fingerprint: cert.fingerprint_sha256(),
        common_name: cert.subject().common_name.clone(),
        organization: cert.subject().organization.clone(),
        not_before: cert.not_before(),
        not_after: cert.not_after(),
    }
}

/// A peer for lists.
pub fn peer_summary(p: &PeerRow) -> api::PeerSummary {
    api::PeerSummary {
        id: p.id,
        name: p.name.clone(),
        wwwroot: p.wwwroot.clone(),
        application: p.application.clone(),
        fingerprint: p.fingerprint.clone(),
        certificate_expires: p.certificate_expires,
        last_contact_at: p.last_contact_at,
        last_error: p.last_error.clone(),
        last_error_at: p.last_error_at,
        key_change_pending: p.pending_pem.is_some(),
        deleted: p.deleted,
    }
}

/// A link to a peer's home page.
pub fn peer_home_link(p: &PeerRow) -> api::PeerLink {
    api::PeerLink {
        id: p.id,
        name: p.name.clone(),
        wwwroot: p.wwwroot.clone(),
        url: p.wwwroot.clone(),
    }
}

/// A person for lists.
pub async fn person_summary(
    state: &AppState,
    p: &PersonRow,
) -> Result<api::PersonSummary, crate::store::StoreError> {
    let peer = match p.peer_id {
        Some(id) => state.store.peer(id).await?.map(|row| peer_home_link(&row)),
        None => None,
    };
    Ok(api::PersonSummary {
        id: p.id,
        firstname: p.firstname.clone(),
        lastname: p.lastname.clone(),
        email: p.email.clone(),
        idnumber: p.idnumber.clone(),
        username: p.mnet_username.clone().or_else(|| p.local_username.clone()),
        peer,
        login_allowed: p.login_allowed,
        roles: state.store.person_roles(p.id).await?,
        roles_from_enrolments: crate::accounts::roles::implied_roles(state, p.id)
            .await?
            .names(),
    })
}
