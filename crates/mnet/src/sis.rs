//! The `schooltool_sis` service's calls as typed values (`docs/schooltool-sis.md`): what a sender
//! writes ([`Change::to_params`]) and what a receiver reads ([`Change::parse`]), with the
//! contract's limits defined once. SchoolBridge reads with it, the simulated Moodle and the
//! school generator write with it, so the two sides cannot drift apart.
//!
//! Reading is lenient the way the contract says ("Common fields"): numbers as `<int>`, `<i4>`,
//! `<string>` or untyped text; booleans as `<boolean>`, 0/1, "true"/"false", "yes"/"no"; an empty
//! string or `<nil/>` is "absent"; text is trimmed; unknown members are ignored. A field that
//! cannot be used is refused with the contract's fault naming it (8101 missing, 8102 unusable,
//! 8106 not one struct). Members whose name contains "password" are never read.

use crate::services::SisFaultCode;
use crate::xmlrpc::{Struct, Value};

/// The contract's limits (`docs/schooltool-sis.md` "Common fields", "Limits").
pub mod limits {
    /// Longest shared id (idnumber, sectionid, userid, assessmentid).
    pub const MAX_ID: usize = 255;
    /// Longest username, given or family name, e-mail address.
    pub const MAX_PERSON_TEXT: usize = 255;
    /// Longest section or assessment name (Moodle's course full name holds 1333).
    pub const MAX_NAME: usize = 1333;
    /// Longest eventid.
    pub const MAX_EVENTID: usize = 128;
    /// How far ahead of the arrival time a `timemodified` may be (a sender's clock running
    /// fast); beyond it, one bad clock would make every later change look stale.
    pub const MAX_FUTURE_SECS: i64 = 86_400;
    /// Largest number of points, either sign.
    pub const MAX_POINTS: f64 = 1.0e9;
    /// Largest chapter, segment or attempt number.
    pub const MAX_COUNT: i64 = 1_000_000;
    /// Latest date a sender may give (Unix seconds; the year 2500).
    pub const MAX_DATE: i64 = 16_725_225_600;
    /// Most changes in one `batch` call (the request's size limit applies too).
    pub const MAX_BATCH_CHANGES: usize = 1000;
}

use limits::*;

/// The service's methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// `remove_grade` (added after apiversion 1 shipped).
    RemoveGrade,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 8] = [
        Method::FetchUser,
        Method::NewSection,
        Method::NewEnrolment,
        Method::RemoveEnrolment,
        Method::NewAssessment,
        Method::RemoveAssessment,
        Method::NewGrade,
        Method::RemoveGrade,
    ];

    /// The short name, e.g. `new_grade`.
    pub fn name(self) -> &'static str {
        match self {
            Method::FetchUser => "fetch_user",
            Method::NewSection => "new_section",
            Method::NewEnrolment => "new_enrolment",
            Method::RemoveEnrolment => "remove_enrolment",
            Method::NewAssessment => "new_assessment",
            Method::RemoveAssessment => "remove_assessment",
            Method::NewGrade => "new_grade",
            Method::RemoveGrade => "remove_grade",
        }
    }

    /// The XML-RPC path, e.g. `schooltool/sis/new_grade`.
    pub fn path(self) -> &'static str {
        match self {
            Method::FetchUser => "schooltool/sis/fetch_user",
            Method::NewSection => "schooltool/sis/new_section",
            Method::NewEnrolment => "schooltool/sis/new_enrolment",
            Method::RemoveEnrolment => "schooltool/sis/remove_enrolment",
            Method::NewAssessment => "schooltool/sis/new_assessment",
            Method::RemoveAssessment => "schooltool/sis/remove_assessment",
            Method::NewGrade => "schooltool/sis/new_grade",
            Method::RemoveGrade => "schooltool/sis/remove_grade",
        }
    }

    /// From the XML-RPC path.
    pub fn from_path(path: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.path() == path)
    }
}

/// An enrolment's role on the wire (`docs/product.md` §2 `new_enrolment`); the console's JSON
/// spells it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Role {
    /// `student`.
    Student,
    /// `teacher`.
    Teacher,
}

