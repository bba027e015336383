//! The SIS records as the console sees them (`docs/product.md` §3, §4): sections, rosters,
//! enrolment history, gradebooks, progress reports and transcripts. The server's store returns
//! these very types, so both sides compile one definition.

use serde::{Deserialize, Serialize};

/// What a service call did to its record (the reply's `status`, `docs/schooltool-sis.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeStatus {
    /// A new record.
    Created,
    /// The record changed.
    Updated,
    /// Nothing to change.
    Unchanged,
    /// `new_assessment` linked a manual item of the same name.
    Linked,
    /// Older than the stored state: recorded in history only.
    Stale,
}

impl ChangeStatus {
    /// Wire and stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Created => "created",
            ChangeStatus::Updated => "updated",
            ChangeStatus::Unchanged => "unchanged",
            ChangeStatus::Linked => "linked",
            ChangeStatus::Stale => "stale",
        }
    }
}

/// A person as SIS lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    /// `people.id`.
    pub id: i64,
    /// The shared id.
    pub idnumber: Option<String>,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
}

impl PersonRef {
    /// "First Last".
    pub fn full_name(&self) -> String {
        crate::full_name(&self.firstname, &self.lastname)
    }
}

/// Where a record or a history row came from (a record made here is manual until Moodle's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordSource {
    /// A peer's `schooltool_sis` call.
    Moodle,
    /// Entered in the SIS console.
    #[default]
    Manual,
}

impl RecordSource {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordSource::Moodle => "moodle",
            RecordSource::Manual => "manual",
        }
    }

    /// From stored text (anything but "moodle" is manual).
    pub fn parse(s: &str) -> Self {
        if s == "moodle" {
            RecordSource::Moodle
        } else {
            RecordSource::Manual
        }
    }
}

/// Where one history row came from and when (status history, grade events; the server's store
/// binds the same six columns of every history table from it). Sent flattened: the JSON keeps
/// `effective_at`, `recorded_at`, `source`, `peer_id`, `eventid` and `actor_id` at the row's top
/// level.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// When it took effect: the sender's `timemodified`, or the date a user gave.
    pub effective_at: i64,
    /// When SchoolBridge recorded it.
    pub recorded_at: i64,
    /// Moodle (a peer's call) or manual (the console).
    pub source: RecordSource,
    /// The peer that sent it.
    pub peer_id: Option<i64>,
    /// The sender's eventid.
    pub eventid: Option<String>,
    /// The console user (a `people.id`) who made it.
    pub actor_id: Option<i64>,
}

impl Provenance {
    /// A change from a peer's call.
    pub fn from_peer(
        peer_id: i64,
        eventid: Option<String>,
        effective_at: i64,
        recorded_at: i64,
    ) -> Self {
        Provenance {
            source: RecordSource::Moodle,
            peer_id: Some(peer_id),
            eventid,
            actor_id: None,
            effective_at,
            recorded_at,
        }
    }

    /// A change made in the console by `actor_id` (effective when they say, else now).
    pub fn manual(actor_id: Option<i64>, effective_at: Option<i64>, recorded_at: i64) -> Self {
        Provenance {
            source: RecordSource::Manual,
            peer_id: None,
            eventid: None,
            actor_id,
            effective_at: effective_at.unwrap_or(recorded_at),
            recorded_at,
        }
    }
}

/// What a grade item is and a section role: the wire's own (`mnet::sis`), sent to the console
/// with the same text (`item` / `course_total`, `student` / `teacher`).
pub use mnet::sis::{ItemKind, Role};

/// What an enrolment status means (`docs/product.md` §3): every status code, built in or
/// defined by an admin, has one of these kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    /// Attending.
    Active,
    /// Enrolled but not attending now: suspended in Moodle, or outside the enrolment's Moodle
    /// dates (`docs/schooltool-sis.md` `new_enrolment`).
    Inactive,
    /// Left the section (with or without a reason code).
    Withdrawn,
    /// Finished (e.g. Passed).
    Completed,
}

impl StatusKind {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Active => "active",
            StatusKind::Inactive => "inactive",
            StatusKind::Withdrawn => "withdrawn",
            StatusKind::Completed => "completed",
        }
    }

    /// From stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(StatusKind::Active),
            "inactive" => Some(StatusKind::Inactive),
            "withdrawn" => Some(StatusKind::Withdrawn),
            "completed" => Some(StatusKind::Completed),
            _ => None,
        }
    }
}

