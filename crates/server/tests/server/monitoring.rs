//! What a monitoring system sees: `/readyz`, and `/metrics` — MNet calls counted by method and
//! fault code as they happen, peers' last contact and days to key expiry read at scrape time,
//! sign-in failures — readable from this machine or with the token, not through a proxy; and
//! the example alert rules in `docs/` only name metrics that exist.

use super::support::{Api, Backend, FakeMoodle, TestApp, principal};
use mnet::services::SCHOOLTOOL_SIS;
use schoolbridge::config::ConfigLayer;

async fn scrape(app: &TestApp, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = super::https::tls_client().get(format!("{}/metrics", app.url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The value of the sample whose line starts with `series` (name and labels as printed).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn ready_when_the_database_answers_and_the_site_key_is_loaded() {
    let app = TestApp::start().await;
    let resp = reqwest::get(format!("{}/readyz", app.url)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(text.contains("ok database"), "{text}");
    assert!(text.contains("ok site key (expires in 2"), "{text}");
    // The database gone: not ready, and /healthz (liveness with the database) says so too.
    app.state.store.close().await;
    let resp = reqwest::get(format!("{}/readyz", app.url)).await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.text().await.unwrap().contains("FAIL database"));
}

#[tokio::test]
async fn mnet_calls_faults_peers_and_sign_in_failures_are_counted() {
    for backend in super::support::backends() {
        let app = TestApp::start_on(backend).await;
        let moodle = FakeMoodle::new("https://moodle.springfield.example");
        app.add_peer(&moodle, &[(SCHOOLTOOL_SIS, true, true)]).await;
        // Two calls that work, one from a stranger (7020 before any RSA work).
        moodle.call(&app, "system/listServices", &[]).await.unwrap();
        moodle.call(&app, "system/listServices", &[]).await.unwrap();
        let stranger = FakeMoodle::new("https://stranger.example");
        let _ = stranger.call(&app, "made/up/method", &[]).await;
        principal(&app).await;
        let mut api = Api::anonymous(&app);
        assert_eq!(api.try_sign_in("principal", "wrong password").await.0, 401);

        let (status, text) = scrape(&app, &[]).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(
            sample(
                &text,
                r#"schoolbridge_mnet_calls_total{direction="in",method="system/listServices",outcome="ok",code=""}"#
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                r#"schoolbridge_mnet_calls_total{direction="in",method="none",outcome="fault",code="7020"}"#
            ),
            Some(1.0),
            "the stranger's method is never read: {text}"
        );
        assert!(
            text.contains(r#"schoolbridge_mnet_call_duration_seconds_count{direction="in",method="system/listServices"} 2"#),
            "{text}"
        );
        let peer = r#"{peer="https://moodle.springfield.example"}"#;
        let last_contact = sample(
            &text,
            &format!("schoolbridge_peer_last_contact_timestamp_seconds{peer}"),
        )
        .unwrap();
        assert!(
            (last_contact - app.state.clock.now() as f64).abs() < 120.0,
            "{backend:?}: last contact {last_contact}"
        );
        let days = sample(
            &text,
            &format!("schoolbridge_peer_certificate_expiry_days{peer}"),
        )
        .unwrap();
        assert!((27.0..=28.0).contains(&days), "{days}");
        let ours = sample(&text, "schoolbridge_site_key_expiry_days").unwrap();
        assert!((27.0..=28.0).contains(&ours), "{ours}");
        assert_eq!(
            sample(
                &text,
                r#"schoolbridge_sign_in_failures_total{reason="bad_credentials"}"#
            ),
            Some(1.0)
        );
        assert!(text.contains("schoolbridge_build_info{"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"));
    }
}

#[tokio::test]
async fn metrics_are_for_this_machine_unless_a_token_is_set() {
    // Through a proxy on this machine — trusted or not — a visitor is not "this machine".
    let app = TestApp::start_with(
        Backend::Sqlite,
        ConfigLayer {
            trusted_proxies: Some(vec!["127.0.0.1".into()]),
            ..ConfigLayer::default()
        },
    )
    .await;
    assert_eq!(scrape(&app, &[]).await.0, 200);
    let (status, text) = scrape(&app, &[("X-Forwarded-For", "203.0.113.9")]).await;
    assert_eq!(status, 403);
    assert!(text.contains("this machine only"), "{text}");
    let untrusted = TestApp::start().await;
    assert_eq!(
        scrape(&untrusted, &[("X-Forwarded-For", "203.0.113.9")])
            .await
            .0,
        403,
        "a proxy nobody listed still shows by its header"
    );

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("metrics-token");
    std::fs::write(&token_file, "s3cret-scraper-token-0123\n").unwrap();
    let app = TestApp::start_with(
        Backend::Sqlite,
        ConfigLayer {
            metrics_token_file: Some(token_file),
            ..ConfigLayer::default()
        },
    )
    .await;
    assert_eq!(
        scrape(&app, &[]).await.0,
        403,
        "with a token, loopback needs it too"
    );
    assert_eq!(
        scrape(
            &app,
            &[
                ("Authorization", "Bearer s3cret-scraper-token-0123"),
                ("X-Forwarded-For", "203.0.113.9")
            ]
        )
        .await
        .0,
        200
    );
    assert_eq!(
        scrape(
            &app,
            &[("Authorization", "Bearer s3cret-scraper-token-0124")]
        )
        .await
        .0,
        403
    );
}

/// The example alert rules (`docs/monitoring/alerts.yml`) use only metrics the server exports
/// (on a site with built-in HTTPS, which adds the certificate's expiry).
#[tokio::test]
async fn the_example_alert_rules_name_real_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = super::https::https_app(dir.path()).await;
    let moodle = FakeMoodle::new("https://moodle.springfield.example");
    app.add_peer(&moodle, &[(SCHOOLTOOL_SIS, true, true)]).await;
    moodle.call(&app, "system/listServices", &[]).await.unwrap();
    // A family shows once it has counted something (prometheus-client leaves out empty ones).
    let mut api = Api::anonymous(&app);
    api.http = super::https::tls_client();
    assert_eq!(api.try_sign_in("nobody", "wrong password").await.0, 401);
    let (_, text) = scrape(&app, &[]).await;
    let tls_days = text
        .lines()
        .find_map(|l| l.strip_prefix("schoolbridge_tls_certificate_expiry_days{"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap();
    assert!((27.0..=28.0).contains(&tls_days), "{tls_days}");
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/monitoring/alerts.yml"
    ))
    .unwrap();
    let mut named = 0;
    for word in rules.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with("schoolbridge_") && word != "schoolbridge_" {
            named += 1;
            assert!(
                text.lines().any(|l| l.starts_with(word)),
                "alerts.yml uses {word}, which /metrics does not export:\n{text}"
            );
        }
    }
    assert!(named >= 3, "the rules name the metrics they watch");
}