impl Role {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
        }
    }

    /// Read in any case; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "student" => Some(Role::Student),
            "teacher" => Some(Role::Teacher),
            _ => None,
        }
    }
}

/// What a `new_assessment` describes on the wire (`kind`; `docs/schooltool-sis.md`); stored and
/// sent to the console with the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum ItemKind {
    /// `item` (or absent): an assessment; its points count in SchoolBridge's totals.
    #[default]
    Item,
    /// `course_total`: the course's total as Moodle computes it (categories, weights and all):
    /// shown beside SchoolBridge's own total, never summed into it, never linked to a manual
    /// item.
    CourseTotal,
}

impl ItemKind {
    /// As written (and stored).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Item => "item",
            ItemKind::CourseTotal => "course_total",
        }
    }

    /// From stored text (anything but "course_total" is an item).
    pub fn parse(s: &str) -> Self {
        if s == "course_total" {
            ItemKind::CourseTotal
        } else {
            ItemKind::Item
        }
    }
}

/// `fetch_user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchUser {
    /// The shared id.
    pub idnumber: String,
    /// The Moodle username.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail (absent keeps the stored one).
    pub email: Option<String>,
}

/// `new_section`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSection {
    /// The section's shared id.
    pub idnumber: String,
    /// The course's full name.
    pub name: String,
    /// The teacher's shared id.
    pub teacheridnumber: Option<String>,
    /// The segment, ≥ 1.
    pub segment: i64,
}

/// `new_enrolment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolment {
    /// The section's shared id.
    pub sectionid: String,
    /// The person's shared id.
    pub userid: String,
    /// The role.
    pub role: Role,
    /// Moodle's status: suspended (`true`) or active.
    pub suspended: bool,
    /// Moodle's start and end (0 = none), when given; absent keeps what is known.
    pub dates: Option<(i64, i64)>,
}

/// `remove_enrolment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEnrolment {
    /// The section's shared id.
    pub sectionid: String,
    /// The person's shared id.
    pub userid: String,
    /// The role (`None`: every role).
    pub role: Option<Role>,
}

/// `new_assessment`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    /// The item's shared id.
    pub idnumber: String,
    /// The section's shared id.
    pub sectionid: String,
    /// Its name.
    pub name: String,
    /// Chapter, ≥ 0.
    pub chapternum: i64,
    /// Counts for honours students.
    pub honors_required: bool,
    /// Counts for the others.
    pub nonhonors_required: bool,
    /// Extra credit.
    pub extra_credit: bool,
    /// Maximum points, ≥ 0.
    pub pointval: f64,
    /// An assessment, or Moodle's course total (`kind`, added after apiversion 1; absent =
    /// an assessment).
    pub kind: ItemKind,
}

/// `remove_assessment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveAssessment {
    /// The item's shared id.
    pub idnumber: String,
}

/// `new_grade`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrade {
    /// The item's shared id.
    pub assessmentid: String,
    /// The student's shared id.
    pub userid: String,
    /// Points (absent only when excepted).
    pub points_earned: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Attempt, ≥ 1.
    pub attempt_num: i64,
}

/// `remove_grade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveGrade {
    /// The item's shared id.
    pub assessmentid: String,
    /// The student's shared id.
    pub userid: String,
}

/// What one call asks for (the fields of its struct, without the common ones).
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeBody {
    /// `fetch_user`.
    FetchUser(FetchUser),
    /// `new_section`.
    NewSection(NewSection),
    /// `new_enrolment`.
    NewEnrolment(NewEnrolment),
    /// `remove_enrolment`.
    RemoveEnrolment(RemoveEnrolment),
    /// `new_assessment`.
    NewAssessment(NewAssessment),
    /// `remove_assessment`.
    RemoveAssessment(RemoveAssessment),
    /// `new_grade`.
    NewGrade(NewGrade),
    /// `remove_grade`.
    RemoveGrade(RemoveGrade),
}

