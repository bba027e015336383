//! The SIS pages' decisions about sections, enrolments, manual records and dates
//! (`docs/design/010-sis-console.md`): how the sections list is filtered and grouped, which
//! teachers the filter offers, how a status change or a manual record is checked before it is
//! sent, and which instant a report "as of" a chosen day means. Grades and grade items are in
//! [`super::sis_grades`].

use schoolbridge_api::sis::{
    EnrolmentRow, NewCourseRequest, NewEnrolmentRequest, NewSectionRequest, NewTermRequest,
    PersonRef, Role, SectionSummary, StatusChangeRequest, StatusKind,
};

use super::query::Query;
use super::time::{self, DAY};

/// What is wrong with a SIS form (the strings say it in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SisProblem {
    /// A required field is empty.
    Required,
    /// Not a date (`YYYY-MM-DD`).
    BadDate,
    /// The end is before the start.
    EndBeforeStart,
    /// The same status again, without a note: nothing would change.
    NothingToChange,
    /// Not a number of points (digits, at most two decimals).
    BadPoints,
    /// Not a whole number ≥ 0.
    BadWholeNumber,
    /// No person chosen.
    NoPerson,
    /// Points above the item's maximum, not confirmed as bonus marks.
    AboveMaximum,
}

// ---------------------------------------------------------------------------------------------
// The sections list.

/// The sections list's filters (applied in the browser to the list the server allows the person
/// to see, so the teacher choices stay complete while filtering).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SectionFilter {
    /// Only this container (term, or "ongoing").
    pub container: Option<i64>,
    /// Only sections whose current teacher is this person.
    pub teacher: Option<i64>,
    /// Only sections of this course.
    pub course: Option<i64>,
}

impl SectionFilter {
    /// Reads the filter from the page's query string values; anything unreadable is "any".
    pub fn from_query(
        container: Option<&str>,
        teacher: Option<&str>,
        course: Option<&str>,
    ) -> Self {
        let id = |v: Option<&str>| v.and_then(|v| v.trim().parse::<i64>().ok());
        SectionFilter {
            container: id(container),
            teacher: id(teacher),
            course: id(course),
        }
    }

    /// The console path with this filter (so a filtered list can be bookmarked and shared).
    pub fn path(&self) -> String {
        let query = Query::new()
            .opt("container", self.container)
            .opt("teacher", self.teacher)
            .opt("course", self.course)
            .finish();
        format!("/sis/sections{query}")
    }

    /// Whether `section` passes.
    pub fn matches(&self, section: &SectionSummary) -> bool {
        self.container.is_none_or(|c| section.container_id == c)
            && self
                .teacher
                .is_none_or(|t| section.teacher.as_ref().is_some_and(|p| p.id == t))
            && self
                .course
                .is_none_or(|c| section.course.as_ref().is_some_and(|x| x.id == c))
    }
}

/// One container's sections, as the list shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerGroup {
    /// Container id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind: `ongoing` holds the sections Moodle drives, `term` a term's.
    pub kind: String,
    /// Its sections that pass the filter, by segment then name.
    pub sections: Vec<SectionSummary>,
}

/// Groups the sections that pass `filter` by container, containers by id (the "ongoing"
/// container is seeded first), sections by segment then name.
pub fn group_sections(sections: &[SectionSummary], filter: &SectionFilter) -> Vec<ContainerGroup> {
    let mut shown: Vec<&SectionSummary> = sections.iter().filter(|s| filter.matches(s)).collect();
    shown.sort_by(|a, b| {
        (a.container_id, a.segment, a.name.to_lowercase(), a.id).cmp(&(
            b.container_id,
            b.segment,
            b.name.to_lowercase(),
            b.id,
        ))
    });
    let mut groups: Vec<ContainerGroup> = Vec::new();
    for s in shown {
        match groups.last_mut() {
            Some(g) if g.id == s.container_id => g.sections.push(s.clone()),
            _ => groups.push(ContainerGroup {
                id: s.container_id,
                name: s.container_name.clone(),
                kind: s.container_kind.clone(),
                sections: vec![s.clone()],
            }),
        }
    }
    groups
}

