//! Single sign-on with our `auth_schoolbridge` on a real Moodle 5.1 (which has no `auth_mnet`)
//! and on 4.5 (beside the stock plugin, which stays off), both ways, as people meet it: a teacher
//! has no "Network servers" entry until she may roam; then she follows it from Moodle's
//! navigation, is refused by SchoolBridge until an administrator grants her sign-in rights, lands
//! in the console ("You have logged in from …", the way back), and logging out of Moodle ends
//! her SchoolBridge session. A land URL works once. A SchoolBridge user follows the Moodle link
//! of SchoolBridge's Network servers and arrives in Moodle, created as a person of SchoolBridge.
//! SchoolBridge's peer page says which plugin serves single sign-on.

use anyhow::Context;
use serde_json::json;

use crate::actions::{ADMIN, PASSWORD, sign_in};
use crate::driver::Browser;
use crate::real_moodle::flows::{ALL_SERVICES, Peered};
use crate::real_moodle::pages::{self, follow_navigation_server, has_navigation_server};
use crate::real_moodle::site::{MOODLE_SITE_NAME, Version};
use crate::real_moodle::sso_steps::{
    TEACHER, TEACHER_PASSWORD, create_teacher, grant_sign_in, moodle_jump, open_land,
    schoolbridge_session_ended,
};

/// Where our plugin publishes its MNet methods (SchoolBridge learns it from listMethods).
const OUR_METHODS: &str = "auth/schoolbridge/mnetservice.php";

/// A Moodle peered with SchoolBridge, every service ticked on both sides, Edna a teacher.
async fn start(version: Version, name: &str) -> anyhow::Result<Peered> {
    let sso = Peered::start(version, name, &ALL_SERVICES).await?;
    create_teacher(&sso.site).await?;
    Ok(sso)
}

/// "Verify now" on SchoolBridge's peer page, then what the page says about single sign-on.
async fn peer_sso(sso: &Peered) -> anyhow::Result<serde_json::Value> {
    let id = sso.connection.peer_id;
    sso.api.verify_peer(id).await?;
    let detail = sso.api.get(&format!("/api/peers/{id}")).await?;
    Ok(detail["sso"].clone())
}

async fn moodle_people_sign_in_to_schoolbridge(version: Version, name: &str) -> anyhow::Result<()> {
    let sso = start(version, name).await?;
    let hostid = sso.connection.moodle_hostid;

    // Before the administrator switches single sign-on on, Edna has no way to SchoolBridge, and
    // SchoolBridge knows the peer offers none.
    let browser = Browser::start(name).await?;
    let before = peer_sso(&sso).await?;
    match version {
        // Moodle 5.1: the services are there (our plugin) but its methods are off.
        Version::M51 => {
            assert_eq!(before["lands_here"], false, "{before}");
            assert_eq!(before["takes_jump"], false, "{before}");
        }
        // Moodle 4.5: the stock plugin's methods are offered whether it is enabled or not.
        Version::M45 => assert_eq!(before["idp_methods"], "auth/mnet/auth.php", "{before}"),
    }

    // The administrator enables SchoolBridge single sign-on, but nobody may roam yet: no entry
    // in the navigation, and the jump page refuses.
    sso.site
        .fixture(
            "sso-setup",
            json!({"auth": "schoolbridge", "roaming": false}),
        )
        .await?;
    pages::log_in(&browser, &sso.site, TEACHER, TEACHER_PASSWORD).await?;
    browser.goto(&sso.site.url("/my/")).await?;
    browser.wait_for(".primary-navigation").await?;
    assert!(!has_navigation_server(&browser, hostid).await?);
    browser
        .goto(
            &sso.site
                .url(&format!("/auth/schoolbridge/jump.php?hostid={hostid}")),
        )
        .await?;
    browser
        .wait_for_text(
            "body",
            "You do not have permission to begin a remote session",
        )
        .await
        .context("the jump page without roaming rights")?;
    browser.screenshot(&format!("{name}-no-roaming")).await?;
    browser.goto(&sso.site.url("/my/")).await?;
    pages::log_out(&browser, &sso.site).await?;

    // Authenticated users may roam; SchoolBridge sees our plugin serve both ways.
    sso.site
        .fixture("sso-setup", json!({"auth": "schoolbridge"}))
        .await?;
    let after = peer_sso(&sso).await?;
    assert_eq!(after["idp_methods"], OUR_METHODS, "{after}");
    assert_eq!(after["land_page"], "/auth/schoolbridge/land.php", "{after}");

    // Edna follows SchoolBridge in Moodle's navigation: refused politely, no sign-in rights yet.
    // (A fresh browser: the set-up ended every Moodle session, and Moodle answers a dead
    // session's cookie with a "session timed out" page that races the typing.)
    browser.close().await?;
    let browser =
        pages::logged_in_browser(&format!("{name}-2"), &sso.site, TEACHER, TEACHER_PASSWORD)
            .await?;
    browser.goto(&sso.site.url("/my/")).await?;
    follow_navigation_server(&browser, hostid).await?;
    browser
        .wait_for_text("body", "do not have access to SchoolBridge yet")
        .await?;
    browser.screenshot(&format!("{name}-refused")).await?;

    // The administrator grants her sign-in rights; the same click lands her in the console.
    grant_sign_in(&sso.api, "Krabappel").await?;
    browser.goto(&sso.site.url("/my/")).await?;
    follow_navigation_server(&browser, hostid).await?;
    let arrived = browser
        .wait_for_text("[data-testid=arrived-from]", "You have logged in from")
        .await?;
    assert!(arrived.contains(MOODLE_SITE_NAME), "{arrived}");
    browser.screenshot(&format!("{name}-arrived")).await?;
    let people = sso.api.get("/api/people?q=Krabappel").await?;
    assert_eq!(
        people.as_array().map(Vec::len),
        Some(1),
        "one SchoolBridge person for Edna: {people}"
    );

    // The way back leads to her Moodle, where she is still logged in.
    browser.click("[data-testid=arrived-from-link]").await?;
    browser.wait_for_origin(&sso.site.wwwroot()).await?;
    browser.wait_for("#user-menu-toggle").await?;

    // Single log-out: leaving Moodle ends the SchoolBridge session (our plugin's log-out hook
    // calls SchoolBridge's kill_child, as auth_mnet did).
    pages::log_out(&browser, &sso.site).await?;
    schoolbridge_session_ended(&browser, &sso.server).await?;

    // A land URL signs in once, although Moodle confirms its token for 30 seconds.
    pages::log_in(&browser, &sso.site, TEACHER, TEACHER_PASSWORD).await?;
    let user_agent = browser.user_agent().await?;
    let land_url = moodle_jump(
        &browser,
        &sso.site,
        "/auth/schoolbridge/jump.php",
        hostid,
        &user_agent,
    )
    .await?;
    assert!(
        land_url.starts_with(&sso.server.url("/auth/mnet/land.php?")),
        "{land_url}"
    );
    assert!(
        open_land(&land_url, &user_agent).await?.signed_in,
        "first use"
    );
    assert!(
        !open_land(&land_url, &user_agent).await?.signed_in,
        "a replayed land URL was signed in"
    );
    Ok(())
}

