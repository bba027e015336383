//! The MNet endpoint's receive pipeline against the real router: every fault path of §5.2/§14,
//! replies wrapped like the request, keyswap, the system methods Moodle's admin UI calls, key
//! rotation with 7025, the clock window, and peer key rotation learned from the peer.

use super::support::{FakeMoodle, TestApp};
use mnet::client::{Reply, ReplyError};
use mnet::envelope::{Inbound, PublicKeyPath, sign_envelope};
use mnet::services::{SCHOOLTOOL_SIS, SSO_IDP, SSO_SP};
use mnet::xmlrpc::{Limits, MethodResponse, Value, parse_response};

const ALL: &[(&str, bool, bool)] = &[
    (SCHOOLTOOL_SIS, true, true),
    (SSO_IDP, true, false),
    (SSO_SP, false, true),
];

fn plain_fault(body: &[u8]) -> (i32, String) {
    match parse_response(body, &Limits::default()).unwrap() {
        MethodResponse::Fault(f) => (f.code, f.string),
        other => panic!("expected a plain fault, got {other:?}"),
    }
}

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../mnet/tests/vectors/moodle-4.5/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A server with `http://moodle.test` as a peer of every service (both ways).
async fn app_with_peer() -> (TestApp, FakeMoodle) {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    app.add_peer(&moodle, ALL).await;
    (app, moodle)
}

#[tokio::test]
async fn unsigned_calls_and_keyswap_answer_like_moodle() {
    let app = TestApp::start().await;
    // Capture 01: plain keyswap → our PEM in a <string>, plain.
    let reply = app.post(capture("01_keyswap_unsigned.request.xml")).await;
    let MethodResponse::Success(Value::String(pem)) =
        parse_response(&reply, &Limits::default()).unwrap()
    else {
        panic!()
    };
    assert_eq!(pem, app.cert().pem());
    assert!(mnet::keys::is_normalised(&pem));
    assert!(
        String::from_utf8_lossy(&reply).contains("&#10;"),
        "PEM newlines as &#10;, like Moodle"
    );
    // Captures 02–04, 06: 7021; 05: the dotted keyswap is 713.
    for (name, code) in [
        ("02_listMethods_unsigned.request.xml", 7021),
        ("03_listServices_unsigned.request.xml", 7021),
        ("04_user_authorise_unsigned.request.xml", 7021),
        ("06_bogus_method_unsigned.request.xml", 7021),
        ("05_keyswap_dotted_unsigned.request.xml", 713),
    ] {
        assert_eq!(
            plain_fault(&app.post(capture(name)).await).0,
            code,
            "{name}"
        );
    }
    // An empty POST and junk get a fault, never an error page.
    assert_eq!(plain_fault(&app.post(Vec::new()).await).0, 7021);
    assert_eq!(plain_fault(&app.post(b"hello".to_vec()).await).0, 7021);
    assert_eq!(
        plain_fault(
            &app.post(b"<encryptedMessage><CipherValue>!!".to_vec())
                .await
        )
        .0,
        7023
    );
    // GET is answered with a fault too.
    let get = reqwest::get(format!("{}/mnet/xmlrpc/server.php", app.url))
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(plain_fault(&get.bytes().await.unwrap()).0, 7021);
}

#[tokio::test]
async fn unknown_and_deleted_senders_get_a_plain_7020_before_any_rsa_work() {
    let app = TestApp::start().await;
    // Capture 10 is from http://127.0.0.1:8082, not registered here.
    let (code, text) = plain_fault(
        &app.post(capture(
            "10_listServices_signed_encrypted_unregistered.request.wire.xml",
        ))
        .await,
    );
    assert_eq!(
        (code, text.as_str()),
        (7020, "http://127.0.0.1:8082/wrong-wwwroot")
    );

    let moodle = FakeMoodle::new("http://moodle.test");
    let peer = app.add_peer(&moodle, ALL).await;
    assert!(matches!(
        moodle.call(&app, "system/listServices", &[]).await,
        Ok(Reply::Value(_))
    ));
    schoolbridge::mnet_host::registry::set_deleted(&app.state, &peer, true)
        .await
        .unwrap();
    let reply = app
        .post(moodle.request(&app.cert(), "system/listServices", &[]))
        .await;
    assert_eq!(
        plain_fault(&reply).0,
        7020,
        "a deleted peer is refused at once"
    );
    // The refusal is in the audit log, with no envelope opened.
    assert_eq!(app.newest_audit().await.entry.fault_code, Some(7020));
}

