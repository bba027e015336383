//! The gradebook's decisions (`docs/design/010-sis-console.md`): points as people read and type
//! them (integer arithmetic: float formatting would add its tables to the wasm), the grid of
//! assessments × students with constant-time cell lookup, what a cell lets this person do
//! (enter, correct, or read a grade that came from Moodle), the checks on a manual grade and a
//! manual grade item, and the counts of a spreadsheet preview.

use schoolbridge_api::sis::{
    AssessmentRow, BatchLine, EnrolmentRow, GradeCell, GradeEvent, GradeRequest, Gradebook,
    GradebookCounting, LineResult, NewAssessmentRequest, PendingRescale, RecordSource,
    SectionSummary,
};

use super::sis::SisProblem;

/// Points as people read them: at most two decimals, no trailing zeros ("17", "21.5", "0.25").
pub fn points(value: f64) -> String {
    let hundredths = (value * 100.0).round() as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    let (whole, frac) = (h / 100, h % 100);
    if frac == 0 {
        format!("{sign}{whole}")
    } else if frac % 10 == 0 {
        format!("{sign}{whole}.{}", frac / 10)
    } else {
        format!("{sign}{whole}.{frac:02}")
    }
}

/// An item's chapter, when it has one: Moodle's section 0 (the course's general section) and a
/// manual item given none are not chapters, and "Ch. 0" means nothing to anyone.
pub fn chapter_number(chapter: i64) -> Option<i64> {
    (chapter > 0).then_some(chapter)
}

/// A chapter for a table cell: its number, or `none` ("–").
pub fn chapter(chapter: i64, none: &str) -> String {
    chapter_number(chapter).map_or_else(|| none.to_owned(), |n| n.to_string())
}

/// A percentage with one decimal ("88.5 %"); "–" when nothing could be earned.
pub fn percent(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(p) => {
            let tenths = (p * 10.0).round() as i64;
            let sign = if tenths < 0 { "-" } else { "" };
            let t = tenths.unsigned_abs();
            format!("{sign}{}.{} %", t / 10, t % 10)
        }
    }
}

/// Reads points typed by a person: digits, optionally a decimal point (or comma) and at most two
/// decimals; no sign. Empty text is `None`.
pub fn parse_points(text: &str) -> Result<Option<f64>, SisProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (whole, frac) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty())
        || !digits(whole)
        || !digits(frac)
        || frac.len() > 2
        || whole.len() > 9
    {
        return Err(SisProblem::BadPoints);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| SisProblem::BadPoints)?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| SisProblem::BadPoints)? * 10,
        _ => frac.parse().map_err(|_| SisProblem::BadPoints)?,
    };
    Ok(Some((whole * 100 + frac) as f64 / 100.0))
}

/// A gradebook laid out for display: columns, rows, and every cell found in constant time (a
/// 40 × 60 book has 2,400 cells; a linear search per cell would be quadratic).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The section.
    pub section: SectionSummary,
    /// Assessments, in the server's order (chapter, then name).
    pub columns: Vec<AssessmentRow>,
    /// Students, any status, by family then given name.
    pub rows: Vec<EnrolmentRow>,
    /// Items whose maximum changed under manual grades (design 026 §6), with the old maximum.
    pub rescales: Vec<PendingRescale>,
    /// How totals are counted and lettered (school settings, honours tracks).
    pub counting: GradebookCounting,
    cells: Vec<Option<GradeCell>>,
}

impl Grid {
    /// Lays out `book`.
    pub fn new(book: Gradebook) -> Self {
        let Gradebook {
            section,
            assessments,
            students,
            cells,
            rescales,
            counting,
        } = book;
        // Moodle's course total stands last, beside SchoolBridge's own total.
        let mut assessments = assessments;
        assessments.sort_by_key(AssessmentRow::is_course_total);
        let mut column_of: Vec<(i64, usize)> = assessments
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect();
        column_of.sort_unstable();
        let mut row_of: Vec<(i64, usize)> = students
            .iter()
            .enumerate()
            .map(|(i, s)| (s.person.id, i))
            .collect();
        row_of.sort_unstable();
        let find = |index: &[(i64, usize)], id: i64| {
            index
                .binary_search_by_key(&id, |(k, _)| *k)
                .ok()
                .map(|at| index[at].1)
        };
        let width = assessments.len();
        let mut grid = vec![None; width * students.len()];
        for cell in cells {
            if let (Some(c), Some(r)) = (
                find(&column_of, cell.grade.assessment_id),
                find(&row_of, cell.grade.person_id),
            ) {
                grid[r * width + c] = Some(cell);
            }
        }
        Grid {
            section,
            columns: assessments,
            rows: students,
            cells: grid,
            rescales,
            counting,
        }
    }

