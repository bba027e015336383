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
        .fill("[data-testid=setup-username]", "skinner")
        .await?;
    browser
        .fill("[data-testid=setup-firstname]", "Seymour")
        .await?;
    browser
        .fill("[data-testid=setup-lastname]", "Skinner")
        .await?;
    browser
        .fill("[data-testid=setup-password]", "short")
        .await?;
    browser.fill("[data-testid=setup-confirm]", "shirt").await?;
    browser.click("[data-testid=setup-submit]").await?;
    // Checked in the browser before anything is sent.
    browser
        .wait_for_attr("[data-testid=setup-password]", "aria-invalid", "true")
        .await?;
    browser
        .wait_for_attr("[data-testid=setup-confirm]", "aria-invalid", "true")
        .await?;
    browser.screenshot("setup").await?;

    browser
        .fill("[data-testid=setup-password]", "correct horse battery")
        .await?;
    browser
        .fill("[data-testid=setup-confirm]", "correct horse battery")
        .await?;
    browser.click("[data-testid=setup-submit]").await?;
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
