//! Scenarios 1–4 and 6 with a simulated Moodle sending its stories through real MNet, and the
//! principal (the administrator) reading and acting in the console.

use anyhow::ensure;
use moodle_sim::{ChangeBody, Story};

use crate::driver::Browser;

use super::{
    School, cell, open_cell, open_gradebook, open_section, open_student, quiz_2_third_attempt,
    school_after_scenarios_1_to_4,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_follows_enrolments_grades_and_a_withdrawal_from_moodle() -> anyhow::Result<()>
{
    // Scenario 2, one more change: a third attempt at Quiz 2 on 20 October (17 → 19 → 20).
    let third_attempt = quiz_2_third_attempt(
        "extra-quiz2-attempt3",
        1_792_500_000, // 2026-10-20 12:40 UTC
    );
    let school = school_after_scenarios_1_to_4("sis-moodle", &[third_attempt]).await?;
    let b = &school.browser;

    // Scenario 1: in July (or any time after), the principal sees the five self-enrolments.
    open_student(b, "Okafor").await?;
    b.wait_for("[data-testid=schedule]").await?;
    let rows = b.count("[data-testid=schedule-row]").await?;
    ensure!(rows == 5, "Amara's schedule has {rows} sections, not 5");
    ensure!(b.count("[data-testid=enrolment-record]").await? == 5);
    b.screenshot("sis-student").await?;

    // The sections list: Moodle's sections are in "ongoing"; the teacher filter narrows it.
    b.click("[data-testid=nav-sections]").await?;
    b.wait_for("[data-testid=sections-table]").await?;
    ensure!(b.count("[data-testid=section-group]").await? == 1);
    b.wait_for_text("[data-testid=section-group] h2", "Ongoing (Moodle courses)")
        .await?;
    let all = b.count("[data-testid=section-row]").await?;
    ensure!(all == 8, "{all} sections listed, not 8");
    ensure!(
        b.count("[data-testid=section-row][data-source=moodle]")
            .await?
            == 8
    );
    b.screenshot("sis-sections").await?;
    let dubois = b
        .execute(
            "return [...document.querySelectorAll('[data-testid=filter-teacher] option')]\
               .filter(o => o.textContent === 'Claire Dubois').map(o => o.value)[0] || null",
        )
        .await?;
    let dubois = dubois.as_str().unwrap_or_default().to_owned();
    b.select("[data-testid=filter-teacher]", &dubois).await?;
    b.wait_for_path("the filtered list", |p| p.contains("teacher="))
        .await?;
    b.wait_for_text("[data-testid=section-link]", "World History")
        .await?;
    let filtered = b.count("[data-testid=section-row]").await?;
    ensure!(filtered == 1, "{filtered} sections for Ms Dubois");

    // Scenario 2: a grade changed twice has its whole history in the gradebook …
    open_gradebook(b, "Chemistry (Period 2, Haddad)").await?;
    let (text, source) = cell(b, "Fernández", "Quiz 2: Bonds").await?;
    ensure!(
        text == "20" && source.as_deref() == Some("moodle"),
        "Quiz 2 shows {text:?} from {source:?}"
    );
    open_cell(b, "Fernández", "Quiz 2: Bonds").await?;
    b.wait_for("[data-testid=grade-history]").await?;
    let values = b
        .dataset_of_all("[data-testid=grade-history-row]", "points")
        .await?;
    ensure!(
        values == serde_json::json!(["17", "19", "20"]),
        "history {values}"
    );
    // … and it is read-only here: the grades came from Moodle.
    b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "moodle-item")
        .await?;
    ensure!(b.count("[data-testid=grade-form]").await? == 0);
    b.screenshot("sis-gradebook").await?;

    // … and a progress report as of a day between the changes shows the value of that day.
    let lucia = open_student(b, "Fernández").await?;
    let quiz = "[data-testid=progress-item][data-name='Quiz 2: Bonds']";
    for (day, points) in [
        ("2026-10-08", "17"),
        ("2026-10-10", "19"),
        ("2026-11-01", "20"),
    ] {
        school
            .open(&format!("/sis/students/{lucia}/progress?date={day}"))
            .await?;
        b.wait_for_attr(quiz, "data-points", points).await?;
    }
    // Before the quiz was given there is no grade, and the unit test did not exist yet.
    school
        .open(&format!("/sis/students/{lucia}/progress?date=2026-10-06"))
        .await?;
    b.wait_for("[data-testid=progress-section]").await?;
    ensure!(b.attr(quiz, "data-points").await?.is_none());
    ensure!(
        b.count("[data-testid=progress-item][data-name='Unit 1 Test']")
            .await?
            == 0
    );
    school
        .open(&format!("/sis/students/{lucia}/progress?date=2026-10-10"))
        .await?;
    b.wait_for_attr(quiz, "data-points", "19").await?;
    let csv = b.attr("[data-testid=download-csv]", "href").await?;
    ensure!(
        csv.as_deref()
            .is_some_and(|h| h.contains("/progress.csv?day=2026-10-10")),
        "CSV link {csv:?}"
    );
    b.screenshot("sis-progress").await?;

    // Scenario 3: the dropped course shows as withdrawn (reason pending) …
    let section = open_section(b, "World History (Period 4, Dubois)").await?;
    let noah = "[data-testid=roster-row][data-role=student]";
    b.wait_for_attr(noah, "data-status", "withdrawn").await?;
    // … the counsellor adds a code and a note …
    b.click(&format!("{noah} [data-testid=show-history]"))
        .await?;
    b.wait_for("[data-testid=status-history]").await?;
    b.select("[data-testid=status-code]", "withdrawn_no_grade")
        .await?;
    b.fill(
        "[data-testid=status-note-input]",
        "Family matters: moved to the evening programme",
    )
    .await?;
    b.fill(
        "[data-testid=status-transcript-input]",
        "Continued in the evening programme",
    )
    .await?;
    b.click("[data-testid=status-submit]").await?;
    b.wait_for("[data-testid=status-saved]").await?;
    let history = b
        .dataset_of_all("[data-testid=status-history-row]", "status")
        .await?;
    ensure!(
        history == serde_json::json!(["active", "withdrawn", "withdrawn_no_grade"]),
        "status history {history}"
    );
    b.wait_for_attr(noah, "data-status", "withdrawn_no_grade")
        .await?;
    b.screenshot("sis-section").await?;
    // … and the withdrawal is on the transcript with its code and the line written for it; the
    // note for staff is not (a transcript is handed out).
    let student = b.attr(noah, "data-person-id").await?.unwrap_or_default();
    school
        .open(&format!("/sis/students/{student}/transcript"))
        .await?;
    let row = "[data-testid=transcript-row][data-section='World History (Period 4, Dubois)']";
    b.wait_for_attr(row, "data-status", "withdrawn_no_grade")
        .await?;
    b.wait_for_text(
        &format!("{row} [data-testid=transcript-withdrawal]"),
        "Withdrawn No Grade",
    )
    .await?;
    b.wait_for_text(
        &format!("{row} [data-testid=transcript-note]"),
        "Continued in the evening programme",
    )
    .await?;
    let page = b.text("main").await?;
    ensure!(
        !page.contains("Family matters"),
        "a staff note on the transcript: {page}"
    );
    // A withdrawn class shows its withdrawal, not points.
    let points = b
        .wait_for_text(&format!("{row} [data-testid=transcript-points]"), "–")
        .await?;
    ensure!(
        points.trim() == "–",
        "withdrawn class shows points {points:?}"
    );
    b.screenshot("sis-transcript").await?;
    ensure!(section > 0);

    // Scenario 4: every assignment arrived as a grade item, marked as Moodle's, with its flags.
    open_gradebook(b, "Geometry (Period 1, Andersson)").await?;
    ensure_columns_all(b, 5, "[data-origin=moodle]").await?;
    b.wait_for_text("[data-testid=gradebook]", "Project: Tessellations")
        .await?;
    b.wait_for_text("[data-testid=gradebook]", "60 pts").await?;
    b.wait_for_text("[data-testid=gradebook]", "extra credit")
        .await?;

    b.screenshot("sis-gradebook-geometry").await?;
    school.browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_lab_items_link_up_with_moodle_and_keep_their_grades() -> anyhow::Result<()> {
    let school = School::start("sis-labs").await?;
    let b = &school.browser;
    // Scenario 6: the biology course and its students arrive first …
    let changes = Story::LabItemsMatchedByName.changes(1);
    let first_item = changes
        .iter()
        .position(|c| matches!(c.body, ChangeBody::NewAssessment(_)))
        .unwrap_or(changes.len());
    school.push(&changes[..first_item]).await?;

    // … the teacher makes the two labs here and grades them by hand …
    open_section(b, "Biology (Period 3, Mensah)").await?;
    b.click("[data-testid=open-gradebook]").await?;
    b.wait_for("[data-testid=gradebook-empty]").await?;
    for (name, chapter) in [("Lab 1: Cell Observation", "2"), ("Lab 2: Enzymes", "3")] {
        b.fill("[data-testid=item-name]", name).await?;
        b.fill("[data-testid=item-points]", "25").await?;
        b.fill("[data-testid=item-chapter]", chapter).await?;
        b.click("[data-testid=item-submit]").await?;
        b.wait_for_text("[data-testid=item-created]", name).await?;
    }
    b.wait_for_attr("[data-testid=gradebook]", "data-columns", "2")
        .await?;
    // Keyboard: a cell is a button; Enter opens its panel, and focus moves to the panel.
    b.wait_for("[data-cell='0:0']")
        .await?
        .send_keys("\u{E007}")
        .await?;
    b.wait_for("[data-testid=cell-panel]").await?;
    crate::support::poll(
        "focus on the cell panel",
        crate::support::PATIENCE,
        || async {
            let id = b.execute("return document.activeElement.id").await?;
            Ok((id.as_str() == Some("cell-heading")).then_some(()))
        },
    )
    .await?;
    b.click("[data-testid=close-cell]").await?;
    for (student, item, points) in [
        ("Rossi", "Lab 1: Cell Observation", "22"),
        ("Clarke", "Lab 2: Enzymes", "20.5"),
    ] {
        open_cell(b, student, item).await?;
        b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "enter")
            .await?;
        b.fill("[data-testid=grade-points]", points).await?;
        b.click("[data-testid=grade-submit]").await?;
        b.wait_for_attr("[data-testid=grade-history-row]", "data-points", points)
            .await?;
        b.click("[data-testid=close-cell]").await?;
    }

    // … then she adds the labs in Moodle with the same names, and Moodle grades Lab 2.
    school.push(&changes[first_item..]).await?;
    school.browser.goto(&school.server.url("/")).await?;
    open_gradebook(b, "Biology (Period 3, Mensah)").await?;
    // Linked, not duplicated.
    ensure_columns_all(b, 2, "[data-origin=manual][data-linked=true]").await?;
    // The manual grades stay; Moodle's grades flow in beside them.
    let lab1 = cell(b, "Rossi", "Lab 1: Cell Observation").await?;
    ensure!(lab1 == ("22".into(), Some("manual".into())), "{lab1:?}");
    let lab2 = cell(b, "Rossi", "Lab 2: Enzymes").await?;
    ensure!(lab2 == ("23".into(), Some("moodle".into())), "{lab2:?}");
    let mei = cell(b, "Chen", "Lab 2: Enzymes").await?;
    ensure!(mei == ("24.5".into(), Some("moodle".into())), "{mei:?}");
    // Elijah's hand-entered 20.5 (today) stays current over Moodle's older 19.5 (3 October);
    // both are in the history.
    let elijah = cell(b, "Clarke", "Lab 2: Enzymes").await?;
    ensure!(
        elijah == ("20.5".into(), Some("manual".into())),
        "{elijah:?}"
    );
    open_cell(b, "Clarke", "Lab 2: Enzymes").await?;
    b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "correct")
        .await?;
    b.wait_for_count("[data-testid=grade-history-row]", 2)
        .await?;
    b.click("[data-testid=close-cell]").await?;
    // A Moodle grade on a linked item is read-only here.
    open_cell(b, "Rossi", "Lab 2: Enzymes").await?;
    b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "from-moodle")
        .await?;
    ensure!(b.count("[data-testid=grade-form]").await? == 0);
    b.screenshot("sis-gradebook-linked").await?;
    school.browser.close().await
}

/// The open gradebook has `columns` columns, and every one of them matches `kind` (attributes of
/// a `gradebook-column`).
async fn ensure_columns_all(b: &Browser, columns: usize, kind: &str) -> anyhow::Result<()> {
    let total = b.attr("[data-testid=gradebook]", "data-columns").await?;
    ensure!(
        total.as_deref() == Some(columns.to_string().as_str()),
        "{total:?} columns"
    );
    let matching = b
        .count(&format!("[data-testid=gradebook-column]{kind}"))
        .await?;
    ensure!(matching == columns, "{matching} columns are {kind}");
    Ok(())
}