async fn schoolbridge_people_sign_in_to_moodle(version: Version, name: &str) -> anyhow::Result<()> {
    let sso = start(version, name).await?;
    sso.site
        .fixture("sso-setup", json!({"auth": "schoolbridge"}))
        .await?;
    let routes = peer_sso(&sso).await?;
    assert_eq!(routes["takes_jump"], true, "{routes}");

    // Skinner, SchoolBridge's administrator, follows the Moodle in SchoolBridge's Network servers.
    let browser = Browser::start(name).await?;
    sign_in(&browser, &sso.server, ADMIN, PASSWORD).await?;
    browser
        .goto(
            &sso.server
                .url(&format!("/peers/{}", sso.connection.peer_id)),
        )
        .await?;
    browser
        .wait_for_text("[data-testid=peer-sso-out]", "/auth/schoolbridge/land.php")
        .await?;
    browser.screenshot(&format!("{name}-sb-peer-sso")).await?;
    browser.goto(&sso.server.url("/")).await?;
    browser
        .click("[data-testid=network-servers] a, [data-testid=network-server-link]")
        .await?;
    browser.wait_for_origin(&sso.site.wwwroot()).await?;
    browser
        .wait_for_path("a Moodle page", |p| !p.starts_with("/auth/"))
        .await?;
    browser.wait_for("#user-menu-toggle").await?;
    browser.screenshot(&format!("{name}-in-moodle")).await?;
    let users = sso
        .site
        .fixture(
            "sql",
            json!({"sql": "SELECT u.id, u.username, u.auth, h.wwwroot FROM {user} u JOIN {mnet_host} h ON h.id = u.mnethostid WHERE u.username = ?",
                   "params": [ADMIN]}),
        )
        .await?;
    let rows = users.as_array().context("users")?;
    assert_eq!(rows.len(), 1, "{users}");
    assert_eq!(rows[0]["auth"], "schoolbridge", "{users}");
    assert_eq!(rows[0]["wwwroot"], sso.server.wwwroot(), "{users}");

    // Single log-out: leaving Moodle sends him back to SchoolBridge, signed out there too (our
    // plugin's log-out hook calls SchoolBridge's kill_children).
    pages::log_out(&browser, &sso.site).await?;
    browser.wait_for_origin(&sso.server.wwwroot()).await?;
    schoolbridge_session_ended(&browser, &sso.server).await?;
    Ok(())
}

on_each_moodle!(
    moodle_people_sign_in_to_schoolbridge:
    moodle45_people_sign_in_to_schoolbridge_with_auth_schoolbridge("m45-sso-plugin-in"),
    moodle51_people_sign_in_to_schoolbridge_with_auth_schoolbridge("m51-sso-in")
);

on_each_moodle!(
    schoolbridge_people_sign_in_to_moodle:
    moodle45_schoolbridge_people_sign_in_to_moodle_with_auth_schoolbridge("m45-sso-plugin-out"),
    moodle51_schoolbridge_people_sign_in_to_moodle_with_auth_schoolbridge("m51-sso-out")
);
