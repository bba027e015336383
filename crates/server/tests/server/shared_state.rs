//! State every instance sharing a database must agree on (issue 18): the sign-in throttle (by
//! name and by client address) and the admin's peer previews, each tested with two instances on
//! one database — SQLite, and PostgreSQL when configured — and the throttle's limits: it ends by
//! itself, and one address cannot keep someone else's name throttled.

use super::support::{Api, TestApp, backends, local_account};
use schoolbridge::config::ConfigLayer;

/// Clients told apart by the address our trusted proxy (127.0.0.1) says they come from.
fn behind_proxy() -> ConfigLayer {
    ConfigLayer {
        trusted_proxies: Some(vec!["127.0.0.1".into()]),
        ..Default::default()
    }
}

/// An anonymous client that the proxy reports as `addr`.
fn client_at(app: &TestApp, addr: &str) -> Api {
    let mut api = Api::anonymous(app);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", addr.parse().unwrap());
    api.http = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    api
}

/// One sign-in attempt on `app` by someone the proxy reports as `addr`.
async fn sign_in_from(
    app: &TestApp,
    addr: &str,
    username: &str,
    password: &str,
) -> (u16, serde_json::Value) {
    client_at(app, addr).try_sign_in(username, password).await
}

#[tokio::test]
async fn two_instances_count_failed_sign_ins_for_a_name_together() {
    for backend in backends() {
        let a = TestApp::start_with(backend, behind_proxy()).await;
        let b = a.start_sharing(behind_proxy()).await;
        local_account(&a, "victim", "victim-password", &[], true).await;
        // Three guesses on one instance and two on the other, from different addresses.
        for (app, addr) in [(&a, "198.51.100.1"), (&b, "198.51.100.2")] {
            let n = if std::ptr::eq(app, &a) { 3 } else { 2 };
            for _ in 0..n {
                let (s, _) = sign_in_from(app, addr, "victim", "guess").await;
                assert_eq!(s, 401, "{backend:?}");
            }
        }
        // Five in all: the name waits, on either instance.
        for app in [&a, &b] {
            let (s, body) = sign_in_from(app, "198.51.100.3", "victim", "victim-password").await;
            assert_eq!(
                (s, body["code"].as_str()),
                (429, Some("throttled")),
                "{backend:?}"
            );
        }
        // The wait ends by itself.
        b.state.clock.shift(61);
        let (s, _) = sign_in_from(&b, "198.51.100.3", "victim", "victim-password").await;
        assert_eq!(s, 200, "{backend:?}");
    }
}

#[tokio::test]
async fn one_address_trying_many_names_waits_on_every_instance() {
    for backend in backends() {
        let limit = ConfigLayer {
            sign_in_address_failures: Some(8),
            ..behind_proxy()
        };
        let a = TestApp::start_with(backend, limit.clone()).await;
        let b = a.start_sharing(limit).await;
        local_account(&a, "ann", "ann-password", &[], true).await;
        // Eight names, one guess each, spread over both instances.
        for i in 0..8 {
            let app = if i % 2 == 0 { &a } else { &b };
            let (s, _) = sign_in_from(app, "203.0.113.9", &format!("name{i}"), "guess").await;
            assert_eq!(s, 401, "{backend:?}");
        }
        // That address now waits, even with a right password; another address does not.
        for app in [&a, &b] {
            let (s, body) = sign_in_from(app, "203.0.113.9", "ann", "ann-password").await;
            assert_eq!((s, body["code"].as_str()), (429, Some("throttled")));
            assert!(
                body["message"].as_str().unwrap().contains("network"),
                "{body}"
            );
        }
        let (s, _) = sign_in_from(&a, "203.0.113.10", "ann", "ann-password").await;
        assert_eq!(s, 200, "{backend:?}");
        // An IPv6 client is counted by its /64: a new address in it does not start afresh.
        for i in 0..8 {
            let addr = format!("2001:db8:5:6::{i:x}");
            sign_in_from(&a, &addr, &format!("v6name{i}"), "guess").await;
        }
        let (s, _) = sign_in_from(&a, "2001:db8:5:6::ffff", "ann", "ann-password").await;
        assert_eq!(s, 429, "{backend:?}");
        // Fifteen minutes later the address may try again.
        a.state.clock.shift(901);
        let (s, _) = sign_in_from(&a, "203.0.113.9", "ann", "ann-password").await;
        assert_eq!(s, 200, "{backend:?}");
    }
}

