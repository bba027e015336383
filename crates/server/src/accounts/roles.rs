//! A person's effective roles (`docs/product.md` §4). The roles and what each may do are
//! `schoolbridge_api::roles`, shared with the console; this module adds what only the server
//! knows: "teacher" and "student" also follow from what a person teaches or is enrolled in.

use crate::state::AppState;
use crate::store::StoreError;
use schoolbridge_api::roles::{Role, RoleSet};

/// The roles implied by the school records: teacher for someone who teaches a section now,
/// student for someone enrolled as a student.
pub async fn implied_roles(state: &AppState, person_id: i64) -> Result<RoleSet, StoreError> {
    let (teaches, studies) = state.store.person_involvement(person_id).await?;
    Ok(RoleSet::NONE
        .with(Role::Teacher, teaches)
        .with(Role::Student, studies))
}

/// A person's effective roles: explicit ones plus those implied by teaching and enrolments.
pub async fn effective_roles(state: &AppState, person_id: i64) -> Result<RoleSet, StoreError> {
    let given = RoleSet::from_names(&state.store.person_roles(person_id).await?);
    Ok(given.union(implied_roles(state, person_id).await?))
}
