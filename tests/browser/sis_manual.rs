//! Scenario 5, a class with no Moodle presence: Moodle knows only the people; a counsellor makes
//! the course, the section (with its teacher) and the enrolment; the teacher — who sees only her
//! own section — uploads the grade items from a spreadsheet after a preview, enters a grade and
//! corrects it; the counsellor finds it on the progress report and the transcript. Then the
//! teacher grades grid-wise from the keyboard (type, Enter, next student; a grade above the
//! maximum asks first) and imports grades from a spreadsheet: a file with bad lines is previewed
//! with each line's error and cannot be applied; the corrected file is applied whole.

use anyhow::ensure;
use moodle_sim::Story;

use super::{
    School, cell, create_account, enrol, fill_new_section, open_cell, open_student, switch_to,
};

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
    fill_new_section(b, "Rivera", "Rosa Rivera", "Ceramics @ 15:00, Rivera").await?;
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
    enrol(b, "Santos", "Yara Santos").await?;
    enrol(b, "Lindqvist", "Henrik Lindqvist").await?;
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
    preview_spreadsheet(b, "csv", SPREADSHEET).await?;
    let preview = "[data-testid=csv-preview-result]";
    b.wait_for_attr(preview, "data-created", "3").await?;
    ensure!(b.attr(preview, "data-rejected").await?.as_deref() == Some("1"));
    line_outcome(b, "csv", 3, "rejected").await?;
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
    preview_spreadsheet(b, "csv", SPREADSHEET).await?;
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
    b.wait_for_count("[data-testid=grade-history-row]", 2)
        .await?;
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

    // Back to the teacher's gradebook, for the keyboard and the spreadsheet.
    switch_to(&school, "rivera").await?;
    b.click("[data-testid=nav-sections]").await?;
    b.click("[data-testid=section-link]").await?;
    b.click("[data-testid=open-gradebook]").await?;
    b.wait_for("[data-testid=gradebook]").await?;
    keyboard_entry(b).await?;
    grade_import(b).await?;
    school.browser.close().await
}

const ENTER: &str = "\u{e007}";
const F2: &str = "\u{e032}";

/// Grid-wise entry: F2 on Henrik's "Glaze test tiles" cell, 18 and Enter saves it and moves to
/// the next student's cell in the same column; 25 there is above the maximum of 20 and asks
/// first; Enter again saves it. The row totals follow without a reload.
async fn keyboard_entry(b: &crate::driver::Browser) -> anyhow::Result<()> {
    let at = |student: &'static str| {
        format!(
            "const cols = [...document.querySelectorAll('[data-testid=gradebook-column]')]; \
             const c = cols.findIndex(th => th.querySelector('.gradebook__name').textContent === 'Glaze test tiles'); \
             const rows = [...document.querySelectorAll('[data-testid=gradebook-row]')]; \
             const r = rows.findIndex(tr => tr.querySelector('th').textContent.includes('{student}')); \
             return [r, c];"
        )
    };
    let henrik = b.execute(&at("Lindqvist")).await?;
    let yara = b.execute(&at("Santos")).await?;
    let (hr, c) = (
        henrik[0].as_i64().unwrap_or(-1),
        henrik[1].as_i64().unwrap_or(-1),
    );
    let yr = yara[0].as_i64().unwrap_or(-1);
    ensure!(
        hr >= 0 && c >= 0 && yr == hr + 1,
        "Henrik's row, then Yara's: {henrik} {yara}"
    );
    b.type_keys(&format!("[data-cell='{hr}:{c}']"), F2).await?;
    let input = format!("[data-cell-input='{hr}:{c}']");
    b.wait_for(&input).await?;
    b.type_keys(&input, &format!("18{ENTER}")).await?;
    // Saved, in words; the editor is now on the next student's cell of the same item.
    b.wait_for_attr("[data-testid=cell-state]", "data-state", "saved")
        .await?;
    b.wait_for_text("[data-testid=grid-announce]", "Henrik Lindqvist")
        .await?;
    let next = format!("[data-cell-input='{yr}:{c}']");
    b.wait_for(&next).await?;
    b.type_keys(&next, &format!("25{ENTER}")).await?;
    b.wait_for("[data-testid=cell-state][data-state=confirm]")
        .await?;
    b.screenshot("sis-gradebook-above-maximum").await?;
    let total = |row: i64| {
        format!(
            "[data-testid=gradebook-row]:nth-child({}) [data-testid=row-total]",
            row + 1
        )
    };
    ensure!(
        b.attr(&total(yr), "data-earned").await?.as_deref() == Some("44.5"),
        "not saved before the teacher confirms"
    );
    b.type_keys(&next, ENTER).await?;
    poll_cell(b, "Santos", "Glaze test tiles", "25").await?;
    poll_cell(b, "Lindqvist", "Glaze test tiles", "18").await?;
    b.wait_for_attr(&total(hr), "data-earned", "18").await?;
    // 18 of 20 is 90 %: an A on the school's (default) scale.
    b.wait_for_attr(&total(hr), "data-letter", "A").await?;
    b.wait_for_attr(&total(yr), "data-earned", "69.5").await?;
    b.screenshot("sis-gradebook-keyboard").await?;
    Ok(())
}