/// An attacker hammering one name from one address: it throttles the name for a minute at most,
/// then its own address waits, and the name's owner signs in from elsewhere.
#[tokio::test]
async fn one_address_cannot_keep_someone_else_out() {
    let app = TestApp::start_with(
        super::support::Backend::Sqlite,
        ConfigLayer {
            sign_in_address_failures: Some(10),
            ..behind_proxy()
        },
    )
    .await;
    local_account(&app, "victim", "victim-password", &[], true).await;
    let attacker = || client_at(&app, "192.0.2.66");
    for _ in 0..5 {
        attacker().try_sign_in("victim", "guess").await;
    }
    // The name waits now; the attacker keeps going (refused, but counted for its address).
    for _ in 0..5 {
        let (s, _) = attacker().try_sign_in("victim", "guess").await;
        assert_eq!(s, 429);
    }
    let (s, _) = sign_in_from(&app, "192.0.2.7", "victim", "victim-password").await;
    assert_eq!(s, 429, "the name waits its minute");
    app.state.clock.shift(61);
    // The attacker's address is held back; its tries no longer count against the name.
    for _ in 0..20 {
        let (s, _) = attacker().try_sign_in("victim", "guess").await;
        assert_eq!(s, 429);
    }
    let (s, body) = sign_in_from(&app, "192.0.2.7", "victim", "victim-password").await;
    assert_eq!(s, 200, "the owner is not locked out: {body}");
}

#[tokio::test]
async fn a_preview_made_on_one_instance_is_confirmed_on_another() {
    for backend in backends() {
        let a = TestApp::start_on(backend).await;
        let b = a.start_sharing(ConfigLayer::default()).await;
        let (sim, _h) = super::with_sim::sim_with(false).await;
        let mut on_a = Api::admin(&a).await;
        let mut on_b = Api::sign_in(&b, "admin", "admin-password").await;
        let (s, preview) = on_a.preview_peer(sim.wwwroot()).await;
        assert_eq!(s, 200, "{backend:?}: {preview}");
        let confirm = super::with_sim::confirm_request(&preview);
        let (s, body) = on_b.post("/api/peers", confirm).await;
        assert_eq!(s, 201, "{backend:?}: {body}");
        assert_eq!(body["peer"]["wwwroot"], sim.wwwroot());
        assert_eq!(a.state.store.peers(false).await.unwrap().len(), 1);
    }
}

/// The console's preview refuses loopback and link-local targets unless allowed.
#[tokio::test]
async fn the_console_preview_refuses_internal_targets_unless_allowed() {
    let app = TestApp::start_with(
        super::support::Backend::Sqlite,
        ConfigLayer {
            allow_private_peers: Some(false),
            ..Default::default()
        },
    )
    .await;
    let (sim, _h) = super::with_sim::sim_with(false).await;
    let mut admin = Api::admin(&app).await;
    for url in [
        sim.wwwroot().to_owned(),
        "http://localhost:9".to_owned(),
        "http://169.254.169.254".to_owned(),
        "http://[::1]:8080".to_owned(),
        "http://[fe80::1]".to_owned(),
        "http://0.0.0.0:80".to_owned(),
    ] {
        let (s, body) = admin.preview_peer(&url).await;
        assert_eq!(s, 400, "{url}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("allow_private_peers"),
            "{url}: {body}"
        );
    }
    // Allowed: the same Moodle on this machine is previewed.
    let allowed = app
        .start_sharing(ConfigLayer {
            allow_private_peers: Some(true),
            ..Default::default()
        })
        .await;
    let mut admin = Api::sign_in(&allowed, "admin", "admin-password").await;
    let (s, body) = admin.preview_peer(sim.wwwroot()).await;
    assert_eq!(s, 200, "{body}");
}