/// The teachers the filter offers: every current teacher of a listed section, once, by family
/// then given name.
pub fn teachers_of(sections: &[SectionSummary]) -> Vec<PersonRef> {
    let mut out: Vec<PersonRef> = Vec::new();
    for t in sections.iter().filter_map(|s| s.teacher.as_ref()) {
        if !out.iter().any(|o| o.id == t.id) {
            out.push(t.clone());
        }
    }
    out.sort_by(|a, b| {
        (a.lastname.to_lowercase(), a.firstname.to_lowercase(), a.id).cmp(&(
            b.lastname.to_lowercase(),
            b.firstname.to_lowercase(),
            b.id,
        ))
    });
    out
}

/// Reads a `<select>` value holding an id ("" = none).
pub fn chosen_id(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Enrolment statuses.

/// A roster's head count: students by what their current status means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterCounts {
    /// Teachers (any status).
    pub teachers: usize,
    /// Students attending.
    pub active: usize,
    /// Students who left.
    pub withdrawn: usize,
    /// Students who finished.
    pub completed: usize,
    /// Students enrolled but not attending now (suspended in Moodle, or outside Moodle's dates).
    pub inactive: usize,
}

/// Counts a roster.
pub fn roster_counts(enrolments: &[EnrolmentRow]) -> RosterCounts {
    let mut c = RosterCounts::default();
    for e in enrolments {
        match (e.role, e.status_kind) {
            (Role::Teacher, _) => c.teachers += 1,
            (Role::Student, StatusKind::Active) => c.active += 1,
            (Role::Student, StatusKind::Inactive) => c.inactive += 1,
            (Role::Student, StatusKind::Withdrawn) => c.withdrawn += 1,
            (Role::Student, StatusKind::Completed) => c.completed += 1,
        }
    }
    c
}

/// The fields of the status form, for saying which one a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusField {
    /// The new status.
    Code,
    /// The day it took effect.
    Date,
}

/// What a counsellor typed into the status form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusForm {
    /// The status code chosen ("" = none yet).
    pub code: String,
    /// The note for staff.
    pub note: String,
    /// The line for the transcript.
    pub transcript_note: String,
    /// The day it took effect ("" = now).
    pub date: String,
}

/// A counsellor's status change, checked: a code is required; the same code again only with a
/// note (the server keeps a second note, and ignores the same code without one); a date, when
/// given, is the day the change took effect (its start, UTC) — except on the day the current
/// status took effect (`since`), where the change is placed just after it: a withdrawal code
/// dated the day Moodle withdrew the student belongs after that withdrawal, not before it. A
/// problem names the field it is about, so the form shows it there.
pub fn status_change(
    current: &str,
    since: Option<i64>,
    form: &StatusForm,
) -> Result<StatusChangeRequest, (StatusField, SisProblem)> {
    let code = form.code.trim();
    if code.is_empty() {
        return Err((StatusField::Code, SisProblem::Required));
    }
    let given = |text: &str| {
        Some(text.trim())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    };
    let (note, transcript_note) = (given(&form.note), given(&form.transcript_note));
    if code == current && note.is_none() && transcript_note.is_none() {
        return Err((StatusField::Code, SisProblem::NothingToChange));
    }
    let effective_at = effective_day(&form.date, since).map_err(|p| (StatusField::Date, p))?;
    Ok(StatusChangeRequest {
        code: code.to_owned(),
        note,
        transcript_note,
        effective_at,
    })
}

/// A "took effect on" date (empty: now). A day means its start (UTC), except the day the current
/// record took effect (`since`): a change dated that day is placed just after it, since it was
/// made after it (a withdrawal code after Moodle's withdrawal, a correction after the grade).
pub fn effective_day(date: &str, since: Option<i64>) -> Result<Option<i64>, SisProblem> {
    Ok(optional_date(date)?.map(|day| match since {
        Some(s) if day <= s && s < day + time::DAY => s + 1,
        _ => day,
    }))
}

/// When the current status took effect: the newest change that did not arrive late.
pub fn current_since(history: &[schoolbridge_api::sis::StatusChange]) -> Option<i64> {
    history
        .iter()
        .filter(|h| !h.stale)
        .map(|h| h.provenance.effective_at)
        .max()
}

