//! The words of the SIS pages: sections, rosters, gradebooks, grade items and the spreadsheet
//! upload, enrolment statuses, manual records, and students' schedules, progress reports and
//! transcripts.

use schoolbridge_api::sis::{AssessmentRow, RecordSource, Role, StatusKind};

use crate::model::sis::SisProblem;
use crate::model::sis_grades::CellMode;

/// The SIS pages' texts in one language.
pub struct SisStrings {
    // Navigation.
    pub nav_sections: &'static str,
    pub nav_students: &'static str,
    pub nav_records: &'static str,
    pub nav_my_records: &'static str,
    pub title_section: &'static str,
    pub title_student: &'static str,
    // Shared words.
    pub any: &'static str,
    pub none: &'static str,
    pub search: &'static str,
    pub close: &'static str,
    pub source_moodle: &'static str,
    pub source_manual: &'static str,
    pub no_teacher: &'static str,
    pub arrived_late: &'static str,
    pub history: &'static str,
    pub history_and_status: &'static str,
    pub role_student: &'static str,
    pub role_teacher: &'static str,
    pub kind_active: &'static str,
    pub kind_inactive: &'static str,
    pub kind_withdrawn: &'static str,
    pub kind_completed: &'static str,
    pub ongoing: &'static str,
    pub defined_here: &'static str,
    pub print: &'static str,
    pub download_csv: &'static str,
    pub total: &'static str,
    pub excepted: &'static str,
    pub excepted_short: &'static str,
    pub extra_credit: &'static str,
    pub honours: &'static str,
    pub not_for_regular: &'static str,
    pub not_graded: &'static str,
    /// A transcript row of a Moodle-driven section, which has no SIS course.
    pub no_course: &'static str,
    /// In place of a withdrawn class's points and percent on the transcript.
    pub withdrawn_no_points: &'static str,
    pub since: fn(date: &str) -> String,
    pub who_in: fn(person: &str, section: &str) -> String,
    // Columns.
    pub col_section: &'static str,
    pub col_course: &'static str,
    pub col_teacher: &'static str,
    pub col_source: &'static str,
    pub col_active_students: &'static str,
    pub col_students: &'static str,
    pub col_name: &'static str,
    pub col_role: &'static str,
    pub col_status: &'static str,
    pub col_since: &'static str,
    pub col_actions: &'static str,
    pub col_effective: &'static str,
    pub col_note: &'static str,
    pub col_recorded: &'static str,
    pub col_student: &'static str,
    pub col_value: &'static str,
    pub col_attempt: &'static str,
    pub col_given: &'static str,
    pub col_line: &'static str,
    pub col_outcome: &'static str,
    pub col_item: &'static str,
    pub col_chapter: &'static str,
    pub col_points_possible: &'static str,
    pub col_points_earned: &'static str,
    pub col_withdrawal: &'static str,
    pub col_points: &'static str,
    pub col_percent: &'static str,
    // Fields.
    pub field_term: &'static str,
    pub field_teacher: &'static str,
    pub field_course: &'static str,
    pub field_idnumber: &'static str,
    pub field_name: &'static str,
    pub field_code: &'static str,
    pub field_label: &'static str,
    pub field_kind: &'static str,
    pub field_starts: &'static str,
    pub field_ends: &'static str,
    pub field_status: &'static str,
    pub field_note: &'static str,
    pub field_staff_note: &'static str,
    pub staff_note_hint: &'static str,
    pub field_transcript_note: &'static str,
    pub transcript_note_hint: &'static str,
    pub col_transcript_note: &'static str,
    pub field_above_maximum: &'static str,
    pub above_maximum: fn(points: &str, maximum: &str) -> String,
    pub no_chapter: &'static str,
    pub change_status_in: fn(section: &str) -> String,
    pub field_effective_date: &'static str,
    pub field_given_on: &'static str,
    pub effective_date_hint: &'static str,
    pub field_points: &'static str,
    pub field_corrected_points: &'static str,
    pub field_excepted: &'static str,
    pub field_max_points: &'static str,
    pub field_chapter: &'static str,
    pub field_extra_credit: &'static str,
    pub field_honours_required: &'static str,
    pub field_nonhonours_required: &'static str,
    pub field_csv_file: &'static str,
    pub field_csv_text: &'static str,
    pub field_as_of: &'static str,
    pub as_of_hint: &'static str,
    // Problems.
    pub problem_required: &'static str,
    pub problem_bad_date: &'static str,
    pub problem_end_before_start: &'static str,
    pub problem_nothing_to_change: &'static str,
    pub problem_bad_points: &'static str,
    pub problem_bad_whole_number: &'static str,
    pub problem_no_person: &'static str,
    pub problem_above_maximum: &'static str,
    // Sections list.
    pub sections_heading: &'static str,
    pub sections_intro_staff: &'static str,
    pub sections_intro_teacher: &'static str,
    pub sections_none: &'static str,
    pub sections_none_match: &'static str,
    pub filter_label: &'static str,
    pub new_records: &'static str,
    // Section page.
    pub open_gradebook: &'static str,
    pub roster_heading: &'static str,
    pub roster_empty: &'static str,
    pub roster_counts:
        fn(active: usize, inactive: usize, withdrawn: usize, completed: usize) -> String,
    /// A roster button's accessible name: its visible words, then whose (so speech input that
    /// says the words on the button finds it).
    pub show_history_of: fn(label: &str, person: &str) -> String,
    pub history_of: fn(who: &str) -> String,
    pub teacher_history_heading: &'static str,
    pub teacher_history_empty: &'static str,
    pub enrol_heading: &'static str,
    pub enrol_intro: &'static str,
    pub enrol: &'static str,
    pub enrolled: fn(person: &str) -> String,
    pub set_teacher_heading: &'static str,
    pub set_teacher: &'static str,
    // Status changes.
    pub change_status: &'static str,
    pub change_status_hint: &'static str,
    pub choose_status: &'static str,
    pub save_status: &'static str,
    pub status_saved: &'static str,
    // People search.
    pub find_person: &'static str,
    pub nobody_found: &'static str,
    pub choose_person: fn(name: &str) -> String,
    pub chosen: fn(name: &str) -> String,
    // Gradebook.
    pub gradebook_heading: &'static str,
    pub back_to_section: &'static str,
    pub gradebook_hint: &'static str,
    pub from_moodle: &'static str,
    pub entered_here: &'static str,
    pub no_grade: &'static str,
    pub no_items: &'static str,
    pub no_students: &'static str,
    pub chapter_points: fn(chapter: Option<i64>, points: &str) -> String,
    pub item_from_moodle: &'static str,
    /// The mark of Moodle's course total column.
    pub item_course_total: &'static str,
    pub item_manual: &'static str,
    pub item_linked: &'static str,
    pub cell_heading: fn(student: &str, item: &str) -> String,
    pub mode_enter: &'static str,
    pub mode_correct: &'static str,
    pub mode_from_moodle: &'static str,
    pub mode_moodle_item: &'static str,
    pub mode_read_only: &'static str,
    pub no_grade_yet: &'static str,
    pub save_grade: &'static str,
    pub grade_saved: &'static str,
    pub new_item_heading: &'static str,
    pub new_item_intro: &'static str,
    pub add_item: &'static str,
    pub item_created: fn(name: &str) -> String,
    pub csv_heading: &'static str,
    pub csv_intro: &'static str,
    pub csv_template: &'static str,
    pub csv_preview: &'static str,
    pub csv_would: fn(created: usize, matched: usize, rejected: usize) -> String,
    pub csv_did: fn(created: usize, matched: usize, rejected: usize) -> String,
    pub csv_save: fn(created: usize) -> String,
    pub line_created: &'static str,
    pub line_matched: &'static str,
    pub line_rejected: fn(reason: &str) -> String,
    // Manual records.
    pub records_heading: &'static str,
    pub records_intro: &'static str,
    pub new_course_heading: &'static str,
    pub create_course: &'static str,
    pub course_created: fn(name: &str) -> String,
    pub new_term_heading: &'static str,
    pub create_term: &'static str,
    pub term_created: fn(name: &str) -> String,
    pub new_section_heading: &'static str,
    pub new_section_intro: &'static str,
    pub section_name_hint: &'static str,
    pub create_section: &'static str,
    pub teacher_will_be: fn(name: &str) -> String,
    pub no_teacher_chosen: &'static str,
    pub codes_heading: &'static str,
    pub codes_intro: &'static str,
    pub define_code: &'static str,
    pub code_created: fn(label: &str) -> String,
    // Students.
    pub students_heading: &'static str,
    pub students_intro: &'static str,
    pub id_number: fn(idnumber: &str) -> String,
    pub schedule_heading: &'static str,
    pub schedule_empty: &'static str,
    pub enrolment_history_heading: &'static str,
    pub enrolment_history_empty: &'static str,
    pub back_to_student: &'static str,
    pub progress_heading: &'static str,
    pub show_report: &'static str,
    pub progress_empty: &'static str,
    pub transcript_heading: &'static str,
    pub transcript_empty: &'static str,
    pub withdrawn_on: fn(label: &str, date: &str) -> String,
    pub earned_of: fn(earned: &str, possible: &str) -> String,
}