impl ChangeBody {
    /// Its method.
    pub fn method(&self) -> Method {
        match self {
            ChangeBody::FetchUser(_) => Method::FetchUser,
            ChangeBody::NewSection(_) => Method::NewSection,
            ChangeBody::NewEnrolment(_) => Method::NewEnrolment,
            ChangeBody::RemoveEnrolment(_) => Method::RemoveEnrolment,
            ChangeBody::NewAssessment(_) => Method::NewAssessment,
            ChangeBody::RemoveAssessment(_) => Method::RemoveAssessment,
            ChangeBody::NewGrade(_) => Method::NewGrade,
            ChangeBody::RemoveGrade(_) => Method::RemoveGrade,
        }
    }

    /// The method's own fields, as Moodle's plugin writes them: ids and names as strings,
    /// counts as ints, flags as booleans, points as text ("87.5"), an absent optional id as "".
    pub fn fields(&self) -> Struct {
        match self {
            ChangeBody::FetchUser(u) => Struct::new()
                .with("idnumber", u.idnumber.as_str())
                .with("username", u.username.as_str())
                .with("firstname", u.firstname.as_str())
                .with("lastname", u.lastname.as_str())
                .with("email", u.email.as_deref().unwrap_or_default()),
            ChangeBody::NewSection(c) => Struct::new()
                .with("idnumber", c.idnumber.as_str())
                .with("name", c.name.as_str())
                .with(
                    "teacheridnumber",
                    c.teacheridnumber.as_deref().unwrap_or_default(),
                )
                .with("segment", c.segment),
            ChangeBody::NewEnrolment(e) => {
                let s = Struct::new()
                    .with("sectionid", e.sectionid.as_str())
                    .with("userid", e.userid.as_str())
                    .with("role", e.role.as_str())
                    .with("status", if e.suspended { "suspended" } else { "active" });
                match e.dates {
                    Some((start, end)) => s.with("timestart", start).with("timeend", end),
                    None => s,
                }
            }
            ChangeBody::RemoveEnrolment(e) => {
                let s = Struct::new()
                    .with("sectionid", e.sectionid.as_str())
                    .with("userid", e.userid.as_str());
                match e.role {
                    Some(role) => s.with("role", role.as_str()),
                    None => s,
                }
            }
            ChangeBody::NewAssessment(a) => {
                let s = Struct::new()
                    .with("idnumber", a.idnumber.as_str())
                    .with("sectionid", a.sectionid.as_str())
                    .with("name", a.name.as_str())
                    .with("chapternum", a.chapternum)
                    .with("honors_required", a.honors_required)
                    .with("nonhonors_required", a.nonhonors_required)
                    .with("extra_credit", a.extra_credit)
                    .with("pointval", number_text(a.pointval));
                // An assessment is sent as apiversion 1 had it: without `kind`.
                match a.kind {
                    ItemKind::Item => s,
                    ItemKind::CourseTotal => s.with("kind", a.kind.as_str()),
                }
            }
            ChangeBody::RemoveAssessment(a) => Struct::new().with("idnumber", a.idnumber.as_str()),
            ChangeBody::NewGrade(g) => Struct::new()
                .with("assessmentid", g.assessmentid.as_str())
                .with("userid", g.userid.as_str())
                .with(
                    "points_earned",
                    g.points_earned.map(number_text).unwrap_or_default(),
                )
                .with("excepted", g.excepted)
                .with("attempt_num", g.attempt_num),
            ChangeBody::RemoveGrade(g) => Struct::new()
                .with("assessmentid", g.assessmentid.as_str())
                .with("userid", g.userid.as_str()),
        }
    }
}

/// A number as the plugin writes it: no trailing zeros ("87.5", "100", "0.25").
fn number_text(n: f64) -> String {
    n.to_string()
}

/// One call: the change and the common fields every call carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Unique per change at the sender (absent from older senders).
    pub eventid: Option<String>,
    /// When the change happened at the sender, Unix seconds (absent: when it arrives).
    pub timemodified: Option<i64>,
    /// What changed.
    pub body: ChangeBody,
}

impl Change {
    /// Its method.
    pub fn method(&self) -> Method {
        self.body.method()
    }

