//! Who may see what in the console. The server checks every request again; the console only
//! decides what to offer, so people are not shown doors that will not open. This is the one
//! module of the console that knows the roles (`crates/server/src/accounts/roles.rs` is the
//! server's twin; when the definitions move to `schoolbridge-api`, only this file changes).

/// Every role the server knows, in the order the console lists them.
pub const ALL_ROLES: &[&str] = &["admin", "counsellor", "teacher", "student"];

/// The effective roles of the signed-in person (`SessionInfo::roles`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// Peers, keys, audit, accounts.
    pub admin: bool,
    /// Reads every student (and people).
    pub counsellor: bool,
    /// Teaches sections.
    pub teacher: bool,
    /// Is enrolled.
    pub student: bool,
}

impl Roles {
    /// Reads role names; unknown names are ignored.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Self {
        let has = |role: &str| names.iter().any(|n| n.as_ref() == role);
        Roles {
            admin: has("admin"),
            counsellor: has("counsellor"),
            teacher: has("teacher"),
            student: has("student"),
        }
    }
}

/// What a page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not (sign-in, set-up, "signed out").
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Administrators.
    Admin,
    /// Administrators and counsellors (people lists, every student's records).
    StaffReader,
    /// Teachers (and those above them).
    Teacher,
    /// People enrolled as students (their own records).
    Student,
}

impl Need {
    /// Whether `roles` meet the need.
    pub fn allows(self, roles: &Roles) -> bool {
        match self {
            Need::Public | Need::SignedIn => true,
            Need::Admin => roles.admin,
            Need::StaffReader => roles.admin || roles.counsellor,
            Need::Teacher => roles.admin || roles.counsellor || roles.teacher,
            Need::Student => roles.student,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_access() {
        let admin = Roles::from_names(&["admin".to_owned()]);
        let counsellor = Roles::from_names(&["counsellor"]);
        let teacher = Roles::from_names(&["teacher", "nonsense"]);
        let student = Roles::from_names(&["student"]);
        assert!(Need::Admin.allows(&admin));
        assert!(!Need::Admin.allows(&counsellor));
        assert!(Need::StaffReader.allows(&counsellor));
        assert!(!Need::StaffReader.allows(&teacher));
        assert!(Need::Teacher.allows(&teacher));
        assert!(!Need::Teacher.allows(&student));
        assert!(Need::Student.allows(&student));
        assert!(!Need::Student.allows(&admin));
        assert!(Need::SignedIn.allows(&Roles::default()));
    }
}