impl SisStrings {
    /// What to say about a form problem.
    pub fn problem(&self, problem: SisProblem) -> &'static str {
        match problem {
            SisProblem::Required => self.problem_required,
            SisProblem::BadDate => self.problem_bad_date,
            SisProblem::EndBeforeStart => self.problem_end_before_start,
            SisProblem::NothingToChange => self.problem_nothing_to_change,
            SisProblem::BadPoints => self.problem_bad_points,
            SisProblem::BadWholeNumber => self.problem_bad_whole_number,
            SisProblem::NoPerson => self.problem_no_person,
            SisProblem::AboveMaximum => self.problem_above_maximum,
        }
    }

    /// An enrolment role.
    pub fn role_name(&self, role: Role) -> &'static str {
        match role {
            Role::Student => self.role_student,
            Role::Teacher => self.role_teacher,
        }
    }

    /// What a status kind means.
    pub fn kind_name(&self, kind: StatusKind) -> &'static str {
        match kind {
            StatusKind::Active => self.kind_active,
            StatusKind::Inactive => self.kind_inactive,
            StatusKind::Withdrawn => self.kind_withdrawn,
            StatusKind::Completed => self.kind_completed,
        }
    }

    /// A status code in a choice: "Withdrawn No Grade (withdrawn)", with "built in" marked.
    pub fn status_option(&self, label: &str, kind: StatusKind, builtin: bool) -> String {
        if builtin {
            format!("{label} ({})", self.kind_name(kind))
        } else {
            format!("{label} ({}, {})", self.kind_name(kind), self.defined_here)
        }
    }

    /// A container's name: the Moodle-driven one is worded, terms keep their own names.
    pub fn container_name(&self, name: &str, kind: &str) -> String {
        if kind == "ongoing" {
            self.ongoing.to_owned()
        } else {
            name.to_owned()
        }
    }

    /// A grade item's honours and extra-credit flags, in words ("" when it has none).
    pub fn item_flags(&self, item: &AssessmentRow) -> String {
        let mut flags: Vec<&str> = Vec::new();
        if item.extra_credit {
            flags.push(self.extra_credit);
        }
        if item.honors_required {
            flags.push(self.honours);
        }
        if !item.nonhonors_required {
            flags.push(self.not_for_regular);
        }
        flags.join(" · ")
    }

    /// Where a grade item came from: Moodle, made here, or made here and linked to Moodle's.
    pub fn item_origin(&self, item: &AssessmentRow) -> &'static str {
        if item.is_course_total() {
            return self.item_course_total;
        }
        match (item.origin, item.idnumber.is_some()) {
            (RecordSource::Moodle, _) => self.item_from_moodle,
            (RecordSource::Manual, true) => self.item_linked,
            (RecordSource::Manual, false) => self.item_manual,
        }
    }

    /// What a grade cell lets the person do.
    pub fn cell_mode(&self, mode: CellMode) -> &'static str {
        match mode {
            CellMode::Enter => self.mode_enter,
            CellMode::Correct => self.mode_correct,
            CellMode::FromMoodle => self.mode_from_moodle,
            CellMode::MoodleItem => self.mode_moodle_item,
            CellMode::ReadOnly => self.mode_read_only,
        }
    }
}

