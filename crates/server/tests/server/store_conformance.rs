//! The store's conformance suite: the same behavioural tests on SQLite and on PostgreSQL.

use super::support::{Backend, FakeMoodle, TestApp, backends};
use schoolbridge::store::peers::{set_peer_deleted, set_peer_service};
use schoolbridge::store::{AuditDirection, AuditFilter, AuditOutcome, NewAuditEntry};

/// Runs the body once per engine with `app` bound to a fresh `&TestApp` (a macro, so the app —
/// and its temporary data directory — lives for the whole body).
macro_rules! each_backend {
    (|$app:ident| $body:block) => {
        for backend in backends() {
            let owned = TestApp::start_on(backend).await;
            let $app = &owned;
            $body
        }
    };
}

#[tokio::test]
async fn peers_services_and_soft_delete() {
    each_backend!(|app| {
        let store = &app.state.store;
        let moodle = FakeMoodle::new("https://moodle.example/school");
        let peer = app
            .add_peer(&moodle, &[("schooltool_sis", true, false)])
            .await;
        assert_eq!(
            store
                .live_peer_by_wwwroot("https://moodle.example/school")
                .await
                .unwrap()
                .unwrap()
                .id,
            peer.id
        );
        assert!(
            store
                .live_peer_by_wwwroot("https://moodle.example/school/")
                .await
                .unwrap()
                .is_none(),
            "exact match only"
        );
        assert!(store.publishes_to(peer.id, "schooltool_sis").await.unwrap());
        assert!(
            !store
                .subscribes_to(peer.id, "schooltool_sis")
                .await
                .unwrap()
        );
        assert!(!store.publishes_to(peer.id, "sso_idp").await.unwrap());
        schoolbridge::write_tx!(app.state.store, |c| set_peer_service(
            c,
            peer.id,
            "schooltool_sis",
            false,
            true
        )
        .await)
        .unwrap();
        assert!(!store.publishes_to(peer.id, "schooltool_sis").await.unwrap());
        schoolbridge::write_tx!(app.state.store, |c| set_peer_deleted(c, peer.id, true, 1)
            .await)
        .unwrap();
        assert!(
            store
                .live_peer_by_wwwroot(&moodle.wwwroot)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .peer_by_wwwroot(&moodle.wwwroot)
                .await
                .unwrap()
                .unwrap()
                .deleted
        );
        assert_eq!(store.peers(false).await.unwrap().len(), 0);
        assert_eq!(store.peers(true).await.unwrap().len(), 1);
        // Re-adding the same wwwroot restores it (Moodle offers undelete, §7.2).
        let again = app.add_peer(&moodle, &[]).await;
        assert_eq!(again.id, peer.id);
        assert!(!again.deleted);
    });
}

/// A success right after a recorded failure is written at once, even within the minute in which
/// successes are otherwise not re-recorded, so the peer's page shows it working again.
#[tokio::test]
async fn a_success_after_a_failure_is_recorded_within_the_minute() {
    each_backend!(|app| {
        let moodle = FakeMoodle::new("https://moodle.example/health");
        let peer = app.add_peer(&moodle, &[]).await;
        let store = &app.state.store;
        let wwwroot = moodle.wwwroot.as_str();
        let contact = |id: i64| async move {
            let p = store.peer_by_wwwroot(wwwroot).await.unwrap().unwrap();
            assert_eq!(p.id, id);
            (p.last_contact_at, p.last_error_at)
        };
        store.touch_peer(peer.id, 1_000).await.unwrap();
        // Within the minute a plain success is not re-written …
        store.touch_peer(peer.id, 1_010).await.unwrap();
        assert_eq!(contact(peer.id).await, (Some(1_000), None));
        // … but after a failure it is.
        store
            .record_peer_error(peer.id, 1_020, "7023")
            .await
            .unwrap();
        store.touch_peer(peer.id, 1_030).await.unwrap();
        assert_eq!(contact(peer.id).await, (Some(1_030), Some(1_020)));
        // A failure and a success in the same second: the success is recorded too.
        store
            .record_peer_error(peer.id, 1_030, "7023")
            .await
            .unwrap();
        store.touch_peer(peer.id, 1_030).await.unwrap();
        store.touch_peer(peer.id, 1_040).await.unwrap();
        assert_eq!(contact(peer.id).await, (Some(1_040), Some(1_030)));
    });
}

