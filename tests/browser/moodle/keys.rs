//! Key rotation on either side while Moodle's plugin is sending, on a real Moodle 4.5: nothing
//! is lost, and each side ends up holding the other's new key.
//! * SchoolBridge's `schoolbridge key rotate` on the command line: the running server uses the
//!   new key within seconds, and Moodle learns it through fault 7025 (`mnet-protocol.md` §5.4).
//! * Moodle's own rotation (its key expired): SchoolBridge learns Moodle's new key when Moodle's
//!   signature no longer verifies, from Moodle's own `system/keyswap`.

use anyhow::Context;
use mnet::keys::PeerCertificate;
use serde_json::{Value, json};

use crate::real_moodle::flows::{Peered, moodle_certificate};
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::site::MoodleSite;
use crate::support::{PATIENCE, poll};

/// Creates students `prefix1..=n` in Moodle; the plugin sends each at the end of the run.
async fn create_students(site: &MoodleSite, prefix: &str, n: usize) -> anyhow::Result<()> {
    for i in 1..=n {
        site.fixture(
            "create-user",
            json!({"username": format!("{prefix}{i}"), "firstname": "Student",
                   "lastname": format!("{prefix}{i}"), "idnumber": format!("{prefix}-{i}")}),
        )
        .await?;
    }
    Ok(())
}

/// Waits until SchoolBridge knows every student `prefix1..=n`.
async fn arrived(api: &SchoolBridgeApi, prefix: &str, n: usize) -> anyhow::Result<()> {
    poll(
        &format!("{n} students {prefix}… in SchoolBridge"),
        PATIENCE,
        || async {
            let people = api.get(&format!("/api/people?q={prefix}")).await?;
            let count = people.as_array().map_or(0, Vec::len);
            Ok((count >= n).then_some(()))
        },
    )
    .await
}

/// What Moodle's queue says: no row waiting or failed.
async fn queue_settled(site: &MoodleSite) -> anyhow::Result<Vec<Value>> {
    let rows = site.fixture("queue", json!({})).await?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    let unsent: Vec<&Value> = rows.iter().filter(|r| r["status"] != json!(1)).collect();
    anyhow::ensure!(unsent.is_empty(), "rows not sent: {unsent:?}");
    Ok(rows)
}

/// The certificate Moodle holds for the peer at `wwwroot`.
async fn moodle_holds_for(site: &MoodleSite, wwwroot: &str) -> anyhow::Result<PeerCertificate> {
    let state = site.fixture("mnet-state", json!({})).await?;
    let host = state["hosts"]
        .as_array()
        .and_then(|hosts| hosts.iter().find(|h| h["wwwroot"] == json!(wwwroot)))
        .with_context(|| format!("Moodle has no peer {wwwroot}: {state}"))?;
    let pem = host["public_key"].as_str().context("no public key")?;
    Ok(PeerCertificate::from_pem(pem)?)
}

async fn sb_current(api: &SchoolBridgeApi) -> anyhow::Result<String> {
    let key = api.get("/api/site-key").await?;
    key["current"]["fingerprint"]
        .as_str()
        .map(str::to_owned)
        .context("no current key")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_schoolbridge_rotates_its_key_on_the_command_line_under_traffic()
-> anyhow::Result<()> {
    let name = "m45-keys-sb";
    let Peered {
        site, server, api, ..
    } = Peered::m45(name).await?;
    site.fixture("plugin-config", json!({"peers": [server.wwwroot()]}))
        .await?;
    create_students(&site, "before", 3).await?;
    arrived(&api, "before", 3).await?;
    let published = server.url("/mnet/publickey.php");
    let published_key = || async {
        let pem = reqwest::get(&published).await?.text().await?;
        anyhow::Ok(PeerCertificate::from_pem(&pem)?.fingerprint_sha256())
    };
    let old = published_key().await?;

    // The operator rotates the key on the command line while the server runs. The running
    // server publishes it within seconds (it used to wait for its hourly duty), without anyone
    // opening the console's Site key page.
    server.cli(&["key", "rotate", "--yes"])?;
    let new = poll(
        "the running server to publish the rotated key",
        PATIENCE,
        || async {
            let current = published_key().await?;
            Ok((current != old).then_some(current))
        },
    )
    .await?;
    assert_eq!(sb_current(&api).await?, new);

    // Moodle keeps sending with the key it holds; SchoolBridge answers 7025 with the new one,
    // Moodle stores it and re-sends: nothing is lost.
    create_students(&site, "after", 3).await?;
    arrived(&api, "after", 3).await?;
    queue_settled(&site).await?;
    assert_eq!(
        moodle_holds_for(&site, &server.wwwroot())
            .await?
            .fingerprint_sha256(),
        new,
        "Moodle learnt SchoolBridge's new key"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moodle45_moodle_rotates_its_key_under_traffic() -> anyhow::Result<()> {
    let name = "m45-keys-moodle";
    let Peered {
        site,
        server,
        api,
        connection,
    } = Peered::m45(name).await?;
    site.fixture("plugin-config", json!({"peers": [server.wwwroot()]}))
        .await?;
    create_students(&site, "before", 2).await?;
    arrived(&api, "before", 2).await?;

    // Moodle's key expires and Moodle makes a new one (archiving the old).
    let old = moodle_certificate(&site).await?.fingerprint_sha256();
    site.fixture("expire-key", json!({})).await?;
    let new = moodle_certificate(&site).await?.fingerprint_sha256();
    assert_ne!(old, new, "Moodle made a new key");

    // Moodle signs with its new key: SchoolBridge learns it and nothing is lost.
    create_students(&site, "after", 2).await?;
    arrived(&api, "after", 2).await?;
    queue_settled(&site).await?;
    let peer = api
        .get(&format!("/api/peers/{}", connection.peer_id))
        .await?;
    assert_eq!(peer["peer"]["fingerprint"], json!(new), "{peer}");
    // And SchoolBridge's own calls to Moodle still work (Verify now).
    let verified = api.verify_peer(connection.peer_id).await?;
    assert_eq!(verified["ok"], json!(true), "{verified}");
    Ok(())
}
