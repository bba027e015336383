//! The seven methods' structs (`schooltool-services.md` §2, `docs/schooltool-sis.md` "Methods")
//! turned into validated, typed requests — or a fault naming the field. The common `eventid` and
//! `timemodified` are read here too; a call without `timemodified` happens when it arrived.
//! Password fields are never read: [`carries_password`] only tells the handler to keep the
//! envelope out of the audit log.

use super::fault::SisFault;
use super::fields::{Fields, the_struct};
use crate::store::sis::Role;
use crate::store::sis_assessments::AssessmentUpsert;
use crate::store::sis_grades::GradeUpsert;
use crate::store::sis_people::PersonUpsert;
use crate::store::sis_sections::SectionUpsert;
use mnet::xmlrpc::Value;

/// Longest shared id (idnumber, sectionid, userid, assessmentid).
pub const MAX_ID: usize = 255;
/// Longest username, given or family name, e-mail address.
pub const MAX_PERSON_TEXT: usize = 255;
/// Longest section or assessment name (Moodle's course full name holds 1333).
pub const MAX_NAME: usize = 1333;
/// Longest eventid (`docs/schooltool-sis.md`).
pub const MAX_EVENTID: usize = 128;
/// How far ahead of the arrival time a `timemodified` may be (a sender's clock running fast);
/// beyond it, one bad clock would make every later change look stale.
pub const MAX_FUTURE_SECS: i64 = 86_400;
/// Largest number of points.
pub const MAX_POINTS: f64 = 1.0e9;
/// Largest chapter, segment or attempt number.
pub const MAX_COUNT: i64 = 1_000_000;

/// The seven methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `fetch_user`.
    FetchUser,
    /// `new_section`.
    NewSection,
    /// `new_enrolment`.
    NewEnrolment,
    /// `remove_enrolment`.
    RemoveEnrolment,
    /// `new_assessment`.
    NewAssessment,
    /// `remove_assessment`.
    RemoveAssessment,
    /// `new_grade`.
    NewGrade,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 7] = [
        Method::FetchUser,
        Method::NewSection,
        Method::NewEnrolment,
        Method::RemoveEnrolment,
        Method::NewAssessment,
        Method::RemoveAssessment,
        Method::NewGrade,
    ];

    /// The XML-RPC path.
    pub fn path(self) -> &'static str {
        match self {
            Method::FetchUser => "schooltool/sis/fetch_user",
            Method::NewSection => "schooltool/sis/new_section",
            Method::NewEnrolment => "schooltool/sis/new_enrolment",
            Method::RemoveEnrolment => "schooltool/sis/remove_enrolment",
            Method::NewAssessment => "schooltool/sis/new_assessment",
            Method::RemoveAssessment => "schooltool/sis/remove_assessment",
            Method::NewGrade => "schooltool/sis/new_grade",
        }
    }

    /// From the XML-RPC path.
    pub fn from_path(path: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.path() == path)
    }
}

/// The fields every call carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// The sender's change id.
    pub eventid: Option<String>,
    /// When the change happened (the arrival time when the sender gave none).
    pub timemodified: i64,
}

/// A validated call.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `fetch_user`.
    FetchUser(PersonUpsert),
    /// `new_section`.
    NewSection(SectionUpsert),
    /// `new_enrolment`.
    NewEnrolment {
        /// Section idnumber.
        sectionid: String,
        /// Person idnumber.
        userid: String,
        /// Role (default student).
        role: Role,
    },
    /// `remove_enrolment`.
    RemoveEnrolment {
        /// Section idnumber.
        sectionid: String,
        /// Person idnumber.
        userid: String,
        /// Role (`None`: every role).
        role: Option<Role>,
    },
    /// `new_assessment`.
    NewAssessment(AssessmentUpsert),
    /// `remove_assessment`.
    RemoveAssessment {
        /// Assessment idnumber.
        idnumber: String,
    },
    /// `new_grade`.
    NewGrade(GradeUpsert),
}