#[tokio::test]
async fn signed_only_calls_get_a_signed_7021_and_keyswap_is_served() {
    let (app, moodle) = app_with_peer().await;
    let call = mnet::xmlrpc::write_call("system/listServices", &[]);
    let signed = sign_envelope(
        call.as_bytes(),
        &moodle.key,
        &moodle.wwwroot,
        moodle.now(),
        PublicKeyPath::Moodle,
        &mut rand::rng(),
    )
    .unwrap();
    let reply = app.post(signed).await;
    let Inbound::Signed(env) = Inbound::classify(&reply, &Limits::default()).unwrap() else {
        panic!("a signed reply")
    };
    let verified = env.verify(&app.cert()).unwrap();
    assert_eq!(plain_fault(&verified.payload).0, 7021);
}

#[tokio::test]
async fn encrypted_garbage_and_wrong_keys_get_a_plain_7023() {
    let (app, moodle) = app_with_peer().await;
    // Sealed to a certificate that is not ours.
    let stranger = FakeMoodle::new("http://stranger.test");
    let reply = app
        .post(moodle.request(&stranger.cert, "system/listServices", &[]))
        .await;
    let (code, text) = plain_fault(&reply);
    assert_eq!((code, text.as_str()), (7023, "mnet/encryption-invalid"));
}

#[tokio::test]
async fn system_methods_answer_as_moodles_admin_ui_expects() {
    let (app, moodle) = app_with_peer().await;
    // listServices: array of {name, apiversion, publish, subscribe}, strings, like capture 20.
    let Value::Array(services) = moodle.value(&app, "system/listServices", &[]).await else {
        panic!()
    };
    let described: Vec<(String, String, String, String)> = services
        .iter()
        .map(|s| {
            let s = s.as_struct().unwrap();
            let f = |k: &str| s.get(k).unwrap().as_str().unwrap().to_owned();
            (f("name"), f("apiversion"), f("publish"), f("subscribe"))
        })
        .collect();
    assert_eq!(
        described,
        vec![
            ("schooltool_sis".into(), "1".into(), "1".into(), "1".into()),
            ("sso_idp".into(), "1".into(), "1".into(), "0".into()),
            ("sso_sp".into(), "1".into(), "0".into(), "1".into()),
        ]
    );
    // Structurally the same as the real Moodle's reply (capture 20): same member names, order and types.
    let real = parse_response(
        &capture("20_listServices_signed_encrypted.response.payload.xml"),
        &Limits::default(),
    )
    .unwrap();
    let MethodResponse::Success(Value::Array(real)) = real else {
        panic!()
    };
    let shape = |v: &Value| {
        v.as_struct()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.to_owned(), std::mem::discriminant(v)))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&services[0]), shape(&real[0]));

    // listMethods: our published paths; with a service name, that service's.
    let Value::Array(all) = moodle.value(&app, "system/listMethods", &[]).await else {
        panic!()
    };
    assert!(all.contains(&Value::from("schooltool/sis/new_grade")));
    let paths: Vec<&str> = all.iter().filter_map(Value::as_str).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(
        paths, sorted,
        "sorted by path, as Moodle lists them (capture 21)"
    );
    assert!(all.contains(&Value::from("auth/mnet/auth.php/user_authorise")));
    assert!(
        !all.contains(&Value::from("auth/mnet/auth.php/kill_child")),
        "sso_sp is not published to this peer"
    );
    let Value::Array(sis) = moodle
        .value(&app, "system/listMethods", &[Value::from("schooltool_sis")])
        .await
    else {
        panic!()
    };
    assert_eq!(
        sis.len(),
        9,
        "the seven of the first contract, remove_grade and batch"
    );
    assert!(
        sis.contains(&Value::from("schooltool/sis/batch")),
        "issue 19: the batch method is listed: {sis:?}"
    );
    // methodSignature: the struct shape of capture 23.
    let sig = moodle
        .value(
            &app,
            "system/methodSignature",
            &[Value::from("auth/mnet/auth.php/user_authorise")],
        )
        .await;
    let real = parse_response(
        &capture("23_methodSignature_user_authorise.response.payload.xml"),
        &Limits::default(),
    )
    .unwrap();
    let MethodResponse::Success(real) = real else {
        panic!()
    };
    assert_eq!(
        sig, real,
        "identical to Moodle's own signature for user_authorise"
    );
    let Value::String(help) = moodle
        .value(
            &app,
            "system/methodHelp",
            &[Value::from("schooltool/sis/new_grade")],
        )
        .await
    else {
        panic!()
    };
    assert!(help.contains("grade"));
    // Unknown system method: 17 like Moodle 4.5 (capture 27); unknown RPC: 7012 (capture 28).
    assert!(
        matches!(moodle.call(&app, "system/listFiles", &[]).await, Ok(Reply::Fault(f)) if f.code == 17)
    );
    assert!(
        matches!(moodle.call(&app, "mod/forum/lib.php/forum_add_instance", &[]).await, Ok(Reply::Fault(f)) if f.code == 7012)
    );
    // A method whose service is not published to the caller: 7012.
    assert!(
        matches!(moodle.call(&app, "auth/mnet/auth.php/kill_child", &[]).await, Ok(Reply::Fault(f)) if f.code == 7012)
    );
    // Keyswap, signed and encrypted (capture 29): our PEM, wrapped.
    let Value::String(pem) = moodle.value(&app, "system/keyswap", &[]).await else {
        panic!()
    };
    assert_eq!(pem, app.cert().pem());
}

