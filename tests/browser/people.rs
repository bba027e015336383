//! People: an administrator creates a local account for a counsellor and edits roles; the
//! counsellor then reads People but cannot change anything, and administration is closed to them.

use crate::actions::{ADMIN, create_account_with_password, sign_in_again, signed_in_admin};

#[tokio::test]
async fn a_counsellor_account_reads_people_and_nothing_more() -> anyhow::Result<()> {
    let (server, browser) = signed_in_admin("people").await?;

    create_account_with_password(
        &browser,
        "edna",
        "Edna",
        "Krabappel",
        "teacher",
        "fourth grade rules",
    )
    .await?;
    browser.wait_for("[data-testid=people-table]").await?;
    // Roles: teacher → counsellor.
    let edna = "[data-testid=person-row][data-username=edna]";
    browser
        .wait_for_text(&format!("{edna} [data-testid=person-name]"), "Edna")
        .await?;
    for control in [
        "edit-roles",
        "role-teacher",
        "role-counsellor",
        "save-roles",
    ] {
        browser
            .click(&format!("{edna} [data-testid={control}]"))
            .await?;
    }
    browser
        .wait_for_text(&format!("{edna} [data-testid=person-roles]"), "counsellor")
        .await?;
    // Sign-in rights one by one: withdraw, then allow again.
    for allowed in ["false", "true"] {
        browser
            .click(&format!("{edna} [data-testid=toggle-login]"))
            .await?;
        browser
            .wait_for(&format!("{edna}[data-login={allowed}]"))
            .await?;
    }
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
    sign_in_again(&browser, &server, "edna", "fourth grade rules").await?;
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
