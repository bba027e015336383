//! The HTTP steps of single sign-on that the SSO tests share, whichever Moodle plugin serves it
//! (stock `auth_mnet` on 4.5 or our `auth_schoolbridge`): letting a person sign in to
//! SchoolBridge, asking Moodle's jump for a land URL, and opening that URL as a browser would;
//! their teacher Edna; SchoolBridge's administrator roaming into Moodle; the end of a session by
//! single log-out.

use anyhow::Context;
use reqwest::Method;
use serde_json::json;

use crate::actions::{ADMIN, PASSWORD, sign_in};
use crate::driver::Browser;
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::MoodleSite;
use crate::server::TestServer;
use crate::support::{no_redirects, set_cookies};

/// The teacher the SSO tests sign in as, in Moodle.
pub const TEACHER: &str = "ednak";
pub const TEACHER_PASSWORD: &str = "Teacher-pass-1";

/// Creates Edna Krabappel, the teacher `TEACHER`, in Moodle.
pub async fn create_teacher(site: &MoodleSite) -> anyhow::Result<()> {
    site.fixture(
        "create-user",
        json!({"username": TEACHER, "firstname": "Edna", "lastname": "Krabappel",
               "password": TEACHER_PASSWORD, "idnumber": "T-100"}),
    )
    .await?;
    Ok(())
}

/// Skinner, SchoolBridge's administrator, signs in to the console and follows the Moodle in
/// SchoolBridge's Network servers, until a Moodle page past the land page.
pub async fn roam_to_moodle(
    browser: &Browser,
    site: &MoodleSite,
    server: &TestServer,
) -> anyhow::Result<()> {
    sign_in(browser, server, ADMIN, PASSWORD).await?;
    browser
        .click("[data-testid=network-servers] a, [data-testid=network-server-link]")
        .await?;
    browser.wait_for_origin(&site.wwwroot()).await?;
    browser
        .wait_for_path("a Moodle page", |p| !p.starts_with("/auth/"))
        .await?;
    Ok(())
}

/// After logging out of Moodle: SchoolBridge shows this browser no session (single log-out).
pub async fn schoolbridge_session_ended(
    browser: &Browser,
    server: &TestServer,
) -> anyhow::Result<()> {
    browser.goto(&server.url("/")).await?;
    browser
        .wait_for("[data-testid=sign-in-username], [data-testid=signed-out]")
        .await
        .context("after logging out of Moodle, SchoolBridge still shows a session")?;
    Ok(())
}

/// Gives the first person SchoolBridge finds for `search` the right to sign in.
pub async fn grant_sign_in(api: &SchoolBridgeApi, search: &str) -> anyhow::Result<()> {
    let people = api.get(&format!("/api/people?q={search}")).await?;
    let person_id = people[0]["id"]
        .as_i64()
        .with_context(|| format!("{search} is not among SchoolBridge's people: {people}"))?;
    api.send(
        Method::PUT,
        "/api/people/login",
        Some(json!({"person_ids": [person_id], "allowed": true})),
    )
    .await?;
    Ok(())
}

/// What opening a land URL gave.
pub struct Landing {
    pub status: u16,
    /// A SchoolBridge session was started.
    pub signed_in: bool,
}

/// Opens a land URL without following its redirect.
pub async fn open_land(url: &str, user_agent: &str) -> anyhow::Result<Landing> {
    let response = no_redirects()?
        .get(url)
        .header("User-Agent", user_agent)
        .send()
        .await?;
    let signed_in = set_cookies(&response)
        .any(|c| c.contains("session=") && !c.contains("session=;") && !c.contains("Max-Age=0"));
    Ok(Landing {
        status: response.status().as_u16(),
        signed_in,
    })
}

/// Moodle's jump (`jump_path`: `/auth/mnet/jump.php` or `/auth/schoolbridge/jump.php`) to
/// `hostid` for the browser's Moodle session, without following the redirect: the land URL Moodle
/// sends the browser to.
pub async fn moodle_jump(
    browser: &Browser,
    site: &MoodleSite,
    jump_path: &str,
    hostid: i64,
    user_agent: &str,
) -> anyhow::Result<String> {
    let cookie = browser.cookie_header().await?;
    let response = no_redirects()?
        .get(site.url(&format!("{jump_path}?hostid={hostid}")))
        .header("User-Agent", user_agent)
        .header("Cookie", cookie)
        .send()
        .await?;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .with_context(|| format!("Moodle's jump did not redirect ({})", response.status()))?;
    Ok(location.to_owned())
}
