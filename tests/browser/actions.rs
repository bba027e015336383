//! What a person does in the console, as reusable steps: sign in, add a peer by its address and
//! confirm its certificate. Also the simulated Moodle the network tests talk to.

use anyhow::{Context, ensure};
use mnet::keys::SitePrivateKey;
use moodle_sim::{Change, ChangeBody, ServeHandle, SimMoodle, start_loopback};

use crate::driver::Browser;
use crate::server::TestServer;

/// The test administrator `TestServer::builder(..).admin(ADMIN, PASSWORD)` creates.
pub const ADMIN: &str = "skinner";
/// Their password.
pub const PASSWORD: &str = "correct horse battery";
/// The simulated Moodle's site name (the default name of the peer).
pub const SIM_NAME: &str = "Springfield Moodle";

/// A Moodle-4.5-shaped peer on a loopback port, with one user (`jdoe`, Jane Doe). "Register all
/// hosts" is off, as on a real site: the Moodle knows SchoolBridge only after
/// `sim.add_peer(wwwroot)`, its administrator's side of the handshake.
pub async fn start_sim() -> anyhow::Result<(SimMoodle, ServeHandle)> {
    let key = SitePrivateKey::generate(&mut rand::rng(), 2048).context("RSA key generation")?;
    let sim = start_loopback(key, |c| {
        c.site_name = SIM_NAME.into();
        c.register_all_hosts = false;
        c.school.apply(&Change {
            eventid: "e1".into(),
            timemodified: 1_800_000_000,
            body: ChangeBody::FetchUser {
                idnumber: "S-1001".into(),
                username: "jdoe".into(),
                firstname: "Jane".into(),
                lastname: "Doe".into(),
                email: "jane@school.example".into(),
            },
        });
    })
    .await
    .context("cannot start moodle-sim")?;
    Ok(sim)
}

/// Signs in on `/signin` and waits for the home page.
pub async fn sign_in(
    browser: &Browser,
    server: &TestServer,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    browser.goto(&server.url("/signin")).await?;
    submit_sign_in(browser, username, password).await?;
    browser.wait_for("[data-testid=home]").await?;
    Ok(())
}

/// Fills in and sends the sign-in form already on screen.
pub async fn submit_sign_in(
    browser: &Browser,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    browser
        .fill("[data-testid=sign-in-username]", username)
        .await?;
    browser
        .fill("[data-testid=sign-in-password]", password)
        .await?;
    browser.click("[data-testid=sign-in-submit]").await
}

/// Add peer in the console: the address typed, the certificate fetched and reviewed, the browser's
/// own parse of it agreeing with the server's. Returns the fingerprint the review shows.
pub async fn review_new_peer(
    browser: &Browser,
    server: &TestServer,
    url: &str,
) -> anyhow::Result<Option<String>> {
    browser.goto(&server.url("/peers/new")).await?;
    browser.fill("[data-testid=peer-url]", url).await?;
    browser.click("[data-testid=fetch-certificate]").await?;
    browser.wait_for("[data-testid=peer-preview]").await?;
    // The browser parsed the certificate itself and agrees with the server.
    browser
        .wait_for_attr(
            "[data-testid=preview-certificate-browser-check]",
            "data-outcome",
            "match",
        )
        .await?;
    browser
        .attr(
            "[data-testid=preview-certificate-fingerprint]",
            "data-value",
        )
        .await
}

/// Adds `sim` as a peer through the console, confirming the certificate the browser read;
/// returns the new peer's id. Screenshots the review step as `screenshot` if given.
pub async fn add_peer(
    browser: &Browser,
    server: &TestServer,
    sim: &SimMoodle,
    screenshot: Option<&str>,
) -> anyhow::Result<i64> {
    let fingerprint = review_new_peer(browser, server, sim.wwwroot()).await?;
    ensure!(
        fingerprint.as_deref() == Some(sim.certificate().fingerprint_sha256().as_str()),
        "the fingerprint shown ({fingerprint:?}) is not the peer's"
    );
    let wwwroot = browser.text("[data-testid=preview-wwwroot]").await?;
    ensure!(wwwroot == sim.wwwroot(), "preview shows {wwwroot}");
    if let Some(name) = screenshot {
        browser.screenshot(name).await?;
    }
    browser.click("[data-testid=confirm-peer]").await?;
    browser
        .wait_for_text("[data-testid=peer-name]", SIM_NAME)
        .await?;
    // The new peer's page, which says what to do next (`?added=1`).
    let peer_id = |p: &str| {
        p.strip_prefix("/peers/")
            .and_then(|rest| rest.strip_suffix("?added=1"))
            .and_then(|id| id.parse::<i64>().ok())
    };
    let path = browser
        .wait_for_path("the new peer's page", |p| peer_id(p).is_some())
        .await?;
    browser.wait_for("[data-testid=peer-next-steps]").await?;
    peer_id(&path).context("a peer page")
}