    /// The one struct sent: the method's fields, then `eventid` and `timemodified` (the
    /// plugin's `mapper::with_common`).
    pub fn to_struct(&self) -> Struct {
        let mut s = self.body.fields();
        if let Some(e) = &self.eventid {
            s.push("eventid", e.as_str());
        }
        if let Some(t) = self.timemodified {
            s.push("timemodified", t);
        }
        s
    }

    /// The call's parameters: one struct.
    pub fn to_params(&self) -> Vec<Value> {
        vec![Value::Struct(self.to_struct())]
    }

    /// Reads a call of `method` received at `received_at` (Unix seconds; a missing
    /// `timemodified` means "then").
    pub fn parse(method: Method, params: &[Value], received_at: i64) -> Result<Change, FieldError> {
        let f = Fields(the_struct(params)?);
        let eventid = f.optional_text("eventid", MAX_EVENTID)?;
        let timemodified = Some(f.integer(
            "timemodified",
            received_at,
            0,
            received_at.saturating_add(MAX_FUTURE_SECS),
        )?);
        let body = match method {
            Method::FetchUser => ChangeBody::FetchUser(FetchUser {
                idnumber: f.text("idnumber", MAX_ID)?,
                username: f.text("username", MAX_PERSON_TEXT)?,
                firstname: f.text("firstname", MAX_PERSON_TEXT)?,
                lastname: f.text("lastname", MAX_PERSON_TEXT)?,
                email: f.optional_text("email", MAX_PERSON_TEXT)?,
            }),
            Method::NewSection => ChangeBody::NewSection(NewSection {
                idnumber: f.text("idnumber", MAX_ID)?,
                name: f.text("name", MAX_NAME)?,
                teacheridnumber: f.optional_text("teacheridnumber", MAX_ID)?,
                segment: f.integer("segment", 1, 1, MAX_COUNT)?,
            }),
            Method::NewEnrolment => {
                let suspended = match f
                    .optional_text("status", 32)?
                    .map(|s| s.to_ascii_lowercase())
                {
                    None => false,
                    Some(s) if s == "active" => false,
                    Some(s) if s == "suspended" => true,
                    Some(_) => {
                        return Err(FieldError::invalid("status", "must be active or suspended"));
                    }
                };
                let dates = if f.has("timestart") || f.has("timeend") {
                    Some((
                        f.integer("timestart", 0, 0, MAX_DATE)?,
                        f.integer("timeend", 0, 0, MAX_DATE)?,
                    ))
                } else {
                    None
                };
                ChangeBody::NewEnrolment(NewEnrolment {
                    sectionid: f.text("sectionid", MAX_ID)?,
                    userid: f.text("userid", MAX_ID)?,
                    role: f.role()?.unwrap_or(Role::Student),
                    suspended,
                    dates,
                })
            }
            Method::RemoveEnrolment => ChangeBody::RemoveEnrolment(RemoveEnrolment {
                sectionid: f.text("sectionid", MAX_ID)?,
                userid: f.text("userid", MAX_ID)?,
                role: f.role()?,
            }),
            Method::NewAssessment => ChangeBody::NewAssessment(NewAssessment {
                idnumber: f.text("idnumber", MAX_ID)?,
                sectionid: f.text("sectionid", MAX_ID)?,
                name: f.text("name", MAX_NAME)?,
                chapternum: f.integer("chapternum", 0, 0, MAX_COUNT)?,
                honors_required: f.flag("honors_required", false)?,
                nonhonors_required: f.flag("nonhonors_required", true)?,
                extra_credit: f.flag("extra_credit", false)?,
                pointval: f
                    .number("pointval", 0.0, MAX_POINTS)?
                    .ok_or(FieldError::Missing("pointval"))?,
                kind: match f.optional_text("kind", 32)?.as_deref() {
                    None | Some("item") => ItemKind::Item,
                    Some("course_total") => ItemKind::CourseTotal,
                    Some(_) => {
                        return Err(FieldError::invalid("kind", "must be item or course_total"));
                    }
                },
            }),
            Method::RemoveAssessment => ChangeBody::RemoveAssessment(RemoveAssessment {
                idnumber: f.text("idnumber", MAX_ID)?,
            }),
            Method::NewGrade => {
                let assessmentid = f.text("assessmentid", MAX_ID)?;
                let userid = f.text("userid", MAX_ID)?;
                let excepted = f.flag("excepted", false)?;
                let points_earned = f.number("points_earned", -MAX_POINTS, MAX_POINTS)?;
                if points_earned.is_none() && !excepted {
                    return Err(FieldError::Missing("points_earned"));
                }
                ChangeBody::NewGrade(NewGrade {
                    assessmentid,
                    userid,
                    points_earned,
                    excepted,
                    attempt_num: f.integer("attempt_num", 1, 1, MAX_COUNT)?,
                })
            }
            Method::RemoveGrade => ChangeBody::RemoveGrade(RemoveGrade {
                assessmentid: f.text("assessmentid", MAX_ID)?,
                userid: f.text("userid", MAX_ID)?,
            }),
        };
        Ok(Change {
            eventid,
            timemodified,
            body,
        })
    }
}