/// British/American-neutral English, the default.
pub const ENGLISH: SisStrings = SisStrings {
    nav_sections: "Sections",
    nav_students: "Students",
    nav_records: "Manual records",
    nav_my_records: "My records",
    title_section: "Section",
    title_student: "Student record",
    any: "Any",
    none: "None",
    search: "Search",
    close: "Close",
    source_moodle: "Moodle",
    source_manual: "Entered here",
    no_teacher: "No teacher",
    arrived_late: "arrived late",
    history: "History",
    history_and_status: "History and status",
    role_student: "Student",
    role_teacher: "Teacher",
    kind_active: "attending",
    kind_inactive: "not attending now",
    kind_withdrawn: "withdrawn",
    kind_completed: "completed",
    ongoing: "Ongoing (Moodle courses)",
    defined_here: "defined here",
    print: "Print",
    download_csv: "Download CSV",
    total: "Total",
    excepted: "Excused",
    excepted_short: "exc.",
    extra_credit: "extra credit",
    honours: "honours",
    not_for_regular: "not required of regular students",
    not_graded: "–",
    no_course: "–",
    withdrawn_no_points: "–",
    since: |date| format!("since {date}"),
    who_in: |person, section| format!("{person} in {section}"),
    col_section: "Section",
    col_course: "Course",
    col_teacher: "Teacher",
    col_source: "Source",
    col_active_students: "Students attending",
    col_students: "Students",
    col_name: "Name",
    col_role: "Role",
    col_status: "Status",
    col_since: "Since",
    col_actions: "Actions",
    col_effective: "Took effect (UTC)",
    col_note: "Note",
    col_recorded: "Recorded (UTC)",
    col_student: "Student",
    col_value: "Value",
    col_attempt: "Attempt",
    col_given: "Given (UTC)",
    col_line: "Line",
    col_outcome: "What happens",
    col_item: "Item",
    col_chapter: "Chapter",
    col_points_possible: "Possible",
    col_points_earned: "Earned",
    col_withdrawal: "Withdrawal",
    col_points: "Points",
    col_percent: "Percent",
    field_term: "Term",
    field_teacher: "Teacher",
    field_course: "Course",
    field_idnumber: "ID number",
    field_name: "Name",
    field_code: "Code (optional)",
    field_label: "Label",
    field_kind: "Meaning",
    field_starts: "Starts",
    field_ends: "Ends",
    field_status: "New status",
    field_note: "Note",
    field_staff_note: "Note for staff",
    staff_note_hint: "Counsellors and administrators read it; the student and teachers do not.",
    field_transcript_note: "Line on the transcript (optional)",
    transcript_note_hint: "Printed on the transcript beside the withdrawal; the student reads it \
                           too.",
    col_transcript_note: "On the transcript",
    field_above_maximum: "Give points above the maximum (bonus marks)",
    above_maximum: |points, maximum| {
        format!(
            "{points} is more than this item's maximum of {maximum} points. Check the value, or \
             tick “Give points above the maximum” to save it."
        )
    },
    no_chapter: "–",
    change_status_in: |section| format!("Change the status in {section}"),
    field_effective_date: "Took effect on (optional)",
    field_given_on: "Given on (optional)",
    effective_date_hint: "Leave empty for now.",
    field_points: "Points",
    field_corrected_points: "Corrected points",
    field_excepted: "Excused (counts in no total)",
    field_max_points: "Maximum points",
    field_chapter: "Chapter",
    field_extra_credit: "Extra credit",
    field_honours_required: "Required of honours students",
    field_nonhonours_required: "Required of regular students",
    field_csv_file: "Spreadsheet (CSV file)",
    field_csv_text: "Or paste its contents",
    field_as_of: "As of",
    as_of_hint: "The report shows what had happened by the end of this day (UTC).",
    problem_required: "Please fill this in.",
    problem_bad_date: "Enter a date as YYYY-MM-DD.",
    problem_end_before_start: "The end is before the start.",
    problem_nothing_to_change: "That is the current status already: add a note, or choose another status.",
    problem_bad_points: "Enter points as a number, e.g. 17 or 21.5 (at most two decimals).",
    problem_bad_whole_number: "Enter a whole number, e.g. 2.",
    problem_no_person: "Search for a person and choose one first.",
    problem_above_maximum: "That is more than the item's maximum points.",
    sections_heading: "Sections",
    sections_intro_staff: "Every section of the school. Sections that Moodle drives are in \
                           “Ongoing”; classes with no Moodle course are made under Manual records.",
    sections_intro_teacher: "The sections you teach.",
    sections_none: "There are no sections yet. They appear when Moodle sends its courses, or \
                    when a counsellor makes one.",
    sections_none_match: "No section matches these filters.",
    filter_label: "Filter sections",
    new_records: "New section…",
    open_gradebook: "Gradebook",
    roster_heading: "Roster",
    roster_empty: "Nobody is enrolled yet.",
    roster_counts: |active, inactive, withdrawn, completed| {
        if inactive == 0 {
            format!("{active} attending · {withdrawn} withdrawn · {completed} completed")
        } else {
            format!(
                "{active} attending · {inactive} not attending now · {withdrawn} withdrawn · {completed} completed"
            )
        }
    },
    show_history_of: |label, person| format!("{label}: {person}"),
    history_of: |who| format!("Status history: {who}"),
    teacher_history_heading: "Teacher history",
    teacher_history_empty: "No teacher has been recorded.",
    enrol_heading: "Enrol someone",
    enrol_intro: "For classes with no Moodle presence, or to record an enrolment Moodle does not \
                  know about. Enrolments from Moodle arrive by themselves.",
    enrol: "Enrol",
    enrolled: |person| format!("{person} is enrolled."),
    set_teacher_heading: "Change the teacher",
    set_teacher: "Make teacher",
    change_status: "Change the status",
    change_status_hint: "For example, give a withdrawal its reason. The change and the note are \
                         kept in the history; nothing is deleted.",
    choose_status: "Choose a status…",
    save_status: "Save status",
    status_saved: "Saved. The status history shows the change.",
    find_person: "Find a person (name, username or ID number)",
    nobody_found: "Nobody found.",
    choose_person: |name| format!("Choose {name}"),
    chosen: |name| format!("Chosen: {name}"),
    gradebook_heading: "Gradebook",
    back_to_section: "Back to the section",
    gradebook_hint: " Choose a cell to see every value it has had, and to enter or correct a \
                     grade on an item made here.",
    from_moodle: "from Moodle",
    entered_here: "entered here",
    no_grade: "no grade",
    no_items: "This section has no grade items yet. Add one below, or upload a spreadsheet.",
    no_students: "No students are enrolled in this section.",
    chapter_points: |chapter, points| match chapter {
        Some(chapter) => format!("Ch. {chapter} · {points} pts"),
        None => format!("{points} pts"),
    },
    item_from_moodle: "Moodle",
    item_course_total: "Moodle's course total: not in our total",
    item_manual: "made here",
    item_linked: "made here, linked to Moodle",
    cell_heading: |student, item| format!("{student} — {item}"),
    mode_enter: "No grade yet: enter one below.",
    mode_correct: "A grade entered here: a correction is kept beside the old value.",
    mode_from_moodle: "The current grade came from Moodle and is read-only here: correct it in Moodle.",
    mode_moodle_item: "Grades for this item come from Moodle and are read-only here.",
    mode_read_only: "You can read this grade but not change it.",
    no_grade_yet: "No grade has been given.",
    save_grade: "Save grade",
    grade_saved: "Saved. The history shows the new value.",
    new_item_heading: "Add a grade item",
    new_item_intro: "An item made here takes grades entered by hand. If Moodle later sends an \
                     item with exactly the same name, the two are linked and these grades stay.",
    add_item: "Add item",
    item_created: |name| format!("“{name}” added."),
    csv_heading: "Grade items from a spreadsheet",
    csv_intro: "Columns: name, points (required), chapter, extra_credit, honors_required, \
                nonhonors_required (yes/no). You see what would happen before anything is saved.",
    csv_template: "Download the template",
    csv_preview: "Preview",
    csv_would: |created, matched, rejected| {
        format!(
            "Would create: {created} · already there (matched by name): {matched} · rejected: {rejected}"
        )
    },
    csv_did: |created, matched, rejected| {
        format!(
            "Created: {created} · already there (matched by name): {matched} · rejected: {rejected}"
        )
    },
    csv_save: |created| {
        if created == 1 {
            "Create 1 item".to_owned()
        } else {
            format!("Create {created} items")
        }
    },
    line_created: "will be created",
    line_matched: "exists already (matched by name)",
    line_rejected: |reason| format!("rejected: {reason}"),
    records_heading: "Manual records",
    records_intro: "Courses, terms and sections for classes with no Moodle presence. Moodle's \
                    own courses arrive by themselves.",
    new_course_heading: "New course",
    create_course: "Create course",
    course_created: |name| format!("Course “{name}” created."),
    new_term_heading: "New term",
    create_term: "Create term",
    term_created: |name| format!("Term “{name}” created."),
    new_section_heading: "New section",
    new_section_intro: "Choose the teacher first, then name the section. You enrol students on \
                        the section's page.",
    section_name_hint: "For example “Ceramics @ 15:00, Lindqvist”.",
    create_section: "Create section",
    teacher_will_be: |name| format!("Teacher: {name}"),
    no_teacher_chosen: "No teacher chosen (you can set one later).",
    codes_heading: "Enrolment status codes",
    codes_intro: "The five built-in statuses and the codes defined here. A counsellor picks one \
                  when changing an enrolment's status.",
    define_code: "Define code",
    code_created: |label| format!("Status “{label}” defined."),
    students_heading: "Students",
    students_intro: "Find a student to see their schedule, enrolment history, progress report and \
                     transcript.",
    id_number: |idnumber| format!("ID number {idnumber}"),
    schedule_heading: "Schedule",
    schedule_empty: "Not attending any section now.",
    enrolment_history_heading: "Enrolment history",
    enrolment_history_empty: "No enrolments.",
    back_to_student: "Back to the student",
    progress_heading: "Progress report",
    show_report: "Show",
    progress_empty: "No enrolments by that date.",
    transcript_heading: "Transcript",
    transcript_empty: "No sections on the transcript.",
    withdrawn_on: |label, date| format!("{label}, {date}"),
    earned_of: |earned, possible| format!("{earned} / {possible}"),
};

