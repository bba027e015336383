//! The school a simulated Moodle holds, and the changes it sends about it: one change is one
//! `schooltool/sis/*` call, with a struct exactly as our Moodle plugin's `mapper` builds it
//! (`docs/schooltool-sis.md`; `moodle/local/schooltool/classes/local/mapper.php`).
//!
//! Wire types follow the plugin: identifiers and names are `<string>`, points are decimal
//! strings ("87.5", never `<double>`), counters are `<int>`, flags are `<boolean>`, and every
//! call carries `eventid` (string) and `timemodified` (int) last.

pub mod calendar;
mod coursework;
pub mod generator;
pub mod names;
mod rng;
mod spec;
pub mod state;
pub mod stories;
mod totals;

pub use generator::generate;
pub use spec::{School, SchoolSpec, SimUser, SpecError, UserKind};
pub use state::{ListedEnrolment, SchoolState, UserRow};
pub use stories::Story;

use mnet::xmlrpc::{Struct, Value};
use std::fmt;

/// Prefix of a person's derived shared id (`docs/schooltool-sis.md` "Identifiers").
pub const USER_PREFIX: &str = "moodle-user-";
/// Prefix of a section's derived shared id.
pub const COURSE_PREFIX: &str = "moodle-course-";
/// Prefix of an assessment's derived shared id.
pub const GRADEITEM_PREFIX: &str = "moodle-gradeitem-";

/// The shared id of a Moodle user without an idnumber.
pub fn user_idnumber(id: u64) -> String {
    format!("{USER_PREFIX}{id}")
}

/// The shared id of a Moodle course without an idnumber.
pub fn course_idnumber(id: u64) -> String {
    format!("{COURSE_PREFIX}{id}")
}

/// The shared id of a Moodle grade item without an idnumber.
pub fn gradeitem_idnumber(id: u64) -> String {
    format!("{GRADEITEM_PREFIX}{id}")
}

/// A role in a section: the contract's own (`mnet::sis::Role`, written `student` / `teacher`).
pub use mnet::sis::Role;

/// What a grade item is: an assessment, or the course total (`mnet::sis::ItemKind`, the
/// `new_assessment` field `kind`).
pub use mnet::sis::ItemKind;

pub use totals::COURSE_TOTAL_NAME;

/// How many of `changes` call `method` (e.g. `fetch_user`).
pub fn calls(changes: &[Change], method: &str) -> usize {
    changes
        .iter()
        .filter(|c| c.body.method_name() == method)
        .count()
}

/// Points in hundredths, written as the plugin writes them (`mapper::number`): plain decimal,
/// no exponent, no trailing zeros ("87.5", "100", "0.25").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(u32);

impl Points {
    /// Whole points.
    pub const fn whole(points: u32) -> Self {
        Self(points.saturating_mul(100))
    }

    /// Points given in hundredths (8750 is 87.5 points).
    pub const fn hundredths(hundredths: u32) -> Self {
        Self(hundredths)
    }

    /// As a number (87.5).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// The hundredths.
    pub const fn as_hundredths(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}"),
            f2 if f2 % 10 == 0 => write!(f, "{whole}.{}", f2 / 10),
            f2 => write!(f, "{whole}.{f2:02}"),
        }
    }
}

/// What a change does: the seven methods of `schooltool_sis` that the plugin sends, with their own
/// fields as the plugin holds them. Not `mnet::sis::ChangeBody` itself, which is the contract's
/// reading of any sender: the simulator keeps points exact in hundredths (`Points`, comparable and
/// printed as the plugin prints them) and counts unsigned, and sends neither `remove_grade` nor an
/// enrolment's status and dates. [`ChangeBody::to_wire`] gives the contract's value, and the wire
/// struct is written from it (`mnet::sis`), so the two cannot drift apart on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeBody {
    /// `fetch_user`: a person was created or edited.
    FetchUser(FetchUser),
    /// `new_section`: a course was created or edited (or its teacher changed).
    NewSection(NewSection),
    /// `new_enrolment`.
    NewEnrolment(NewEnrolment),
    /// `remove_enrolment` (unenrolment: Withdrawn in the SIS).
    RemoveEnrolment(RemoveEnrolment),
    /// `new_assessment`: a grade item was created or edited.
    NewAssessment(NewAssessment),
    /// `remove_assessment`: a grade item was deleted.
    RemoveAssessment(RemoveAssessment),
    /// `new_grade`.
    NewGrade(NewGrade),
}

/// `fetch_user`: a person was created or edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchUser {
    /// Shared id.
    pub idnumber: String,
    /// Moodle username.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// Email address.
    pub email: String,
}

impl FetchUser {
    /// The same person as the wire has it (the plugin always sends the email).
    pub fn to_wire(&self) -> mnet::sis::FetchUser {
        mnet::sis::FetchUser {
            idnumber: self.idnumber.clone(),
            username: self.username.clone(),
            firstname: self.firstname.clone(),
            lastname: self.lastname.clone(),
            email: Some(self.email.clone()),
        }
    }
}