/// Waits until the cell of `student` × `item` shows `text`, entered here.
async fn poll_cell(
    b: &crate::driver::Browser,
    student: &str,
    item: &str,
    text: &str,
) -> anyhow::Result<()> {
    crate::support::poll(
        &format!("{student} × {item} to show {text}"),
        crate::support::PATIENCE,
        || async move {
            let (shown, source) = cell(b, student, item).await?;
            Ok((shown == text && source.as_deref() == Some("manual")).then_some(()))
        },
    )
    .await
}

/// Pastes `text` into a spreadsheet form (`form`: its testids' prefix, `csv` or `import`) and
/// asks for the preview.
async fn preview_spreadsheet(
    b: &crate::driver::Browser,
    form: &str,
    text: &str,
) -> anyhow::Result<()> {
    b.fill(&format!("[data-testid={form}-text]"), text).await?;
    b.click(&format!("[data-testid={form}-preview]")).await
}

/// Waits until line `line` of a spreadsheet form's preview shows `outcome`.
async fn line_outcome(
    b: &crate::driver::Browser,
    form: &str,
    line: u32,
    outcome: &str,
) -> anyhow::Result<()> {
    let row = format!("[data-testid={form}-line][data-line='{line}']");
    b.wait_for_attr(&row, "data-outcome", outcome).await
}

const GRADES_WITH_ERRORS: &str = "student,item,points,note\n\
hlindqvist,Final piece,47,\n\
ysantos,Studio clean-up,lots,\n\
nobody,Final piece,10,\n";

const GRADES: &str = "student,item,points,note\n\
hlindqvist,Final piece,47,From the paper list\n\
ysantos,Studio clean-up,4,\n";

/// A spreadsheet of grades: every line previewed with its outcome or error; a file with errors
/// cannot be applied (and nothing is); the corrected file is applied whole.
async fn grade_import(b: &crate::driver::Browser) -> anyhow::Result<()> {
    b.wait_for("[data-testid=import-template]").await?;
    preview_spreadsheet(b, "import", GRADES_WITH_ERRORS).await?;
    let result = "[data-testid=import-preview-result]";
    b.wait_for_attr(result, "data-errors", "2").await?;
    ensure!(b.attr(result, "data-new").await?.as_deref() == Some("1"));
    line_outcome(b, "import", 3, "error").await?;
    line_outcome(b, "import", 4, "error").await?;
    b.wait_for("[data-testid=import-blocked]").await?;
    ensure!(
        b.attr("[data-testid=import-apply]", "disabled")
            .await?
            .is_some(),
        "a file with errors cannot be applied"
    );
    b.screenshot("sis-grade-import-errors").await?;
    ensure!(
        cell(b, "Lindqvist", "Final piece").await?.1.is_none(),
        "nothing applied"
    );
    preview_spreadsheet(b, "import", GRADES).await?;
    b.wait_for_attr(result, "data-errors", "0").await?;
    b.wait_for_attr(result, "data-new", "2").await?;
    b.click("[data-testid=import-apply]").await?;
    b.wait_for("[data-testid=import-done]").await?;
    poll_cell(b, "Lindqvist", "Final piece", "47").await?;
    poll_cell(b, "Santos", "Studio clean-up", "4").await?;
    Ok(())
}