    /// The cell of row `r`, column `c`.
    pub fn cell(&self, r: usize, c: usize) -> Option<&GradeCell> {
        if c >= self.columns.len() {
            return None;
        }
        self.cells.get(r * self.columns.len() + c)?.as_ref()
    }

    /// The former maximum of an item whose rescale question is open.
    pub fn rescale_from(&self, assessment_id: i64) -> Option<f64> {
        self.rescales
            .iter()
            .find(|r| r.assessment_id == assessment_id)
            .map(|r| r.old_max)
    }

    /// Row and column of a (person, assessment), if both are in the book.
    pub fn position(&self, person_id: i64, assessment_id: i64) -> Option<(usize, usize)> {
        let r = self.rows.iter().position(|s| s.person.id == person_id)?;
        let c = self.columns.iter().position(|a| a.id == assessment_id)?;
        Some((r, c))
    }
}

/// What a cell lets the person do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellMode {
    /// A manual item without a grade for this student yet: enter one.
    Enter,
    /// A manual grade: correct it (the old value stays in the history).
    Correct,
    /// The current grade came from Moodle: read-only here (correct it in Moodle).
    FromMoodle,
    /// An item Moodle sends: its grades come from Moodle only.
    MoodleItem,
    /// The person may read but not grade.
    ReadOnly,
}

impl CellMode {
    /// Whether the grade form is offered.
    pub fn takes_input(self) -> bool {
        matches!(self, CellMode::Enter | CellMode::Correct)
    }
}

/// Decides a cell's mode: manual items take manual grades, unless the current grade came from
/// Moodle (a linked item, scenario 6); Moodle items are read-only.
pub fn cell_mode(item: &AssessmentRow, cell: Option<&GradeCell>, can_grade: bool) -> CellMode {
    if !can_grade {
        return CellMode::ReadOnly;
    }
    if !item.takes_manual_grades() {
        return CellMode::MoodleItem;
    }
    match cell {
        None => CellMode::Enter,
        Some(c) if c.editable => CellMode::Correct,
        Some(_) => CellMode::FromMoodle,
    }
}

/// What a cell shows: the points, "exc." for an excepted grade, nothing when ungraded; and its
/// source (for the mark beside it).
pub fn cell_text(cell: Option<&GradeCell>, excepted_word: &str) -> (String, Option<RecordSource>) {
    match cell {
        None => (String::new(), None),
        Some(c) if c.grade.excepted => (excepted_word.to_owned(), Some(c.grade.provenance.source)),
        Some(c) => (
            c.grade.points.map(points).unwrap_or_default(),
            Some(c.grade.provenance.source),
        ),
    }
}

/// A manual grade for `item`, checked: points are required unless the grade is excepted, and
/// more than the item's maximum only with "give points above the maximum" ticked; a date, when
/// given, is the day it was given (`model::sis::effective_day`; `since` is when the cell's current
/// grade took effect).
pub fn grade_request(
    item: &AssessmentRow,
    person_id: i64,
    form: &GradeForm,
    since: Option<i64>,
) -> Result<GradeRequest, SisProblem> {
    let GradeForm {
        points: points_text,
        excepted,
        note,
        date,
        above_maximum,
    } = form;
    let (assessment_id, excepted, above_maximum) = (item.id, *excepted, *above_maximum);
    let points = parse_points(points_text)?;
    if points.is_none() && !excepted {
        return Err(SisProblem::Required);
    }
    // More than the maximum is said, not taken silently (issue 16); bonus marks need a yes.
    if schoolbridge_api::rules::points_above_maximum(points, item.pointval) && !above_maximum {
        return Err(SisProblem::AboveMaximum);
    }
    Ok(GradeRequest {
        assessment_id,
        person_id,
        points,
        excepted,
        note: Some(note.trim())
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        effective_at: crate::model::sis::effective_day(date, since)?,
        above_maximum: above_maximum && points.is_some_and(|p| p > item.pointval),
    })
}