/// `new_section`: a course was created or edited (or its teacher changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSection {
    /// Shared id of the course.
    pub idnumber: String,
    /// Course full name.
    pub name: String,
    /// Shared id of its first teacher, if any (sent as "" when none).
    pub teacheridnumber: Option<String>,
    /// Always 1 from Moodle (no terms).
    pub segment: u32,
}

impl NewSection {
    /// The same section as the wire has it.
    pub fn to_wire(&self) -> mnet::sis::NewSection {
        mnet::sis::NewSection {
            idnumber: self.idnumber.clone(),
            name: self.name.clone(),
            teacheridnumber: self.teacheridnumber.clone(),
            segment: i64::from(self.segment),
        }
    }
}

/// `new_enrolment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolment {
    /// Course shared id.
    pub sectionid: String,
    /// Person shared id.
    pub userid: String,
    /// Role.
    pub role: Role,
}

impl NewEnrolment {
    /// The same enrolment as the wire has it: active, without dates (the simulator sends
    /// neither an enrolment's status nor its dates).
    pub fn to_wire(&self) -> mnet::sis::NewEnrolment {
        mnet::sis::NewEnrolment {
            sectionid: self.sectionid.clone(),
            userid: self.userid.clone(),
            role: self.role,
            suspended: false,
            dates: None,
        }
    }
}

/// `remove_enrolment` (unenrolment: Withdrawn in the SIS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEnrolment {
    /// Course shared id.
    pub sectionid: String,
    /// Person shared id.
    pub userid: String,
    /// Only this role; `None` withdraws every role (the plugin's last-enrolment case).
    pub role: Option<Role>,
}

impl RemoveEnrolment {
    /// The same unenrolment as the wire has it.
    pub fn to_wire(&self) -> mnet::sis::RemoveEnrolment {
        mnet::sis::RemoveEnrolment {
            sectionid: self.sectionid.clone(),
            userid: self.userid.clone(),
            role: self.role,
        }
    }
}

/// `new_assessment`: a grade item was created or edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    /// Grade item shared id.
    pub idnumber: String,
    /// Course shared id.
    pub sectionid: String,
    /// Item name.
    pub name: String,
    /// Course section number of the activity.
    pub chapternum: u32,
    /// Always false from Moodle.
    pub honors_required: bool,
    /// Always true from Moodle.
    pub nonhonors_required: bool,
    /// Whether it counts as extra credit.
    pub extra_credit: bool,
    /// Maximum grade.
    pub pointval: Points,
    /// An assessment, or the section's course total (sent with `kind` = `course_total`).
    pub kind: ItemKind,
}

impl NewAssessment {
    /// The same grade item as the wire has it.
    pub fn to_wire(&self) -> mnet::sis::NewAssessment {
        mnet::sis::NewAssessment {
            idnumber: self.idnumber.clone(),
            sectionid: self.sectionid.clone(),
            name: self.name.clone(),
            chapternum: i64::from(self.chapternum),
            honors_required: self.honors_required,
            nonhonors_required: self.nonhonors_required,
            extra_credit: self.extra_credit,
            pointval: self.pointval.as_f64(),
            kind: self.kind,
        }
    }
}

/// `remove_assessment`: a grade item was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveAssessment {
    /// Grade item shared id.
    pub idnumber: String,
}

impl RemoveAssessment {
    /// The same removal as the wire has it.
    pub fn to_wire(&self) -> mnet::sis::RemoveAssessment {
        mnet::sis::RemoveAssessment {
            idnumber: self.idnumber.clone(),
        }
    }
}

/// `new_grade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrade {
    /// Grade item shared id.
    pub assessmentid: String,
    /// Student shared id.
    pub userid: String,
    /// Final grade; `None` (sent as "") only when excepted.
    pub points_earned: Option<Points>,
    /// The grade is excluded.
    pub excepted: bool,
    /// Attempt number, ≥ 1.
    pub attempt_num: u32,
}

impl NewGrade {
    /// The same grade as the wire has it.
    pub fn to_wire(&self) -> mnet::sis::NewGrade {
        mnet::sis::NewGrade {
            assessmentid: self.assessmentid.clone(),
            userid: self.userid.clone(),
            points_earned: self.points_earned.map(Points::as_f64),
            excepted: self.excepted,
            attempt_num: i64::from(self.attempt_num),
        }
    }
}