/// The SIS pages' strings in the console's language.
pub fn sis() -> &'static SisStrings {
    &ENGLISH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decision_has_words() {
        let t = sis();
        for p in [
            SisProblem::Required,
            SisProblem::BadDate,
            SisProblem::EndBeforeStart,
            SisProblem::NothingToChange,
            SisProblem::BadPoints,
            SisProblem::BadWholeNumber,
            SisProblem::NoPerson,
            SisProblem::AboveMaximum,
        ] {
            assert!(!t.problem(p).is_empty());
        }
        for m in [
            CellMode::Enter,
            CellMode::Correct,
            CellMode::FromMoodle,
            CellMode::MoodleItem,
            CellMode::ReadOnly,
        ] {
            assert!(!t.cell_mode(m).is_empty());
        }
        assert_eq!(
            t.status_option("Passed", StatusKind::Completed, true),
            "Passed (completed)"
        );
        assert_eq!(t.container_name("ongoing", "ongoing"), t.ongoing);
        assert_eq!(t.container_name("Fall 2026", "term"), "Fall 2026");
        assert_eq!(
            (t.csv_would)(1, 0, 2),
            "Would create: 1 · already there (matched by name): 0 · rejected: 2"
        );
        assert_eq!((t.csv_save)(1), "Create 1 item");
    }
}