/// The path of the batch method: many changes of any kind in one call.
pub const BATCH_PATH: &str = "schooltool/sis/batch";

/// A `batch` call (`docs/schooltool-sis.md` "batch"): changes of any kind, each with its own
/// `eventid` and `timemodified`, applied in the order given, each exactly as the same change sent
/// alone would be; the reply has one result per change, in the same order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// The changes, in order.
    pub changes: Vec<Change>,
}

impl Batch {
    /// The call's parameters: one struct `{changes: [struct…]}`, each change's struct carrying
    /// its method's short name as `method`, then its fields and common fields.
    pub fn to_params(&self) -> Vec<Value> {
        let changes = self
            .changes
            .iter()
            .map(|c| {
                let mut s = Struct::new().with("method", c.method().name());
                for (name, value) in c.to_struct().iter() {
                    s.push(name, value.clone());
                }
                Value::Struct(s)
            })
            .collect();
        vec![Value::Struct(
            Struct::new().with("changes", Value::Array(changes)),
        )]
    }

    /// Reads a batch received at `received_at`. The batch itself must be one struct holding an
    /// array `changes` of at most [`MAX_BATCH_CHANGES`] structs (8106, 8108 otherwise); each change
    /// is read on its own, so one that cannot be used is reported in its place and the others
    /// still apply.
    pub fn parse(params: &[Value], received_at: i64) -> Result<Vec<BatchItem>, BatchError> {
        let s = the_struct(params).map_err(BatchError::Shape)?;
        let Some(Value::Array(items)) = s.get("changes") else {
            return Err(BatchError::Shape(FieldError::NotOneStruct(
                "A batch is one struct with an array `changes`.",
            )));
        };
        if items.len() > MAX_BATCH_CHANGES {
            return Err(BatchError::TooLarge(items.len()));
        }
        Ok(items
            .iter()
            .map(|item| {
                let eventid = item
                    .as_struct()
                    .and_then(|s| s.get("eventid"))
                    .and_then(Value::to_text_lenient)
                    .map(|e| e.chars().take(MAX_EVENTID).collect());
                let method = item
                    .as_struct()
                    .and_then(|s| s.get("method"))
                    .and_then(Value::to_text_lenient);
                let change = match method.as_deref().and_then(method_by_name) {
                    Some(m) => Change::parse(m, std::slice::from_ref(item), received_at),
                    None => Err(FieldError::invalid(
                        "method",
                        format!(
                            "not a schooltool_sis method ({})",
                            method.as_deref().unwrap_or("missing")
                        ),
                    )),
                };
                BatchItem { eventid, change }
            })
            .collect())
    }
}

/// One change of a batch as read: the change, or why it cannot be used (with its eventid, so the
/// reply can say which).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    /// The change's `eventid`, as far as it could be read.
    pub eventid: Option<String>,
    /// The change.
    pub change: Result<Change, FieldError>,
}

/// A batch that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// 8106: not one struct with an array `changes`.
    #[error(transparent)]
    Shape(FieldError),
    /// 8108: more changes than [`MAX_BATCH_CHANGES`].
    #[error("A batch may carry at most {max} changes; this one has {0}. Send it in parts.", max = MAX_BATCH_CHANGES)]
    TooLarge(usize),
}