/// A term or other container of sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `ongoing` (Moodle-driven sections) or `term`.
    pub kind: String,
    /// Start (Unix seconds).
    pub starts_at: Option<i64>,
    /// End (Unix seconds).
    pub ends_at: Option<i64>,
}

/// A course (SIS-only grouping of sections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseRow {
    /// Id.
    pub id: i64,
    /// Optional code.
    pub idnumber: Option<String>,
    /// Name.
    pub name: String,
}

/// A section with what lists show about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSummary {
    /// Id.
    pub id: i64,
    /// The peer it came from (`None`: created in the SIS).
    pub peer_id: Option<i64>,
    /// Shared id.
    pub idnumber: Option<String>,
    /// Name.
    pub name: String,
    /// Term segment.
    pub segment: i64,
    /// Container id.
    pub container_id: i64,
    /// Container name.
    pub container_name: String,
    /// Container kind: `ongoing` (the sections Moodle drives) or `term`.
    pub container_kind: String,
    /// Course, if grouped.
    pub course: Option<CourseRow>,
    /// Moodle or manual.
    pub source: RecordSource,
    /// The current teacher.
    pub teacher: Option<PersonRef>,
    /// Students whose current status is of kind active.
    pub active_students: i64,
}

/// One row of a section's teacher history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherChange {
    /// Row id.
    pub id: i64,
    /// The teacher from then on (`None`: no teacher).
    pub teacher: Option<PersonRef>,
    /// When it took effect.
    pub effective_at: i64,
    /// When it was recorded.
    pub recorded_at: i64,
    /// Moodle or manual.
    pub source: RecordSource,
    /// The sender's eventid.
    pub eventid: Option<String>,
    /// The console user who made it.
    pub actor_id: Option<i64>,
    /// It arrived after a newer change and did not change the current teacher.
    pub stale: bool,
}

/// An enrolment with its current status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRow {
    /// Enrolment id.
    pub id: i64,
    /// The section.
    pub section_id: i64,
    /// The person.
    pub person: PersonRef,
    /// Role.
    pub role: Role,
    /// Current status code.
    pub status: String,
    /// Its label.
    pub status_label: String,
    /// Its kind.
    pub status_kind: StatusKind,
    /// When the current status took effect.
    pub status_effective_at: i64,
    /// Who created the enrolment.
    pub source: RecordSource,
    /// When the enrolment starts in Moodle (Unix seconds), if Moodle gave a start date.
    #[serde(default)]
    pub moodle_starts_at: Option<i64>,
    /// When it ends in Moodle, if Moodle gave an end date.
    #[serde(default)]
    pub moodle_ends_at: Option<i64>,
}

/// A section with every enrolment and its current status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionRoster {
    /// The section.
    pub section: SectionSummary,
    /// Its enrolments: teachers first, then by family and given name.
    pub enrolments: Vec<EnrolmentRow>,
}

/// One row of an enrolment's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Row id.
    pub id: i64,
    /// The enrolment.
    pub enrolment_id: i64,
    /// The status from then on.
    pub status: String,
    /// Its label.
    pub label: String,
    /// Its kind.
    pub kind: StatusKind,
    /// Where it came from and when it took effect.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// Why: a counsellor's note for staff (reasons, family matters). Staff-only: the server
    /// leaves it out for teachers and students (`docs/who-sees-what.md`).
    pub note: Option<String>,
    /// The line a counsellor chose to print on the transcript for this change (for a
    /// withdrawal), if any. Everyone who reads the record sees it.
    #[serde(default)]
    pub transcript_note: Option<String>,
    /// Arrived after a newer change; did not change the current status.
    pub stale: bool,
}

/// A status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCodeRow {
    /// The code (`active`, `withdrawn`, … or an admin's).
    pub code: String,
    /// What people read.
    pub label: String,
    /// What it means for reports.
    pub kind: StatusKind,
    /// One of the five built-in codes.
    pub builtin: bool,
}

