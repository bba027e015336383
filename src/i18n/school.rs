//! The words of the school settings page and of what the settings add to the reports: the
//! official transcript header, terms, final grades, credits and GPA, a section's progress
//! report, and Moodle's course total beside SchoolBridge's (issue 20).

use schoolbridge_api::school::TranscriptTotal;

use crate::model::school::SettingsProblem;

/// The texts in one language.
pub struct SchoolStrings {
    pub nav_settings: &'static str,
    pub settings_heading: &'static str,
    pub settings_intro: &'static str,
    pub read_only: &'static str,
    pub school_heading: &'static str,
    pub field_school_name: &'static str,
    pub field_address: &'static str,
    pub address_hint: &'static str,
    pub field_time_zone: &'static str,
    pub time_zone_hint: &'static str,
    pub scale_heading: &'static str,
    pub scale_intro: &'static str,
    pub field_letter: fn(n: usize) -> String,
    pub field_min_percent: fn(n: usize) -> String,
    pub field_gpa_points: fn(n: usize) -> String,
    pub add_letter: &'static str,
    pub remove_letter: fn(letter: &str) -> String,
    pub field_allow_over_100: &'static str,
    pub allow_over_100_hint: &'static str,
    pub field_transcript_total: &'static str,
    pub total_schoolbridge: &'static str,
    pub total_moodle: &'static str,
    pub field_default_credits: &'static str,
    pub save_settings: &'static str,
    pub settings_saved: &'static str,
    pub terms_heading: &'static str,
    pub terms_intro: &'static str,
    pub field_term_name: &'static str,
    pub field_first_day: &'static str,
    pub field_last_day: &'static str,
    pub add_term: &'static str,
    pub no_terms: &'static str,
    pub remove_term: fn(name: &str) -> String,
    pub credits_heading: &'static str,
    pub credits_intro: &'static str,
    pub field_course_credits: fn(course: &str) -> String,
    pub save_credits: fn(course: &str) -> String,
    pub no_courses: &'static str,
    pub col_letter: &'static str,
    pub col_grade: &'static str,
    /// The name of a term's table, a region that scrolls sideways on a narrow screen.
    pub term_table: fn(term: &str) -> String,
    pub col_credits: &'static str,
    pub col_attempted: &'static str,
    pub col_earned: &'static str,
    pub col_moodle_total: &'static str,
    pub col_ours: &'static str,
    pub col_honours: &'static str,
    pub counts_mark: &'static str,
    pub counts_for_transcript: fn(which: TranscriptTotal) -> &'static str,
    pub moodle_total_row: &'static str,
    pub gpa: &'static str,
    pub term_summary: fn(attempted: &str, earned: &str, gpa: &str) -> String,
    pub cumulative_heading: &'static str,
    pub transcript_official: &'static str,
    pub student_name: &'static str,
    pub student_number: &'static str,
    pub printed_on: &'static str,
    pub signature: &'static str,
    pub signature_date: &'static str,
    pub no_school_name: &'static str,
    pub section_progress_heading: &'static str,
    pub open_section_progress: &'static str,
    pub section_report_for: fn(section: &str, day: &str, zone: &str) -> String,
    pub report_as_of: fn(student: &str, day: &str, zone: &str) -> String,
    pub no_students: &'static str,
    pub honours_track: &'static str,
    pub honours_saved: &'static str,
}

impl SchoolStrings {
    /// A settings form's problem.
    pub fn problem(&self, p: SettingsProblem) -> &'static str {
        match p {
            SettingsProblem::BadNumber => "Enter numbers with a “.” for decimals, e.g. 87.5.",
            SettingsProblem::NoTimeZone => "Choose a time zone, e.g. UTC or America/New_York.",
            SettingsProblem::BadScale => {
                "Each letter needs a minimum lower than the letter above it, and the last one \
                 must start at 0."
            }
            SettingsProblem::BadDays => {
                "Give the first and last day as dates, the first one first."
            }
            SettingsProblem::NoName => "Give the term a name.",
        }
    }
}