impl BatchError {
    /// The contract's code.
    pub fn code(&self) -> SisFaultCode {
        match self {
            BatchError::Shape(e) => e.code(),
            BatchError::TooLarge(_) => SisFaultCode::BatchTooLarge,
        }
    }
}

/// A method by its short name (`new_grade`); the batch method itself is not one.
fn method_by_name(name: &str) -> Option<Method> {
    Method::ALL.into_iter().find(|m| m.name() == name.trim())
}

/// Whether any struct member anywhere in the call — at the top or nested in other structs and
/// arrays — is a password field (`password_hash`, `password_hash_algorithm`, `password`, or any
/// other name containing "password"): such a call's envelope is kept out of every log.
pub fn carries_password(params: &[Value]) -> bool {
    fn any_password(v: &Value) -> bool {
        match v {
            Value::Struct(s) => s.iter().any(|(name, value)| {
                name.to_ascii_lowercase().contains("password") || any_password(value)
            }),
            Value::Array(items) => items.iter().any(any_password),
            _ => false,
        }
    }
    params.iter().any(any_password)
}

/// A call whose fields cannot be used (`docs/schooltool-sis.md` "Faults").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// 8101.
    #[error("The required field {0} is missing or empty.")]
    Missing(&'static str),
    /// 8102.
    #[error("The field {field} cannot be used: {reason}.")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// 8106.
    #[error("{0}")]
    NotOneStruct(&'static str),
}

impl FieldError {
    /// An unusable value.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        FieldError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// The contract's code.
    pub fn code(&self) -> SisFaultCode {
        match self {
            FieldError::Missing(_) => SisFaultCode::MissingField,
            FieldError::Invalid { .. } => SisFaultCode::InvalidField,
            FieldError::NotOneStruct(_) => SisFaultCode::BadParameters,
        }
    }
}

/// The one struct a call takes (8106 otherwise).
fn the_struct(params: &[Value]) -> Result<&Struct, FieldError> {
    match params {
        [Value::Struct(s)] => Ok(s),
        [_] => Err(FieldError::NotOneStruct("The parameter must be a struct.")),
        _ => Err(FieldError::NotOneStruct(
            "The call must have exactly one parameter, a struct.",
        )),
    }
}

/// The members of a call's struct, read as the contract allows.
#[derive(Debug, Clone, Copy)]
struct Fields<'a>(&'a Struct);

impl<'a> Fields<'a> {
    /// The value, unless absent (missing, `<nil/>` or blank text).
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_absent())
    }

    fn has(&self, name: &str) -> bool {
        self.present(name).is_some()
    }

    fn text(&self, name: &'static str, max: usize) -> Result<String, FieldError> {
        self.optional_text(name, max)?
            .ok_or(FieldError::Missing(name))
    }

    fn optional_text(&self, name: &'static str, max: usize) -> Result<Option<String>, FieldError> {
        let Some(v) = self.present(name) else {
            return Ok(None);
        };
        let text = v
            .to_text_lenient()
            .ok_or_else(|| FieldError::invalid(name, "not a text value"))?;
        if text.chars().count() > max {
            return Err(FieldError::invalid(
                name,
                format!("longer than {max} characters"),
            ));
        }
        Ok(Some(text))
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, FieldError> {
        match self.present(name) {
            None => Ok(default),
            Some(v) => v.as_bool_lenient().ok_or_else(|| {
                FieldError::invalid(name, "not a boolean (1/0, true/false, yes/no)")
            }),
        }
    }

    fn integer(
        &self,
        name: &'static str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, FieldError> {
        let Some(v) = self.present(name) else {
            return Ok(default);
        };
        let n = v
            .as_i64_lenient()
            .ok_or_else(|| FieldError::invalid(name, "not a whole number"))?;
        within(name, n, min, max)
    }

    fn number(&self, name: &'static str, min: f64, max: f64) -> Result<Option<f64>, FieldError> {
        let Some(v) = self.present(name) else {
            return Ok(None);
        };
        let n = v
            .as_f64_lenient()
            .ok_or_else(|| FieldError::invalid(name, "not a number"))?;
        within(name, n, min, max).map(Some)
    }

    fn role(&self) -> Result<Option<Role>, FieldError> {
        match self.optional_text("role", 32)? {
            None => Ok(None),
            Some(r) => Role::parse(&r)
                .map(Some)
                .ok_or_else(|| FieldError::invalid("role", "must be student or teacher")),
        }
    }
}

