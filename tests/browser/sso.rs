//! Single sign-on from Moodle as a person experiences it: the first arrival is refused politely
//! (no login rights yet), an administrator grants them on the People page, and the next arrival
//! lands in the console saying "You have logged in from …" with the Network Servers link home.

use crate::actions::{SIM_NAME, School};
use crate::driver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_from_moodle_arrives_and_sees_where_from() -> anyhow::Result<()> {
    let school = School::start("sso").await?;
    let (server, sim, browser) = (&school.server, &school.sim, &school.browser);

    let user_agent = browser.user_agent().await?;
    let land = |token: &str| {
        server.url(&format!(
            "/auth/mnet/land.php?token={token}&idp={}&wantsurl=/",
            sim.wwwroot()
        ))
    };

    // First arrival: Jane is created from Moodle's answer, without login rights.
    let token = sim.create_sso_token("jdoe", &server.wwwroot(), &user_agent)?;
    browser.goto(&land(&token)).await?;
    browser
        .wait_for_text("body", "do not have access to SchoolBridge yet")
        .await?;
    // Styled like SchoolBridge (its own stylesheet, allowed by the CSP), not a bare document.
    let border = browser
        .execute("return getComputedStyle(document.querySelector('main')).borderTopWidth")
        .await?;
    assert_eq!(
        border.as_str(),
        Some("4px"),
        "the refusal page's stylesheet applies"
    );
    browser.screenshot("sso-refused").await?;

    // The administrator (still signed in) grants her sign-in on the People page.
    browser.goto(&server.url("/people")).await?;
    browser.fill("[data-testid=people-q]", "Doe").await?;
    browser.click("[data-testid=people-search-submit]").await?;
    let row = "[data-testid=person-row][data-login=false]";
    browser.wait_for(row).await?;
    browser
        .wait_for_text(&format!("{row} [data-testid=person-source]"), SIM_NAME)
        .await?;
    // In bulk: tick her, then "Allow the selected to sign in".
    browser
        .click(&format!("{row} [data-testid=select-person]"))
        .await?;
    browser.click("[data-testid=grant-selected]").await?;
    browser
        .wait_for_text("[data-testid=people-notice]", "changed for 1 person")
        .await?;
    browser
        .wait_for("[data-testid=person-row][data-login=true]")
        .await?;
    browser.screenshot("people").await?;

    // Second arrival: a session, and the console says where she came from.
    let token = sim.create_sso_token("jdoe", &server.wwwroot(), &user_agent)?;
    browser.goto(&land(&token)).await?;
    let arrived = browser
        .wait_for_text("[data-testid=arrived-from]", "You have logged in from")
        .await?;
    assert!(arrived.contains(SIM_NAME), "{arrived}");
    assert_eq!(
        link_home(browser, "[data-testid=arrived-from-link]").await?,
        Some(sim.wwwroot().to_owned())
    );
    browser
        .wait_for_text("[data-testid=person-name]", "Jane Doe")
        .await?;
    // Network servers: a person from a peer is linked back to their own site.
    let link = "[data-testid=network-servers] [data-testid=network-server-link]";
    browser.wait_for_text(link, SIM_NAME).await?;
    assert_eq!(
        link_home(browser, link).await?,
        Some(sim.wwwroot().to_owned())
    );
    // No administration for her.
    assert_eq!(browser.count("[data-testid=nav-peers]").await?, 0);
    browser.screenshot("sso-arrival").await?;

    // Signing out leads her back to her Moodle, not to a password form she cannot use.
    browser.click("[data-testid=sign-out]").await?;
    browser
        .wait_for_text("[data-testid=back-to-moodle]", SIM_NAME)
        .await?;
    assert_eq!(
        link_home(browser, "[data-testid=back-to-moodle]").await?,
        Some(sim.wwwroot().to_owned())
    );
    assert_eq!(browser.count("[data-testid=sign-in-form]").await?, 0);
    browser.screenshot("sso-signed-out").await?;

    school.browser.close().await
}

/// Where the link matching `css` leads, without a trailing `/` (to compare with a `wwwroot`).
async fn link_home(browser: &Browser, css: &str) -> anyhow::Result<Option<String>> {
    Ok(browser
        .attr(css, "href")
        .await?
        .map(|h| h.trim_end_matches('/').to_owned()))
}