#[tokio::test]
async fn a_bad_signature_is_710_and_replies_are_wrapped_like_the_request() {
    let (app, moodle) = app_with_peer().await;
    // An impostor claiming to be the peer, signing with its own key; the peer's real key is
    // unchanged (there is no rotation to learn), so the call is refused.
    let mut impostor = FakeMoodle::new("http://moodle.test");
    impostor.wwwroot = moodle.wwwroot.clone();
    let reply = app
        .post(impostor.request(&app.cert(), "system/listServices", &[]))
        .await;
    // The reply is encrypted to the stored (real) certificate, so only the real peer opens it.
    assert!(impostor.read(&reply, &app.cert()).is_err());
    let r = moodle.read(&reply, &app.cert()).unwrap();
    assert!(matches!(r.reply, Reply::Fault(f) if f.code == 710));
}

/// The timestamp sits outside the signature: a request whose timestamp cannot be read (an
/// attacker who flips a byte of it) is refused rather than let past the clock window.
#[tokio::test]
async fn a_request_without_a_readable_timestamp_is_refused() {
    let (app, moodle) = app_with_peer().await;
    let cert = app.cert();
    let payload = mnet::xmlrpc::write_call("system/listServices", &[]);
    let now = moodle.now();
    let signed = sign_envelope(
        payload.as_bytes(),
        &moodle.key,
        &moodle.wwwroot,
        now,
        PublicKeyPath::Moodle,
        &mut rand::rng(),
    )
    .unwrap();
    let ts = format!("<timestamp>{now}</timestamp>");
    let damaged = signed.replacen(&ts, "<timestamp>soon</timestamp>", 1);
    assert_ne!(damaged, signed, "the template writes <timestamp>");
    let body = mnet::envelope::seal_envelope(
        damaged.as_bytes(),
        &cert,
        &moodle.wwwroot,
        mnet::envelope::Cipher::Rc4,
        &mut rand::rng(),
    )
    .unwrap();
    let reply = app.post(body.into_bytes()).await;
    let Reply::Fault(f) = moodle.read(&reply, &cert).unwrap().reply else {
        panic!("expected a fault")
    };
    assert_eq!(f.code, schoolbridge::mnet_host::receive::FAULT_CLOCK_SKEW);
    assert!(f.string.contains("no readable timestamp"), "{}", f.string);
}