fn optional_date(text: &str) -> Result<Option<i64>, SisProblem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    time::parse_date(text).map(Some).ok_or(SisProblem::BadDate)
}

// ---------------------------------------------------------------------------------------------
// Manual records.

fn required(text: &str) -> Result<String, SisProblem> {
    let text = text.trim();
    if text.is_empty() {
        Err(SisProblem::Required)
    } else {
        Ok(text.to_owned())
    }
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A course: a name, and a code when given.
pub fn new_course(name: &str, idnumber: &str) -> Result<NewCourseRequest, SisProblem> {
    Ok(NewCourseRequest {
        name: required(name)?,
        idnumber: optional(idnumber),
    })
}

/// A term: a name and optional start and end days (the end must not be before the start).
pub fn new_term(name: &str, starts: &str, ends: &str) -> Result<NewTermRequest, SisProblem> {
    let name = required(name)?;
    let starts_at = optional_date(starts)?;
    let ends_at = optional_date(ends)?;
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e < s
    {
        return Err(SisProblem::EndBeforeStart);
    }
    Ok(NewTermRequest {
        name,
        starts_at,
        // The whole last day belongs to the term.
        ends_at: ends_at.map(|e| e + DAY - 1),
    })
}

/// A section with no Moodle presence: a name; term, course, teacher and code optional.
pub fn new_section(
    name: &str,
    idnumber: &str,
    container: &str,
    course: &str,
    teacher: Option<i64>,
) -> Result<NewSectionRequest, SisProblem> {
    Ok(NewSectionRequest {
        name: required(name)?,
        idnumber: optional(idnumber),
        container_id: chosen_id(container),
        course_id: chosen_id(course),
        teacher_id: teacher,
    })
}

/// An enrolment made in the SIS: a person must be chosen; the role is read from its value.
pub fn new_enrolment(
    person: Option<i64>,
    role: &str,
    date: &str,
) -> Result<NewEnrolmentRequest, SisProblem> {
    Ok(NewEnrolmentRequest {
        person_id: person.ok_or(SisProblem::NoPerson)?,
        role: Role::parse(role).unwrap_or(Role::Student),
        effective_at: optional_date(date)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Reports as of a date.

// A report "as of" a day is asked for by its day (`?day=`): the server ends the day in the
// school's time zone (design 029), which the console does not know.

/// The day a progress report shows: the one in the address (`?date=YYYY-MM-DD`) when it is a
/// real date, else today (by `now`).
pub fn report_day(from_query: Option<&str>, now: i64) -> String {
    from_query
        .filter(|d| time::parse_date(d).is_some())
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| time::date(now))
}

/// A report page of the console (`page`) for a day: the console reads it from `?date=`.
pub fn report_page_on(page: &str, day: &str) -> String {
    format!("{page}{}", Query::new().text("date", day).finish())
}

/// A report's CSV download (`csv`, a server address, loaded in full) for a day: the server
/// reads it from `?day=`, in the school's time zone.
pub fn report_csv_on(csv: &str, day: &str) -> String {
    format!("{csv}{}", Query::new().text("day", day).finish())
}

/// The console path of a student's progress report for a day.
pub fn progress_path(person_id: i64, day: &str) -> String {
    report_page_on(&format!("/sis/students/{person_id}/progress"), day)
}

/// The CSV download of that report.
pub fn progress_csv(person_id: i64, day: &str) -> String {
    report_csv_on(&format!("/api/sis/students/{person_id}/progress.csv"), day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::{CourseRow, RecordSource};

    fn person(id: i64, first: &str, last: &str) -> PersonRef {
        PersonRef {
            id,
            idnumber: None,
            firstname: first.into(),
            lastname: last.into(),
        }
    }

    fn section(id: i64, name: &str, container: i64, teacher: Option<PersonRef>) -> SectionSummary {
        SectionSummary {
            id,
            peer_id: None,
            idnumber: None,
            name: name.into(),
            segment: 1,
            container_id: container,
            container_name: if container == 1 { "Ongoing" } else { "Fall" }.into(),
            container_kind: if container == 1 { "ongoing" } else { "term" }.into(),
            course: (id == 3).then(|| CourseRow {
                id: 7,
                idnumber: None,
                name: "Chemistry".into(),
            }),
            source: RecordSource::Moodle,
            teacher,
            active_students: 0,
        }
    }

    fn sample() -> Vec<SectionSummary> {
        vec![
            section(1, "World History", 1, Some(person(10, "Claire", "Dubois"))),
            section(2, "algebra 2", 1, Some(person(11, "Jordan", "Kowalski"))),
            section(3, "Ceramics", 2, Some(person(10, "Claire", "Dubois"))),
            section(4, "Study hall", 2, None),
        ]
    }

    #[test]
    fn sections_group_by_container_and_filter_by_teacher_and_course() {
        let all = group_sections(&sample(), &SectionFilter::default());
        assert_eq!(
            all.iter().map(|g| g.kind.as_str()).collect::<Vec<_>>(),
            ["ongoing", "term"],
            "the kind, not the (translatable, renamable) name, says which holds Moodle's sections"
        );
        let shape: Vec<(&str, Vec<&str>)> = all
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.sections.iter().map(|s| s.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("Ongoing", vec!["algebra 2", "World History"]),
                ("Fall", vec!["Ceramics", "Study hall"])
            ]
        );
        let dubois = SectionFilter {
            teacher: Some(10),
            ..SectionFilter::default()
        };
        let names: Vec<i64> = group_sections(&sample(), &dubois)
            .iter()
            .flat_map(|g| g.sections.iter().map(|s| s.id))
            .collect();
        assert_eq!(names, [1, 3]);
        let chemistry = SectionFilter {
            course: Some(7),
            container: Some(2),
            teacher: None,
        };
        assert_eq!(group_sections(&sample(), &chemistry)[0].sections[0].id, 3);
        let nothing = SectionFilter {
            container: Some(1),
            course: Some(7),
            teacher: None,
        };
        assert!(group_sections(&sample(), &nothing).is_empty());
    }

    #[test]
    fn the_teacher_filter_offers_each_teacher_once_by_family_name() {
        let teachers = teachers_of(&sample());
        let names: Vec<String> = teachers.iter().map(PersonRef::full_name).collect();
        assert_eq!(names, ["Claire Dubois", "Jordan Kowalski"]);
    }

    #[test]
    fn filters_round_trip_through_the_address() {
        let f = SectionFilter::from_query(Some("2"), Some("x"), None);
        assert_eq!(
            f,
            SectionFilter {
                container: Some(2),
                teacher: None,
                course: None
            }
        );
        assert_eq!(f.path(), "/sis/sections?container=2");
        assert_eq!(SectionFilter::default().path(), "/sis/sections");
        assert_eq!(chosen_id(""), None);
        assert_eq!(chosen_id("12"), Some(12));
    }

    fn form(code: &str, note: &str, date: &str) -> StatusForm {
        StatusForm {
            code: code.into(),
            note: note.into(),
            transcript_note: String::new(),
            date: date.into(),
        }
    }

    #[test]
    fn a_status_change_needs_a_code_and_something_new() {
        assert_eq!(
            status_change("withdrawn", None, &form("", "note", "")),
            Err((StatusField::Code, SisProblem::Required))
        );
        assert_eq!(
            status_change("withdrawn", None, &form("withdrawn", "  ", "")),
            Err((StatusField::Code, SisProblem::NothingToChange))
        );
        let again = status_change(
            "withdrawn",
            None,
            &form("withdrawn", "Phoned the family", ""),
        )
        .unwrap();
        assert_eq!(again.note.as_deref(), Some("Phoned the family"));
        // A line for the transcript alone is something new too, and goes apart from the note.
        let line = StatusForm {
            transcript_note: " Moved away ".into(),
            ..form("withdrawn", "", "")
        };
        let line = status_change("withdrawn", None, &line).unwrap();
        assert_eq!(
            (line.note, line.transcript_note.as_deref()),
            (None, Some("Moved away"))
        );
        let coded = status_change(
            "withdrawn",
            None,
            &form("withdrawn_failing", "", "2026-10-02"),
        )
        .unwrap();
        assert_eq!(
            (coded.code.as_str(), coded.note, coded.effective_at),
            ("withdrawn_failing", None, Some(1_790_899_200))
        );
        // A bad date is the date field's problem, not the status's.
        assert_eq!(
            status_change("active", None, &form("passed", "", "02/10/2026")),
            Err((StatusField::Date, SisProblem::BadDate))
        );
        // Moodle withdrew the student at 14:00 on 2 October: the code dated that day follows it.
        let withdrawn_at = 1_790_899_200 + 14 * 3600;
        let same_day = status_change(
            "withdrawn",
            Some(withdrawn_at),
            &form("wng", "", "2026-10-02"),
        )
        .unwrap();
        assert_eq!(same_day.effective_at, Some(withdrawn_at + 1));
        // A later day is that day's start; an earlier day is left for the server to refuse.
        let later = status_change(
            "withdrawn",
            Some(withdrawn_at),
            &form("wng", "", "2026-10-03"),
        )
        .unwrap();
        assert_eq!(later.effective_at, Some(1_790_899_200 + 86_400));
        let earlier = status_change(
            "withdrawn",
            Some(withdrawn_at),
            &form("wng", "", "2026-10-01"),
        )
        .unwrap();
        assert_eq!(earlier.effective_at, Some(1_790_899_200 - 86_400));
    }

    #[test]
    fn manual_records_are_checked_before_they_are_sent() {
        assert_eq!(new_course(" ", "X"), Err(SisProblem::Required));
        let c = new_course(" Ceramics ", "").unwrap();
        assert_eq!((c.name.as_str(), c.idnumber), ("Ceramics", None));
        assert_eq!(
            new_term("Fall", "2026-12-01", "2026-09-01"),
            Err(SisProblem::EndBeforeStart)
        );
        let t = new_term("Fall", "2026-09-01", "2026-09-01").unwrap();
        assert_eq!(t.ends_at, Some(t.starts_at.unwrap() + DAY - 1));
        let s = new_section("Ceramics @ 3pm", "", "2", "", Some(5)).unwrap();
        assert_eq!(
            (s.container_id, s.course_id, s.teacher_id),
            (Some(2), None, Some(5))
        );
        assert_eq!(
            new_enrolment(None, "student", ""),
            Err(SisProblem::NoPerson)
        );
        let e = new_enrolment(Some(4), "teacher", "").unwrap();
        assert_eq!((e.person_id, e.role), (4, Role::Teacher));
    }

    #[test]
    fn a_report_is_as_of_a_day_in_the_address() {
        let start = time::parse_date("2026-10-08").unwrap();
        // A date in the address wins; nonsense falls back to today.
        assert_eq!(report_day(Some("2026-10-08"), 0), "2026-10-08");
        assert_eq!(report_day(Some("2026-02-30"), 0), "1970-01-01");
        assert_eq!(report_day(None, start + 3600), "2026-10-08");
        assert_eq!(
            progress_path(5, "2026-10-08"),
            "/sis/students/5/progress?date=2026-10-08"
        );
        assert_eq!(
            progress_csv(5, "2026-10-08"),
            "/api/sis/students/5/progress.csv?day=2026-10-08"
        );
    }

    #[test]
    fn rosters_are_counted_by_what_statuses_mean() {
        let row = |role, kind| EnrolmentRow {
            id: 1,
            section_id: 1,
            person: person(1, "A", "B"),
            role,
            status: String::new(),
            status_label: String::new(),
            status_kind: kind,
            status_effective_at: 0,
            source: RecordSource::Moodle,
            moodle_starts_at: None,
            moodle_ends_at: None,
        };
        let c = roster_counts(&[
            row(Role::Teacher, StatusKind::Active),
            row(Role::Student, StatusKind::Active),
            row(Role::Student, StatusKind::Active),
            row(Role::Student, StatusKind::Withdrawn),
            row(Role::Student, StatusKind::Completed),
            row(Role::Student, StatusKind::Inactive),
        ]);
        assert_eq!(
            c,
            RosterCounts {
                teachers: 1,
                active: 2,
                withdrawn: 1,
                completed: 1,
                inactive: 1,
            }
        );
    }
}
