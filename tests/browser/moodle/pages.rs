//! What a Moodle administrator and a Moodle user do in Moodle's own pages, as reusable steps:
//! log in, switch Networking on, add SchoolBridge as a peer, tick its services, follow the
//! Network servers link. Selectors are Moodle's own form ids (`id_<field>`), which Moodle keeps
//! stable across 4.5 and 5.1.

use anyhow::{Context, bail, ensure};
use serde_json::json;

use crate::driver::Browser;
use crate::real_moodle::site::MoodleSite;

/// A fresh browser (`name`: its screenshots' and logs' name) logged in to Moodle.
pub async fn logged_in_browser(
    name: &str,
    site: &MoodleSite,
    username: &str,
    password: &str,
) -> anyhow::Result<Browser> {
    let browser = Browser::start(name).await?;
    log_in(&browser, site, username, password).await?;
    Ok(browser)
}

/// Logs in on Moodle's login page and waits to leave it.
pub async fn log_in(
    browser: &Browser,
    site: &MoodleSite,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    browser.goto(&site.url("/login/index.php")).await?;
    if let Err(e) = browser.wait_for("#username").await {
        let shot = format!("{}-moodle-login-page", site.name());
        return Err(browser
            .explain(e, &shot, "body", "Moodle shows no login form")
            .await);
    }
    // Moodle's page script still changes the form after it appears (4.5's password field gets
    // its show/hide toggle): type only once it has settled, as Moodle's own Behat steps wait for
    // `M.util.pending_js`, and check what the fields hold before pressing Log in.
    js_settled(browser).await?;
    browser.fill("#username", username).await?;
    browser.fill("#password", password).await?;
    let typed = browser
        .execute(
            "return [document.querySelector('#username').value, \
                     document.querySelector('#password').value]",
        )
        .await?;
    ensure!(
        typed == json!([username, password]),
        "Moodle's login form lost what was typed: {}",
        typed[0]
    );
    browser.click("#loginbtn").await?;
    if let Err(e) = browser
        .wait_for_path("off Moodle's login page", |p| !p.starts_with("/login/"))
        .await
    {
        let shot = format!("{}-moodle-login-failed", site.name());
        let what = format!("{username} could not log in to Moodle");
        return Err(browser.explain(e, &shot, "body", &what).await);
    }
    Ok(())
}

/// Waits until Moodle's page script has nothing pending (`M.util.pending_js`, what Moodle's
/// Behat waits for).
pub async fn js_settled(browser: &Browser) -> anyhow::Result<()> {
    crate::support::poll(
        "Moodle's page script to settle",
        crate::support::PATIENCE,
        || async {
            let idle = browser
                .execute(
                    "return !!(window.M && M.util && Array.isArray(M.util.pending_js) \
                         && M.util.pending_js.length === 0)",
                )
                .await?;
            Ok(idle.as_bool().unwrap_or(false).then_some(()))
        },
    )
    .await
}