/// English.
pub static ENGLISH: SchoolStrings = SchoolStrings {
    nav_settings: "School settings",
    settings_heading: "School settings",
    settings_intro: "What the transcript's header prints, the time zone every report's days are \
                     read in, how percents become letters and grade points, the terms, and each \
                     course's credits.",
    read_only: "Only counsellors and administrators change these settings.",
    school_heading: "The school",
    field_school_name: "School name",
    field_address: "Address",
    address_hint: "As it is printed on a transcript, one line per line.",
    field_time_zone: "Time zone",
    time_zone_hint: "An IANA name such as America/New_York, Europe/London or UTC. Reports “as of \
                     a day” count everything up to midnight at the end of that day here.",
    scale_heading: "Grading scale",
    scale_intro: "Highest letter first. A percent at or above a letter's minimum (and below the \
                  one above) earns that letter and its grade points. The last letter starts at 0.",
    field_letter: |n| format!("Letter {n}"),
    field_min_percent: |n| format!("Minimum percent of letter {n}"),
    field_gpa_points: |n| format!("Grade points of letter {n}"),
    add_letter: "Add a letter",
    remove_letter: |letter| format!("Remove letter {letter}"),
    field_allow_over_100: "Extra credit may take a percent above 100",
    allow_over_100_hint: "Off: extra credit makes up for lost points but a total stops at 100 %.",
    field_transcript_total: "The transcript's grade comes from",
    total_schoolbridge: "SchoolBridge's total",
    total_moodle: "Moodle's course total (when the section has one)",
    field_default_credits: "Credits of a course (unless it has its own)",
    save_settings: "Save settings",
    settings_saved: "Settings saved.",
    terms_heading: "Terms",
    terms_intro: "Marking periods, as days in the school's time zone. A section belongs to the \
                  term its first student enrolment falls in; terms may not overlap.",
    field_term_name: "Term name",
    field_first_day: "First day",
    field_last_day: "Last day",
    add_term: "Add term",
    no_terms: "No terms yet: transcripts list every section under “No term”.",
    remove_term: |name| format!("Remove term {name}"),
    credits_heading: "Credits per course",
    credits_intro: "Leave a course empty to give it the school's default. A section in no \
                    course counts the default.",
    field_course_credits: |course| format!("Credits of {course}"),
    save_credits: |course| format!("Save credits of {course}"),
    no_courses: "No courses yet (Manual records).",
    col_letter: "Letter",
    col_grade: "Grade",
    term_table: |term| format!("Sections of {term}"),
    col_credits: "Credits",
    col_attempted: "Attempted",
    col_earned: "Earned",
    col_moodle_total: "Moodle's total",
    col_ours: "SchoolBridge total",
    col_honours: "Honours",
    counts_mark: "counts",
    counts_for_transcript: |which| match which {
        TranscriptTotal::Schoolbridge => "The transcript uses SchoolBridge's total.",
        TranscriptTotal::Moodle => {
            "The transcript uses Moodle's course total where a section has one."
        }
    },
    moodle_total_row: "Moodle's course total",
    gpa: "GPA",
    term_summary: |attempted, earned, gpa| {
        format!("Credits attempted {attempted} · earned {earned} · GPA {gpa}")
    },
    cumulative_heading: "Cumulative",
    transcript_official: "Official transcript",
    student_name: "Student",
    student_number: "Student number",
    printed_on: "Date printed",
    signature: "Registrar's signature",
    signature_date: "Date",
    no_school_name: "(school name not set: School settings)",
    section_progress_heading: "Section progress report",
    open_section_progress: "Progress report",
    section_report_for: |section, day, zone| format!("{section}, as of {day} (end of day, {zone})"),
    report_as_of: |student, day, zone| format!("{student}, as of {day} (end of day, {zone})"),
    no_students: "No students were enrolled by that day.",
    honours_track: "Honours track",
    honours_saved: "Track saved.",
};

/// The texts in the console's language.
pub fn school() -> &'static SchoolStrings {
    &ENGLISH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_words() {
        let t = school();
        for p in [
            SettingsProblem::BadNumber,
            SettingsProblem::NoTimeZone,
            SettingsProblem::BadScale,
            SettingsProblem::BadDays,
            SettingsProblem::NoName,
        ] {
            assert!(!t.problem(p).is_empty());
        }
        assert_eq!((t.field_letter)(2), "Letter 2");
    }
}
