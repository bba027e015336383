//! Keyboard grid entry in the gradebook (issue 20, `docs/design/028-gradebook-entry.md`): what
//! a typed value means (nothing, not a number, above the maximum and waiting for the teacher's
//! yes, or a grade to save), where Enter, Shift+Enter, Tab and Shift+Tab move, what a cell says
//! about its save, each student's totals with the grades saved in this visit, and who gave a
//! grade. Plain types with native tests; the page only wires them to keys and requests.

use schoolbridge_api::sis::{AssessmentRow, GradeEvent, RecordSource, Totals};
use schoolbridge_api::sis_gradebook::warns_above_maximum;

use super::sis::SisProblem;
use super::sis_grades::{CellMode, Grid, cell_mode, parse_points};

/// What Enter (or Tab) does with the value typed into a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    /// Nothing typed: move on without saving.
    Skip,
    /// Not usable; the cell keeps the text and says why.
    Invalid(SisProblem),
    /// Above the item's maximum and not confirmed yet: warn, save on a second Enter.
    ConfirmAbove(f64),
    /// Save these points (`above_maximum`: the teacher confirmed).
    Save {
        /// The points.
        points: f64,
        /// Confirmed above the maximum.
        above_maximum: bool,
    },
}

/// Decides what to do with `typed` for `item`. `confirmed` is the text the teacher was warned
/// about: Enter on the same text again is the yes.
pub fn entry(item: &AssessmentRow, typed: &str, confirmed: Option<&str>) -> Entry {
    let points = match parse_points(typed) {
        Ok(None) => return Entry::Skip,
        Ok(Some(p)) => p,
        Err(problem) => return Entry::Invalid(problem),
    };
    let above = warns_above_maximum(item, Some(points));
    if above && confirmed.map(str::trim) != Some(typed.trim()) {
        return Entry::ConfirmAbove(points);
    }
    Entry::Save {
        points,
        above_maximum: above,
    }
}

/// A move from a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Enter: the same item's next student.
    Down,
    /// Shift+Enter: the previous student.
    Up,
    /// Tab: the same student's next item that takes grades here.
    Right,
    /// Shift+Tab: the previous such item.
    Left,
}

/// Whether the cell at row `r`, column `c` takes a grade typed here.
pub fn takes_entry(grid: &Grid, r: usize, c: usize) -> bool {
    grid.columns.get(c).is_some_and(|item| {
        r < grid.rows.len()
            && matches!(
                cell_mode(item, grid.cell(r, c), true),
                CellMode::Enter | CellMode::Correct
            )
    })
}

/// Where a move from (`r`, `c`) lands: up and down stay in the column (stopping at its ends);
/// left and right skip items whose grades come from Moodle. `None`: nowhere to go.
pub fn next_cell(grid: &Grid, (r, c): (usize, usize), to: Move) -> Option<(usize, usize)> {
    match to {
        Move::Down => (r + 1 < grid.rows.len()).then_some((r + 1, c)),
        Move::Up => r.checked_sub(1).map(|r| (r, c)),
        Move::Right => (c + 1..grid.columns.len())
            .find(|&c| takes_entry(grid, r, c))
            .map(|c| (r, c)),
        Move::Left => (0..c)
            .rev()
            .find(|&c| takes_entry(grid, r, c))
            .map(|c| (r, c)),
    }
}

/// A cell's save, as the cell and the live region say it.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    /// Sent; no answer yet.
    Saving {
        /// The points sent, as shown.
        text: String,
    },
    /// Recorded.
    Saved {
        /// The points, as shown.
        text: String,
        /// The points.
        points: f64,
    },
    /// Not recorded: why, and the text to retry with.
    Failed {
        /// What was typed.
        typed: String,
        /// Why.
        reason: String,
        /// Confirmed above the maximum when it was sent.
        above_maximum: bool,
    },
    /// Above the maximum: waiting for the teacher's yes (a second Enter).
    Confirm {
        /// What was typed.
        typed: String,
    },
}

impl SaveState {
    /// A stable word for `data-state`.
    pub fn code(&self) -> &'static str {
        match self {
            SaveState::Saving { .. } => "saving",
            SaveState::Saved { .. } => "saved",
            SaveState::Failed { .. } => "failed",
            SaveState::Confirm { .. } => "confirm",
        }
    }
}

