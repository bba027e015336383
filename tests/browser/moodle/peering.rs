//! Peering a real Moodle and SchoolBridge in the browser, as README.md's "Adding a Moodle peer"
//! tells the two administrators, on Moodle 4.5 and 5.1: keys and fingerprints agree on both
//! sides, Moodle's Services tab shows our service by its name with both sides' ticks, and
//! SchoolBridge's "Verify now" makes a signed and encrypted round trip. SchoolBridge names the peer
//! after the site's full name, and `schoolbridge peer rename` renames it.

use crate::actions::{ADMIN, PASSWORD};
use crate::driver::Browser;
use crate::real_moodle::flows::{connect_in_browser, services_of};
use crate::real_moodle::pages;
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::{MOODLE_SITE_NAME, MoodleSite, Version};
use crate::server::TestServer;

async fn peers_both_ways(version: Version, name: &str) -> anyhow::Result<()> {
    let site = MoodleSite::start(version, name).await?;
    let server = TestServer::builder(name)
        .admin(ADMIN, PASSWORD)
        .start()
        .await?;
    let browser = Browser::start(name).await?;
    let services = services_of(version);
    let connection = connect_in_browser(&browser, &site, &server, &services).await?;

    // Moodle's Services tab: our service by its name (the plugin's strings), and the marks that
    // say SchoolBridge publishes and subscribes to each (Moodle asked it by system/listServices).
    let text = pages::services_tab_text(&browser, &site, connection.moodle_hostid).await?;
    browser
        .screenshot(&format!("{name}-moodle-services"))
        .await?;
    assert!(
        !text.contains("[["),
        "a missing string on Moodle's Services tab:\n{text}"
    );
    assert!(
        text.contains("SchoolTool SIS"),
        "our service by its name:\n{text}"
    );
    let marks = browser.count("#region-main a.notifysuccess").await?;
    let expected = 2 * services.len();
    assert!(
        marks >= expected,
        "Moodle sees SchoolBridge publish and subscribe ({marks} marks, expected {expected})"
    );

    // SchoolBridge: the peer is named after the Moodle site, and a round trip works.
    let api = SchoolBridgeApi::sign_in(&server, ADMIN, PASSWORD).await?;
    let detail = api
        .get(&format!("/api/peers/{}", connection.peer_id))
        .await?;
    assert_eq!(detail["peer"]["name"], MOODLE_SITE_NAME, "{detail}");
    browser
        .goto(&server.url(&format!("/peers/{}", connection.peer_id)))
        .await?;
    browser.click("[data-testid=verify-peer]").await?;
    browser
        .wait_for_attr("[data-testid=verify-result]", "data-ok", "true")
        .await?;
    browser
        .screenshot(&format!("{name}-sb-peer-verified"))
        .await?;
    Ok(())
}

on_each_moodle!(
    peers_both_ways:
    moodle45_and_schoolbridge_peer_both_ways("m45-peering"),
    moodle51_and_schoolbridge_peer_both_ways("m51-peering")
);