/// What a teacher typed into the grade form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradeForm {
    /// Points as typed.
    pub points: String,
    /// Excused.
    pub excepted: bool,
    /// Why (kept in the history).
    pub note: String,
    /// The day it was given ("" = now).
    pub date: String,
    /// "Give points above the maximum" is ticked.
    pub above_maximum: bool,
}

/// When a cell's current grade took effect: its highest-ranked event (attempt, time, arrival).
pub fn current_grade_since(history: &[GradeEvent]) -> Option<i64> {
    history
        .iter()
        .max_by_key(|e| e.rank())
        .map(|e| e.provenance.effective_at)
}

/// A manual grade item, checked: a name, points, and a chapter that is a whole number (empty = 0).
pub fn assessment_request(
    name: &str,
    points_text: &str,
    chapter: &str,
    flags: (bool, bool, bool),
) -> Result<NewAssessmentRequest, (ItemField, SisProblem)> {
    let name = name.trim();
    if name.is_empty() {
        return Err((ItemField::Name, SisProblem::Required));
    }
    let pointval = parse_points(points_text)
        .map_err(|p| (ItemField::Points, p))?
        .ok_or((ItemField::Points, SisProblem::Required))?;
    let chapter = match chapter.trim() {
        "" => 0,
        text => text
            .parse::<u32>()
            .map(i64::from)
            .map_err(|_| (ItemField::Chapter, SisProblem::BadWholeNumber))?,
    };
    let (extra_credit, honors_required, nonhonors_required) = flags;
    Ok(NewAssessmentRequest {
        name: name.to_owned(),
        pointval,
        chapter,
        honors_required,
        nonhonors_required,
        extra_credit,
    })
}

/// The fields of the manual grade item form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemField {
    /// Name.
    Name,
    /// Maximum points.
    Points,
    /// Chapter.
    Chapter,
}

/// How many lines of a spreadsheet would be (or were) created, matched by name, rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// New items.
    pub created: usize,
    /// Items of that name that already exist (nothing created).
    pub matched: usize,
    /// Lines that cannot be used.
    pub rejected: usize,
}

impl BatchCounts {
    /// Counts the lines of a preview or of a saved upload.
    pub fn of(lines: &[BatchLine]) -> Self {
        let mut c = BatchCounts::default();
        for l in lines {
            match l.result {
                LineResult::Created { .. } => c.created += 1,
                LineResult::MatchedByName { .. } => c.matched += 1,
                LineResult::Rejected { .. } => c.rejected += 1,
            }
        }
        c
    }

    /// Whether saving would create anything.
    pub fn can_save(&self) -> bool {
        self.created > 0
    }
}

