//! Scenario 5, a class with no Moodle presence: Moodle knows only the people; a counsellor makes
//! the course, the section (with its teacher) and the enrolment; the teacher — who sees only her
//! own section — uploads the grade items from a spreadsheet after a preview, enters a grade and
//! corrects it; the counsellor finds it on the progress report and the transcript.

use anyhow::ensure;
use moodle_sim::Story;

use super::{School, cell, create_account, open_cell, open_student, switch_to};

const SPREADSHEET: &str = "name,points,chapter,extra_credit\n\
Glaze test tiles,20,1,no\n\
Kiln log,lots,1,no\n\
Final piece,50,2,no\n\
Studio clean-up,5,2,yes\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_with_no_moodle_presence_is_made_and_graded_in_the_sis() -> anyhow::Result<()> {
    let school = School::start("sis-manual").await?;
    let b = &school.browser;
    school.push(&Story::SisOnlyCourse.changes(1)).await?;
    create_account(b, "edna", "Edna", "Krabappel", "counsellor").await?;
    create_account(b, "rivera", "Rosa", "Rivera", "teacher").await?;

    // The counsellor: course, then the section with its teacher …
    switch_to(&school, "edna").await?;
    b.click("[data-testid=nav-records]").await?;
    b.fill("[data-testid=course-name]", "Ceramics").await?;
    b.click("[data-testid=course-submit]").await?;
    b.wait_for_text("[data-testid=course-result]", "Ceramics")
        .await?;
    b.fill("[data-testid=section-teacher-search]", "Rivera")
        .await?;
    b.click("[data-testid=section-teacher-search-submit]")
        .await?;
    b.click("[data-testid=section-teacher-choose]").await?;
    b.wait_for_text("[data-testid=section-teacher-chosen]", "Rosa Rivera")
        .await?;
    b.fill(
        "[data-testid=section-name-input]",
        "Ceramics @ 15:00, Rivera",
    )
    .await?;
    b.select("[data-testid=section-course]", "1").await?;
    b.screenshot("sis-records").await?;
    b.click("[data-testid=section-submit]").await?;
    b.wait_for_text("[data-testid=section-name]", "Ceramics @ 15:00, Rivera")
        .await?;
    b.wait_for_attr("[data-testid=section-source]", "data-source", "manual")
        .await?;
    b.wait_for_text("[data-testid=section-teacher]", "Rosa Rivera")
        .await?;
    // … and the enrolment of a student Moodle sent.
    b.fill("[data-testid=enrol-search]", "Santos").await?;
    b.click("[data-testid=enrol-search-submit]").await?;
    b.click("[data-testid=enrol-choose]").await?;
    b.click("[data-testid=enrol-submit]").await?;
    b.wait_for_text("[data-testid=enrol-done]", "Yara Santos")
        .await?;
    b.wait_for("[data-testid=roster-row][data-role=student][data-kind=active]")
        .await?;
    let section_path = b
        .wait_for_path("the section page", |p| p.starts_with("/sis/sections/"))
        .await?;

    // The teacher sees her one section, without the counsellor's tools.
    switch_to(&school, "rivera").await?;
    ensure!(b.count("[data-testid=nav-students]").await? == 0);
    b.click("[data-testid=nav-sections]").await?;
    b.wait_for("[data-testid=section-row]").await?;
    ensure!(b.count("[data-testid=section-row]").await? == 1);
    b.click("[data-testid=section-link]").await?;
    b.wait_for("[data-testid=roster]").await?;
    ensure!(b.count("[data-testid=student-link]").await? == 0);
    ensure!(b.count("[data-testid=enrol-form]").await? == 0);
    b.click("[data-testid=open-gradebook]").await?;
    b.wait_for("[data-testid=gradebook-empty]").await?;

    // Grade items from a spreadsheet: a preview first, nothing saved yet …
    b.wait_for("[data-testid=csv-template][rel=external]")
        .await?;
    b.fill("[data-testid=csv-text]", SPREADSHEET).await?;
    b.click("[data-testid=csv-preview]").await?;
    let preview = "[data-testid=csv-preview-result]";
    b.wait_for_attr(preview, "data-created", "3").await?;
    ensure!(b.attr(preview, "data-rejected").await?.as_deref() == Some("1"));
    b.wait_for_attr(
        "[data-testid=csv-line][data-line='3']",
        "data-outcome",
        "rejected",
    )
    .await?;
    b.wait_for_text("[data-testid=csv-line][data-line='3']", "lots")
        .await?;
    b.wait_for_text("[data-testid=csv-line][data-line='3']", "Kiln log")
        .await?;
    b.screenshot("sis-csv-preview").await?;
    ensure!(b.count("[data-testid=gradebook-empty]").await? == 1);
    // … then saved.
    b.click("[data-testid=csv-save]").await?;
    b.wait_for_text("[data-testid=csv-saved]", "Created: 3")
        .await?;
    b.wait_for_attr("[data-testid=gradebook]", "data-columns", "3")
        .await?;
    // The same file again would create nothing: every item matches by name.
    b.fill("[data-testid=csv-text]", SPREADSHEET).await?;
    b.click("[data-testid=csv-preview]").await?;
    b.wait_for_attr(preview, "data-matched", "3").await?;
    ensure!(b.attr(preview, "data-created").await?.as_deref() == Some("0"));

    // A grade by hand, then a correction: both stay in the history.
    open_cell(b, "Santos", "Final piece").await?;
    b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "enter")
        .await?;
    b.fill("[data-testid=grade-points]", "41").await?;
    b.click("[data-testid=grade-submit]").await?;
    b.wait_for_attr("[data-testid=cell-mode]", "data-mode", "correct")
        .await?;
    b.fill("[data-testid=grade-points]", "44.5").await?;
    b.fill(
        "[data-testid=grade-note]",
        "Re-marked after the kiln firing",
    )
    .await?;
    b.click("[data-testid=grade-submit]").await?;
    b.wait_for_text("[data-testid=grade-history]", "Re-marked")
        .await?;
    ensure!(b.count("[data-testid=grade-history-row]").await? == 2);
    let (text, source) = cell(b, "Santos", "Final piece").await?;
    ensure!(
        text == "44.5" && source.as_deref() == Some("manual"),
        "{text} {source:?}"
    );
    b.screenshot("sis-gradebook-manual").await?;

    // The counsellor reads it on the progress report and the transcript.
    switch_to(&school, "edna").await?;
    let yara = open_student(b, "Santos").await?;
    b.click("[data-testid=open-progress]").await?;
    b.wait_for_attr(
        "[data-testid=progress-item][data-name='Final piece']",
        "data-points",
        "44.5",
    )
    .await?;
    b.wait_for_text("[data-testid=progress-total]", "44.5")
        .await?;
    school
        .open(&format!("/sis/students/{yara}/transcript"))
        .await?;
    b.wait_for_text(
        "[data-testid=transcript-row][data-section='Ceramics @ 15:00, Rivera']",
        "44.5 / 50",
    )
    .await?;
    ensure!(!section_path.is_empty());
    school.browser.close().await
}