/// A student's totals over the grid's items ([`Totals::of`]: extra credit adds to earned only,
/// capped at 100 %; excused and ungraded items count in neither), with `saved(c)` — points saved
/// in this visit — taking the place of the loaded grade of column `c`.
pub fn row_totals(grid: &Grid, r: usize, saved: impl Fn(usize) -> Option<f64>) -> Totals {
    let replaced: Vec<Option<GradeEvent>> = (0..grid.columns.len())
        .map(|c| {
            let loaded = grid.cell(r, c).map(|cell| cell.grade.clone());
            match (saved(c), loaded) {
                (Some(points), Some(mut g)) => {
                    g.points = Some(points);
                    g.excepted = false;
                    Some(g)
                }
                (Some(points), None) => Some(hand_grade(
                    grid.columns[c].id,
                    grid.rows.get(r).map_or(0, |s| s.person.id),
                    points,
                )),
                (None, loaded) => loaded,
            }
        })
        .collect();
    let person = grid.rows.get(r).map_or(0, |s| s.person.id);
    Totals::counted(
        grid.columns.iter().zip(replaced.iter().map(Option::as_ref)),
        grid.counting.for_student(person),
    )
}

/// `points` given by hand on `assessment_id` to `person_id` that the server has not numbered yet
/// (a first attempt, no one named).
pub fn hand_grade(assessment_id: i64, person_id: i64, points: f64) -> GradeEvent {
    GradeEvent::first_attempt(assessment_id, person_id, Some(points))
}

/// Who gave a grade, for its cell's title and its history: the person who entered it, or the
/// Moodle site it came from; `None` when the reader may not know (a student) or nobody is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GivenBy {
    /// Entered in SchoolBridge by this person.
    Person(String),
    /// Sent by Moodle, from this site (its name when the reader may see it).
    Moodle(Option<String>),
    /// Entered here, by someone the reader is not told.
    Unnamed,
}

