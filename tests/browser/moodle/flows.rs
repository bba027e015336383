//! Steps that span both sides: peering SchoolBridge and a real Moodle, in the browser as the two
//! administrators do it ([`connect_in_browser`]) or through the same APIs quickly, for tests
//! whose subject is what comes after ([`connect_quickly`], and [`Peered::start`], where most of
//! those tests begin).

use anyhow::{Context, ensure};
use mnet::keys::PeerCertificate;
use serde_json::{Value, json};

use crate::actions::{ADMIN, PASSWORD, review_new_peer, sign_in};
use crate::driver::Browser;
use crate::real_moodle::pages::{self, ServiceTicks};
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::{MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD, MoodleSite, Version};
use crate::real_moodle::sso_steps::{TEACHER, TEACHER_PASSWORD, create_teacher, grant_sign_in};
use crate::server::TestServer;

/// SchoolBridge and a Moodle that trust each other.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Moodle's id of SchoolBridge (`mnet_host.id`).
    pub moodle_hostid: i64,
    /// SchoolBridge's id of the Moodle.
    pub peer_id: i64,
}

/// A fresh real Moodle and a fresh SchoolBridge (its administrator signed in to the API),
/// peered through the APIs with `services` ticked ([`connect_quickly`]).
pub struct Peered {
    pub site: MoodleSite,
    pub server: TestServer,
    pub api: SchoolBridgeApi,
    pub connection: Connection,
}

impl Peered {
    pub async fn start(
        version: Version,
        name: &str,
        services: &[ServiceTicks<'_>],
    ) -> anyhow::Result<Self> {
        let site = MoodleSite::start(version, name).await?;
        let server = TestServer::builder(name)
            .admin(ADMIN, PASSWORD)
            .start()
            .await?;
        let api = SchoolBridgeApi::sign_in(&server, ADMIN, PASSWORD).await?;
        let connection = connect_quickly(&site, &server, &api, services).await?;
        Ok(Peered {
            site,
            server,
            api,
            connection,
        })
    }

    /// A Moodle 4.5 with every service ticked both ways (`ALL_SERVICES`).
    pub async fn m45(name: &str) -> anyhow::Result<Self> {
        Self::start(Version::M45, name, &ALL_SERVICES).await
    }

    /// [`Peered::m45`] set up for single sign-on (`sso-setup`), with the teacher Edna made in
    /// Moodle.
    pub async fn m45_sso(name: &str) -> anyhow::Result<Self> {
        let peered = Self::m45(name).await?;
        peered.site.fixture("sso-setup", json!({})).await?;
        create_teacher(&peered.site).await?;
        Ok(peered)
    }

    /// Edna logs in to Moodle in a new browser and follows SchoolBridge in the Network servers
    /// block: refused politely (a screenshot `<name>-refused` when `shoot_refusal`) until the
    /// administrator grants her sign-in rights; then the same click lands her in the console.
    /// Returns her browser and the console's "You have logged in from …" text.
    pub async fn edna_is_let_in(
        &self,
        name: &str,
        shoot_refusal: bool,
    ) -> anyhow::Result<(Browser, String)> {
        let browser = pages::logged_in_browser(name, &self.site, TEACHER, TEACHER_PASSWORD).await?;
        browser.goto(&self.site.url("/my/")).await?;
        pages::follow_network_server(&browser, self.connection.moodle_hostid).await?;
        browser
            .wait_for_text("body", "do not have access to SchoolBridge yet")
            .await?;
        if shoot_refusal {
            browser.screenshot(&format!("{name}-refused")).await?;
        }
        grant_sign_in(&self.api, "Krabappel").await?;
        browser.goto(&self.site.url("/my/")).await?;
        pages::follow_network_server(&browser, self.connection.moodle_hostid).await?;
        let arrived = browser
            .wait_for_text("[data-testid=arrived-from]", "You have logged in from")
            .await?;
        Ok((browser, arrived))
    }
}

/// Every service both ways, as README.md's "Adding a Moodle peer" tells a Moodle admin to tick
/// for the plugin's push and for single sign-on in both directions.
pub const ALL_SERVICES: [ServiceTicks<'static>; 3] = [
    ServiceTicks::new("schooltool_sis", true, true),
    ServiceTicks::new("sso_idp", true, true),
    ServiceTicks::new("sso_sp", true, true),
];

/// What a version's Services tab offers: every service on both. Moodle 5 has no core SSO
/// services (`auth_mnet` left core in 5.0); our `auth_schoolbridge`, installed with
/// `local_schooltool`, publishes `sso_idp` and `sso_sp` there.
pub fn services_of(version: Version) -> Vec<ServiceTicks<'static>> {
    match version {
        Version::M45 | Version::M51 => ALL_SERVICES.to_vec(),
    }
}

/// Moodle's own certificate, as Moodle holds it.
pub async fn moodle_certificate(site: &MoodleSite) -> anyhow::Result<PeerCertificate> {
    let state = site.fixture("mnet-state", json!({})).await?;
    let pem = state["certificate"]
        .as_str()
        .context("no certificate in mnet-state")?;
    Ok(PeerCertificate::from_pem(pem)?)
}

