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

use anyhow::{Context, ensure};
use moodle_sim::{Change, PushOptions, ServeHandle, SimMoodle};

use crate::actions::{ADMIN, PASSWORD, add_peer, sign_in, start_sim};
use crate::driver::Browser;
use crate::server::TestServer;

/// A SchoolBridge and a simulated Moodle peered both ways (SchoolBridge publishes
/// `schooltool_sis` to new peers), with the administrator signed in.
pub struct School {
    pub server: TestServer,
    pub sim: SimMoodle,
    pub _sim_handle: ServeHandle,
    pub browser: Browser,
}

impl School {
    /// Starts everything; `name` labels logs and the browser profile.
    pub async fn start(name: &str) -> anyhow::Result<School> {
        let server = TestServer::builder(name)
            .admin(ADMIN, PASSWORD)
            .start()
            .await?;
        let (sim, sim_handle) = start_sim().await?;
        let browser = Browser::start(name).await?;
        sign_in(&browser, &server, ADMIN, PASSWORD).await?;
        add_peer(&browser, &server, &sim, None).await?;
        sim.add_peer(&server.wwwroot()).await?;
        Ok(School {
            server,
            sim,
            _sim_handle: sim_handle,
            browser,
        })
    }

    /// Moodle sends `changes`, one MNet call each; every one must be accepted.
    pub async fn push(&self, changes: &[Change]) -> anyhow::Result<()> {
        let summary = self
            .sim
            .push(
                &self.server.wwwroot(),
                changes,
                &PushOptions::default(),
                |_| {},
            )
            .await;
        ensure!(
            summary.stopped.is_none() && summary.rejected == 0 && summary.done == changes.len(),
            "the push did not go through: {summary}"
        );
        Ok(())
    }

    /// Opens a console page.
    pub async fn open(&self, path: &str) -> anyhow::Result<()> {
        self.browser.goto(&self.server.url(path)).await
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

/// Clicks the gradebook cell of `student` (row heading text) and `item` (column name) and waits
/// for its panel.
pub async fn open_cell(browser: &Browser, student: &str, item: &str) -> anyhow::Result<()> {
    let cell = browser
        .execute(&format!(
            "const cols = [...document.querySelectorAll('[data-testid=gradebook-column]')]; \
             const c = cols.findIndex(th => th.querySelector('.gradebook__name').textContent === {item:?}); \
             const rows = [...document.querySelectorAll('[data-testid=gradebook-row]')]; \
             const r = rows.findIndex(tr => tr.querySelector('th').textContent.includes({student:?})); \
             return (c < 0 || r < 0) ? null : r + ':' + c;"
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
            "const cols = [...document.querySelectorAll('[data-testid=gradebook-column]')]; \
             const c = cols.findIndex(th => th.querySelector('.gradebook__name').textContent === {item:?}); \
             const rows = [...document.querySelectorAll('[data-testid=gradebook-row]')]; \
             const r = rows.findIndex(tr => tr.querySelector('th').textContent.includes({student:?})); \
             const b = document.querySelector(`[data-cell='${{r}}:${{c}}']`); \
             return b ? [b.textContent.trim(), b.dataset.source || null] : null;"
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

/// An administrator creates a local account with one role on the People page.
pub async fn create_account(
    browser: &Browser,
    username: &str,
    first: &str,
    last: &str,
    role: &str,
) -> anyhow::Result<()> {
    browser.click("[data-testid=nav-people]").await?;
    browser.wait_for("[data-testid=new-person-form]").await?;
    browser.fill("[data-testid=np-username]", username).await?;
    browser.fill("[data-testid=np-firstname]", first).await?;
    browser.fill("[data-testid=np-lastname]", last).await?;
    browser
        .fill("[data-testid=np-password]", "a long enough password")
        .await?;
    browser
        .click(&format!("[data-testid=np-role-{role}]"))
        .await?;
    browser.click("[data-testid=np-submit]").await?;
    browser
        .wait_for_text("[data-testid=people-notice]", "Account created")
        .await?;
    Ok(())
}

/// Signs out and in again as `username` (an account from [`create_account`]).
pub async fn switch_to(school: &School, username: &str) -> anyhow::Result<()> {
    school.browser.click("[data-testid=sign-out]").await?;
    school
        .browser
        .wait_for("[data-testid=sign-in-form]")
        .await?;
    sign_in(
        &school.browser,
        &school.server,
        username,
        "a long enough password",
    )
    .await
}
