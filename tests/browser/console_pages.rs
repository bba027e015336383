//! Every console page as people meet it (issue 16): axe-core finds nothing on any page, no page
//! is wider than a 1366 px laptop or a 390 px phone, no page shows an internal id or a wire word,
//! and a transcript prints whole. A student and a teacher read no staff-only note on any page
//! they can reach; the forms say what is wrong where it is wrong (a date field keeps a leading
//! 0, a status problem sits under the status, points above the maximum are asked about).

use anyhow::{Context, ensure};
use serde_json::json;

use crate::actions::{STAFF_PASSWORD, sign_in_again, sign_out, signed_in_admin};
use crate::driver::Browser;
use crate::sis_scenarios::{
    create_account, enrol, fill_new_section, open_cell, open_section, open_student,
    school_after_scenarios_1_to_4,
};
use crate::support::{PATIENCE, poll};

/// Words no page may show a person: ids Moodle made up, and words of the wire protocol.
const NOT_FOR_PEOPLE: &[&str] = &[
    "moodle-user-",
    "moodle-course-",
    "moodle-gradeitem-",
    "excepted",
    "Ch. 0",
];

/// Notes only staff may read, and the line meant for the transcript.
const STAFF_NOTE: &str = "Staff only: family matters";
const GRADE_NOTE: &str = "For teachers: re-marked after a complaint";
const TRANSCRIPT_LINE: &str = "Continued at another school";

/// Waits until the page has its heading and nothing on it is loading.
async fn settle(b: &Browser) -> anyhow::Result<()> {
    poll("the page to finish loading", PATIENCE, || async {
        let ready = b
            .execute(
                "const m = document.querySelector('main'); \
                 return !!m && !!m.querySelector('h1') && !m.querySelector('[data-testid=loading]');",
            )
            .await?;
        Ok((ready == json!(true)).then_some(()))
    })
    .await
}

/// How far the page sticks out to the right at `width` pixels (0: it fits).
async fn overflow_at(b: &Browser, width: u32) -> anyhow::Result<i64> {
    b.set_viewport(width, 900).await?;
    // Let the layout follow the new width.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let found = b
        .execute(
            "const d = document.documentElement; const w = d.clientWidth; \
             const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5 \
                && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + '[' + (e.dataset.testid||'') + ']'); \
             return [d.scrollWidth - w, out.slice(-4).join(' ')];",
        )
        .await?;
    b.set_viewport(1280, 800).await?;
    let wider = found[0].as_i64().unwrap_or(0);
    if wider > 0 {
        eprintln!("{width}: {}", found[1]);
    }
    Ok(wider)
}

