//! The words of the gradebook's issue 20 pieces (`docs/console.md`, gradebook): totals, keyboard
//! grid entry and its save states, who gave a grade, the grade import from a spreadsheet with
//! its per-line outcomes and errors, and the rescale question.

use schoolbridge_api::sis_gradebook::ImportProblem;

use crate::model::sis_grid_entry::GivenBy;

/// The gradebook's added texts in one language.
pub struct GradebookStrings {
    // Totals.
    pub col_total: &'static str,
    pub total_of: fn(earned: &str, possible: &str, percent: &str) -> String,
    /// A student's total with its letter on the school's scale.
    pub total_with_letter: fn(earned: &str, possible: &str, percent: &str, letter: &str) -> String,
    pub no_total: &'static str,
    // Grid entry.
    pub grid_hint: &'static str,
    pub cell_input_label: fn(student: &str, item: &str) -> String,
    pub saving: &'static str,
    pub saved: &'static str,
    pub failed: fn(reason: &str) -> String,
    pub retry: &'static str,
    pub confirm_above: fn(points: &str, maximum: &str) -> String,
    pub announce_saved: fn(points: &str, student: &str, item: &str) -> String,
    pub announce_failed: fn(student: &str, item: &str, reason: &str) -> String,
    pub announce_confirm: fn(points: &str, maximum: &str) -> String,
    // Who gave a grade.
    pub entered_by: fn(name: &str, when: &str) -> String,
    pub entered_unnamed: fn(when: &str) -> String,
    pub from_moodle_site: fn(site: &str, when: &str) -> String,
    pub from_moodle_unnamed: fn(when: &str) -> String,
    pub col_given_by: &'static str,
    // Import.
    pub import_heading: &'static str,
    pub import_intro: &'static str,
    pub import_template: &'static str,
    pub field_import_file: &'static str,
    pub field_import_text: &'static str,
    pub import_preview: &'static str,
    pub import_would: fn(new: usize, changed: usize, unchanged: usize, errors: usize) -> String,
    pub import_blocked: fn(errors: usize) -> String,
    pub import_apply: fn(grades: usize) -> String,
    pub import_done: fn(new: usize, changed: usize) -> String,
    pub col_line: &'static str,
    pub col_student: &'static str,
    pub col_item: &'static str,
    pub col_points: &'static str,
    pub col_outcome: &'static str,
    pub outcome_new: &'static str,
    pub outcome_change: fn(from: &str, to: &str) -> String,
    pub outcome_change_from_excused: fn(to: &str) -> String,
    pub outcome_unchanged: &'static str,
    // Rescale.
    pub rescale_heading: fn(item: &str) -> String,
    pub rescale_text: fn(old: &str, new: &str) -> String,
    pub keep_points: fn(old: &str) -> String,
    pub rescale_to: fn(new: &str) -> String,
    pub rescale_mark: fn(old: &str, new: &str) -> String,
}

impl GradebookStrings {
    /// Why an import line cannot be used.
    pub fn problem(&self, p: ImportProblem) -> &'static str {
        match p {
            ImportProblem::UnknownStudent => {
                "No student of this section has that ID number or username."
            }
            ImportProblem::UnknownItem => "This section has no grade item of that name.",
            ImportProblem::MoodleItem => "This item comes from Moodle: give its grades in Moodle.",
            ImportProblem::FromMoodle => "This grade came from Moodle: change it in Moodle.",
            ImportProblem::Missing => "The student, the item or the points are missing.",
            ImportProblem::NotANumber => {
                "The points are not a number (0 or more, at most two decimals)."
            }
            ImportProblem::OverMaximum => "More points than the item's maximum.",
            ImportProblem::Duplicate => "The same student and item as an earlier line.",
            ImportProblem::NoteTooLong => "The note is too long.",
        }
    }

    /// Who gave a grade, and when.
    pub fn given_by(&self, by: &GivenBy, when: &str) -> String {
        match by {
            GivenBy::Person(name) => (self.entered_by)(name, when),
            GivenBy::Unnamed => (self.entered_unnamed)(when),
            GivenBy::Moodle(Some(site)) => (self.from_moodle_site)(site, when),
            GivenBy::Moodle(None) => (self.from_moodle_unnamed)(when),
        }
    }
}

static ENGLISH: GradebookStrings = GradebookStrings {
    col_total: "Total",
    total_of: |earned, possible, percent| format!("{earned} / {possible} · {percent}"),
    total_with_letter: |earned, possible, percent, letter| {
        format!("{earned} / {possible} · {percent} · {letter}")
    },
    no_total: "–",
    grid_hint: " On an item made here, type a grade in a cell: Enter saves it and goes to the \
                next student, Shift+Enter to the previous one, Tab to the next item, Escape \
                cancels.",
    cell_input_label: |student, item| format!("Points for {student}, {item}"),
    saving: "Saving…",
    saved: "Saved",
    failed: |reason| format!("Not saved: {reason}"),
    retry: "Retry",
    confirm_above: |points, maximum| {
        format!(
            "{points} is above the maximum of {maximum}. Press Enter again to save it, or \
             Escape to change it."
        )
    },
    announce_saved: |points, student, item| format!("Saved {points} for {student}, {item}."),
    announce_failed: |student, item, reason| format!("Not saved for {student}, {item}: {reason}"),
    announce_confirm: |points, maximum| {
        format!("{points} is above the maximum of {maximum}. Press Enter again to save it.")
    },
    entered_by: |name, when| format!("entered by {name}, {when}"),
    entered_unnamed: |when| format!("entered here, {when}"),
    from_moodle_site: |site, when| format!("from Moodle ({site}), {when}"),
    from_moodle_unnamed: |when| format!("from Moodle, {when}"),
    col_given_by: "Given by",
    import_heading: "Grades from a spreadsheet",
    import_intro: "Columns: student (ID number or username), item (its name as shown above), \
                   points, and an optional note. You see every line's outcome first; nothing is \
                   saved until you confirm, and a file with any error saves nothing.",
    import_template: "Download the grades template",
    field_import_file: "Grades file (CSV)",
    field_import_text: "Or paste the grades",
    import_preview: "Preview grades",
    import_would: |new, changed, unchanged, errors| {
        format!(
            "New grades: {new}. Changed: {changed}. Unchanged: {unchanged}. Lines with an error: {errors}."
        )
    },
    import_blocked: |errors| {
        format!(
            "Fix the {errors} line(s) with an error and preview again: nothing is saved while \
             any line has one."
        )
    },
    import_apply: |grades| format!("Save {grades} grade(s)"),
    import_done: |new, changed| format!("Saved. New grades: {new}. Changed: {changed}."),
    col_line: "Line",
    col_student: "Student",
    col_item: "Item",
    col_points: "Points",
    col_outcome: "Outcome",
    outcome_new: "New grade",
    outcome_change: |from, to| format!("Change from {from} to {to}"),
    outcome_change_from_excused: |to| format!("Change from excused to {to}"),
    outcome_unchanged: "Unchanged",
    rescale_heading: |item| format!("“{item}”: Moodle changed the maximum"),
    rescale_text: |old, new| {
        format!(
            "Moodle now sends this item out of {new} points; the grades entered here were given \
             out of {old}. Keep their points as they are, or rescale each one to {new} (the old \
             values stay in each grade's history)."
        )
    },
    keep_points: |old| format!("Keep the points (out of {old})"),
    rescale_to: |new| format!("Rescale to {new}"),
    rescale_mark: |old, new| format!("maximum changed: {old} → {new}"),
};

/// The gradebook's added strings in the console's language.
pub fn gradebook() -> &'static GradebookStrings {
    &ENGLISH
}