/// An assessment as the gradebook shows it. `Default` is an unsaved manual item (id 0).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssessmentRow {
    /// Id.
    pub id: i64,
    /// Section.
    pub section_id: i64,
    /// Where it was first made.
    pub origin: RecordSource,
    /// The peer of the linked Moodle item.
    pub peer_id: Option<i64>,
    /// The linked Moodle item's shared id (`None`: a manual item not linked).
    pub idnumber: Option<String>,
    /// Name.
    pub name: String,
    /// Chapter.
    pub chapter: i64,
    /// Maximum points.
    pub pointval: f64,
    /// Required of honours students.
    pub honors_required: bool,
    /// Required of non-honours students.
    pub nonhonors_required: bool,
    /// Extra credit.
    pub extra_credit: bool,
    /// Hidden from current reports.
    pub hidden: bool,
    /// Effective time of the hiding.
    pub hidden_at: Option<i64>,
    /// When a manual item was linked to Moodle's.
    pub linked_at: Option<i64>,
    /// Effective time of its creation.
    pub first_effective_at: i64,
    /// An assessment, or Moodle's course total.
    #[serde(default)]
    pub kind: ItemKind,
}

impl AssessmentRow {
    /// Whether grades for it are entered in the SIS (a manual item, linked or not).
    pub fn takes_manual_grades(&self) -> bool {
        self.origin == RecordSource::Manual
    }

    /// Whether it is Moodle's course total rather than an assessment.
    pub fn is_course_total(&self) -> bool {
        self.kind == ItemKind::CourseTotal
    }
}

/// A batch line's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLine {
    /// Line number in the file.
    pub line: u64,
    /// The item's name, when the line had one.
    pub name: Option<String>,
    /// What happened.
    pub result: LineResult,
}

/// What a batch does (or would do) with a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LineResult {
    /// A new item (`id` once created; `None` in a preview).
    Created {
        /// The new item.
        id: Option<i64>,
    },
    /// An item of that name already exists in the section; nothing created.
    MatchedByName {
        /// The existing item.
        id: i64,
    },
    /// Not usable.
    Rejected {
        /// Why.
        reason: String,
    },
}

/// The current grade of one cell, with whether it may be changed in the SIS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCell {
    /// The current event.
    pub grade: GradeEvent,
    /// A manual item whose current grade is not from Moodle.
    pub editable: bool,
}

/// One grade event. `Default` is an unsaved manual event (id 0, attempt 0, no points).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GradeEvent {
    /// Event id.
    pub id: i64,
    /// Assessment.
    pub assessment_id: i64,
    /// Student.
    pub person_id: i64,
    /// Points.
    pub points: Option<f64>,
    /// Excluded.
    pub excepted: bool,
    /// Attempt.
    pub attempt: i64,
    /// Where it came from (the gradebook's source mark), who entered it and when it was given.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// A teacher's note.
    pub note: Option<String>,
    /// Arrived after a newer grade; never became current on arrival.
    pub stale: bool,
    /// Not a grade: the grade was cleared in Moodle (`remove_grade`) at `effective_at`.
    #[serde(default)]
    pub cleared: bool,
    /// The name of the person who entered it ("entered by …"), filled in by the server for
    /// readers who may see `actor_id` (`docs/who-sees-what.md`).
    #[serde(default)]
    pub actor_name: Option<String>,
    /// The name of the Moodle site it came from ("from Moodle (…)"), filled in by the server for
    /// readers who may see `peer_id`.
    #[serde(default)]
    pub peer_name: Option<String>,
}

impl GradeEvent {
    /// `points` on `assessment_id` for `person_id` as someone types them: a first attempt, not
    /// numbered, dated or attributed yet (manual, id 0).
    pub fn first_attempt(assessment_id: i64, person_id: i64, points: Option<f64>) -> Self {
        GradeEvent {
            assessment_id,
            person_id,
            points,
            attempt: 1,
            ..Default::default()
        }
    }

    /// The ordering key of "current": attempt, then effective time, then arrival.
    pub fn rank(&self) -> (i64, i64, i64) {
        (self.attempt, self.provenance.effective_at, self.id)
    }

    /// Its place in time: effective time, then arrival.
    pub fn when(&self) -> (i64, i64) {
        (self.provenance.effective_at, self.id)
    }
}

/// The current grade of one cell among its events (`docs/schooltool-sis.md` `new_grade` and
/// `remove_grade`): the newest clearing empties the cell, and among the grades after it (by
/// effective time, then arrival) the one with the highest attempt, then the newest, counts.
/// `None`: no grade (never graded, or cleared since). Pass the events effective by a date to
/// get the grade as of that date.
pub fn current_grade<'a>(
    events: impl IntoIterator<Item = &'a GradeEvent>,
) -> Option<&'a GradeEvent> {
    let events: Vec<&GradeEvent> = events.into_iter().collect();
    let cleared = events.iter().filter(|e| e.cleared).map(|e| e.when()).max();
    events
        .into_iter()
        .filter(|e| !e.cleared && cleared.is_none_or(|c| e.when() > c))
        .max_by_key(|e| e.rank())
}

