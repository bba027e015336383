//! What a person does in the console, as reusable steps: sign in, add a peer by its address and
//! confirm its certificate, create an account. Also the simulated Moodle the network tests talk
//! to, and the set-ups most tests start from: a server with its administrator signed in
//! ([`signed_in_admin`]) and, with a Moodle beside it, a [`School`].

use anyhow::{Context, ensure};
use mnet::keys::SitePrivateKey;
use moodle_sim::{Change, PushOptions, ServeHandle, SimMoodle, start_loopback};

use crate::driver::Browser;
use crate::server::TestServer;

/// The test administrator `TestServer::builder(..).admin(ADMIN, PASSWORD)` creates.
pub const ADMIN: &str = "skinner";
/// Their password.
pub const PASSWORD: &str = "correct horse battery";
/// The simulated Moodle's site name (the default name of the peer).
pub const SIM_NAME: &str = moodle_sim::SPRINGFIELD;

/// A Moodle-4.5-shaped peer on a loopback port, with one user (`jdoe`, Jane Doe). "Register all
/// hosts" is off, as on a real site: the Moodle knows SchoolBridge only after
/// `sim.add_peer(wwwroot)`, its administrator's side of the handshake.
pub async fn start_sim() -> anyhow::Result<(SimMoodle, ServeHandle)> {
    let key = SitePrivateKey::generate(&mut rand::rng(), 2048).context("RSA key generation")?;
    let sim = start_loopback(key, |c| {
        c.springfield();
        c.register_all_hosts = false;
    })
    .await
    .context("cannot start moodle-sim")?;
    Ok(sim)
}

/// A server whose administrator ([`ADMIN`]) was created with the CLI before it started.
pub async fn server_with_admin(name: &str) -> anyhow::Result<TestServer> {
    TestServer::builder(name)
        .admin(ADMIN, PASSWORD)
        .start()
        .await
}

/// A server with its administrator signed in, in a fresh browser; `name` labels logs and the
/// browser profile.
pub async fn signed_in_admin(name: &str) -> anyhow::Result<(TestServer, Browser)> {
    let server = server_with_admin(name).await?;
    let browser = Browser::start(name).await?;
    sign_in(&browser, &server, ADMIN, PASSWORD).await?;
    Ok((server, browser))
}

/// A SchoolBridge with its administrator signed in, and a simulated Moodle ([`start_sim`]).
pub struct School {
    pub server: TestServer,
    pub sim: SimMoodle,
    pub _sim_handle: ServeHandle,
    pub browser: Browser,
}

impl School {
    /// Starts everything and peers SchoolBridge and the Moodle both ways (SchoolBridge publishes
    /// `schooltool_sis` to new peers); `name` labels logs and the browser profile.
    pub async fn start(name: &str) -> anyhow::Result<School> {
        let school = School::start_unpeered(name).await?;
        add_peer(&school.browser, &school.server, &school.sim, None).await?;
        school.sim.add_peer(&school.server.wwwroot()).await?;
        Ok(school)
    }

    /// Starts everything, but neither side knows the other yet.
    pub async fn start_unpeered(name: &str) -> anyhow::Result<School> {
        let server = server_with_admin(name).await?;
        let (sim, sim_handle) = start_sim().await?;
        let browser = Browser::start(name).await?;
        sign_in(&browser, &server, ADMIN, PASSWORD).await?;
        Ok(School {
            server,
            sim,
            _sim_handle: sim_handle,
            browser,
        })
    }

    /// Moodle sends `changes`, one MNet call each; every one must be accepted.
    pub async fn push(&self, changes: &[Change]) -> anyhow::Result<()> {
        let summary = self
            .sim
            .push(
                &self.server.wwwroot(),
                changes,
                &PushOptions::default(),
                |_| {},
            )
            .await;
        ensure!(
            summary.stopped.is_none() && summary.rejected == 0 && summary.done == changes.len(),
            "the push did not go through: {summary}"
        );
        Ok(())
    }

    /// Opens a console page.
    pub async fn open(&self, path: &str) -> anyhow::Result<()> {
        self.browser.goto(&self.server.url(path)).await
    }
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
        .fill_all(&[
            ("[data-testid=sign-in-username]", username),
            ("[data-testid=sign-in-password]", password),
        ])
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

/// On a peer's page, "Review key" fetches the peer's certificate again and finds it changed.
pub async fn review_changed_key(browser: &Browser) -> anyhow::Result<()> {
    browser.click("[data-testid=review-key]").await?;
    browser
        .wait_for_attr("[data-testid=review-result]", "data-changed", "true")
        .await?;
    Ok(())
}

/// On a peer's page after [`review_changed_key`], accepts the new key (with the confirmation) and
/// waits until the page shows its `fingerprint`.
pub async fn accept_key(browser: &Browser, fingerprint: &str) -> anyhow::Result<()> {
    browser.click("[data-testid=accept-key]").await?;
    browser.click("[data-testid=accept-key-yes]").await?;
    browser
        .wait_for_attr(
            "[data-testid=peer-certificate-fingerprint]",
            "data-value",
            fingerprint,
        )
        .await?;
    Ok(())
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

/// The password [`create_account`] gives and [`switch_to`] signs in with.
pub const STAFF_PASSWORD: &str = "a long enough password";

/// An administrator creates a local account with one role on the People page, with
/// [`STAFF_PASSWORD`].
pub async fn create_account(
    browser: &Browser,
    username: &str,
    first: &str,
    last: &str,
    role: &str,
) -> anyhow::Result<()> {
    create_account_with_password(browser, username, first, last, role, STAFF_PASSWORD).await
}

/// An administrator creates a local account with one role and this password on the People page;
/// the page says it was created, by name.
pub async fn create_account_with_password(
    browser: &Browser,
    username: &str,
    first: &str,
    last: &str,
    role: &str,
    password: &str,
) -> anyhow::Result<()> {
    browser.click("[data-testid=nav-people]").await?;
    browser.wait_for("[data-testid=new-person-form]").await?;
    browser
        .fill_all(&[
            ("[data-testid=np-username]", username),
            ("[data-testid=np-firstname]", first),
            ("[data-testid=np-lastname]", last),
            ("[data-testid=np-password]", password),
        ])
        .await?;
    browser
        .click(&format!("[data-testid=np-role-{role}]"))
        .await?;
    browser.click("[data-testid=np-submit]").await?;
    browser
        .wait_for_text(
            "[data-testid=people-notice]",
            &format!("Account created for {first} {last}"),
        )
        .await?;
    Ok(())
}

/// Signs out with the header's button and waits for the sign-in form.
pub async fn sign_out(browser: &Browser) -> anyhow::Result<()> {
    browser.click("[data-testid=sign-out]").await?;
    browser.wait_for("[data-testid=sign-in-form]").await?;
    Ok(())
}

/// Signs out, then in again as `username`.
pub async fn sign_in_again(
    browser: &Browser,
    server: &TestServer,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    sign_out(browser).await?;
    sign_in(browser, server, username, password).await
}

/// Signs out and in again as `username` (an account from [`create_account`]).
pub async fn switch_to(school: &School, username: &str) -> anyhow::Result<()> {
    sign_in_again(&school.browser, &school.server, username, STAFF_PASSWORD).await
}
