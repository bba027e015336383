//! The HTTP steps of single sign-on that the SSO tests share, whichever Moodle plugin serves it
//! (stock `auth_mnet` on 4.5 or our `auth_schoolbridge`): letting a person sign in to
//! SchoolBridge, asking Moodle's jump for a land URL, and opening that URL as a browser would.

use anyhow::Context;
use reqwest::Method;
use serde_json::json;

use crate::driver::Browser;
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::MoodleSite;

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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .get(url)
        .header("User-Agent", user_agent)
        .send()
        .await?;
    let signed_in = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
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
