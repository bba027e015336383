//! What school to generate and what comes out: the sizes and seed ([`SchoolSpec`]), why a spec
//! is refused ([`SpecError`]), and the generated people and changes ([`School`]).

use super::calendar::parse_date;
use super::{Change, ChangeBody, FetchUser};
use sha1::{Digest, Sha1};

/// The most changes one generated school may have (memory stays in the hundreds of MB).
pub const MAX_CHANGES: u64 = 5_000_000;
/// The shortest term the generator accepts.
pub const MIN_TERM_DAYS: u32 = 14;

/// What school to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolSpec {
    /// Seed: the same spec gives the same school, change for change.
    pub seed: u64,
    /// Number of students.
    pub students: u32,
    /// Number of teachers.
    pub teachers: u32,
    /// Number of sections (Moodle courses).
    pub sections: u32,
    /// Sections a student takes, on average (each student takes this ±1).
    pub sections_per_student: u32,
    /// Grade items per section (exactly).
    pub assessments_per_section: u32,
    /// First day of the term, Unix seconds (UTC midnight).
    pub start: i64,
    /// Length of the term in days; nothing is generated after its end.
    pub term_days: u32,
    /// Domain of the generated email addresses.
    pub email_domain: String,
    /// Added to every Moodle id, so that two generated schools can share one SchoolBridge
    /// without sharing people.
    pub id_offset: u64,
}

impl Default for SchoolSpec {
    /// A small school that a demo pushes in about a minute.
    fn default() -> Self {
        Self {
            seed: 1,
            students: 300,
            teachers: 20,
            sections: 60,
            sections_per_student: 6,
            assessments_per_section: 8,
            // 2026-09-01, a Tuesday; the term ends before the design date (2026-11-25).
            start: 1_788_220_800,
            term_days: 80,
            email_domain: "sim-school.example".to_owned(),
            id_offset: 0,
        }
    }
}

impl SchoolSpec {
    /// Sets the start from `YYYY-MM-DD`.
    pub fn with_start_date(mut self, date: &str) -> Result<Self, SpecError> {
        self.start = parse_date(date).ok_or_else(|| SpecError::BadDate(date.to_owned()))?;
        Ok(self)
    }

    /// The prefix of every eventid of this school: the seed and a short hash of the rest of the
    /// spec, so that two different schools never share an eventid.
    pub fn eventid_prefix(&self) -> String {
        let canonical = format!(
            "{}/{}/{}/{}/{}/{}/{}/{}/{}",
            self.students,
            self.teachers,
            self.sections,
            self.sections_per_student,
            self.assessments_per_section,
            self.start,
            self.term_days,
            self.email_domain,
            self.id_offset
        );
        let digest = hex::encode(Sha1::digest(canonical.as_bytes()));
        format!("sim-s{}-{}", self.seed, &digest[..8])
    }

    /// Rough number of changes, for the size check.
    fn estimated_changes(&self) -> u64 {
        let s = u64::from(self.students);
        let grades =
            s * u64::from(self.sections_per_student) * u64::from(self.assessments_per_section);
        // Each grade change moves the student's course total too, and each item the section's.
        2 * (grades + grades / 8)
            + s * (1 + u64::from(self.sections_per_student))
            + u64::from(self.sections) * (2 + 2 * u64::from(self.assessments_per_section))
            + u64::from(self.teachers)
    }

    pub(super) fn check(&self) -> Result<(), SpecError> {
        if self.sections > 0 && self.teachers == 0 {
            return Err(SpecError::NoTeachers(self.sections));
        }
        if self.students > 0 && self.sections_per_student > self.sections {
            return Err(SpecError::TooFewSections {
                per_student: self.sections_per_student,
                sections: self.sections,
            });
        }
        if self.term_days < MIN_TERM_DAYS {
            return Err(SpecError::TermTooShort(self.term_days));
        }
        let estimate = self.estimated_changes();
        if estimate > MAX_CHANGES {
            return Err(SpecError::TooLarge(estimate));
        }
        if self.email_domain.trim().is_empty() {
            return Err(SpecError::BadDomain);
        }
        Ok(())
    }
}

/// Why a school cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// Sections need teachers.
    #[error("a school with {0} sections needs at least one teacher")]
    NoTeachers(u32),
    /// Students cannot take more sections than exist.
    #[error("each student takes {per_student} sections but the school has only {sections}")]
    TooFewSections {
        /// Requested sections per student.
        per_student: u32,
        /// Sections in the school.
        sections: u32,
    },
    /// The term is too short to place a term's work in.
    #[error("the term must last at least {MIN_TERM_DAYS} days, not {0}")]
    TermTooShort(u32),
    /// Too many changes for one run.
    #[error(
        "this school would make about {0} changes, more than the {MAX_CHANGES} one run may hold; make it smaller"
    )]
    TooLarge(u64),
    /// Not a `YYYY-MM-DD` date.
    #[error("{0:?} is not a date of the form YYYY-MM-DD")]
    BadDate(String),
    /// The email domain is empty.
    #[error("the email domain must not be empty")]
    BadDomain,
}

/// What a generated person is at the school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserKind {
    /// The site administrator (Moodle user id 2).
    Admin,
    /// A teacher.
    Teacher,
    /// A student.
    Student,
}

/// A person of the generated school, as the Moodle user table would hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// Moodle's internal user id.
    pub id: u64,
    /// Shared id (`moodle-user-<id>`).
    pub idnumber: String,
    /// Username (ASCII, unique).
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// Email address.
    pub email: String,
    /// Role at the school.
    pub kind: UserKind,
}

impl SimUser {
    /// The `fetch_user` change body for this person.
    pub fn fetch_user(&self) -> ChangeBody {
        ChangeBody::FetchUser(FetchUser {
            idnumber: self.idnumber.clone(),
            username: self.username.clone(),
            firstname: self.firstname.clone(),
            lastname: self.lastname.clone(),
            email: self.email.clone(),
        })
    }
}

/// A generated school: its people and the changes, in order.
#[derive(Debug, Clone)]
pub struct School {
    /// What was asked for.
    pub spec: SchoolSpec,
    /// Every person, admin first, then teachers, then students.
    pub users: Vec<SimUser>,
    /// The changes, in time order, each with its eventid and timemodified.
    pub changes: Vec<Change>,
}

impl School {
    /// How many of its changes call `method` (e.g. `fetch_user`).
    pub fn calls(&self, method: &str) -> usize {
        super::calls(&self.changes, method)
    }
}