#[tokio::test]
async fn clock_skew_beyond_the_window_is_refused_with_a_clear_fault() {
    let (app, mut moodle) = app_with_peer().await;
    moodle.clock_offset = -900;
    let cert = app.cert();
    let reply = app
        .post(moodle.request(&cert, "system/listServices", &[]))
        .await;
    // This peer's own client would also refuse our reply (our clock is 900 s ahead of its own):
    // read past that check to see our fault.
    assert!(matches!(
        moodle.read(&reply, &cert),
        Err(ReplyError::ClockAhead { .. })
    ));
    let r = moodle.read_with_drift(&reply, &cert, 3600).unwrap();
    let Reply::Fault(f) = r.reply else {
        panic!("expected a fault")
    };
    assert_eq!(f.code, schoolbridge::mnet_host::receive::FAULT_CLOCK_SKEW);
    // 900 s, or 901 when a second boundary passed between the request's timestamp and our
    // check (a loaded machine).
    assert!(
        ["900 seconds behind", "901 seconds behind"]
            .iter()
            .any(|s| f.string.contains(s)),
        "{}",
        f.string
    );
    assert!(f.string.contains("NTP"));
    // Within the window (default 300 s): accepted. The peer's clock is ahead, so our reply's
    // timestamp is behind its clock, which Moodle's client accepts.
    moodle.clock_offset = 200;
    assert!(matches!(
        moodle.call(&app, "system/listServices", &[]).await,
        Ok(Reply::Value(_))
    ));
}

#[tokio::test]
async fn key_rotation_with_a_peer_holding_the_old_certificate_7025_then_retry() {
    let (app, moodle) = app_with_peer().await;
    let old_cert = app.cert();
    app.state.keys.rotate().await.unwrap();
    let new_cert = app.cert();
    assert_ne!(old_cert.pem(), new_cert.pem());
    // The peer still seals to the old certificate: 7025 carrying the new PEM, signed with the
    // OLD key (the one that opened it), encrypted to the peer.
    let reply = app
        .post(moodle.request(&old_cert, "system/listServices", &[]))
        .await;
    let r = moodle.read(&reply, &old_cert).unwrap();
    let Reply::KeyChanged(pem) = r.reply else {
        panic!("expected 7025")
    };
    assert_eq!(pem, new_cert.pem());
    assert!(
        mnet::keys::is_normalised(&pem),
        "Moodle requires the PARAM_PEM form"
    );
    let Inbound::Signed(env) = Inbound::classify(&r.signed_envelope, &Limits::default()).unwrap()
    else {
        panic!()
    };
    assert!(
        env.verify(&old_cert).is_ok(),
        "signed with the archived key"
    );
    // Moodle stores it and re-sends the identical request: no call lost.
    let stored = mnet::keys::PeerCertificate::from_pem(&pem).unwrap();
    let again = app
        .post(moodle.request(&stored, "system/listServices", &[]))
        .await;
    assert!(matches!(
        moodle.read(&again, &stored).unwrap().reply,
        Reply::Value(_)
    ));
    // After `key_generations` more rotations the oldest key no longer opens anything: 7023.
    for _ in 0..3 {
        app.state.keys.rotate().await.unwrap();
    }
    let reply = app
        .post(moodle.request(&old_cert, "system/listServices", &[]))
        .await;
    assert_eq!(plain_fault(&reply).0, 7023);
}

/// Password fields are never stored, also when the call ends in a fault before the SIS service
/// sees it (here the 7025 a peer gets on its first call after our key rotation): nothing of an
/// encrypted request is kept before its sender is authenticated (issue 18).
#[tokio::test]
async fn a_password_is_kept_out_of_the_audit_log_on_an_early_fault() {
    let (app, moodle) = app_with_peer().await;
    let old_cert = app.cert();
    app.state.keys.rotate().await.unwrap();
    let user = Value::Struct(
        mnet::xmlrpc::Struct::new()
            .with("idnumber", "S-1")
            .with("username", "jdoe")
            .with("password", "hunter2-secret"),
    );
    let reply = app
        .post(moodle.request(&old_cert, "schooltool/sis/fetch_user", &[user]))
        .await;
    assert!(matches!(
        moodle.read(&reply, &old_cert).unwrap().reply,
        Reply::KeyChanged(_)
    ));
    let rows = app
        .audit(schoolbridge::store::AuditFilter {
            method: Some("fetch_user".into()),
            limit: 10,
            ..Default::default()
        })
        .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let entry = app.audit_entry(rows[0].id).await;
    assert!(
        entry.entry.envelope.is_none(),
        "the envelope carried a password"
    );
    assert!(
        entry
            .entry
            .envelope_note
            .as_deref()
            .unwrap_or("")
            .contains("not kept"),
        "{:?}",
        entry.entry.envelope_note
    );
}

