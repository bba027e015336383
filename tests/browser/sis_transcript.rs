//! Issue 20 end to end, on the stories of scenarios 2 and 3: a counsellor sets the school in the
//! console (name, address, a zone west of UTC, a term), a progress report as of a day counts a
//! grade given at 21:00 that evening in New York, and the official transcript prints through
//! Chromium to PDF on A4 and US Letter with every column, the header, the GPA and the withdrawal
//! code on the paper (`pdftotext -layout`), nothing cut.

use anyhow::{Context, ensure};

use super::{open_section, open_student, quiz_2_third_attempt, school_after_scenarios_1_to_4};

/// The transcript's column headings, as printed.
const COLUMNS: [&str; 9] = [
    "Section",
    "Course",
    "Status",
    "Withdrawal",
    "Points",
    "Grade",
    "Credits",
    "Attempted",
    "Earned",
];

/// Sets a field's value as a person's typing would (date inputs take typed text by locale).
async fn set_value(b: &crate::driver::Browser, testid: &str, value: &str) -> anyhow::Result<()> {
    b.wait_for(&format!("[data-testid={testid}]")).await?;
    b.execute(&format!(
        "const e = document.querySelector('[data-testid={testid}]'); e.value = {value:?}; \
         e.dispatchEvent(new Event('input', {{bubbles: true}}));"
    ))
    .await?;
    Ok(())
}

/// `pdftotext -layout` of a PDF.
fn pdf_text(path: &std::path::Path) -> anyhow::Result<String> {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .context("pdftotext (poppler-utils: scripts/install-tools.sh --test)")?;
    ensure!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counsellor_sets_the_school_and_prints_an_official_transcript() -> anyhow::Result<()> {
    // A third attempt at Quiz 2 at 21:00 on 9 October in New York (01:00 UTC on the 10th).
    let evening_attempt = quiz_2_third_attempt("quiz2-attempt3-evening", 1_791_594_000);
    let school = school_after_scenarios_1_to_4("sis-transcript", &[evening_attempt]).await?;
    let b = &school.browser;

    // The school settings, in the console.
    b.click("[data-testid=nav-school-settings]").await?;
    b.wait_for("[data-testid=settings-form]").await?;
    b.fill_all(&[
        ("[data-testid=school-name]", "Springfield High School"),
        (
            "[data-testid=school-address]",
            "742 Evergreen Terrace\nSpringfield, OR 97403",
        ),
        ("[data-testid=school-zone]", "America/New_York"),
    ])
    .await?;
    b.click("[data-testid=settings-submit]").await?;
    b.wait_for("[data-testid=settings-saved]").await?;
    b.fill("[data-testid=term-name]", "Fall 2026").await?;
    set_value(b, "term-first", "2026-08-15").await?;
    set_value(b, "term-last", "2027-01-15").await?;
    b.click("[data-testid=term-submit]").await?;
    b.wait_for("[data-testid=term][data-name='Fall 2026']")
        .await?;
    b.screenshot("school-settings").await?;

    // As of 9 October in New York, the evening's attempt counts (in UTC it would be the 10th's).
    let lucia = open_student(b, "Fernández").await?;
    school
        .open(&format!("/sis/students/{lucia}/progress?date=2026-10-09"))
        .await?;
    b.wait_for_text("[data-testid=progress-who]", "America/New_York")
        .await?;
    b.wait_for_attr(
        "[data-testid=progress-item][data-name='Quiz 2: Bonds']",
        "data-points",
        "20",
    )
    .await?;
    school
        .open(&format!("/sis/students/{lucia}/progress?date=2026-10-08"))
        .await?;
    b.wait_for_attr(
        "[data-testid=progress-item][data-name='Quiz 2: Bonds']",
        "data-points",
        "17",
    )
    .await?;
    // Lucía's transcript: Chemistry in Fall 2026 with a letter, and a GPA.
    school
        .open(&format!("/sis/students/{lucia}/transcript"))
        .await?;
    b.wait_for("[data-testid=transcript-term][data-term='Fall 2026']")
        .await?;
    let gpa = b
        .attr("[data-testid=transcript-gpa]", "data-gpa")
        .await?
        .unwrap_or_default();
    ensure!(
        gpa.parse::<f64>().is_ok(),
        "Lucía's cumulative GPA: {gpa:?}"
    );

    // Noah's transcript: the withdrawal from World History, with its code.
    open_section(b, "World History (Period 4, Dubois)").await?;
    let noah = "[data-testid=roster-row][data-role=student]";
    let student = b.attr(noah, "data-person-id").await?.unwrap_or_default();
    school
        .open(&format!("/sis/students/{student}/transcript"))
        .await?;
    b.wait_for_text("[data-testid=transcript-school]", "Springfield High School")
        .await?;
    b.wait_for_attr(
        "[data-testid=transcript-row][data-section='World History (Period 4, Dubois)']",
        "data-letter",
        "W",
    )
    .await?;
    b.screenshot("transcript-official").await?;

    for (paper, size) in [("a4", (8.27, 11.69)), ("letter", (8.5, 11.0))] {
        let pdf = b.print_to_pdf(&format!("transcript-{paper}"), size).await?;
        let text = pdf_text(&pdf)?;
        for needle in [
            "Springfield High School",
            "742 Evergreen Terrace",
            "Springfield, OR 97403",
            "Official transcript",
            "Noah Kim",
            "Student number",
            "Date printed",
            "Fall 2026",
            "GPA",
            "withdrawn",
            "Registrar's signature",
        ] {
            ensure!(
                text.contains(needle),
                "{paper}: {needle:?} not printed:\n{text}"
            );
        }
        // Every column heading whole, on one line (headings print in capitals): the table fits
        // the paper's width, no heading is cut or broken inside a word.
        let header = text
            .lines()
            .map(str::to_uppercase)
            .find(|l| l.contains("SECTION") && l.contains("EARNED"))
            .with_context(|| format!("{paper}: no line with every column heading:\n{text}"))?;
        for column in COLUMNS {
            let column = column.to_uppercase();
            ensure!(
                header.split_whitespace().any(|w| w == column),
                "{paper}: {column:?} missing in {header:?}"
            );
        }
        // The section's line (its name may wrap inside its cell): the withdrawal's W, its code.
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with("World"))
            .with_context(|| format!("{paper}: the section's line:\n{text}"))?;
        ensure!(
            row.split_whitespace().any(|w| w == "W"),
            "{paper}: no W for the withdrawal on {row:?}"
        );
        ensure!(
            !text.contains("Sections") && !text.contains("Sign out"),
            "{paper}: navigation printed:\n{text}"
        );
    }
    Ok(())
}