/// Who gave `grade`.
pub fn given_by(grade: &GradeEvent) -> GivenBy {
    match grade.provenance.source {
        RecordSource::Moodle => GivenBy::Moodle(grade.peer_name.clone()),
        RecordSource::Manual => grade
            .actor_name
            .clone()
            .map_or(GivenBy::Unnamed, GivenBy::Person),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::{EnrolmentRow, GradeCell, Gradebook};

    use crate::model::sis_fixtures;

    fn item(id: i64, origin: RecordSource, pointval: f64, extra: bool) -> AssessmentRow {
        AssessmentRow {
            chapter: 0,
            pointval,
            extra_credit: extra,
            ..sis_fixtures::item(id, origin)
        }
    }

    fn student(id: i64) -> EnrolmentRow {
        EnrolmentRow {
            source: RecordSource::Manual,
            ..sis_fixtures::student(id)
        }
    }

    /// A grade given by Rosa Rivera.
    fn grade(assessment_id: i64, person_id: i64, points: f64, source: RecordSource) -> GradeCell {
        let mut cell = sis_fixtures::grade(assessment_id, person_id, points, source);
        cell.grade.provenance.actor_id = Some(7);
        cell.grade.actor_name = Some("Rosa Rivera".into());
        cell.grade.peer_name = Some("Riverside Moodle".into());
        cell
    }

    /// Columns: a Moodle quiz (10), a manual lab (20), a manual bonus (5, extra credit);
    /// rows: students 1, 2, 3. Student 1 has 8 on the quiz from Moodle and 15 on the lab.
    fn grid() -> Grid {
        Grid::new(Gradebook {
            section: sis_fixtures::section(RecordSource::Manual, 3),
            assessments: vec![
                item(1, RecordSource::Moodle, 10.0, false),
                item(2, RecordSource::Manual, 20.0, false),
                item(3, RecordSource::Manual, 5.0, true),
            ],
            students: vec![student(1), student(2), student(3)],
            cells: vec![
                grade(1, 1, 8.0, RecordSource::Moodle),
                grade(2, 1, 15.0, RecordSource::Manual),
            ],
            rescales: Vec::new(),
            counting: Default::default(),
        })
    }

    #[test]
    fn a_typed_value_is_skipped_refused_questioned_or_saved() {
        let lab = item(2, RecordSource::Manual, 20.0, false);
        assert_eq!(entry(&lab, "  ", None), Entry::Skip);
        assert_eq!(
            entry(&lab, "1x", None),
            Entry::Invalid(SisProblem::BadPoints)
        );
        assert_eq!(
            entry(&lab, "18.5", None),
            Entry::Save {
                points: 18.5,
                above_maximum: false
            }
        );
        // 25 of 20: a warning first; Enter again on the same text saves it as confirmed.
        assert_eq!(entry(&lab, "25", None), Entry::ConfirmAbove(25.0));
        assert_eq!(entry(&lab, "26", Some("25")), Entry::ConfirmAbove(26.0));
        assert_eq!(
            entry(&lab, "25", Some("25")),
            Entry::Save {
                points: 25.0,
                above_maximum: true
            }
        );
        // Extra credit never warns.
        let bonus = item(3, RecordSource::Manual, 5.0, true);
        assert_eq!(
            entry(&bonus, "9", None),
            Entry::Save {
                points: 9.0,
                above_maximum: false
            }
        );
    }

    #[test]
    fn enter_goes_down_the_column_and_tab_to_the_next_item_taking_grades() {
        let g = grid();
        assert_eq!(next_cell(&g, (0, 1), Move::Down), Some((1, 1)));
        assert_eq!(next_cell(&g, (2, 1), Move::Down), None);
        assert_eq!(next_cell(&g, (1, 1), Move::Up), Some((0, 1)));
        assert_eq!(next_cell(&g, (0, 1), Move::Up), None);
        assert_eq!(next_cell(&g, (0, 1), Move::Right), Some((0, 2)));
        assert_eq!(next_cell(&g, (0, 2), Move::Right), None);
        // Left of the lab is Moodle's quiz: not a place to type.
        assert_eq!(next_cell(&g, (0, 1), Move::Left), None);
        assert_eq!(next_cell(&g, (0, 2), Move::Left), Some((0, 1)));
        assert!(!takes_entry(&g, 0, 0) && takes_entry(&g, 0, 1) && takes_entry(&g, 2, 2));
    }

    #[test]
    fn totals_follow_the_grades_saved_in_this_visit() {
        let g = grid();
        // Student 1: 8/10 + 15/20 = 23 of 30.
        let t = row_totals(&g, 0, |_| None);
        assert_eq!((t.earned, t.possible), (23.0, 30.0));
        // Saving 19 on the lab and 5 extra: 8 + 19 + 5 = 32, capped at 30 (100 %).
        let t = row_totals(&g, 0, |c| [None, Some(19.0), Some(5.0)][c]);
        assert_eq!((t.earned, t.possible, t.percent), (30.0, 30.0, Some(100.0)));
        // Student 2 had nothing; a saved 10 on the lab: 10 of 20.
        let t = row_totals(&g, 1, |c| (c == 1).then_some(10.0));
        assert_eq!((t.earned, t.possible, t.percent), (10.0, 20.0, Some(50.0)));
        assert_eq!(row_totals(&g, 2, |_| None).percent, None);
    }

    #[test]
    fn totals_follow_the_schools_rules_and_letters() {
        let mut g = grid();
        g.counting.scale = schoolbridge_api::school::SchoolSettings::default().scale;
        // 23 of 30 is 76.7 %: a C on the default scale.
        let t = row_totals(&g, 0, |_| None);
        assert_eq!(t.percent.and_then(|p| g.counting.letter(p)), Some("C"));
        // A school that lets extra credit pass 100 %: 8 + 19 + 5 = 32 of 30.
        g.counting.allow_over_100 = true;
        let t = row_totals(&g, 0, |c| [None, Some(19.0), Some(5.0)][c]);
        assert_eq!((t.earned, t.possible), (32.0, 30.0));
        // On the honours track, items required of regular students only do not count.
        g.counting.honors = vec![1];
        assert_eq!(row_totals(&g, 0, |_| None).possible, 0.0);
        assert_eq!(
            row_totals(&g, 1, |c| (c == 1).then_some(10.0)).possible,
            20.0
        );
    }

    #[test]
    fn a_grade_names_who_gave_it() {
        let g = grid();
        let manual = &g.cell(0, 1).unwrap().grade;
        assert_eq!(given_by(manual), GivenBy::Person("Rosa Rivera".into()));
        let moodle = &g.cell(0, 0).unwrap().grade;
        assert_eq!(
            given_by(moodle),
            GivenBy::Moodle(Some("Riverside Moodle".into()))
        );
        let mut hidden = manual.clone();
        hidden.actor_name = None;
        assert_eq!(given_by(&hidden), GivenBy::Unnamed);
        assert_eq!(SaveState::Confirm { typed: "25".into() }.code(), "confirm");
    }
}