/// Logs out through Moodle's user menu link (`/login/logout.php` with the session key).
pub async fn log_out(browser: &Browser, site: &MoodleSite) -> anyhow::Result<()> {
    let sesskey = browser
        .execute("return (window.M && M.cfg && M.cfg.sesskey) || ''")
        .await?;
    let sesskey = sesskey.as_str().unwrap_or_default().to_owned();
    ensure!(!sesskey.is_empty(), "no Moodle session key on this page");
    browser
        .goto(&site.url(&format!("/login/logout.php?sesskey={sesskey}")))
        .await?;
    // Moodle's log-out ends in a chain of redirects (its own pages, or the identity provider's
    // for a person who came from one): the next step must not race the end of it.
    browser
        .wait_for_path("off Moodle's log-out page", |p| {
            !p.starts_with("/login/logout.php")
        })
        .await?;
    for _ in 0..50 {
        let ready = browser
            .execute("return document.readyState === 'complete'")
            .await?;
        if ready == serde_json::Value::Bool(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Site administration → Advanced features → Networking: On → Save changes.
pub async fn enable_networking(browser: &Browser, site: &MoodleSite) -> anyhow::Result<()> {
    browser
        .goto(&site.url("/admin/settings.php?section=optionalsubsystems"))
        .await?;
    browser
        .select("#id_s__mnet_dispatcher_mode", "strict")
        .await?;
    save_admin_settings(browser).await
}

/// The "Save changes" button of an admin settings page, then Moodle's "Changes saved".
pub async fn save_admin_settings(browser: &Browser) -> anyhow::Result<()> {
    save_with(browser, "#adminsettings button[type=submit].btn-primary").await
}

/// Presses a Moodle form's save `button`, then waits for Moodle's "Changes saved".
async fn save_with(browser: &Browser, button: &str) -> anyhow::Result<()> {
    browser.click(button).await?;
    browser
        .wait_for_text("#user-notifications, .alert-success", "Changes saved")
        .await?;
    Ok(())
}

/// Site administration → Networking → Manage peers → Add a new host: SchoolBridge's wwwroot,
/// application Moodle; Moodle fetches the certificate and shows it; Save changes. Returns the
/// new host's id and the certificate Moodle showed.
pub async fn add_host(
    browser: &Browser,
    site: &MoodleSite,
    wwwroot: &str,
) -> anyhow::Result<(i64, String)> {
    browser.goto(&site.url("/admin/mnet/peers.php")).await?;
    browser.fill("#id_wwwroot", wwwroot).await?;
    browser.click("#id_submitbutton").await?;
    // The review form: name, address and the public key Moodle fetched with system/keyswap.
    let key = browser
        .wait_for("#id_public_key")
        .await
        .context("Moodle did not show SchoolBridge's key after 'Add host'")?;
    let certificate = key.prop("value").await?.unwrap_or_default();
    ensure!(
        certificate.contains("BEGIN CERTIFICATE"),
        "Moodle's review form shows no certificate: {certificate:?}"
    );
    browser.click("#id_submitbutton").await?;
    let path = browser
        .wait_for_path("the new peer's page", |p| {
            p.starts_with("/admin/mnet/peers.php") && p.contains("hostid=")
        })
        .await?;
    let hostid = path
        .split("hostid=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .and_then(|id| id.parse().ok())
        .with_context(|| format!("no host id in {path}"))?;
    Ok((hostid, certificate))
}

/// One row of a peer's Services tab.
#[derive(Debug, Clone, Copy)]
pub struct ServiceTicks<'a> {
    /// The service's name (`schooltool_sis`, `sso_idp`, `sso_sp`).
    pub service: &'a str,
    /// "Publish" ticked.
    pub publish: bool,
    /// "Subscribe" ticked.
    pub subscribe: bool,
}

impl<'a> ServiceTicks<'a> {
    /// A service's two boxes.
    pub const fn new(service: &'a str, publish: bool, subscribe: bool) -> Self {
        ServiceTicks {
            service,
            publish,
            subscribe,
        }
    }
}

/// The peer's Services tab: sets the boxes as given and saves. Each box is clicked only when it
/// must change, as a person would.
pub async fn tick_services(
    browser: &Browser,
    site: &MoodleSite,
    hostid: i64,
    ticks: &[ServiceTicks<'_>],
) -> anyhow::Result<()> {
    browser
        .goto(&site.url(&format!("/admin/mnet/services.php?hostid={hostid}")))
        .await?;
    for tick in ticks {
        let id = service_id(site, tick.service).await?;
        for (kind, want) in [("publish", tick.publish), ("subscribe", tick.subscribe)] {
            let css = format!("#id_{kind}_{id}");
            let checked = browser
                .wait_for(&css)
                .await
                .with_context(|| format!("no {kind} box for {} on the Services tab", tick.service))?
                .prop("checked")
                .await?
                .as_deref()
                == Some("true");
            if checked != want {
                browser.click(&css).await?;
            }
        }
    }
    save_with(browser, "#id_submitbutton").await
}

/// Moodle's id of a service (the Services tab names its boxes by it).
pub async fn service_id(site: &MoodleSite, service: &str) -> anyhow::Result<i64> {
    let rows = site
        .fixture(
            "sql",
            json!({"sql": "SELECT id FROM {mnet_service} WHERE name = ?", "params": [service]}),
        )
        .await?;
    let Some(id) = rows[0]["id"].as_str().and_then(|s| s.parse().ok()) else {
        bail!("Moodle has no MNet service {service}: {rows}");
    };
    Ok(id)
}

/// The visible text of the peer's Services tab.
pub async fn services_tab_text(
    browser: &Browser,
    site: &MoodleSite,
    hostid: i64,
) -> anyhow::Result<String> {
    browser
        .goto(&site.url(&format!("/admin/mnet/services.php?hostid={hostid}")))
        .await?;
    browser.text("#region-main").await
}

/// Follows a site's link in Moodle's Network servers block (opening Boost's block drawer first
/// when it is closed, as a person would), on the page the browser shows.
pub async fn follow_network_server(browser: &Browser, moodle_hostid: i64) -> anyhow::Result<()> {
    let link = format!(".block_mnet_hosts a[href*='/auth/mnet/jump.php?hostid={moodle_hostid}']");
    if browser.count(&link).await? == 0 {
        let shot = browser.screenshot("moodle-network-servers-missing").await;
        let blocks = browser
            .execute("return Array.from(document.querySelectorAll('[data-block], .block')).map(b => b.outerHTML.slice(0, 400)).join('\\n')")
            .await?;
        bail!(
            "Moodle's Network servers block has no link to host {moodle_hostid} on this page \
             ({shot:?}); blocks: {blocks}"
        );
    }
    // Boost keeps blocks in a drawer: open it with the page's own "Open block drawer" toggle
    // (not the drawer's close button) once Moodle's JavaScript has wired it up, and look again
    // until the link shows (the drawer slides in).
    browser.wait_for("body.jsenabled").await?;
    let visible = format!(
        "const a = document.querySelector(\"{link}\"); return !!(a && a.offsetParent && \
         getComputedStyle(a).visibility === 'visible')"
    );
    for _ in 0..20 {
        if browser.execute(&visible).await? == serde_json::Value::Bool(true) {
            break;
        }
        let open = browser
            .execute("return !!document.querySelector('.drawer.drawer-right.show')")
            .await?;
        if open != serde_json::Value::Bool(true) {
            browser
                .click(".drawer-right-toggle button[data-action=toggle]")
                .await
                .context("cannot open Moodle's block drawer")?;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    if let Err(e) = browser.click(&link).await {
        let shot = browser.screenshot("moodle-network-servers-hidden").await;
        let html = browser
            .execute(&format!("const a = document.querySelector(\"{link}\"); let n = a, out = []; while (n) {{ out.push(n.tagName + '.' + n.className + ' ' + getComputedStyle(n).display + '/' + getComputedStyle(n).visibility); n = n.parentElement; }} return out.join(' < ')"))
            .await?;
        return Err(e).with_context(|| {
            format!("the Network servers link is not visible ({shot:?}): {html}")
        });
    }
    Ok(())
}

/// Follows a site's entry of "Network servers" in Moodle's primary navigation (our
/// `auth_schoolbridge`, which has no block), opening Boost's "More" menu first when the entry is
/// folded into it, as a person would.
pub async fn follow_navigation_server(browser: &Browser, moodle_hostid: i64) -> anyhow::Result<()> {
    let link = format!(
        ".primary-navigation a[href*='/auth/schoolbridge/jump.php?hostid={moodle_hostid}']"
    );
    if browser.count(&link).await? == 0 {
        let shot = browser.screenshot("moodle-navigation-server-missing").await;
        let nav = browser
            .execute("const n = document.querySelector('.primary-navigation'); return n ? n.innerText : 'no primary navigation'")
            .await?;
        bail!(
            "Moodle's primary navigation has no entry for host {moodle_hostid} ({shot:?}): {nav}"
        );
    }
    browser.wait_for("body.jsenabled").await?;
    let visible = format!(
        "const a = document.querySelector(\"{link}\"); return !!(a && a.offsetParent && \
         getComputedStyle(a).visibility === 'visible')"
    );
    if browser.execute(&visible).await? != serde_json::Value::Bool(true) {
        browser
            .click(".primary-navigation .dropdownmoremenu > a")
            .await
            .context("the entry is hidden and there is no More menu")?;
    }
    browser.click(&link).await
}

/// Whether the page shows a "Network servers" entry of our plugin for the host.
pub async fn has_navigation_server(browser: &Browser, moodle_hostid: i64) -> anyhow::Result<bool> {
    Ok(browser
        .count(&format!(
            ".primary-navigation a[href*='/auth/schoolbridge/jump.php?hostid={moodle_hostid}']"
        ))
        .await?
        > 0)
}

/// Site administration → Networking → Settings: "Delete this key" and the confirmation. Moodle
/// makes a new key pair at once and does not keep the old one.
pub async fn delete_moodle_key(browser: &Browser, site: &MoodleSite) -> anyhow::Result<()> {
    browser.goto(&site.url("/admin/mnet/index.php")).await?;
    browser
        .click("input[type=submit][name=submit][value=Delete]")
        .await?;
    browser
        .click("form:has(input[name=confirm]) button[type=submit]")
        .await?;
    browser
        .wait_for_text("body", "successfully deleted and replaced")
        .await?;
    Ok(())
}