/// A line's outcome as a stable word for `data-outcome`.
pub fn outcome_code(result: &LineResult) -> &'static str {
    match result {
        LineResult::Created { .. } => "created",
        LineResult::MatchedByName { .. } => "matched",
        LineResult::Rejected { .. } => "rejected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::sis_fixtures::{grade as cell, item, student};

    fn section() -> SectionSummary {
        crate::model::sis_fixtures::section(RecordSource::Moodle, 2)
    }

    #[test]
    fn points_read_as_people_write_them() {
        assert_eq!(points(17.0), "17");
        assert_eq!(points(21.5), "21.5");
        assert_eq!(points(0.25), "0.25");
        assert_eq!(points(88.499_999), "88.5");
        assert_eq!(points(-2.0), "-2");
        assert_eq!(percent(Some(88.54)), "88.5 %");
        assert_eq!(percent(Some(100.0)), "100.0 %");
        assert_eq!(percent(None), "–");
    }

    #[test]
    fn an_item_without_a_chapter_shows_none() {
        assert_eq!(chapter_number(0), None);
        assert_eq!(chapter_number(3), Some(3));
        assert_eq!(chapter(0, "–"), "–");
        assert_eq!(chapter(2, "–"), "2");
        let words = crate::i18n::sis();
        assert_eq!((words.chapter_points)(chapter_number(0), "10"), "10 pts");
        assert_eq!(
            (words.chapter_points)(chapter_number(2), "10"),
            "Ch. 2 · 10 pts"
        );
    }

    #[test]
    fn typed_points_are_read_strictly() {
        assert_eq!(parse_points(" 17 "), Ok(Some(17.0)));
        assert_eq!(parse_points("21.5"), Ok(Some(21.5)));
        assert_eq!(parse_points("21,50"), Ok(Some(21.5)));
        assert_eq!(parse_points(".5"), Ok(Some(0.5)));
        assert_eq!(parse_points(""), Ok(None));
        for bad in ["-1", "1.234", "abc", "1e3", ".", "1.2.3", "9999999999"] {
            assert_eq!(parse_points(bad), Err(SisProblem::BadPoints), "{bad}");
        }
    }

    #[test]
    fn the_grid_finds_every_cell_and_ignores_strays() {
        let book = Gradebook {
            section: section(),
            assessments: vec![item(5, RecordSource::Moodle), item(3, RecordSource::Manual)],
            students: vec![student(20), student(10)],
            cells: vec![
                cell(3, 10, 7.0, RecordSource::Manual),
                cell(5, 20, 9.5, RecordSource::Moodle),
                // A cell of an item that is not in the book (hidden) is left out.
                cell(99, 10, 1.0, RecordSource::Moodle),
            ],
            rescales: Vec::new(),
            counting: Default::default(),
        };
        let grid = Grid::new(book);
        assert_eq!(grid.cell(0, 0).map(|c| c.grade.points), Some(Some(9.5)));
        assert_eq!(grid.cell(1, 1).map(|c| c.grade.points), Some(Some(7.0)));
        assert!(grid.cell(0, 1).is_none() && grid.cell(1, 0).is_none());
        assert!(grid.cell(0, 2).is_none() && grid.cell(2, 0).is_none());
        assert_eq!(grid.position(10, 3), Some((1, 1)));
        assert_eq!(grid.position(10, 99), None);
    }

    #[test]
    fn moodles_course_total_stands_last_beside_our_total() {
        let mut total = item(1, RecordSource::Moodle);
        total.kind = schoolbridge_api::sis::ItemKind::CourseTotal;
        let book = Gradebook {
            section: section(),
            assessments: vec![
                total,
                item(5, RecordSource::Moodle),
                item(3, RecordSource::Manual),
            ],
            students: vec![student(10)],
            cells: vec![cell(1, 10, 93.0, RecordSource::Moodle)],
            rescales: Vec::new(),
            counting: Default::default(),
        };
        let grid = Grid::new(book);
        let order: Vec<i64> = grid.columns.iter().map(|a| a.id).collect();
        assert_eq!(order, [5, 3, 1]);
        assert_eq!(grid.cell(0, 2).map(|c| c.grade.points), Some(Some(93.0)));
    }

    #[test]
    fn moodle_grades_are_read_only_and_manual_ones_can_be_corrected() {
        let manual = item(1, RecordSource::Manual);
        let moodle = item(2, RecordSource::Moodle);
        let hand = cell(1, 1, 5.0, RecordSource::Manual);
        let linked = cell(1, 1, 5.0, RecordSource::Moodle);
        assert_eq!(cell_mode(&manual, None, true), CellMode::Enter);
        assert_eq!(cell_mode(&manual, Some(&hand), true), CellMode::Correct);
        assert_eq!(
            cell_mode(&manual, Some(&linked), true),
            CellMode::FromMoodle
        );
        assert_eq!(cell_mode(&moodle, None, true), CellMode::MoodleItem);
        assert_eq!(cell_mode(&manual, None, false), CellMode::ReadOnly);
        assert!(CellMode::Enter.takes_input() && !CellMode::FromMoodle.takes_input());
        assert_eq!(
            cell_text(Some(&hand), "exc."),
            ("5".into(), Some(RecordSource::Manual))
        );
        let mut excepted = hand.clone();
        excepted.grade.excepted = true;
        assert_eq!(cell_text(Some(&excepted), "exc.").0, "exc.");
        assert_eq!(cell_text(None, "exc."), (String::new(), None));
    }

    #[test]
    fn grades_and_items_are_checked_before_they_are_sent() {
        let mut lab = item(1, RecordSource::Manual);
        lab.pointval = 20.0;
        let grade = |points: &str, excepted: bool, note: &str, date: &str| GradeForm {
            points: points.into(),
            excepted,
            note: note.into(),
            date: date.into(),
            above_maximum: false,
        };
        let request = |form: GradeForm, since| grade_request(&lab, 2, &form, since);
        assert_eq!(
            request(grade("", false, "", ""), None),
            Err(SisProblem::Required)
        );
        let excused = request(grade("", true, " sick ", ""), None).unwrap();
        assert_eq!(
            (excused.points, excused.note.as_deref()),
            (None, Some("sick"))
        );
        assert_eq!(
            request(grade("12.5", false, "", ""), None).unwrap().points,
            Some(12.5)
        );
        // Typed on Monday for Friday's test; a correction on the grade's own day follows it.
        let friday = request(grade("9", false, "", "2026-10-02"), None).unwrap();
        assert_eq!(friday.effective_at, Some(1_790_899_200));
        let given_at = 1_790_899_200 + 9 * 3600;
        let fixed = request(grade("10", false, "", "2026-10-02"), Some(given_at)).unwrap();
        assert_eq!(fixed.effective_at, Some(given_at + 1));
        assert_eq!(
            request(grade("9", false, "", "Friday"), None),
            Err(SisProblem::BadDate)
        );
        assert_eq!(
            request(grade("x", false, "", ""), None),
            Err(SisProblem::BadPoints)
        );
        // 25 of 20 is said, not taken; ticked as bonus marks it goes, saying so to the server.
        assert_eq!(
            request(grade("25", false, "", ""), None),
            Err(SisProblem::AboveMaximum)
        );
        let bonus = GradeForm {
            above_maximum: true,
            ..grade("25", false, "", "")
        };
        let bonus = request(bonus, None).unwrap();
        assert_eq!((bonus.points, bonus.above_maximum), (Some(25.0), true));
        let within = GradeForm {
            above_maximum: true,
            ..grade("20", false, "", "")
        };
        assert!(!request(within, None).unwrap().above_maximum);
        assert_eq!(
            assessment_request("", "10", "", (false, false, true)),
            Err((ItemField::Name, SisProblem::Required))
        );
        assert_eq!(
            assessment_request("Lab", "", "", (false, false, true)),
            Err((ItemField::Points, SisProblem::Required))
        );
        assert_eq!(
            assessment_request("Lab", "10", "two", (false, false, true)),
            Err((ItemField::Chapter, SisProblem::BadWholeNumber))
        );
        let lab = assessment_request(" Lab 1 ", "25", "2", (true, false, true)).unwrap();
        assert_eq!(
            (
                lab.name.as_str(),
                lab.pointval,
                lab.chapter,
                lab.extra_credit
            ),
            ("Lab 1", 25.0, 2, true)
        );
    }

    #[test]
    fn a_preview_counts_its_lines() {
        let line = |n, result| BatchLine {
            line: n,
            name: None,
            result,
        };
        let lines = [
            line(2, LineResult::Created { id: None }),
            line(3, LineResult::MatchedByName { id: 4 }),
            line(4, LineResult::Rejected { reason: "x".into() }),
            line(5, LineResult::Created { id: None }),
        ];
        let c = BatchCounts::of(&lines);
        assert_eq!((c.created, c.matched, c.rejected), (2, 1, 1));
        assert!(c.can_save());
        assert!(!BatchCounts::of(&lines[1..3]).can_save());
        assert_eq!(outcome_code(&lines[1].result), "matched");
    }
}