#[tokio::test]
async fn site_keys_rotate_and_archive() {
    each_backend!(|app| {
        let first = app.state.keys.ring().current().id;
        app.state.keys.rotate().await.unwrap();
        let ring = app.state.keys.ring();
        assert_ne!(ring.current().id, first);
        assert_eq!(ring.keys[1].id, first);
        assert!(ring.keys[1].retired_at.is_some());
        // Only one current key, even after several rotations.
        for _ in 0..4 {
            app.state.keys.rotate().await.unwrap();
        }
        let rows = app.state.store.site_keys(10).await.unwrap();
        assert_eq!(rows.iter().filter(|r| r.retired_at.is_none()).count(), 1);
        // The ring keeps current + key_generations (3) archived.
        assert_eq!(app.state.keys.ring().keys.len(), 4);
        // Private keys are sealed at rest: the stored bytes are not a PKCS#8 key.
        assert!(!rows[0].private_key_sealed.starts_with(&[0x30, 0x82]));
    });
}

#[tokio::test]
async fn audit_log_filters_and_keeps_envelopes() {
    each_backend!(|app| {
        let entry = |method: &str, outcome: AuditOutcome, at_ms: i64| NewAuditEntry {
            at_ms,
            direction: AuditDirection::In,
            peer_id: None,
            peer_wwwroot: Some("http://x".into()),
            method: Some(method.into()),
            outcome,
            fault_code: (outcome == AuditOutcome::Fault).then_some(7012),
            detail: None,
            duration_us: 5,
            encrypted: true,
            signed: true,
            envelope: Some(b"<signedMessage/>".to_vec()),
            envelope_note: None,
        };
        // Recent times: the server purges entries older than the retention period.
        let t = app.state.clock.now_ms();
        for (method, outcome, after) in [
            ("schooltool/sis/new_grade", AuditOutcome::Ok, 1_000),
            ("schooltool/sis/fetch_user", AuditOutcome::Fault, 2_000),
            ("system/listServices", AuditOutcome::Ok, 3_000),
        ] {
            app.state
                .store
                .audit(&entry(method, outcome, t + after))
                .await
                .unwrap();
        }
        let all = app
            .audit(AuditFilter {
                limit: 50,
                ..Default::default()
            })
            .await;
        assert_eq!(all.len(), 3);
        assert_eq!(
            all[0].entry.method.as_deref(),
            Some("system/listServices"),
            "newest first"
        );
        let method = |text: &str| AuditFilter {
            method: Some(text.into()),
            ..Default::default()
        };
        // `_` and `%` in a method are taken literally: the exact method name finds it, `%` finds
        // nothing.
        for (filter, expected, what) in [
            (method("SIS/"), 2, "method filter is case-insensitive"),
            (method("new_grade"), 1, "method filter \"new_grade\""),
            (
                method("sis/new_grade"),
                1,
                "method filter \"sis/new_grade\"",
            ),
            (method("new%grade"), 0, "method filter \"new%grade\""),
            (method("newxgrade"), 0, "method filter \"newxgrade\""),
            (
                AuditFilter {
                    outcome: Some("fault".into()),
                    ..Default::default()
                },
                1,
                "outcome filter",
            ),
            (
                AuditFilter {
                    from_ms: Some(t + 1_500),
                    until_ms: Some(t + 3_000),
                    ..Default::default()
                },
                1,
                "time window",
            ),
        ] {
            let found = app
                .audit(AuditFilter {
                    limit: 50,
                    ..filter
                })
                .await;
            assert_eq!(found.len(), expected, "{what}");
        }
        let page = app
            .audit(AuditFilter {
                before_id: Some(all[0].id),
                limit: 1,
                ..Default::default()
            })
            .await;
        assert_eq!(page[0].id, all[1].id);
        let one = app.audit_entry(all[2].id).await;
        assert_eq!(
            one.entry.envelope.as_deref(),
            Some(&b"<signedMessage/>"[..])
        );
        assert_eq!(app.state.store.purge_audit(t + 2_500).await.unwrap(), 2);
    });
}

