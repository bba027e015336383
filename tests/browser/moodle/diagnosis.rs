//! What SchoolBridge's "Verify now" says when a real Moodle 4.5 cannot decrypt its messages
//! (fault 7023), for the two causes that look alike: Moodle's key was deleted ("Delete this key"
//! on its Networking page: Moodle makes a new key and keeps no copy of the old one), and a
//! Moodle whose PHP has no RC4 (OpenSSL 3 without the legacy provider).

use serde_json::json;

use crate::actions::{ADMIN, PASSWORD, accept_key, review_changed_key, sign_in};
use crate::driver::Browser;
use crate::real_moodle::flows::{Peered, moodle_certificate};
use crate::real_moodle::pages;
use crate::real_moodle::site::{MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD};
use crate::server::TestServer;

async fn verify_in_console(
    browser: &Browser,
    server: &TestServer,
    peer_id: i64,
) -> anyhow::Result<(String, String)> {
    browser
        .goto(&server.url(&format!("/peers/{peer_id}")))
        .await?;
    browser.click("[data-testid=verify-peer]").await?;
    browser.wait_for("[data-testid=verify-result]").await?;
    let ok = browser
        .attr("[data-testid=verify-result]", "data-ok")
        .await?
        .unwrap_or_default();
    let diagnosis = if ok == "false" {
        browser.text("[data-testid=verify-diagnosis]").await?
    } else {
        String::new()
    };
    Ok((ok, diagnosis))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_deleted_key_is_diagnosed_as_such_and_reviewed() -> anyhow::Result<()> {
    let name = "m45-deleted-key";
    let Peered {
        site,
        server,
        connection,
        ..
    } = Peered::m45(name).await?;

    // The Moodle administrator deletes Moodle's key on the Networking page.
    let browser =
        pages::logged_in_browser(name, &site, MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD).await?;
    pages::delete_moodle_key(&browser, &site).await?;
    let new_key = moodle_certificate(&site).await?.fingerprint_sha256();

    // SchoolBridge's "Verify now" says what happened and what to do — not the RC4 advice.
    sign_in(&browser, &server, ADMIN, PASSWORD).await?;
    let (ok, diagnosis) = verify_in_console(&browser, &server, connection.peer_id).await?;
    browser.screenshot(&format!("{name}-diagnosis")).await?;
    assert_eq!(ok, "false");
    assert!(diagnosis.contains("Delete this key"), "{diagnosis}");
    assert!(
        diagnosis.contains(&new_key),
        "names the new key's fingerprint: {diagnosis}"
    );
    assert!(!diagnosis.contains("legacy provider"), "{diagnosis}");

    // Review fetches the new key and flags it; accepting it makes the round trip work again.
    review_changed_key(&browser).await?;
    accept_key(&browser, &new_key).await?;
    let (ok, diagnosis) = verify_in_console(&browser, &server, connection.peer_id).await?;
    assert_eq!(ok, "true", "{diagnosis}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_without_rc4_is_diagnosed_as_the_openssl_legacy_provider() -> anyhow::Result<()> {
    let name = "m45-no-rc4";
    let Peered {
        mut site,
        server: _server,
        api,
        connection,
    } = Peered::m45(name).await?;
    site.serve_without_rc4().await?;

    let verified = api.verify_peer(connection.peer_id).await?;
    assert_eq!(verified["ok"], json!(false), "{verified}");
    let diagnosis = verified["diagnosis"].as_str().unwrap_or_default();
    assert!(diagnosis.contains("legacy provider"), "{diagnosis}");
    assert!(!diagnosis.contains("Delete this key"), "{diagnosis}");
    Ok(())
}