impl ChangeBody {
    /// The short method name, e.g. `new_grade`.
    pub fn method_name(&self) -> &'static str {
        match self {
            ChangeBody::FetchUser(_) => "fetch_user",
            ChangeBody::NewSection(_) => "new_section",
            ChangeBody::NewEnrolment(_) => "new_enrolment",
            ChangeBody::RemoveEnrolment(_) => "remove_enrolment",
            ChangeBody::NewAssessment(_) => "new_assessment",
            ChangeBody::RemoveAssessment(_) => "remove_assessment",
            ChangeBody::NewGrade(_) => "new_grade",
        }
    }

    /// The same change as the wire has it (`mnet::sis`, the types SchoolBridge reads with).
    pub fn to_wire(&self) -> mnet::sis::ChangeBody {
        use mnet::sis::ChangeBody as Wire;
        match self {
            ChangeBody::FetchUser(u) => Wire::FetchUser(u.to_wire()),
            ChangeBody::NewSection(s) => Wire::NewSection(s.to_wire()),
            ChangeBody::NewEnrolment(e) => Wire::NewEnrolment(e.to_wire()),
            ChangeBody::RemoveEnrolment(e) => Wire::RemoveEnrolment(e.to_wire()),
            ChangeBody::NewAssessment(a) => Wire::NewAssessment(a.to_wire()),
            ChangeBody::RemoveAssessment(a) => Wire::RemoveAssessment(a.to_wire()),
            ChangeBody::NewGrade(g) => Wire::NewGrade(g.to_wire()),
        }
    }

    /// The method's own fields, in the plugin's order (written by `mnet::sis`).
    fn fields(&self) -> Struct {
        self.to_wire().fields()
    }
}

/// Whether a grade of `attempt` given at `at` becomes a cell's current grade over the one it
/// holds (`current`: its attempt and time): the highest attempt, then the newest — the
/// contract's rule, kept by the simulator's state and by its course totals alike.
pub(crate) fn grade_replaces(attempt: u32, at: i64, current: Option<(u32, i64)>) -> bool {
    current.is_none_or(|held| (attempt, at) >= held)
}

/// One change at the simulated Moodle: one `schooltool/sis/*` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Unique per change, deterministic from the seed (at most 128 characters).
    pub eventid: String,
    /// When it happened, Unix seconds of simulated time.
    pub timemodified: i64,
    /// What happened.
    pub body: ChangeBody,
}

impl Change {
    /// The full method path, e.g. `schooltool/sis/new_grade`.
    pub fn method(&self) -> String {
        format!("schooltool/sis/{}", self.body.method_name())
    }

    /// The struct sent as the one parameter: the method's fields, then `eventid` and
    /// `timemodified` (the plugin's `mapper::with_common`).
    pub fn to_struct(&self) -> Struct {
        self.body
            .fields()
            .with("eventid", self.eventid.as_str())
            .with("timemodified", self.timemodified)
    }

    /// The same change as `mnet::sis` has it (for a `batch` call).
    pub fn to_wire(&self) -> mnet::sis::Change {
        mnet::sis::Change {
            eventid: Some(self.eventid.clone()),
            timemodified: Some(self.timemodified),
            body: self.body.to_wire(),
        }
    }

    /// The call's parameter list: one struct.
    pub fn params(&self) -> Vec<Value> {
        vec![Value::Struct(self.to_struct())]
    }

    /// The method's own fields as `(name, text)` for printing: strings quoted, flags as
    /// `true`/`false`.
    pub fn body_fields(&self) -> Vec<(String, String)> {
        self.body
            .fields()
            .iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(s) => format!("{s:?}"),
                    Value::Bool(b) => b.to_string(),
                    other => other.to_text_lenient().unwrap_or_default(),
                };
                (name.to_owned(), text)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_like_the_plugin() {
        assert_eq!(Points::whole(100).to_string(), "100");
        assert_eq!(Points::hundredths(8750).to_string(), "87.5");
        assert_eq!(Points::hundredths(25).to_string(), "0.25");
        assert_eq!(Points::hundredths(1205).to_string(), "12.05");
        assert_eq!(Points::whole(0).to_string(), "0");
    }

    #[test]
    fn structs_carry_the_plugin_types_and_common_fields_last() {
        let grade = Change {
            eventid: "e1".into(),
            timemodified: 1_790_000_000,
            body: ChangeBody::NewGrade(NewGrade {
                assessmentid: gradeitem_idnumber(9),
                userid: user_idnumber(5),
                points_earned: None,
                excepted: true,
                attempt_num: 2,
            }),
        };
        assert_eq!(grade.method(), "schooltool/sis/new_grade");
        let s = grade.to_struct();
        let names: Vec<&str> = s.iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "assessmentid",
                "userid",
                "points_earned",
                "excepted",
                "attempt_num",
                "eventid",
                "timemodified"
            ]
        );
        assert_eq!(s.get("points_earned"), Some(&Value::from("")));
        assert_eq!(s.get("excepted"), Some(&Value::Bool(true)));
        assert_eq!(s.get("attempt_num"), Some(&Value::Int(2)));
        assert_eq!(s.get("timemodified"), Some(&Value::Int(1_790_000_000)));

        let section = ChangeBody::NewSection(NewSection {
            idnumber: course_idnumber(2),
            name: "Biology".into(),
            teacheridnumber: None,
            segment: 1,
        });
        let s = section.fields();
        assert_eq!(s.get("teacheridnumber"), Some(&Value::from("")));
        assert_eq!(s.get("segment"), Some(&Value::Int(1)));
        let unenrol = ChangeBody::RemoveEnrolment(RemoveEnrolment {
            sectionid: "c".into(),
            userid: "u".into(),
            role: None,
        });
        assert!(unenrol.fields().get("role").is_none());
    }
}