/// A section's gradebook: assessments × students, the current grade of each cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradebook {
    /// The section.
    pub section: SectionSummary,
    /// Its assessments (columns).
    pub assessments: Vec<AssessmentRow>,
    /// Its students, any status (rows).
    pub students: Vec<EnrolmentRow>,
    /// Cells that have a grade.
    pub cells: Vec<GradeCell>,
    /// Items whose maximum changed when a Moodle item took them over, with the manual grades
    /// still on the old one (design 026 §6): the teacher keeps the points or rescales them.
    #[serde(default)]
    pub rescales: Vec<PendingRescale>,
    /// How its totals are counted and lettered: the school's settings and each student's track.
    #[serde(default)]
    pub counting: GradebookCounting,
}

/// What a gradebook's totals need besides its grades (`docs/design/029-school-settings-and-grading.md`):
/// the same rules as the progress report and the transcript, so the three never disagree.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GradebookCounting {
    /// Whether extra credit may take a total above 100 % (the school setting).
    pub allow_over_100: bool,
    /// The school's letter bands, highest first (empty: no letters shown).
    pub scale: Vec<crate::school::LetterBand>,
    /// The students (person ids) on the honours track in this section.
    pub honors: Vec<i64>,
}

impl GradebookCounting {
    /// How one student's items count.
    pub fn for_student(&self, person_id: i64) -> Counting {
        Counting {
            honors: self.honors.contains(&person_id),
            allow_over_100: self.allow_over_100,
        }
    }

    /// The letter of a percent on the school's scale.
    pub fn letter(&self, percent: f64) -> Option<&str> {
        crate::school::band_in(&self.scale, percent).map(|b| b.letter.as_str())
    }
}

/// A linked item's open rescale question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PendingRescale {
    /// The item.
    pub assessment_id: i64,
    /// Its maximum before Moodle's took over (the item's `pointval` is the new one).
    pub old_max: f64,
}

impl Gradebook {
    /// The cell of (assessment, student), if graded.
    pub fn cell(&self, assessment_id: i64, person_id: i64) -> Option<&GradeCell> {
        self.cells
            .iter()
            .find(|c| c.grade.assessment_id == assessment_id && c.grade.person_id == person_id)
    }
}

/// One enrolment with its whole status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolmentRecord {
    /// The section.
    pub section: SectionSummary,
    /// The enrolment as it is now.
    pub enrolment: EnrolmentRow,
    /// Every status change, by effective time then arrival.
    pub history: Vec<StatusChange>,
}

/// A progress report as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// The student.
    pub person: PersonRef,
    /// The date (Unix seconds; rows effective at or before it count).
    pub as_of: i64,
    /// Every section the student was enrolled in (any status) by then.
    pub sections: Vec<ReportSection>,
    /// The calendar day of `as_of` in the school's time zone, `YYYY-MM-DD` (a report as of a
    /// day counts everything effective by the end of that day there).
    #[serde(default)]
    pub as_of_day: String,
    /// The school's time zone the day is read in.
    #[serde(default)]
    pub time_zone: String,
}

/// Moodle's course total for a student in a section, as Moodle computed it (an item of kind
/// [`ItemKind::CourseTotal`]): shown beside SchoolBridge's total, never summed into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MoodleTotal {
    /// Moodle's points.
    pub points: f64,
    /// Moodle's maximum.
    pub possible: f64,
    /// points / possible × 100, when the maximum is above 0.
    pub percent: Option<f64>,
}

/// A section's final grade on a transcript (or the grade so far on a report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalGrade {
    /// The letter from the school's scale, or `W` for a withdrawal.
    pub letter: String,
    /// The percent it was read from (`None` for a withdrawal).
    pub percent: Option<f64>,
    /// Which total it was read from (Moodle's only when the school chose it and the section
    /// has one).
    pub counted: crate::school::TranscriptTotal,
    /// Grade points of the letter (`None` for a withdrawal: it counts in no average).
    pub gpa_points: Option<f64>,
}