/// What is wrong with the page on screen, as lines for the final report.
async fn check_page(b: &Browser, path: &str) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for violation in b.axe_violations().await? {
        problems.push(format!("{path}: axe: {violation}"));
    }
    let text = b.text("main").await?;
    for word in NOT_FOR_PEOPLE {
        if text.contains(word) {
            problems.push(format!("{path}: shows {word:?}"));
        }
    }
    for width in [1366, 390] {
        let wider = overflow_at(b, width).await?;
        if wider > 0 {
            problems.push(format!("{path}: {wider} px wider than a {width} px window"));
        }
    }
    Ok(problems)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_fits_a_laptop_and_a_phone_and_speaks_plainly() -> anyhow::Result<()>
{
    let school = school_after_scenarios_1_to_4("console-pages", &[]).await?;
    let b = &school.browser;
    let section = open_section(b, "Chemistry (Period 2, Haddad)").await?;
    let amara = open_student(b, "Okafor").await?;
    // Amara has five enrolments: each "Change the status" button says which one it changes.
    let labels = b
        .execute("return [...document.querySelectorAll('[data-testid=change-status]')].map(b => b.textContent.trim())")
        .await?;
    let labels: Vec<&str> = labels
        .as_array()
        .context("labels")?
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    let mut distinct = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    ensure!(
        labels.len() == 5 && distinct.len() == 5,
        "status buttons {labels:?}"
    );
    let lucia = open_student(b, "Fernández").await?;
    let pages = [
        "/".to_owned(),
        "/peers".into(),
        "/peers/new".into(),
        "/peers/1".into(),
        "/test-client".into(),
        "/site-key".into(),
        "/people".into(),
        "/activity".into(),
        "/activity/1".into(),
        "/sis/sections".into(),
        format!("/sis/sections/{section}"),
        format!("/sis/sections/{section}/gradebook"),
        format!("/sis/sections/{section}/progress?date=2026-11-01"),
        "/sis/students".into(),
        format!("/sis/students/{amara}"),
        format!("/sis/students/{lucia}"),
        format!("/sis/students/{lucia}/progress?date=2026-11-01"),
        format!("/sis/students/{lucia}/transcript"),
        "/sis/records".into(),
        "/sis/settings".into(),
        "/no/such/page".into(),
    ];
    let mut problems = Vec::new();
    for path in &pages {
        school.open(path).await?;
        settle(b).await?;
        problems.extend(check_page(b, path).await?);
    }
    // Open parts of pages: a roster's history with the status form, a gradebook cell.
    school.open(&format!("/sis/sections/{section}")).await?;
    b.click("[data-testid=roster-row][data-role=student] [data-testid=show-history]")
        .await?;
    b.wait_for("[data-testid=status-form]").await?;
    problems.extend(check_page(b, "section with a history open").await?);
    b.screenshot_at("section-phone", 390).await?;
    school
        .open(&format!("/sis/sections/{section}/gradebook"))
        .await?;
    b.wait_for("[data-testid=gradebook]").await?;
    open_cell(b, "Fernández", "Quiz 2: Bonds").await?;
    problems.extend(check_page(b, "gradebook with a cell open").await?);
    b.screenshot_at("gradebook-phone", 390).await?;
    school
        .open(&format!("/sis/students/{lucia}/transcript"))
        .await?;
    settle(b).await?;
    b.screenshot_at("transcript-phone", 390).await?;
    // Signed out: the public pages.
    sign_out(b).await?;
    for path in ["/signin", "/setup", "/signed-out"] {
        school.open(path).await?;
        settle(b).await?;
        problems.extend(check_page(b, path).await?);
    }
    ensure!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    school.browser.close().await
}

/// The element's value, read from the page (what the browser would send).
async fn value_of(b: &Browser, css: &str) -> anyhow::Result<String> {
    let found = b
        .execute(&format!("return document.querySelector({css:?}).value"))
        .await?;
    Ok(found.as_str().unwrap_or_default().to_owned())
}

/// The whole page as HTML (to look for what its reader must not read).
async fn page_html(b: &Browser) -> anyhow::Result<String> {
    let html = b
        .execute("return document.documentElement.outerHTML")
        .await?;
    Ok(html.as_str().unwrap_or_default().to_owned())
}

