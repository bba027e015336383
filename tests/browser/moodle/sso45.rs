//! Single sign-on with a real Moodle 4.5 and its stock `auth_mnet`, both ways, as people meet it:
//! a teacher follows SchoolBridge in Moodle's Network servers block, is refused until an
//! administrator grants sign-in rights, then lands in the console ("You have logged in from …",
//! the way back), and logging out of Moodle ends the SchoolBridge session too. A land URL used
//! once is refused the second time, although Moodle answers `user_authorise` for the same token
//! for 30 seconds. A SchoolBridge user follows the Moodle link of SchoolBridge's Network servers
//! and is signed in to Moodle.

use serde_json::json;

use crate::actions::ADMIN;
use crate::driver::Browser;
use crate::real_moodle::flows::Peered;
use crate::real_moodle::pages;
use crate::real_moodle::site::{MOODLE_SITE_NAME, Version};
use crate::real_moodle::sso_steps::{
    TEACHER, TEACHER_PASSWORD, grant_sign_in, moodle_jump, open_land, roam_to_moodle,
    schoolbridge_session_ended,
};
use crate::support::{PATIENCE, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_people_sign_in_both_ways_with_stock_auth_mnet() -> anyhow::Result<()> {
    let name = "m45-sso";
    let peered = Peered::m45_sso(name).await?;
    // Edna, in Moodle, follows SchoolBridge in the Network servers block: refused politely;
    // the administrator grants her sign-in rights; the same click now lands her in the console.
    let (browser, arrived) = peered.edna_is_let_in(name, true).await?;
    let Peered {
        site,
        server,
        api,
        connection,
    } = peered;
    assert!(arrived.contains(MOODLE_SITE_NAME), "{arrived}");
    browser.screenshot(&format!("{name}-arrived")).await?;

    // The way back leads to her Moodle, where she is still logged in.
    browser.click("[data-testid=arrived-from-link]").await?;
    browser.wait_for_origin(&site.wwwroot()).await?;
    browser.wait_for("#user-menu-toggle").await?;

    // SchoolBridge called Moodle's own auth_mnet (our auth_schoolbridge is installed but off,
    // so Moodle does not offer its methods), as its peer page says.
    let id = connection.peer_id;
    api.verify_peer(id).await?;
    let sso = &api.get(&format!("/api/peers/{id}")).await?["sso"];
    assert_eq!(sso["idp_methods"], "auth/mnet/auth.php", "{sso}");
    assert_eq!(sso["land_page"], "/auth/mnet/land.php", "{sso}");

    // Single log-out: leaving Moodle ends the SchoolBridge session (Moodle calls kill_child).
    pages::log_out(&browser, &site).await?;
    schoolbridge_session_ended(&browser, &server).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_a_land_url_signs_in_once() -> anyhow::Result<()> {
    let name = "m45-sso-replay";
    let Peered {
        site,
        server,
        api,
        connection,
    } = Peered::m45_sso(name).await?;
    // Edna's browser, logged in to Moodle; Moodle's jump gives the land URL with a fresh token.
    let browser = pages::logged_in_browser(name, &site, TEACHER, TEACHER_PASSWORD).await?;
    let user_agent = browser.user_agent().await?;
    // Her first arrival makes her known to SchoolBridge; the administrator lets her sign in.
    let jump = || {
        moodle_jump(
            &browser,
            &site,
            "/auth/mnet/jump.php",
            connection.moodle_hostid,
            &user_agent,
        )
    };
    open_land(&jump().await?, &user_agent).await?;
    grant_sign_in(&api, "Krabappel").await?;
    let land_url = jump().await?;
    assert!(
        land_url.starts_with(&server.url("/auth/mnet/land.php?")),
        "{land_url}"
    );

    // Used once (the person, or whoever got the URL first) …
    let first = open_land(&land_url, &user_agent).await?;
    assert!(
        first.signed_in,
        "the first use of a fresh land URL signs in (status {})",
        first.status
    );
    // … and a second time within Moodle's 30 seconds, from another browser with the same
    // User-Agent: Moodle would answer user_authorise again; SchoolBridge must not sign it in.
    let second = open_land(&land_url, &user_agent).await?;
    assert!(
        !second.signed_in,
        "a replayed land URL was signed in (status {}, first: {})",
        second.status, first.status
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_a_schoolbridge_user_roams_into_moodle() -> anyhow::Result<()> {
    let name = "m45-sso-out";
    let Peered {
        site, server, api, ..
    } = Peered::m45(name).await?;
    site.fixture("sso-setup", json!({})).await?;
    // SchoolBridge asks the new peer what it switched on; once Moodle has said it takes people
    // from SchoolBridge, the link is offered.
    poll(
        "SchoolBridge to offer the Moodle in Network servers",
        PATIENCE,
        || async {
            let me = api.get("/api/session").await?;
            Ok((me["network_servers"].as_array().map_or(0, Vec::len) == 1).then_some(()))
        },
    )
    .await?;

    // Skinner, SchoolBridge's administrator, follows the Moodle in SchoolBridge's Network servers.
    let browser = Browser::start(name).await?;
    roam_to_moodle(&browser, &site, &server).await?;
    browser.screenshot(&format!("{name}-in-moodle")).await?;
    // Moodle created him as an MNet user of SchoolBridge and shows him logged in.
    let users = site
        .fixture(
            "sql",
            json!({"sql": "SELECT u.username, u.auth, h.wwwroot FROM {user} u JOIN {mnet_host} h ON h.id = u.mnethostid WHERE u.username = ?",
                   "params": [ADMIN]}),
        )
        .await?;
    assert_eq!(users[0]["auth"], "mnet", "{users}");
    assert_eq!(users[0]["wwwroot"], server.wwwroot(), "{users}");
    browser.wait_for("#user-menu-toggle").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_network_servers_offers_only_a_moodle_that_takes_our_people() -> anyhow::Result<()>
{
    use crate::real_moodle::pages::ServiceTicks;
    let name = "m45-sso-offer";
    // Moodle is our identity provider only: it does not subscribe to our sso_idp.
    let moodle_as_idp_only = [
        ServiceTicks::new("schooltool_sis", true, true),
        ServiceTicks::new("sso_idp", true, false),
        ServiceTicks::new("sso_sp", false, true),
    ];
    let Peered {
        site,
        server,
        api,
        connection,
    } = Peered::start(Version::M45, name, &moodle_as_idp_only).await?;
    api.verify_peer(connection.peer_id).await?;
    let me = api.get("/api/session").await?;
    assert_eq!(
        me["network_servers"].as_array().map(Vec::len),
        Some(0),
        "no jump to a Moodle that would refuse it: {me}"
    );
    // The Moodle administrator ticks the boxes; after a check the link is offered.
    site.fixture(
        "services",
        json!({"wwwroot": server.wwwroot(),
               "publish": ["schooltool_sis", "sso_idp", "sso_sp"],
               "subscribe": ["schooltool_sis", "sso_idp", "sso_sp"]}),
    )
    .await?;
    api.verify_peer(connection.peer_id).await?;
    let me = api.get("/api/session").await?;
    assert_eq!(
        me["network_servers"][0]["wwwroot"],
        json!(site.wwwroot()),
        "{me}"
    );
    Ok(())
}