/// One student's line in a section's progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionProgressRow {
    /// The student.
    pub person: PersonRef,
    /// The enrolment.
    pub enrolment_id: i64,
    /// Status as of the date.
    pub status_label: String,
    /// Its kind.
    pub status_kind: StatusKind,
    /// On the honours track.
    pub honors: bool,
    /// SchoolBridge's total as of the date.
    pub totals: Totals,
    /// The grade so far (letter and percent, from the total the school's setting picks).
    pub grade: Option<FinalGrade>,
    /// Moodle's course total as of the date, when the section has one.
    pub moodle_total: Option<MoodleTotal>,
}

/// `GET /api/sis/sections/{id}/progress?day=…`: every student of a section as of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionProgress {
    /// The section.
    pub section: SectionSummary,
    /// The end of the day (Unix seconds).
    pub as_of: i64,
    /// The day in the school's time zone.
    pub as_of_day: String,
    /// The school's time zone.
    pub time_zone: String,
    /// Whether the section has Moodle's course total (a column beside ours).
    pub has_moodle_total: bool,
    /// Which total counts for the transcript (the school setting).
    pub counts: crate::school::TranscriptTotal,
    /// Students enrolled by then, by family and given name.
    pub students: Vec<SectionProgressRow>,
}

/// One item on a progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportItem {
    /// The assessment.
    pub assessment: AssessmentRow,
    /// Its grade as of the report's date.
    pub grade: Option<GradeEvent>,
}

/// One section on a progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSection {
    /// The section (as it is now: name, teacher).
    pub section: SectionSummary,
    /// The enrolment.
    pub enrolment_id: i64,
    /// Status code as of the date.
    pub status: String,
    /// Its label.
    pub status_label: String,
    /// Its kind.
    pub status_kind: StatusKind,
    /// Since when (effective time).
    pub status_since: i64,
    /// Items as of the date.
    pub items: Vec<ReportItem>,
    /// Their totals.
    pub totals: Totals,
    /// On the honours track in this section.
    #[serde(default)]
    pub honors: bool,
    /// The grade so far (letter and percent, from the total the school's setting picks).
    #[serde(default)]
    pub grade: Option<FinalGrade>,
    /// Moodle's course total as of the date, when the section has one.
    #[serde(default)]
    pub moodle_total: Option<MoodleTotal>,
}

/// One section on a student's schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    /// The section.
    pub section: SectionSummary,
    /// The enrolment (role and status).
    pub enrolment: EnrolmentRow,
}

/// How one student's items are counted (`docs/design/029-school-settings-and-grading.md`): the
/// student's track in the section and whether the school lets extra credit pass 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counting {
    /// On the honours track: `honors_required` items count; otherwise `nonhonors_required` ones.
    pub honors: bool,
    /// Extra credit may take the total above its points possible (a school setting, default
    /// off).
    pub allow_over_100: bool,
}

/// Points over a set of items: an item counts when it is required for the student's track
/// ([`Counting::honors`]: `honors_required` for an honours student, `nonhonors_required` for the
/// others; an item required of neither is left out); excepted grades and ungraded items count
/// in neither sum; extra credit adds to the points earned only, and makes up for points lost
/// elsewhere but never takes a total above its points possible unless the school allows it
/// (as Moodle's course total does by default): a student with extra credit shows at most 100 %
/// (before, 9 of 10 plus 10 extra read 190 %). Moodle's course total ([`ItemKind::CourseTotal`])
/// is never part of the sum.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Points earned, at most the points possible unless the school allows more.
    pub earned: f64,
    /// Points possible.
    pub possible: f64,
    /// earned / possible × 100, when anything is possible.
    pub percent: Option<f64>,
    /// Items with a (not excepted) grade.
    pub graded: usize,
}

impl AssessmentRow {
    /// Whether the item counts for a student on this track: `honors_required` for the honours
    /// track, `nonhonors_required` for the others; an item required of neither is left out.
    /// Extra credit is required of nobody by nature, so an extra-credit item flagged for neither
    /// track is offered to both (the CSV template's "Bonus puzzle,5,1,yes,no,no"); flagged for
    /// one, it counts for that one only.
    pub fn required_of(&self, honors: bool) -> bool {
        if self.extra_credit && !self.honors_required && !self.nonhonors_required {
            return true;
        }
        if honors {
            self.honors_required
        } else {
            self.nonhonors_required
        }
    }
}

