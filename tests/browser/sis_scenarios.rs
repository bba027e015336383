//! The SIS pages end to end (issue 7, scenarios 1–6 of `docs/product.md` §5): a simulated
//! Moodle pushes its stories through real MNet, then people use the console — a principal reads
//! schedules, gradebooks, progress reports as of past days and transcripts; a counsellor codes a
//! withdrawal and makes a class with no Moodle presence; a teacher uploads grade items from a
//! spreadsheet and enters grades. Shared steps are here; the tests are in the modules below.

#[path = "sis_moodle.rs"]
mod sis_moodle;

#[path = "sis_manual.rs"]
mod sis_manual;

#[path = "sis_budget.rs"]
mod sis_budget;

#[path = "sis_transcript.rs"]
mod sis_transcript;

use anyhow::Context;
use moodle_sim::school::{NewGrade, Points};
use moodle_sim::{Change, ChangeBody, Story};

pub use crate::actions::{School, create_account, switch_to};
use crate::driver::Browser;

/// Scenario 2's student and second quiz (`moodle-sim` story ids: 820000 + n).
pub const LUCIA: &str = "moodle-user-820002";
pub const QUIZ_2: &str = "moodle-gradeitem-820003";

/// A [`School`] whose Moodle sent scenarios 1–4's stories (five self-enrolments, a student's
/// progress, a dropped course and a teacher's assignments), then the changes in `more`.
pub async fn school_after_scenarios_1_to_4(name: &str, more: &[Change]) -> anyhow::Result<School> {
    let school = School::start(name).await?;
    for story in [
        Story::SelfEnrolFiveCourses,
        Story::NewStudentProgress,
        Story::DropCourse,
        Story::TeacherAddsAssignments,
    ] {
        school.push(&story.changes(1)).await?;
    }
    if !more.is_empty() {
        school.push(more).await?;
    }
    Ok(school)
}

/// Scenario 2, one more change: Lucía's third attempt at Quiz 2 (20 points), at `timemodified`.
pub fn quiz_2_third_attempt(eventid: &str, timemodified: i64) -> Change {
    Change {
        eventid: eventid.into(),
        timemodified,
        body: ChangeBody::NewGrade(NewGrade {
            assessmentid: QUIZ_2.into(),
            userid: LUCIA.into(),
            points_earned: Some(Points::whole(20)),
            excepted: false,
            attempt_num: 3,
        }),
    }
}

