//! A school on Moodle 4.5 that signs in both ways with stock MNet (`auth_mnet`) upgrades to 5.1,
//! which has no `auth_mnet`: the 5.1 code is put in place (with our plugins, already installed on
//! 4.5), Moodle's own CLI upgrade runs, and within five minutes our plugin's scheduled task takes
//! over what `auth_mnet` left — and says so on its settings page. The same people sign in both
//! ways afterwards, and stay the same people on both sides: one SchoolBridge person for the Moodle
//! teacher, one Moodle account for SchoolBridge's administrator.

use anyhow::Context;
use serde_json::{Value, json};

use crate::actions::ADMIN;
use crate::driver::Browser;
use crate::real_moodle::flows::Peered;
use crate::real_moodle::pages::{self, follow_navigation_server};
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::{MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD, MoodleSite, Version};
use crate::real_moodle::sso_steps::roam_to_moodle;
use crate::server::TestServer;
const SSO_TASK: &str = "\\auth_schoolbridge\\task\\sessions";

/// SchoolBridge's administrator in Moodle: (id, auth) of every account with that username from
/// SchoolBridge.
async fn skinner_in_moodle(site: &MoodleSite, server: &TestServer) -> anyhow::Result<Vec<Value>> {
    let rows = site
        .fixture(
            "sql",
            json!({"sql": "SELECT u.id, u.auth FROM {user} u JOIN {mnet_host} h ON h.id = u.mnethostid WHERE u.username = ? AND h.wwwroot = ?",
                   "params": [ADMIN, server.wwwroot()]}),
        )
        .await?;
    Ok(rows.as_array().cloned().unwrap_or_default())
}

/// Edna as SchoolBridge knows her: the ids of every person found by her family name.
async fn edna_in_schoolbridge(api: &SchoolBridgeApi) -> anyhow::Result<Vec<i64>> {
    let people = api.get("/api/people?q=Krabappel").await?;
    Ok(people
        .as_array()
        .context("people")?
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect())
}

/// Skinner follows the Moodle in SchoolBridge's Network servers and lands in Moodle.
async fn skinner_roams(
    browser: &Browser,
    site: &MoodleSite,
    server: &TestServer,
) -> anyhow::Result<()> {
    roam_to_moodle(browser, site, server).await?;
    browser.wait_for("#user-menu-toggle").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_with_stock_sso_upgrades_to_51_and_the_same_people_sign_in() -> anyhow::Result<()>
{
    let name = "m45-upgrade";
    let peered = Peered::m45_sso(name).await?;
    // On 4.5, with stock auth_mnet: Edna opens SchoolBridge from the Network servers block …
    let (browser, _arrived) = peered.edna_is_let_in(name, false).await?;
    let Peered {
        mut site,
        server,
        api,
        connection,
    } = peered;
    let edna = edna_in_schoolbridge(&api).await?;
    assert_eq!(edna.len(), 1, "{edna:?}");
    // … and Skinner opens Moodle from SchoolBridge's, an MNet account of auth 'mnet' there.
    let skinner_browser = Browser::start(&format!("{name}-skinner")).await?;
    skinner_roams(&skinner_browser, &site, &server).await?;
    let skinner = skinner_in_moodle(&site, &server).await?;
    assert_eq!(skinner.len(), 1, "{skinner:?}");
    assert_eq!(skinner[0]["auth"], "mnet", "{skinner:?}");

    // The upgrade, as an administrator makes it.
    let output = site.upgrade_in_place(Version::M51).await?;
    assert!(
        output.contains("auth_mnet") || output.contains("Upgrading"),
        "Moodle's upgrade output:\n{output}"
    );
    // Cron, within five minutes: our plugin takes over from the removed auth_mnet.
    let cron = site.run_task(SSO_TASK).await?;
    assert!(
        cron.contains("moved from auth_mnet to auth_schoolbridge"),
        "the task's output:\n{cron}"
    );
    // The administrator reads what it did on the plugin's settings page.
    let admin = pages::logged_in_browser(
        &format!("{name}-admin"),
        &site,
        MOODLE_ADMIN,
        MOODLE_ADMIN_PASSWORD,
    )
    .await?;
    admin
        .goto(&site.url("/admin/settings.php?section=authsettingschoolbridge"))
        .await?;
    let report = admin
        .wait_for_text("[data-auth-schoolbridge=status]", "took over")
        .await?;
    admin.screenshot(&format!("{name}-took-over")).await?;
    assert!(report.contains("moved to it: 1."), "{report}");

    // On 5.1: Edna (her Moodle session survived the upgrade) opens SchoolBridge from Moodle's
    // navigation; she is the same person there.
    browser.goto(&site.url("/my/")).await?;
    follow_navigation_server(&browser, connection.moodle_hostid).await?;
    browser
        .wait_for_text("[data-testid=arrived-from]", "You have logged in from")
        .await?;
    browser.screenshot(&format!("{name}-edna-after")).await?;
    assert_eq!(
        edna_in_schoolbridge(&api).await?,
        edna,
        "Edna is the same SchoolBridge person after the upgrade"
    );

    // Skinner opens Moodle again: the same Moodle account, now of auth_schoolbridge.
    let skinner_after = Browser::start(&format!("{name}-skinner-after")).await?;
    skinner_roams(&skinner_after, &site, &server).await?;
    skinner_after
        .screenshot(&format!("{name}-skinner-after"))
        .await?;
    let after = skinner_in_moodle(&site, &server).await?;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["id"], skinner[0]["id"], "{after:?}");
    assert_eq!(after[0]["auth"], "schoolbridge", "{after:?}");
    Ok(())
}
