//! Signing in: wrong passwords, `?next=` honoured for local paths only, and a signed-out SSO jump
//! that comes back to the server's jump page after signing in.

use crate::actions::{ADMIN, PASSWORD, server_with_admin, sign_out, submit_sign_in};
use crate::driver::Browser;

#[tokio::test]
async fn next_is_honoured_for_local_paths_only() -> anyhow::Result<()> {
    let server = server_with_admin("sign-in").await?;
    let browser = Browser::start("sign-in").await?;

    // A wrong password is said plainly, next to the form.
    browser.goto(&server.url("/signin")).await?;
    submit_sign_in(&browser, ADMIN, "not the password").await?;
    browser
        .wait_for_text("[data-testid=sign-in-error]", "not right")
        .await?;
    // The password is cleared after a failure; an empty field is caught before anything is sent.
    browser.click("[data-testid=sign-in-submit]").await?;
    browser
        .wait_for_attr("[data-testid=sign-in-password]", "aria-invalid", "true")
        .await?;
    browser.screenshot("sign-in-error").await?;

    // A console page asked for while signed out is where sign-in leads.
    browser.goto(&server.url("/site-key")).await?;
    browser
        .wait_for_path("/signin?next=…", |p| p == "/signin?next=%2Fsite-key")
        .await?;
    browser.wait_for("[data-testid=sign-in-next]").await?;
    submit_sign_in(&browser, ADMIN, PASSWORD).await?;
    browser.wait_for("[data-testid=site-key]").await?;
    browser
        .wait_for_path("/site-key", |p| p == "/site-key")
        .await?;

    // Another site is never where sign-in leads.
    for evil in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
    ] {
        sign_out(&browser).await?;
        browser
            .goto(&server.url(&format!("/signin?next={evil}")))
            .await?;
        submit_sign_in(&browser, ADMIN, PASSWORD).await?;
        browser.wait_for("[data-testid=home]").await?;
        let url = browser.current_url().await?;
        assert!(
            url.starts_with(&server.url("/")) && url.ends_with("/"),
            "{evil} led to {url}"
        );
    }

    // A signed-out jump: the server sends the browser to sign in, and after signing in the
    // console loads the server's jump page in full (hostid 999 is no peer: a refusal page).
    sign_out(&browser).await?;
    browser
        .goto(&server.url("/auth/mnet/jump.php?hostid=999"))
        .await?;
    browser
        .wait_for_path("/signin?next=<jump>", |p| {
            p == "/signin?next=%2Fauth%2Fmnet%2Fjump.php%3Fhostid%3D999"
        })
        .await?;
    submit_sign_in(&browser, ADMIN, PASSWORD).await?;
    browser
        .wait_for_path("/auth/mnet/jump.php?hostid=999", |p| {
            p == "/auth/mnet/jump.php?hostid=999"
        })
        .await?;

    browser.close().await
}