/// Finds a person on the Students page and opens their page; returns their id.
pub async fn open_student(browser: &Browser, name: &str) -> anyhow::Result<i64> {
    browser.click("[data-testid=nav-students]").await?;
    browser.fill("[data-testid=student-q]", name).await?;
    browser.click("[data-testid=student-search-submit]").await?;
    browser
        .wait_for_text("[data-testid=student-result]", name)
        .await?;
    browser.click("[data-testid=student-result]").await?;
    let path = browser
        .wait_for_path("a student page", |p| {
            p.strip_prefix("/sis/students/")
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await?;
    browser.wait_for("[data-testid=student-name]").await?;
    Ok(path.trim_start_matches("/sis/students/").parse()?)
}

/// Opens the section called `name` from the Sections list; returns its id.
pub async fn open_section(browser: &Browser, name: &str) -> anyhow::Result<i64> {
    browser.click("[data-testid=nav-sections]").await?;
    browser.wait_for("[data-testid=sections-table]").await?;
    let found = browser
        .execute(&format!(
            "const a = [...document.querySelectorAll('[data-testid=section-link]')]\
               .find(a => a.textContent.trim() === {name:?}); \
             return a ? a.closest('tr').dataset.id : null;"
        ))
        .await?;
    let id = found
        .as_str()
        .with_context(|| format!("no section {name:?} in the list"))?
        .to_owned();
    browser
        .click(&format!(
            "[data-testid=section-row][data-id='{id}'] [data-testid=section-link]"
        ))
        .await?;
    browser
        .wait_for_text("[data-testid=section-name]", name)
        .await?;
    Ok(id.parse()?)
}

/// JavaScript that finds the gradebook's row `r` of `student` (row heading text) and column `c`
/// of `item` (column name); either is -1 if there is none.
fn find_cell(student: &str, item: &str) -> String {
    format!(
        "const cols = [...document.querySelectorAll('[data-testid=gradebook-column]')]; \
         const c = cols.findIndex(th => th.querySelector('.gradebook__name').textContent === {item:?}); \
         const rows = [...document.querySelectorAll('[data-testid=gradebook-row]')]; \
         const r = rows.findIndex(tr => tr.querySelector('th').textContent.includes({student:?}));"
    )
}

/// Clicks the gradebook cell of `student` (row heading text) and `item` (column name) and waits
/// for its panel.
pub async fn open_cell(browser: &Browser, student: &str, item: &str) -> anyhow::Result<()> {
    let cell = browser
        .execute(&format!(
            "{} return (c < 0 || r < 0) ? null : r + ':' + c;",
            find_cell(student, item)
        ))
        .await?;
    let cell = cell
        .as_str()
        .with_context(|| format!("no cell for {student:?} × {item:?}"))?
        .to_owned();
    browser.click(&format!("[data-cell='{cell}']")).await?;
    browser.wait_for("[data-testid=cell-panel]").await?;
    browser
        .wait_for_text("[data-testid=cell-panel] h2", student)
        .await?;
    Ok(())
}

/// The text of a gradebook cell (`data-cell` of `student` × `item`) and its source.
pub async fn cell(
    browser: &Browser,
    student: &str,
    item: &str,
) -> anyhow::Result<(String, Option<String>)> {
    let found = browser
        .execute(&format!(
            "{} const b = document.querySelector(`[data-cell='${{r}}:${{c}}']`); \
             return b ? [b.textContent.trim(), b.dataset.source || null] : null;",
            find_cell(student, item)
        ))
        .await?;
    let pair = found
        .as_array()
        .with_context(|| format!("no cell for {student:?} × {item:?}"))?;
    Ok((
        pair[0].as_str().unwrap_or_default().to_owned(),
        pair[1].as_str().map(str::to_owned),
    ))
}

/// Opens the gradebook of the section called `name` (see [`open_section`]), which has columns.
pub async fn open_gradebook(browser: &Browser, name: &str) -> anyhow::Result<i64> {
    let id = open_section(browser, name).await?;
    browser.click("[data-testid=open-gradebook]").await?;
    browser.wait_for("[data-testid=gradebook]").await?;
    Ok(id)
}

/// On the Records page, the new section's form: the teacher found by `search` and chosen (shown
/// as `teacher`), and the section's `name`. The caller submits it.
pub async fn fill_new_section(
    browser: &Browser,
    search: &str,
    teacher: &str,
    name: &str,
) -> anyhow::Result<()> {
    browser
        .fill("[data-testid=section-teacher-search]", search)
        .await?;
    browser
        .click("[data-testid=section-teacher-search-submit]")
        .await?;
    browser
        .click("[data-testid=section-teacher-choose]")
        .await?;
    browser
        .wait_for_text("[data-testid=section-teacher-chosen]", teacher)
        .await?;
    browser.fill("[data-testid=section-name-input]", name).await
}

/// On a section's page, enrols the student found by `search`; waits until the page says
/// `student` was enrolled.
pub async fn enrol(browser: &Browser, search: &str, student: &str) -> anyhow::Result<()> {
    browser.fill("[data-testid=enrol-search]", search).await?;
    browser.click("[data-testid=enrol-search-submit]").await?;
    browser.click("[data-testid=enrol-choose]").await?;
    browser.click("[data-testid=enrol-submit]").await?;
    browser
        .wait_for_text("[data-testid=enrol-done]", student)
        .await?;
    Ok(())
}
