//! The console roles and what each may do (`docs/product.md` §4), defined once for the server,
//! which checks every request with them, and the console, which decides what to offer with them
//! (`docs/design/023-accounts-service.md`). Admins may do everything but read a student's own
//! page; counsellors read every student and person and keep the school records; teachers their
//! own sections; students themselves. On the wire a role is its [`Role::name`].

/// A console role. Admins and counsellors are granted in the console or the CLI; "teacher" and
/// "student" may also follow from what a person teaches or is enrolled in (the server works that
/// out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including peers, keys and accounts.
    Admin,
    /// Every student's records and every person; manual courses, sections and enrolments.
    Counsellor,
    /// Their own sections.
    Teacher,
    /// Their own records.
    Student,
}

/// Something a role may do. Each right names one kind of door; the server's checks and the
/// console's pages both ask for a right, never for a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Right {
    /// Peers, the site key, the MNet audit log, the first-run steps.
    ManageNetwork,
    /// Create local accounts, give roles, grant and withdraw login rights.
    ManageAccounts,
    /// Define the enrolment status codes.
    DefineStatusCodes,
    /// Read the list of people.
    ReadPeople,
    /// Read every student's records and every section.
    ReadAllStudents,
    /// Change statuses; create manual courses, terms, sections and enrolments.
    ManageRecords,
    /// Open the sections pages (a teacher sees the sections they teach).
    ReadSections,
    /// Read one's own records as a student.
    ReadOwnRecords,
}

/// Why a role name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl std::fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown role {:?}: use admin, counsellor, teacher or student",
            self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl Role {
    /// Every role, in the order the console lists them.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Counsellor, Role::Teacher, Role::Student];

    /// The name stored in the database and sent in the JSON API.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Counsellor => "counsellor",
            Role::Teacher => "teacher",
            Role::Student => "student",
        }
    }

    /// The role with this exact name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// A role name as a person typed it (any case, spaces around it).
    pub fn parse(input: &str) -> Result<Role, UnknownRole> {
        let name = input.trim().to_lowercase();
        Role::from_name(&name).ok_or(UnknownRole(name))
    }

    /// What the role may do.
    pub fn rights(self) -> &'static [Right] {
        use Right::*;
        match self {
            Role::Admin => &[
                ManageNetwork,
                ManageAccounts,
                DefineStatusCodes,
                ReadPeople,
                ReadAllStudents,
                ManageRecords,
                ReadSections,
            ],
            Role::Counsellor => &[ReadPeople, ReadAllStudents, ManageRecords, ReadSections],
            Role::Teacher => &[ReadSections],
            Role::Student => &[ReadOwnRecords],
        }
    }

    /// Whether the role may do `right`.
    pub fn may(self, right: Right) -> bool {
        self.rights().contains(&right)
    }
}

/// The roles one person holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleSet([bool; 4]);

impl RoleSet {
    /// No role.
    pub const NONE: RoleSet = RoleSet([false; 4]);

    /// From role names; unknown names are ignored (a newer server may know more).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> RoleSet {
        names
            .iter()
            .filter_map(|n| Role::from_name(n.as_ref()))
            .collect()
    }

    /// From role names a person typed; an unknown one is refused.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<RoleSet, UnknownRole> {
        names.iter().map(|n| Role::parse(n.as_ref())).collect()
    }

    /// Whether `role` is held.
    pub fn has(&self, role: Role) -> bool {
        self.0[role as usize]
    }

    /// This set with `role` added or taken away.
    pub fn with(mut self, role: Role, on: bool) -> RoleSet {
        self.0[role as usize] = on;
        self
    }

    /// The roles held, in [`Role::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        Role::ALL.into_iter().filter(|r| self.has(*r))
    }

    /// The names of the roles held, in [`Role::ALL`] order.
    pub fn names(&self) -> Vec<String> {
        self.iter().map(|r| r.name().to_owned()).collect()
    }

    /// Whether no role is held.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The roles of both sets.
    pub fn union(self, other: RoleSet) -> RoleSet {
        let mut out = self;
        for role in other.iter() {
            out = out.with(role, true);
        }
        out
    }

    /// Whether any role held may do `right`.
    pub fn may(&self, right: Right) -> bool {
        self.iter().any(|r| r.may(right))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        roles
            .into_iter()
            .fold(RoleSet::NONE, |set, r| set.with(r, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::parse(" Counsellor "), Ok(Role::Counsellor));
        let refused = Role::parse("Wizard").unwrap_err();
        assert_eq!(refused, UnknownRole("wizard".into()));
        assert!(refused.to_string().contains("admin, counsellor"));
    }

    #[test]
    fn sets_read_names_in_their_own_order() {
        let set = RoleSet::from_names(&["teacher", "nonsense", "admin", "admin"]);
        assert_eq!(set.names(), ["admin", "teacher"]);
        assert!(RoleSet::parse(&["teacher", "bogus"]).is_err());
        assert_eq!(
            RoleSet::parse(&[" TEACHER", "admin"]).unwrap().names(),
            ["admin", "teacher"]
        );
        assert!(RoleSet::NONE.is_empty());
        assert_eq!(
            set.with(Role::Teacher, false)
                .union(RoleSet::from_names(&["student"]))
                .names(),
            ["admin", "student"]
        );
    }

    #[test]
    fn rights_follow_the_roles() {
        let of = |names: &[&str]| RoleSet::from_names(names);
        let (admin, counsellor, teacher, student) = (
            of(&["admin"]),
            of(&["counsellor"]),
            of(&["teacher"]),
            of(&["student"]),
        );
        assert!(admin.may(Right::ManageNetwork) && admin.may(Right::ManageAccounts));
        assert!(!counsellor.may(Right::ManageAccounts));
        for staff in [admin, counsellor] {
            assert!(staff.may(Right::ReadPeople));
            assert!(staff.may(Right::ReadAllStudents));
            assert!(staff.may(Right::ManageRecords));
            assert!(staff.may(Right::ReadSections));
        }
        assert!(teacher.may(Right::ReadSections));
        assert!(!teacher.may(Right::ReadAllStudents) && !teacher.may(Right::ReadPeople));
        assert!(student.may(Right::ReadOwnRecords));
        assert!(!student.may(Right::ReadSections));
        // A student's own page is for students: an admin reads students from the students list.
        assert!(!admin.may(Right::ReadOwnRecords));
        assert!(!RoleSet::NONE.may(Right::ReadSections));
    }
}