impl Totals {
    /// Sums items and their grades for a non-honours student, capped at 100 %
    /// ([`Totals::counted`] with the default [`Counting`]).
    pub fn of<'a>(
        items: impl IntoIterator<Item = (&'a AssessmentRow, Option<&'a GradeEvent>)>,
    ) -> Totals {
        Totals::counted(items, Counting::default())
    }

    /// Sums items and their grades for one student: the one calculation of a total, used by
    /// every page and export (the server's `sis::domain::grading` builds on it).
    pub fn counted<'a>(
        items: impl IntoIterator<Item = (&'a AssessmentRow, Option<&'a GradeEvent>)>,
        counting: Counting,
    ) -> Totals {
        let mut t = Totals::default();
        for (item, grade) in items {
            if item.is_course_total() || !item.required_of(counting.honors) {
                continue;
            }
            let Some(g) = grade.filter(|g| !g.excepted) else {
                continue;
            };
            let Some(points) = g.points else { continue };
            t.earned += points;
            if !item.extra_credit {
                t.possible += item.pointval;
            }
            t.graded += 1;
        }
        if !counting.allow_over_100 {
            t.earned = t.earned.min(t.possible);
        }
        t.percent = (t.possible > 0.0).then(|| t.earned / t.possible * 100.0);
        t
    }
}

/// A student's transcript: every section they were enrolled in as a student, withdrawals included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The student.
    pub person: PersonRef,
    /// By term (first day; "No term" last), then container, segment and section name.
    pub entries: Vec<TranscriptEntry>,
    /// The school, for the official header.
    #[serde(default)]
    pub school: SchoolHeader,
    /// The day it was printed, in the school's time zone (`YYYY-MM-DD`).
    #[serde(default)]
    pub printed_on: String,
    /// The terms its entries fall in, in order, with their credits and GPA.
    #[serde(default)]
    pub terms: Vec<TranscriptTerm>,
    /// Over every term.
    #[serde(default)]
    pub cumulative: CreditSummary,
}

/// The school as a transcript's header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchoolHeader {
    /// Name.
    pub name: String,
    /// Address, one line per line.
    pub address: String,
}

/// Credits and grade point average over some sections.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CreditSummary {
    /// Credits of the sections with a final grade (withdrawals excluded).
    pub credits_attempted: f64,
    /// Credits of those with a passing letter (any but the scale's lowest).
    pub credits_earned: f64,
    /// Grade points weighted by credits, when any credit was attempted.
    pub gpa: Option<f64>,
}

/// A term on a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptTerm {
    /// The term (`None`: sections in no term).
    pub term_id: Option<i64>,
    /// Its name ("No term" for those in none).
    pub name: String,
    /// First day, if a term.
    pub first_day: Option<String>,
    /// Last day, if a term.
    pub last_day: Option<String>,
    /// Its credits and GPA.
    pub summary: CreditSummary,
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// The section.
    pub section: SectionSummary,
    /// The enrolment as it is now.
    pub enrolment: EnrolmentRow,
    /// Present when the student withdrew.
    pub withdrawal: Option<Withdrawal>,
    /// Current grades over the visible items.
    pub totals: Totals,
    /// The term the section falls in (its first student enrolment day), if any.
    #[serde(default)]
    pub term_id: Option<i64>,
    /// On the honours track in this section.
    #[serde(default)]
    pub honors: bool,
    /// Moodle's course total, when the section has one.
    #[serde(default)]
    pub moodle_total: Option<MoodleTotal>,
    /// The final grade (`W` for a withdrawal; `None` while nothing is graded).
    #[serde(default)]
    pub final_grade: Option<FinalGrade>,
    /// The course's credits.
    #[serde(default)]
    pub credits: f64,
    /// Credits attempted (0 for a withdrawal or a section with no grade yet).
    #[serde(default)]
    pub credits_attempted: f64,
    /// Credits earned (0 also for the scale's lowest letter).
    #[serde(default)]
    pub credits_earned: f64,
}

/// A withdrawal as the transcript shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The code (`withdrawn` while the reason is pending).
    pub code: String,
    /// Its label.
    pub label: String,
    /// When the student withdrew (the first withdrawn row of the current run).
    pub since: i64,
    /// The line the counsellor wrote for the transcript, if any (the latest of the current
    /// run). A staff note never appears here: a transcript is handed out.
    #[serde(default)]
    pub transcript_note: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Requests and page bodies of the SIS console API (`/api/sis/…`).