/// Whether any member of the call's struct is a password field (`password_hash`,
/// `password_hash_algorithm`, `password`, or any other name containing "password").
pub fn carries_password(params: &[Value]) -> bool {
    params.iter().any(|p| {
        p.as_struct().is_some_and(|s| {
            s.iter()
                .any(|(name, _)| name.to_ascii_lowercase().contains("password"))
        })
    })
}

fn role(f: &Fields<'_>) -> Result<Option<Role>, SisFault> {
    match f.optional_text("role", 32)? {
        None => Ok(None),
        Some(r) => Role::parse(&r)
            .map(Some)
            .ok_or_else(|| SisFault::invalid("role", "must be student or teacher")),
    }
}

fn common(f: &Fields<'_>, received_at: i64) -> Result<Common, SisFault> {
    let eventid = f.optional_text("eventid", MAX_EVENTID)?;
    let timemodified = f.integer(
        "timemodified",
        received_at,
        0,
        received_at.saturating_add(MAX_FUTURE_SECS),
    )?;
    Ok(Common {
        eventid,
        timemodified,
    })
}

/// Reads and validates one call.
pub fn parse(
    method: Method,
    params: &[Value],
    received_at: i64,
) -> Result<(Common, Request), SisFault> {
    let f = Fields(the_struct(params)?);
    let common = common(&f, received_at)?;
    let request = match method {
        Method::FetchUser => Request::FetchUser(PersonUpsert {
            idnumber: f.text("idnumber", MAX_ID)?,
            username: f.text("username", MAX_PERSON_TEXT)?,
            firstname: f.text("firstname", MAX_PERSON_TEXT)?,
            lastname: f.text("lastname", MAX_PERSON_TEXT)?,
            email: f.optional_text("email", MAX_PERSON_TEXT)?,
        }),
        Method::NewSection => Request::NewSection(SectionUpsert {
            idnumber: f.text("idnumber", MAX_ID)?,
            name: f.text("name", MAX_NAME)?,
            teacher_idnumber: f.optional_text("teacheridnumber", MAX_ID)?,
            segment: f.integer("segment", 1, 1, MAX_COUNT)?,
        }),
        Method::NewEnrolment => Request::NewEnrolment {
            sectionid: f.text("sectionid", MAX_ID)?,
            userid: f.text("userid", MAX_ID)?,
            role: role(&f)?.unwrap_or(Role::Student),
        },
        Method::RemoveEnrolment => Request::RemoveEnrolment {
            sectionid: f.text("sectionid", MAX_ID)?,
            userid: f.text("userid", MAX_ID)?,
            role: role(&f)?,
        },
        Method::NewAssessment => Request::NewAssessment(AssessmentUpsert {
            idnumber: f.text("idnumber", MAX_ID)?,
            sectionid: f.text("sectionid", MAX_ID)?,
            name: f.text("name", MAX_NAME)?,
            chapter: f.integer("chapternum", 0, 0, MAX_COUNT)?,
            honors_required: f.flag("honors_required", false)?,
            nonhonors_required: f.flag("nonhonors_required", true)?,
            extra_credit: f.flag("extra_credit", false)?,
            pointval: f
                .number("pointval", 0.0, MAX_POINTS)?
                .ok_or(SisFault::MissingField("pointval"))?,
        }),
        Method::RemoveAssessment => Request::RemoveAssessment {
            idnumber: f.text("idnumber", MAX_ID)?,
        },
        Method::NewGrade => {
            let assessmentid = f.text("assessmentid", MAX_ID)?;
            let userid = f.text("userid", MAX_ID)?;
            let excepted = f.flag("excepted", false)?;
            let points = f.number("points_earned", -MAX_POINTS, MAX_POINTS)?;
            if points.is_none() && !excepted {
                return Err(SisFault::MissingField("points_earned"));
            }
            Request::NewGrade(GradeUpsert {
                assessmentid,
                userid,
                points,
                excepted,
                attempt: f.integer("attempt_num", 1, 1, MAX_COUNT)?,
            })
        }
    };
    Ok((common, request))
}
