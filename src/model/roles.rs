//! What a page needs of the signed-in person. The roles and what each may do are
//! `schoolbridge_api::roles` — the very definitions the server checks every request with; the
//! console only decides what to offer, so people are not shown doors that will not open.

use schoolbridge_api::roles::{Right, RoleSet};

/// What a page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not (sign-in, set-up, "signed out").
    Public,
    /// Any signed-in person.
    SignedIn,
    /// A signed-in person whose roles give them this right.
    May(Right),
}

impl Need {
    /// Whether `roles` meet the need.
    pub fn allows(self, roles: &RoleSet) -> bool {
        match self {
            Need::Public | Need::SignedIn => true,
            Need::May(right) => roles.may(right),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_access() {
        let admin = RoleSet::from_names(&["admin".to_owned()]);
        let counsellor = RoleSet::from_names(&["counsellor"]);
        let teacher = RoleSet::from_names(&["teacher", "nonsense"]);
        let student = RoleSet::from_names(&["student"]);
        let admin_only = Need::May(Right::ManageNetwork);
        let staff_reader = Need::May(Right::ReadAllStudents);
        let sections = Need::May(Right::ReadSections);
        let own_records = Need::May(Right::ReadOwnRecords);
        assert!(admin_only.allows(&admin));
        assert!(!admin_only.allows(&counsellor));
        assert!(staff_reader.allows(&counsellor));
        assert!(!staff_reader.allows(&teacher));
        assert!(sections.allows(&teacher));
        assert!(!sections.allows(&student));
        assert!(own_records.allows(&student));
        assert!(!own_records.allows(&admin));
        assert!(Need::SignedIn.allows(&RoleSet::default()));
    }
}