/// `GET /api/sis/sections/{id}`: a section page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionPage {
    /// The section and its roster (current status of every enrolment).
    pub roster: SectionRoster,
    /// Its teacher history.
    pub teacher_history: Vec<TeacherChange>,
    /// Whether the viewer may change enrolment statuses and manual records (counsellors, admins).
    pub can_manage: bool,
    /// Whether the viewer may add grade items and enter manual grades (its teacher, staff).
    pub can_grade: bool,
}

/// `POST /api/sis/courses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCourseRequest {
    /// Optional shared id.
    pub idnumber: Option<String>,
    /// Name, e.g. "Algebra 1".
    pub name: String,
}

/// `POST /api/sis/terms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTermRequest {
    /// Name, e.g. "2026–27 Semester 1".
    pub name: String,
    /// Start, Unix seconds.
    pub starts_at: Option<i64>,
    /// End, Unix seconds.
    pub ends_at: Option<i64>,
}

/// `POST /api/sis/sections`: a section with no Moodle presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSectionRequest {
    /// Name, e.g. "Chemistry Lab @ 10:15, Ms Rivera".
    pub name: String,
    /// Optional shared id.
    pub idnumber: Option<String>,
    /// Term (default: "ongoing").
    pub container_id: Option<i64>,
    /// Course.
    pub course_id: Option<i64>,
    /// Teacher (a person id).
    pub teacher_id: Option<i64>,
}

/// `PUT /api/sis/sections/{id}/teacher`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTeacherRequest {
    /// The new teacher, or none.
    pub teacher_id: Option<i64>,
    /// When it takes effect (Unix seconds; default now).
    pub effective_at: Option<i64>,
}

/// `POST /api/sis/sections/{id}/enrolments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEnrolmentRequest {
    /// Who.
    pub person_id: i64,
    /// `student` or `teacher`.
    pub role: Role,
    /// When it takes effect (default now).
    pub effective_at: Option<i64>,
}

/// `PUT /api/sis/enrolments/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChangeRequest {
    /// A status code (built in or defined by an admin).
    pub code: String,
    /// A note for staff (e.g. the reason for a withdrawal); never shown to the student.
    pub note: Option<String>,
    /// An optional line for the transcript (what the student and anyone given the transcript
    /// reads about this change).
    #[serde(default)]
    pub transcript_note: Option<String>,
    /// When it takes effect (default now).
    pub effective_at: Option<i64>,
}

/// `POST /api/sis/status-codes` (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStatusCodeRequest {
    /// Code, e.g. `withdrawn_moved`.
    pub code: String,
    /// Label, e.g. "Withdrawn (moved away)".
    pub label: String,
    /// What it means.
    pub kind: StatusKind,
}

/// `POST /api/sis/sections/{id}/assessments`: a manual grade item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAssessmentRequest {
    /// Name.
    pub name: String,
    /// Maximum points.
    pub pointval: f64,
    /// Chapter (course section number).
    pub chapter: i64,
    /// Required for honours students.
    pub honors_required: bool,
    /// Required for non-honours students.
    pub nonhonors_required: bool,
    /// Counts as extra credit.
    pub extra_credit: bool,
}

/// `POST /api/sis/sections/{id}/assessments/csv?preview=…`: a spreadsheet of grade items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvUploadRequest {
    /// The CSV text (columns in the downloadable template).
    pub csv: String,
}

/// `PUT /api/sis/grades`: enter or correct a manual grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeRequest {
    /// The grade item.
    pub assessment_id: i64,
    /// The student.
    pub person_id: i64,
    /// Points (none when excepted).
    pub points: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Why (kept in the history).
    pub note: Option<String>,
    /// When it was given, if not now (Unix seconds; never in the future).
    #[serde(default)]
    pub effective_at: Option<i64>,
    /// The teacher confirmed points above the item's maximum (bonus marks); without it such a
    /// grade is refused with `above_maximum` ([`crate::rules::points_above_maximum`]).
    #[serde(default)]
    pub above_maximum: bool,
}

/// `GET /api/sis/students/{id}`: a student page's header and records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentPage {
    /// Who.
    pub person: PersonRef,
    /// Current sections.
    pub schedule: Vec<ScheduleEntry>,
    /// Every enrolment with its full status history.
    pub enrolments: Vec<EnrolmentRecord>,
}