/// SchoolBridge's current certificate, from its Site key page's API.
pub async fn schoolbridge_certificate(api: &SchoolBridgeApi) -> anyhow::Result<PeerCertificate> {
    let key = api.get("/api/site-key").await?;
    let pem = key["current"]["pem"]
        .as_str()
        .context("no pem in /api/site-key")?;
    Ok(PeerCertificate::from_pem(pem)?)
}

/// Both administrators in the browser, each step checked on both sides:
/// 1. Moodle: Networking on; Manage peers → Add new host with SchoolBridge's address; the key
///    Moodle fetched is SchoolBridge's own; Save.
/// 2. SchoolBridge: Peers → Add peer with Moodle's address; the fingerprint shown is Moodle's
///    own key's; the suggested name is Moodle's site name; Confirm.
/// 3. Moodle: the peer's Services tab, ticked as `services` says, saved.
pub async fn connect_in_browser(
    browser: &Browser,
    site: &MoodleSite,
    server: &TestServer,
    services: &[ServiceTicks<'_>],
) -> anyhow::Result<Connection> {
    let api = SchoolBridgeApi::sign_in(server, ADMIN, PASSWORD).await?;

    pages::log_in(browser, site, MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD).await?;
    pages::enable_networking(browser, site).await?;
    let (moodle_hostid, shown) = pages::add_host(browser, site, &server.wwwroot()).await?;
    let ours = schoolbridge_certificate(&api).await?;
    ensure!(
        PeerCertificate::from_pem(&shown)?.fingerprint_sha256() == ours.fingerprint_sha256(),
        "Moodle's review form shows a key that is not SchoolBridge's"
    );

    let theirs = moodle_certificate(site).await?;
    sign_in(browser, server, ADMIN, PASSWORD).await?;
    let fingerprint = review_new_peer(browser, server, &site.wwwroot()).await?;
    ensure!(
        fingerprint.as_deref() == Some(theirs.fingerprint_sha256().as_str()),
        "SchoolBridge shows fingerprint {fingerprint:?}, Moodle's key has {}",
        theirs.fingerprint_sha256()
    );
    browser
        .screenshot(&format!("{}-sb-add-peer", site.name()))
        .await?;
    browser.click("[data-testid=confirm-peer]").await?;
    let path = match browser
        .wait_for_path("the new peer's page", |p| {
            // `/peers/{id}?added=1`: the console's page of a peer just added.
            let path = p.split('?').next().unwrap_or_default();
            path.strip_prefix("/peers/")
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await
    {
        Ok(path) => path,
        Err(e) => {
            let shot = format!("{}-sb-add-peer-failed", site.name());
            let what = "SchoolBridge did not add the peer";
            return Err(browser.explain(e, &shot, "main", what).await);
        }
    };
    let peer_id = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_start_matches("/peers/")
        .parse()?;

    pages::tick_services(browser, site, moodle_hostid, services).await?;
    Ok(Connection {
        moodle_hostid,
        peer_id,
    })
}

/// The same trust through the same APIs, without the pages: Moodle's `mnet_peer` bootstrap and
/// services (as its admin pages save them), SchoolBridge's preview and confirm.
pub async fn connect_quickly(
    site: &MoodleSite,
    server: &TestServer,
    api: &SchoolBridgeApi,
    services: &[ServiceTicks<'_>],
) -> anyhow::Result<Connection> {
    site.fixture("networking-on", json!({})).await?;
    let added = site
        .fixture("add-peer", json!({"wwwroot": server.wwwroot()}))
        .await?;
    let moodle_hostid = added["id"].as_i64().context("no host id")?;
    let publish: Vec<&str> = services
        .iter()
        .filter(|s| s.publish)
        .map(|s| s.service)
        .collect();
    let subscribe: Vec<&str> = services
        .iter()
        .filter(|s| s.subscribe)
        .map(|s| s.service)
        .collect();
    site.fixture(
        "services",
        json!({"wwwroot": server.wwwroot(), "publish": publish, "subscribe": subscribe}),
    )
    .await?;
    let preview = api
        .send(
            reqwest::Method::POST,
            "/api/peers/preview",
            Some(json!({"url": site.wwwroot()})),
        )
        .await?;
    let confirmed = api
        .send(
            reqwest::Method::POST,
            "/api/peers",
            Some(json!({
                "wwwroot": preview["wwwroot"],
                "application": preview["application"],
                "name": preview["name"],
                "fingerprint": preview["certificate"]["fingerprint"],
                "tls_verify": true,
            })),
        )
        .await?;
    let peer_id = peer_id_of(&confirmed).context("no peer id after confirming")?;
    Ok(Connection {
        moodle_hostid,
        peer_id,
    })
}

fn peer_id_of(detail: &Value) -> Option<i64> {
    detail["peer"]["id"]
        .as_i64()
        .or_else(|| detail["id"].as_i64())
}