/// Both sides re-keyed at once: the peer seals to our old certificate and signs with a key we do
/// not hold yet. Moodle answers 7025 first (its `pushkey` comes before the signature verdict,
/// §5.2 step 3); so do we, signed with the old key and encrypted to the peer's stored certificate,
/// which a Moodle keeps among its archived keys. Nothing is dispatched.
#[tokio::test]
async fn both_sides_rekeyed_gets_7025_first() {
    let (app, mut moodle) = app_with_peer().await;
    let before = FakeMoodle {
        wwwroot: moodle.wwwroot.clone(),
        key: moodle.key.clone(),
        cert: moodle.cert.clone(),
        clock_offset: 0,
    };
    let old_cert = app.cert();
    app.state.keys.rotate().await.unwrap();
    moodle.rotate();
    let reply = app
        .post(moodle.request(&old_cert, "system/listServices", &[]))
        .await;
    let r = before.read(&reply, &old_cert).unwrap();
    let Reply::KeyChanged(pem) = r.reply else {
        panic!("expected 7025")
    };
    assert_eq!(pem, app.cert().pem());
}

#[tokio::test]
async fn a_rotated_peer_key_is_not_trusted_without_the_peer_confirming_it() {
    // (The positive path, where the peer's own keyswap confirms the new key, needs a peer that
    // serves HTTP: see the moodle-sim tests.)
    let (app, mut moodle) = app_with_peer().await;
    moodle.rotate();
    // Without a reachable peer to confirm the new key, the call is refused (710), not trusted.
    let cert = app.cert();
    let reply = app
        .post(moodle.request(&cert, "system/listServices", &[]))
        .await;
    let err = moodle.read(&reply, &cert);
    // Our reply is encrypted to the OLD certificate the peer no longer has: it cannot read it,
    // exactly as a Moodle would see it.
    assert!(matches!(err, Err(ReplyError::NoKeyMatch)));
}

#[tokio::test]
async fn every_message_is_in_the_audit_log_with_its_envelope() {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    let peer = app.add_peer(&moodle, ALL).await;
    moodle.call(&app, "system/listServices", &[]).await.unwrap();
    let rows = app
        .audit(schoolbridge::store::AuditFilter {
            peer_id: Some(peer.id),
            limit: 10,
            ..Default::default()
        })
        .await;
    let e = &rows[0];
    assert_eq!(e.entry.method.as_deref(), Some("system/listServices"));
    assert!(e.entry.encrypted && e.entry.signed);
    assert_eq!(e.entry.outcome.as_str(), "ok");
    // The stored envelope verifies again, later, against the peer's certificate.
    let full = app.audit_entry(e.id).await;
    let env = mnet::envelope::SignedEnvelope::parse(
        full.entry.envelope.as_ref().unwrap(),
        &Limits::default(),
    )
    .unwrap();
    assert!(env.verify(&moodle.cert).is_ok());
}

#[tokio::test]
async fn publickey_and_home_page_for_moodles_add_peer_form() {
    let app = TestApp::start().await;
    let pem = reqwest::get(format!("{}/mnet/publickey.php", app.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(pem, app.cert().pem());
    let home = reqwest::get(format!("{}/", app.url)).await.unwrap();
    let csp = home
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = home.text().await.unwrap();
    assert!(
        html.contains("<title>Springfield High SIS</title>"),
        "Moodle takes the peer name from <title>"
    );
    // An unknown API path is a JSON 404, not the console page.
    let api = reqwest::get(format!("{}/api/no/such/thing", app.url))
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert!(
        api.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::start_with(
        super::support::Backend::Sqlite,
        schoolbridge::ConfigLayer {
            max_body_bytes: Some(64 * 1024),
            ..Default::default()
        },
    )
    .await;
    let resp = reqwest::Client::new()
        .post(format!("{}/mnet/xmlrpc/server.php", app.url))
        .body(vec![b'<'; 200 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
}