/// The id of something just created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    /// Row id.
    pub id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, pointval: f64, extra_credit: bool) -> AssessmentRow {
        AssessmentRow {
            id,
            section_id: 1,
            name: format!("item {id}"),
            pointval,
            nonhonors_required: true,
            extra_credit,
            ..Default::default()
        }
    }

    fn grade(assessment_id: i64, points: f64) -> GradeEvent {
        GradeEvent {
            id: assessment_id,
            ..GradeEvent::first_attempt(assessment_id, 1, Some(points))
        }
    }

    fn event(id: i64, attempt: i64, at: i64, points: Option<f64>, cleared: bool) -> GradeEvent {
        GradeEvent {
            id,
            assessment_id: 1,
            person_id: 1,
            points,
            attempt,
            provenance: Provenance::from_peer(1, None, at, at),
            cleared,
            ..Default::default()
        }
    }

    fn points(events: &[GradeEvent]) -> Option<f64> {
        current_grade(events).and_then(|e| e.points)
    }

    #[test]
    fn the_highest_attempt_then_the_newest_counts() {
        let events = [
            event(1, 1, 100, Some(5.0), false),
            event(2, 2, 90, Some(7.0), false),
            event(3, 1, 200, Some(6.0), false),
        ];
        assert_eq!(points(&events), Some(7.0));
        assert_eq!(points(&[]), None);
    }

    #[test]
    fn a_clearing_empties_the_cell_until_a_later_grade() {
        let graded = event(1, 2, 100, Some(8.0), false);
        let cleared = event(2, 0, 150, None, true);
        assert_eq!(points(&[graded.clone(), cleared.clone()]), None);
        // A grade after the clearing counts, whatever its attempt.
        let regraded = event(3, 1, 160, Some(4.0), false);
        assert_eq!(
            points(&[graded.clone(), cleared.clone(), regraded]),
            Some(4.0)
        );
        // A late grade from before the clearing does not bring the cell back.
        let late = event(4, 3, 120, Some(9.0), false);
        assert_eq!(points(&[graded.clone(), cleared.clone(), late]), None);
        // As of a date before the clearing, the grade it had then.
        assert_eq!(points(&[graded]), Some(8.0));
        // At the same second, the later arrival wins.
        let same_second = event(5, 1, 150, Some(2.0), false);
        assert_eq!(points(&[cleared, same_second]), Some(2.0));
    }

    #[test]
    fn an_older_clearing_arriving_late_hides_only_what_came_before_it() {
        let events = [
            event(1, 3, 100, Some(9.0), false),
            event(2, 1, 150, Some(5.0), false),
            event(3, 0, 120, None, true),
        ];
        // Attempt 3 at 100 was current; the clearing at 120 leaves only the grade at 150.
        assert_eq!(points(&events), Some(5.0));
    }

    #[test]
    fn extra_credit_makes_up_lost_points_but_never_passes_100_percent() {
        let (quiz, bonus) = (item(1, 10.0, false), item(2, 10.0, true));
        // 6 of 10 and 3 extra: 9 of 10.
        let (q, b) = (grade(1, 6.0), grade(2, 3.0));
        let t = Totals::of([(&quiz, Some(&q)), (&bonus, Some(&b))]);
        assert_eq!((t.earned, t.possible, t.percent), (9.0, 10.0, Some(90.0)));
        // 9 of 10 and 10 extra read 190 % before; now 10 of 10, 100 %.
        let (q, b) = (grade(1, 9.0), grade(2, 10.0));
        let t = Totals::of([(&quiz, Some(&q)), (&bonus, Some(&b))]);
        assert_eq!((t.earned, t.possible, t.percent), (10.0, 10.0, Some(100.0)));
        assert_eq!(t.graded, 2);
        // Extra credit alone: nothing possible yet, no percent.
        let t = Totals::of([(&quiz, None), (&bonus, Some(&b))]);
        assert_eq!((t.earned, t.possible, t.percent), (0.0, 0.0, None));
    }

    #[test]
    fn moodles_course_total_is_never_summed_into_our_total() {
        let quiz = item(1, 10.0, false);
        let mut total = item(2, 100.0, false);
        total.kind = ItemKind::CourseTotal;
        let (q, t) = (grade(1, 7.0), grade(2, 93.0));
        let sum = Totals::of([(&quiz, Some(&q)), (&total, Some(&t))]);
        assert_eq!((sum.earned, sum.possible, sum.graded), (7.0, 10.0, 1));
    }
}