#[tokio::test]
async fn a_restart_keeps_keys_and_peers() {
    // SQLite: the database file and the master key stay in the data directory.
    let app = TestApp::start_on(Backend::Sqlite).await;
    let moodle = FakeMoodle::new("http://moodle.test");
    app.add_peer(&moodle, &[]).await;
    let fingerprint = app.cert().fingerprint_sha256();
    let wwwroot = app.state.config.wwwroot.clone();
    let (dir, _) = app.stop().await;
    // A command run on the data directory without the wwwroot configured uses the stored one:
    // it cannot "move" the site and replace its key by accident.
    let cli = schoolbridge::ConfigLayer {
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    };
    let cli = schoolbridge::AppState::open(cli.finish().unwrap(), schoolbridge::Clock::system())
        .await
        .unwrap();
    assert_eq!(cli.config.wwwroot, wwwroot);
    assert_eq!(
        cli.keys.ring().current().cert.fingerprint_sha256(),
        fingerprint
    );
    cli.store.close().await;
    let config = schoolbridge::ConfigLayer {
        data_dir: Some(dir.path().to_owned()),
        wwwroot: Some(wwwroot),
        ..Default::default()
    };
    let again =
        schoolbridge::AppState::open(config.finish().unwrap(), schoolbridge::Clock::system())
            .await
            .unwrap();
    assert_eq!(
        again.keys.ring().current().cert.fingerprint_sha256(),
        fingerprint
    );
    assert!(
        again
            .store
            .live_peer_by_wwwroot("http://moodle.test")
            .await
            .unwrap()
            .is_some()
    );
    // Another wwwroot (the site moved) gets a new certificate naming it.
    let moved = schoolbridge::ConfigLayer {
        data_dir: Some(dir.path().to_owned()),
        wwwroot: Some("https://sis.moved.example".into()),
        ..Default::default()
    };
    again.store.close().await;
    let moved =
        schoolbridge::AppState::open(moved.finish().unwrap(), schoolbridge::Clock::system())
            .await
            .unwrap();
    moved
        .keys
        .ring()
        .current()
        .cert
        .check_credentials("https://sis.moved.example")
        .unwrap();
}

/// A serialisation conflict found at COMMIT on PostgreSQL (SSI's write skew) is a retryable
/// error, and leaves no stray ROLLBACK behind: PostgreSQL would answer one with the warning
/// "there is no transaction in progress" (issue 18).
#[tokio::test]
async fn a_conflict_at_commit_is_retryable_and_leaves_no_stray_rollback() {
    use sqlx::Executor as _;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt as _;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone()),
    );
    let _guard = tracing::subscriber::set_default(subscriber);

    for backend in backends()
        .into_iter()
        .filter(|b| matches!(b, Backend::Postgres))
    {
        let app = TestApp::start_on(backend).await;
        let store = &app.state.store;
        for (name, value) in [("skew.a", "0"), ("skew.b", "0")] {
            schoolbridge::write_tx!(store, |c| schoolbridge::store::settings::put_setting(
                c, name, value
            )
            .await)
            .unwrap();
        }
        // Write skew: each reads what the other writes.
        let mut tx = [
            store.begin_write().await.unwrap(),
            store.begin_write().await.unwrap(),
        ];
        for (which, sql) in [
            (0, "SELECT value FROM settings WHERE name = 'skew.a'"),
            (1, "SELECT value FROM settings WHERE name = 'skew.b'"),
            (0, "UPDATE settings SET value = '1' WHERE name = 'skew.b'"),
            (1, "UPDATE settings SET value = '1' WHERE name = 'skew.a'"),
        ] {
            (&mut *tx[which]).execute(sql).await.unwrap();
        }
        let [t1, t2] = tx;
        store.commit(t1).await.unwrap();
        let refused = store.commit(t2).await.unwrap_err();
        assert!(refused.is_retryable(), "{refused}");
        // Every pooled connection is used again: a queued ROLLBACK would go out now.
        for _ in 0..20 {
            store.setting("skew.a").await.unwrap();
        }
        assert_eq!(store.setting("skew.a").await.unwrap().as_deref(), Some("0"));
        store.close().await;
        let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
        assert!(
            !log.contains("no transaction in progress"),
            "a stray ROLLBACK after the failed COMMIT:\n{log}"
        );
    }
}
