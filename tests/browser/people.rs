//! People: an administrator creates a local account for a counsellor and edits roles; the
//! counsellor then reads People but cannot change anything, and administration is closed to them.

use crate::actions::{ADMIN, PASSWORD, sign_in};
use crate::driver::Browser;
use crate::server::TestServer;

#[tokio::test]
async fn a_counsellor_account_reads_people_and_nothing_more() -> anyhow::Result<()> {
    let server = TestServer::builder("people")
        .admin(ADMIN, PASSWORD)
        .start()
        .await?;
    let browser = Browser::start("people").await?;
    sign_in(&browser, &server, ADMIN, PASSWORD).await?;

    browser.click("[data-testid=nav-people]").await?;
    browser.wait_for("[data-testid=people-table]").await?;
    browser.fill("[data-testid=np-username]", "edna").await?;
    browser.fill("[data-testid=np-firstname]", "Edna").await?;
    browser
        .fill("[data-testid=np-lastname]", "Krabappel")
        .await?;
    browser
        .fill("[data-testid=np-password]", "fourth grade rules")
        .await?;
    browser.click("[data-testid=np-role-teacher]").await?;
    browser.click("[data-testid=np-submit]").await?;
    browser
        .wait_for_text(
            "[data-testid=people-notice]",
            "Account created for Edna Krabappel",
        )
        .await?;
    // Roles: teacher → counsellor.
    let edna = "[data-testid=person-row][data-username=edna]";
    browser
        .wait_for_text(&format!("{edna} [data-testid=person-name]"), "Edna")
        .await?;
    browser
        .click(&format!("{edna} [data-testid=edit-roles]"))
        .await?;
    browser
        .click(&format!("{edna} [data-testid=role-teacher]"))
        .await?;
    browser
        .click(&format!("{edna} [data-testid=role-counsellor]"))
        .await?;
    browser
        .click(&format!("{edna} [data-testid=save-roles]"))
        .await?;
    browser
        .wait_for_text(&format!("{edna} [data-testid=person-roles]"), "counsellor")
        .await?;
    // Sign-in rights one by one: withdraw, then allow again.
    browser
        .click(&format!("{edna} [data-testid=toggle-login]"))
        .await?;
    browser
        .wait_for("[data-testid=person-row][data-username=edna][data-login=false]")
        .await?;
    browser
        .click(&format!("{edna} [data-testid=toggle-login]"))
        .await?;
    browser
        .wait_for("[data-testid=person-row][data-username=edna][data-login=true]")
        .await?;
    browser.screenshot("people-admin").await?;
    // The administrator's own row offers no "Withdraw": it would lock them out (the server
    // refuses it too).
    let me = format!("[data-testid=person-row][data-username={ADMIN}]");
    browser.wait_for(&me).await?;
    assert_eq!(
        browser
            .count(&format!("{me} [data-testid=toggle-login]"))
            .await?,
        0
    );

    // Edna signs in: People only, read-only.
    browser.click("[data-testid=sign-out]").await?;
    browser.wait_for("[data-testid=sign-in-form]").await?;
    sign_in(&browser, &server, "edna", "fourth grade rules").await?;
    browser.wait_for("[data-testid=nav-people]").await?;
    assert_eq!(browser.count("[data-testid=nav-peers]").await?, 0);
    browser.click("[data-testid=nav-people]").await?;
    browser.wait_for("[data-testid=people-table]").await?;
    assert_eq!(browser.count("[data-testid=toggle-login]").await?, 0);
    assert_eq!(browser.count("[data-testid=bulk-actions]").await?, 0);
    assert_eq!(browser.count("[data-testid=new-person-form]").await?, 0);
    // Administration pages are closed to her.
    browser.goto(&server.url("/peers")).await?;
    browser.wait_for("[data-testid=forbidden]").await?;
    browser.screenshot("forbidden").await?;

    browser.close().await
}