/// A number read from field `name`, refused outside `min..=max`.
fn within<T: PartialOrd + std::fmt::Display>(
    name: &'static str,
    n: T,
    min: T,
    max: T,
) -> Result<T, FieldError> {
    if n < min || n > max {
        return Err(FieldError::invalid(
            name,
            format!("must be from {min} to {max}"),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let changes = [
            ChangeBody::FetchUser(FetchUser {
                idnumber: "u1".into(),
                username: "jsmith".into(),
                firstname: "Jane".into(),
                lastname: "Smith".into(),
                email: Some("jane@example.org".into()),
            }),
            ChangeBody::NewSection(NewSection {
                idnumber: "c1".into(),
                name: "Algebra".into(),
                teacheridnumber: None,
                segment: 2,
            }),
            ChangeBody::NewEnrolment(NewEnrolment {
                sectionid: "c1".into(),
                userid: "u1".into(),
                role: Role::Teacher,
                suspended: true,
                dates: Some((100, 0)),
            }),
            ChangeBody::RemoveEnrolment(RemoveEnrolment {
                sectionid: "c1".into(),
                userid: "u1".into(),
                role: None,
            }),
            ChangeBody::NewAssessment(NewAssessment {
                idnumber: "a1".into(),
                sectionid: "c1".into(),
                name: "Quiz".into(),
                chapternum: 3,
                honors_required: true,
                nonhonors_required: false,
                extra_credit: true,
                pointval: 12.5,
                kind: ItemKind::Item,
            }),
            ChangeBody::NewAssessment(NewAssessment {
                idnumber: "moodle-gradeitem-9".into(),
                sectionid: "c1".into(),
                name: "Course total".into(),
                chapternum: 0,
                honors_required: false,
                nonhonors_required: true,
                extra_credit: false,
                pointval: 100.0,
                kind: ItemKind::CourseTotal,
            }),
            ChangeBody::RemoveAssessment(RemoveAssessment {
                idnumber: "a1".into(),
            }),
            ChangeBody::NewGrade(NewGrade {
                assessmentid: "a1".into(),
                userid: "u1".into(),
                points_earned: Some(87.5),
                excepted: false,
                attempt_num: 2,
            }),
            ChangeBody::RemoveGrade(RemoveGrade {
                assessmentid: "a1".into(),
                userid: "u1".into(),
            }),
        ];
        for body in changes {
            let change = Change {
                eventid: Some("e1".into()),
                timemodified: Some(1000),
                body,
            };
            let read = Change::parse(change.method(), &change.to_params(), 2000).unwrap();
            assert_eq!(read, change);
        }
    }

    #[test]
    fn an_assessment_is_written_without_kind_and_an_unknown_kind_is_refused() {
        let item = Change {
            eventid: None,
            timemodified: Some(1000),
            body: ChangeBody::NewAssessment(NewAssessment {
                idnumber: "a1".into(),
                sectionid: "c1".into(),
                name: "Quiz".into(),
                chapternum: 0,
                honors_required: false,
                nonhonors_required: true,
                extra_credit: false,
                pointval: 10.0,
                kind: ItemKind::Item,
            }),
        };
        let s = item.to_struct();
        assert!(
            s.get("kind").is_none(),
            "apiversion 1 senders' wire text is unchanged"
        );
        let odd = s.clone().with("kind", "category_total");
        assert!(matches!(
            Change::parse(Method::NewAssessment, &[Value::Struct(odd)], 2000),
            Err(FieldError::Invalid { field: "kind", .. })
        ));
    }

    #[test]
    fn a_batch_reads_each_change_on_its_own() {
        let good = Change {
            eventid: Some("e1".into()),
            timemodified: Some(1000),
            body: ChangeBody::RemoveGrade(RemoveGrade {
                assessmentid: "a1".into(),
                userid: "u1".into(),
            }),
        };
        let batch = Batch {
            changes: vec![good.clone()],
        };
        let Value::Struct(written) = &batch.to_params()[0] else {
            panic!("one struct")
        };
        let Some(Value::Array(mut items)) = written.get("changes").cloned() else {
            panic!("an array of changes")
        };
        // A second change without its userid.
        items.push(Value::Struct(
            Struct::new()
                .with("method", "remove_grade")
                .with("assessmentid", "a1")
                .with("eventid", "e1"),
        ));
        let params = [Value::Struct(
            Struct::new().with("changes", Value::Array(items)),
        )];
        let items = Batch::parse(&params, 2000).unwrap();
        assert_eq!(items[0].change, Ok(good));
        assert_eq!(items[1].change, Err(FieldError::Missing("userid")));
        assert_eq!(items[1].eventid.as_deref(), Some("e1"));
        let unknown = Struct::new().with(
            "changes",
            Value::Array(vec![Value::Struct(
                Struct::new().with("method", "drop_tables"),
            )]),
        );
        let items = Batch::parse(&[Value::Struct(unknown)], 0).unwrap();
        assert_eq!(
            items[0].change.as_ref().unwrap_err().code(),
            SisFaultCode::InvalidField
        );
        let too_many = Batch {
            changes: vec![
                Change {
                    eventid: None,
                    timemodified: None,
                    body: ChangeBody::RemoveAssessment(RemoveAssessment {
                        idnumber: "a".into()
                    })
                };
                MAX_BATCH_CHANGES + 1
            ],
        };
        assert_eq!(
            Batch::parse(&too_many.to_params(), 0).unwrap_err().code(),
            SisFaultCode::BatchTooLarge
        );
        assert_eq!(
            Batch::parse(&[Value::from("x")], 0).unwrap_err().code(),
            SisFaultCode::BadParameters
        );
    }

    #[test]
    fn values_as_moodle_sends_them_are_read() {
        let s = Struct::new()
            .with("assessmentid", " a1 ")
            .with("userid", "u1")
            .with("points_earned", "")
            .with("excepted", "yes")
            .with("attempt_num", "3");
        let c = Change::parse(Method::NewGrade, &[Value::Struct(s)], 5000).unwrap();
        assert_eq!(c.timemodified, Some(5000), "absent: when it arrived");
        assert_eq!(
            c.body,
            ChangeBody::NewGrade(NewGrade {
                assessmentid: "a1".into(),
                userid: "u1".into(),
                points_earned: None,
                excepted: true,
                attempt_num: 3
            })
        );
    }

    #[test]
    fn unusable_fields_are_named() {
        let grade = |s: Struct| Change::parse(Method::NewGrade, &[Value::Struct(s)], 5000);
        assert_eq!(
            grade(Struct::new().with("assessmentid", "a").with("userid", "u")),
            Err(FieldError::Missing("points_earned"))
        );
        let e = grade(
            Struct::new()
                .with("assessmentid", "a")
                .with("userid", "u")
                .with("points_earned", "lots"),
        )
        .unwrap_err();
        assert_eq!(e.code(), SisFaultCode::InvalidField);
        assert!(e.to_string().contains("points_earned"));
        let too_late = grade(
            Struct::new()
                .with("assessmentid", "a")
                .with("userid", "u")
                .with("points_earned", "1")
                .with("timemodified", 5000 + MAX_FUTURE_SECS + 1),
        );
        assert_eq!(too_late.unwrap_err().code(), SisFaultCode::InvalidField);
        assert_eq!(
            Change::parse(Method::FetchUser, &[], 0).unwrap_err().code(),
            SisFaultCode::BadParameters
        );
        assert!(carries_password(&[Value::Struct(
            Struct::new().with("Password_Hash", "x")
        )]));
        let nested = Struct::new().with(
            "changes",
            Value::Array(vec![Value::Struct(
                Struct::new().with("user", Struct::new().with("password", "x")),
            )]),
        );
        assert!(
            carries_password(&[Value::Struct(nested)]),
            "nested anywhere"
        );
        assert!(!carries_password(&[Value::Struct(
            Struct::new().with("username", "pass")
        )]));
    }
}