/// Opens the transcript at `url` and waits for the line written for the transcript.
async fn transcript_with_line(b: &Browser, url: &str) -> anyhow::Result<()> {
    b.goto(url).await?;
    b.wait_for_text("[data-testid=transcript-note]", TRANSCRIPT_LINE)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_and_a_teacher_read_no_staff_note_and_forms_say_what_is_wrong()
-> anyhow::Result<()> {
    let (server, b) = signed_in_admin("privacy").await?;
    // A class with no Moodle presence: Rosa Rivera teaches it, Sam Student is enrolled.
    create_account(&b, "sam", "Sam", "Student", "student").await?;
    create_account(&b, "rivera", "Rosa", "Rivera", "teacher").await?;
    b.click("[data-testid=nav-records]").await?;
    fill_new_section(&b, "Rivera", "Rosa Rivera", "Ceramics @ 15:00, Rivera").await?;
    b.click("[data-testid=section-submit]").await?;
    b.wait_for_text("[data-testid=section-name]", "Ceramics")
        .await?;
    let section_path = b
        .wait_for_path("the section page", |p| p.starts_with("/sis/sections/"))
        .await?;
    enrol(&b, "Sam", "Sam Student").await?;
    let sam = b
        .attr(
            "[data-testid=roster-row][data-role=student]",
            "data-person-id",
        )
        .await?
        .context("Sam's row")?;
    let sam_transcript = server.url(&format!("/sis/students/{sam}/transcript"));

    // A grade item without a chapter shows none ("20 pts", not "Ch. 0").
    b.click("[data-testid=open-gradebook]").await?;
    b.fill("[data-testid=item-name]", "Glaze test tiles")
        .await?;
    b.fill("[data-testid=item-points]", "20").await?;
    b.click("[data-testid=item-submit]").await?;
    b.wait_for_text("[data-testid=gradebook-column]", "20 pts")
        .await?;
    let column = b.text("[data-testid=gradebook-column]").await?;
    ensure!(
        !column.contains("Ch."),
        "an item without a chapter reads {column:?}"
    );
    // 25 of 20 is asked about, not saved; 15 with a note for colleagues is.
    open_cell(&b, "Student", "Glaze test tiles").await?;
    b.fill("[data-testid=grade-points]", "25").await?;
    b.click("[data-testid=grade-submit]").await?;
    b.wait_for_text("#grade-points-problem", "maximum of 20")
        .await?;
    b.wait_for("[data-testid=grade-above-maximum]").await?;
    ensure!(
        b.count("[data-testid=grade-history-row]").await? == 0,
        "25 of 20 was saved"
    );
    b.fill("[data-testid=grade-points]", "15").await?;
    b.fill("[data-testid=grade-note]", GRADE_NOTE).await?;
    b.click("[data-testid=grade-submit]").await?;
    b.wait_for_attr("[data-testid=grade-history-row]", "data-points", "15")
        .await?;

    // The status form: a missing status is said under the status, not elsewhere.
    b.goto(&server.url(&section_path)).await?;
    b.click("[data-testid=roster-row][data-role=student] [data-testid=show-history]")
        .await?;
    b.click("[data-testid=status-submit]").await?;
    b.wait_for("[data-testid=status-problem]").await?;
    let placed = b
        .execute(
            "const p = document.querySelector('[data-testid=status-problem]'); \
             const select = document.querySelector('[data-testid=status-code]'); \
             return [p.closest('.field') === select.closest('.field'), \
                     (select.getAttribute('aria-describedby') || '').split(' ').includes(p.id), \
                     document.querySelector('[data-testid=status-date]').getAttribute('aria-invalid')];",
        )
        .await?;
    ensure!(
        placed == json!([true, true, null]),
        "the status problem is placed {placed}"
    );
    // A date typed into a filled field keeps its leading 0 (it used to wipe the field).
    let date = "[data-testid=status-date]";
    b.fill(date, "11012026").await?;
    ensure!(
        value_of(&b, date).await? == "2026-11-01",
        "the date field holds {:?}",
        value_of(&b, date).await?
    );
    let field = b.wait_for(date).await?;
    for key in ["\u{E012}", "\u{E012}", "0", "9"] {
        field.send_keys(key).await?;
    }
    let typed = value_of(&b, date).await?;
    ensure!(
        typed == "2026-09-01",
        "after typing 0 then 9 into the month the field holds {typed:?}"
    );
    // (The change is made today: Sam was enrolled today.)
    b.wait_for(date).await?.clear().await?;
    // The withdrawal: a note for staff, a line for the transcript.
    b.select("[data-testid=status-code]", "withdrawn_no_grade")
        .await?;
    b.fill("[data-testid=status-note-input]", STAFF_NOTE)
        .await?;
    b.fill("[data-testid=status-transcript-input]", TRANSCRIPT_LINE)
        .await?;
    b.click("[data-testid=status-submit]").await?;
    poll("the status change to be saved", PATIENCE, || async {
        if b.count("[data-testid=status-error]").await? > 0 {
            anyhow::bail!("refused: {}", b.text("[data-testid=status-error]").await?);
        }
        Ok((b.count("[data-testid=status-saved]").await? > 0).then_some(()))
    })
    .await?;
    b.wait_for_text("[data-testid=status-history]", STAFF_NOTE)
        .await?;

    // The printed transcript: no way back, no buttons, and every column on the paper.
    transcript_with_line(&b, &sam_transcript).await?;
    b.emulate_print(true).await?;
    // The printable width of A4 at Chromium's default margins (210 mm less 2 × 0.4 in, in CSS px).
    b.set_viewport(718, 1000).await?;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let printed = b
        .execute(
            "const shown = s => { const e = document.querySelector(s); return !!e && getComputedStyle(e).display !== 'none'; }; \
             const table = document.querySelector('[data-testid=transcript]'); \
             const last = [...table.querySelectorAll('thead th')].pop(); \
             return [shown('.breadcrumb'), shown('.report-actions'), shown('.site-footer'), \
                     table.parentElement.scrollWidth <= table.parentElement.clientWidth, \
                     last.getBoundingClientRect().right <= document.documentElement.clientWidth, \
                     last.textContent.trim()];",
        )
        .await?;
    b.emulate_print(false).await?;
    b.set_viewport(1280, 800).await?;
    ensure!(
        printed == json!([false, false, false, true, true, "Earned"]),
        "the printed transcript: {printed}"
    );

    // Sam reads his own records, with the transcript line and without either note.
    let student_pages = [
        "/".to_owned(),
        "/sis/me".into(),
        format!("/sis/students/{sam}"),
        format!("/sis/students/{sam}/progress"),
        format!("/sis/students/{sam}/transcript"),
        section_path.clone(),
        format!("{section_path}/gradebook"),
        "/sis/sections".into(),
        "/people".into(),
    ];
    sign_in_again(&b, &server, "sam", STAFF_PASSWORD).await?;
    for path in &student_pages {
        b.goto(&server.url(path)).await?;
        settle(&b).await?;
        let html = page_html(&b).await?;
        for secret in [STAFF_NOTE, GRADE_NOTE] {
            ensure!(!html.contains(secret), "Sam reads {secret:?} on {path}");
        }
    }
    b.goto(&server.url("/sis/me")).await?;
    b.wait_for_text("[data-testid=history-transcript-note]", TRANSCRIPT_LINE)
        .await?;
    transcript_with_line(&b, &sam_transcript).await?;
    b.screenshot("student-transcript").await?;

    // Rosa teaches the class: she reads its roster, histories and grades, not the staff note.
    sign_in_again(&b, &server, "rivera", STAFF_PASSWORD).await?;
    b.goto(&server.url(&section_path)).await?;
    b.click("[data-testid=roster-row][data-role=student] [data-testid=show-history]")
        .await?;
    b.wait_for("[data-testid=status-history]").await?;
    ensure!(
        b.count("[data-testid=status-form]").await? == 0,
        "a teacher is offered the status form"
    );
    let html = page_html(&b).await?;
    ensure!(!html.contains(STAFF_NOTE), "Rosa reads the staff note");
    b.wait_for_text("[data-testid=status-history]", TRANSCRIPT_LINE)
        .await?;
    b.goto(&server.url(&format!("{section_path}/gradebook")))
        .await?;
    b.wait_for("[data-testid=gradebook]").await?;
    open_cell(&b, "Student", "Glaze test tiles").await?;
    b.wait_for_text("[data-testid=grade-history]", GRADE_NOTE)
        .await?;
    for path in [
        "/",
        "/sis/sections",
        &format!("/sis/students/{sam}"),
        &format!("/sis/students/{sam}/transcript"),
    ] {
        b.goto(&server.url(path)).await?;
        settle(&b).await?;
        let html = page_html(&b).await?;
        ensure!(
            !html.contains(STAFF_NOTE),
            "Rosa reads the staff note on {path}"
        );
    }
    b.close().await
}
