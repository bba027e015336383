//! Network administration against a running simulated Moodle, as an administrator does it: add
//! the peer and confirm the certificate the browser read, verify the connection, switch a
//! service, call methods in the test client with the reply's signature checked in the browser,
//! re-verify an audit entry's signature in the browser, review and accept the peer's renewed key,
//! rename it, rotate the site key, delete and restore the peer. Screenshots of every page go to `test-artifacts/`.

use mnet::keys::SitePrivateKey;

use crate::actions::{School, accept_key, add_peer, review_changed_key};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_connects_and_looks_after_a_moodle() -> anyhow::Result<()> {
    let school = School::start_unpeered("network-admin").await?;
    let (server, sim, browser) = (&school.server, &school.sim, &school.browser);
    browser.wait_for("[data-testid=nav-activity]").await?;
    browser.screenshot("home-admin").await?;

    // Peers: empty at first.
    browser.click("[data-testid=nav-peers]").await?;
    browser.wait_for("[data-testid=peers-empty]").await?;

    // Add the peer by its address; the certificate is read in the browser and confirmed.
    let peer_id = add_peer(browser, server, sim, Some("add-peer-review")).await?;
    browser.screenshot("peer-page").await?;

    // Before the Moodle knows SchoolBridge, "Verify now" explains why it fails (7020).
    browser.click("[data-testid=verify-peer]").await?;
    browser
        .wait_for_attr("[data-testid=verify-result]", "data-ok", "false")
        .await?;
    let diagnosis = browser.text("[data-testid=verify-diagnosis]").await?;
    assert!(
        diagnosis.contains(&server.wwwroot()),
        "the diagnosis names our address: {diagnosis}"
    );
    browser.screenshot("peer-verify-failed").await?;

    // The Moodle administrator adds SchoolBridge on their side; now the round trip works.
    sim.add_peer(&server.wwwroot()).await?;
    browser.click("[data-testid=verify-peer]").await?;
    browser
        .wait_for_attr("[data-testid=verify-result]", "data-ok", "true")
        .await?;

    // A service switch: stop calling schooltool_sis on the peer, and it stays off.
    let switch = "[data-testid=service-schooltool_sis-subscribe]";
    assert_eq!(
        browser.attr(switch, "role").await?.as_deref(),
        Some("switch")
    );
    browser.click(switch).await?;
    browser
        .wait_for_text("[data-testid=services-status]", "Saved.")
        .await?;
    browser
        .goto(&server.url(&format!("/peers/{peer_id}")))
        .await?;
    browser.wait_for("[data-testid=services]").await?;
    let checked = browser
        .execute(&format!(
            "return document.querySelector('{switch}').checked"
        ))
        .await?;
    assert_eq!(
        checked,
        serde_json::Value::Bool(false),
        "the switch stays off"
    );
    browser.click(switch).await?;
    browser
        .wait_for_text("[data-testid=services-status]", "Saved.")
        .await?;

    // The peer list shows it working, with its key's fingerprint and expiry.
    browser.click("[data-testid=nav-peers]").await?;
    browser
        .wait_for_attr("[data-testid=peer-row]", "data-health", "ok")
        .await?;
    browser.screenshot("peers").await?;

    // Test client: the peer's services, then a call, each reply verified in the browser.
    browser
        .goto(&server.url(&format!("/test-client?peer={peer_id}")))
        .await?;
    browser
        .wait_for_attr(
            "[data-testid=tc-services-signature]",
            "data-outcome",
            "valid",
        )
        .await?;
    browser
        .wait_for("[data-testid=tc-service][data-service=sso_idp]")
        .await?;
    browser.click("[data-testid=tc-methods-sso_idp]").await?;
    browser
        .wait_for_attr(
            "[data-testid=tc-methods-signature]",
            "data-outcome",
            "valid",
        )
        .await?;
    browser
        .click("[data-testid=tc-method][data-method='auth/mnet/auth.php/user_authorise']")
        .await?;
    browser.wait_for("[data-testid=tc-signature-note]").await?;
    assert_eq!(
        browser.count("[data-testid=tc-param]").await?,
        2,
        "token and useragent"
    );
    // Call system/listServices by hand.
    browser
        .fill("[data-testid=tc-method-name]", "system/listServices")
        .await?;
    for _ in 0..2 {
        browser.click("[data-testid=tc-param-remove]").await?;
    }
    browser.click("[data-testid=tc-call]").await?;
    browser
        .wait_for_attr("[data-testid=call-signature]", "data-outcome", "valid")
        .await?;
    browser
        .wait_for_text("[data-testid=call-decoded]", "schooltool_sis")
        .await?;
    browser.screenshot("test-client").await?;

    // Activity: the verify call's signed reply, re-checked in the browser.
    browser.click("[data-testid=nav-activity]").await?;
    let row = "[data-testid=audit-row][data-direction=out][data-method='system/listServices'][data-outcome=ok]";
    browser.wait_for(row).await?;
    browser.screenshot("activity").await?;
    browser
        .click(&format!("{row} [data-testid=audit-link]"))
        .await?;
    browser.wait_for("[data-testid=entry-unverified]").await?;
    browser.click("[data-testid=verify-signature]").await?;
    browser
        .wait_for_attr("[data-testid=signature-check]", "data-outcome", "valid")
        .await?;
    browser
        .wait_for_text("[data-testid=entry-decoded]", "sso_idp")
        .await?;
    browser.screenshot("activity-entry").await?;
    // An entry without an envelope says so: the keyswap preview kept only a certificate.
    browser.goto(&server.url("/activity")).await?;
    browser.select("[data-testid=audit-outcome]", "ok").await?;
    browser
        .fill("[data-testid=audit-method]", "keyswap")
        .await?;
    browser.click("[data-testid=audit-apply]").await?;
    let keyswap = "[data-testid=audit-row][data-method='system/keyswap'][data-direction=out]";
    browser.wait_for(keyswap).await?;
    // Key exchange travels unsigned; the entry says so instead of offering a check.
    browser
        .click(&format!("{keyswap} [data-testid=audit-link]"))
        .await?;
    browser.wait_for("[data-testid=envelope-unsigned]").await?;
    assert_eq!(browser.count("[data-testid=verify-signature]").await?, 0);

    // The Moodle renews its key: "Review key" shows the change loudly until it is accepted.
    sim.rotate_key(SitePrivateKey::generate(&mut rand::rng(), 2048)?)?;
    browser
        .goto(&server.url(&format!("/peers/{peer_id}")))
        .await?;
    review_changed_key(browser).await?;
    browser.wait_for("[data-testid=key-changed]").await?;
    browser
        .wait_for_attr(
            "[data-testid=pending-certificate-browser-check]",
            "data-outcome",
            "match",
        )
        .await?;
    browser.screenshot("peer-key-changed").await?;
    accept_key(browser, &sim.certificate().fingerprint_sha256()).await?;
    assert_eq!(browser.count("[data-testid=key-changed]").await?, 0);

    // Rename the peer.
    browser
        .fill(
            "[data-testid=settings-name]",
            "Springfield Elementary Moodle",
        )
        .await?;
    browser.click("[data-testid=save-settings]").await?;
    browser
        .wait_for_text("[data-testid=peer-name]", "Springfield Elementary Moodle")
        .await?;

    // Site key: rotate, with confirmation; the old key is archived.
    browser.click("[data-testid=nav-site-key]").await?;
    let before = browser
        .attr("[data-testid=site-certificate-fingerprint]", "data-value")
        .await?;
    browser.wait_for("[data-testid=archived-empty]").await?;
    browser.click("[data-testid=rotate-key]").await?;
    browser.click("[data-testid=rotate-key-yes]").await?;
    browser.wait_for("[data-testid=rotated]").await?;
    browser.wait_for("[data-testid=archived-key]").await?;
    let after = browser
        .attr("[data-testid=site-certificate-fingerprint]", "data-value")
        .await?;
    assert_ne!(before, after, "a new key is shown");
    browser.screenshot("site-key").await?;

    // Delete the peer (soft, with confirmation), then restore it.
    browser
        .goto(&server.url(&format!("/peers/{peer_id}")))
        .await?;
    browser.click("[data-testid=delete-peer]").await?;
    browser.screenshot("peer-delete-confirm").await?;
    browser.click("[data-testid=delete-peer-yes]").await?;
    browser.wait_for("[data-testid=peer-deleted]").await?;
    browser.click("[data-testid=nav-peers]").await?;
    browser.wait_for("[data-testid=peers-empty]").await?;
    browser.click("[data-testid=show-deleted]").await?;
    browser
        .wait_for_attr("[data-testid=peer-row]", "data-health", "deleted")
        .await?;
    browser.click("[data-testid=peer-link]").await?;
    browser.click("[data-testid=restore-peer]").await?;
    browser.wait_for("[data-testid=delete-peer]").await?;
    browser
        .wait_for_text("[data-testid=peer-name]", "Springfield Elementary Moodle")
        .await?;

    school.browser.close().await
}
