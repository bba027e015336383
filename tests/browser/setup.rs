//! The first administrator, from the one-time link `schoolbridge serve` prints on an empty
//! database.

use crate::driver::Browser;
use crate::server::TestServer;

#[tokio::test]
async fn the_printed_set_up_link_creates_the_first_administrator() -> anyhow::Result<()> {
    let server = TestServer::start("setup").await?;
    let link = server.setup_link().await?;
    let browser = Browser::start("setup").await?;

    browser.goto(&link).await?;
    browser.wait_for("[data-testid=setup-form]").await?;
    browser
        .fill_all(&[
            ("[data-testid=setup-username]", "skinner"),
            ("[data-testid=setup-firstname]", "Seymour"),
            ("[data-testid=setup-lastname]", "Skinner"),
        ])
        .await?;
    submit_passwords(&browser, "short", "shirt").await?;
    // Checked in the browser before anything is sent.
    browser
        .wait_for_attr("[data-testid=setup-password]", "aria-invalid", "true")
        .await?;
    browser
        .wait_for_attr("[data-testid=setup-confirm]", "aria-invalid", "true")
        .await?;
    browser.screenshot("setup").await?;

    submit_passwords(&browser, "correct horse battery", "correct horse battery").await?;
    // Created and signed in: the administrator's navigation is there.
    browser
        .wait_for_text("[data-testid=home] h1", "Welcome, Seymour")
        .await?;
    browser.wait_for("[data-testid=nav-peers]").await?;
    browser
        .wait_for_text("[data-testid=person-name]", "Seymour Skinner")
        .await?;

    // The link works once.
    browser.goto(&link).await?;
    browser.wait_for("[data-testid=setup-done]").await?;

    browser.close().await
}

/// Types the password and its confirmation into the set-up form and sends it.
async fn submit_passwords(browser: &Browser, password: &str, confirm: &str) -> anyhow::Result<()> {
    browser
        .fill_all(&[
            ("[data-testid=setup-password]", password),
            ("[data-testid=setup-confirm]", confirm),
        ])
        .await?;
    browser.click("[data-testid=setup-submit]").await
}
