//! Who may see what (`docs/product.md` §4): admins everything; counsellors every
//! student's records; teachers their sections; students themselves. Explicit roles are granted
//! in the console or the CLI; "teacher" and "student" also follow from what a person teaches or
//! is enrolled in.

use crate::state::AppState;
use crate::store::StoreError;

/// A person's effective roles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// Everything, including peers and keys.
    pub admin: bool,
    /// Every student's records; manual courses and enrolments.
    pub counsellor: bool,
    /// Their own sections.
    pub teacher: bool,
    /// Their own records.
    pub student: bool,
}

impl Roles {
    /// From role names.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Roles {
        let has = |r: &str| names.iter().any(|n| n.as_ref() == r);
        Roles {
            admin: has("admin"),
            counsellor: has("counsellor"),
            teacher: has("teacher"),
            student: has("student"),
        }
    }

    /// Role names, for the console.
    pub fn names(&self) -> Vec<String> {
        let mut v = Vec::new();
        for (on, name) in [
            (self.admin, "admin"),
            (self.counsellor, "counsellor"),
            (self.teacher, "teacher"),
            (self.student, "student"),
        ] {
            if on {
                v.push(name.to_owned());
            }
        }
        v
    }

    /// May read any student's records (admins and counsellors).
    pub fn reads_all_students(&self) -> bool {
        self.admin || self.counsellor
    }
}

/// A person's effective roles: explicit ones plus those implied by teaching and enrolments.
pub async fn effective_roles(state: &AppState, person_id: i64) -> Result<Roles, StoreError> {
    let names = state.store.person_roles(person_id).await?;
    let mut roles = Roles::from_names(&names);
    let (teaches, studies) = involvement(state, person_id).await?;
    roles.teacher |= teaches;
    roles.student |= studies;
    Ok(roles)
}

/// Whether a person teaches any section and whether they are enrolled as a student anywhere.
async fn involvement(state: &AppState, person_id: i64) -> Result<(bool, bool), StoreError> {
    state.store.person_involvement(person_id).await
}

/// Validates role names from a request.
pub fn validate(names: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for n in names {
        let n = n.trim().to_lowercase();
        if !crate::store::people::ROLES.contains(&n.as_str()) {
            return Err(format!(
                "unknown role {n:?}: use admin, counsellor, teacher or student"
            ));
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}
