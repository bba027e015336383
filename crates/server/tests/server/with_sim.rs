//! SchoolBridge against `moodle-sim`, a Moodle-4.5-shaped peer that serves HTTP: adding a peer by
//! URL, verify and review, SSO from Moodle (land), learning a rotated peer key, our own key
//! rotation with Moodle's 7025 retry, and single logout from the identity provider.

use super::sis_harness::AS_OF_NOW;
use super::support::{Api, TestApp, fresh_key};
use mnet::xmlrpc::Value;
use moodle_sim::{Change, Reply as SimReply, ServeHandle, SimMoodle, start_loopback};
use schoolbridge::mnet_host::registry;

async fn sim() -> (SimMoodle, ServeHandle) {
    sim_with(true).await
}

/// A sim; `register_all_hosts` is Moodle's "Register all hosts" (keyswap registers the caller).
pub async fn sim_with(register_all_hosts: bool) -> (SimMoodle, ServeHandle) {
    start_loopback(fresh_key(), |c| {
        c.springfield();
        c.register_all_hosts = register_all_hosts;
    })
    .await
    .unwrap()
}

/// Moodle pushes `changes` to `app`: the push must run to the end with every change accepted.
pub async fn push_all(
    sim: &SimMoodle,
    app: &TestApp,
    changes: &[Change],
    options: &moodle_sim::PushOptions,
) -> moodle_sim::PushSummary {
    let summary = sim.push(&app.url, changes, options, |_| {}).await;
    assert!(summary.stopped.is_none(), "{summary:?}");
    assert_eq!(summary.accepted(), changes.len() as u64, "no faults");
    summary
}

/// Both sides registered with each other, as an admin would do it.
async fn peered(app: &TestApp, sim: &SimMoodle) -> schoolbridge::store::PeerRow {
    let peer = registry::add(&app.state, sim.wwwroot(), "moodle", None, true)
        .await
        .unwrap();
    sim.add_peer(&app.url).await.unwrap();
    peer
}

/// Serves `router` on loopback as a would-be peer and returns why previewing it failed.
async fn preview_failure(app: &TestApp, router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let err = registry::preview(
        &app.state,
        &format!("http://{addr}"),
        "moodle",
        schoolbridge::state::Reach::peer(true),
    )
    .await
    .err()
    .unwrap();
    server.abort();
    err.to_string()
}

/// A site whose address redirects (http → https, a missing www.): the key exchange is not
/// redirected, and the admin is told which address to use instead.
#[tokio::test]
async fn a_redirecting_address_is_diagnosed_not_followed() {
    let app = TestApp::start().await;
    let router = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::MOVED_PERMANENTLY,
            [(
                axum::http::header::LOCATION,
                "https://moodle.school.example/mnet/xmlrpc/server.php",
            )],
        )
    });
    let text = preview_failure(&app, router).await;
    assert!(
        text.contains("redirects to https://moodle.school.example/"),
        "{text}"
    );
    assert!(
        text.contains("probably https://moodle.school.example"),
        "{text}"
    );
}

/// A reply larger than the body limit is not read whole: the key exchange fails with a reason.
#[tokio::test]
async fn an_oversized_reply_is_cut_off() {
    let app = TestApp::start().await;
    let limit = app.state.config.max_body_bytes;
    let router = axum::Router::new().fallback(move || async move { "x".repeat(limit + 1) });
    let text = preview_failure(&app, router).await;
    assert!(
        text.contains(&format!("larger than {limit} bytes")),
        "{text}"
    );
}

/// Through the API: a preview waits ten minutes for its confirmation, then the admin must fetch
/// the certificate again; a fresh preview is confirmed.
#[tokio::test]
async fn a_preview_is_confirmed_within_ten_minutes_only() {
    let app = TestApp::start().await;
    let (sim, _h) = sim_with(false).await;
    let mut admin = Api::admin(&app).await;
    let (s, preview) = admin.preview_peer(sim.wwwroot()).await;
    assert_eq!(s, 200, "{preview}");
    let confirm = confirm_request(&preview);
    app.state.clock.shift(601);
    let (s, body) = admin.post("/api/peers", confirm.clone()).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("no_preview")));
    assert_eq!(app.state.store.peers(true).await.unwrap().len(), 0);
    let (s, _) = admin.preview_peer(sim.wwwroot()).await;
    assert_eq!(s, 200);
    let (s, body) = admin.post("/api/peers", confirm).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["peer"]["wwwroot"], sim.wwwroot());
}

#[tokio::test]
async fn adding_a_moodle_by_url_verify_and_review() {
    let app = TestApp::start().await;
    let (sim, _h) = sim_with(false).await;
    // Preview: Moodle's checks pass, the title becomes the default name.
    let preview = registry::preview(
        &app.state,
        &format!("{}/", sim.wwwroot()),
        "moodle",
        schoolbridge::state::Reach::peer(true),
    )
    .await
    .unwrap();
    assert_eq!(preview.wwwroot, sim.wwwroot());
    assert_eq!(preview.name, "Springfield Moodle");
    assert_eq!(preview.certificate.serial_hex(), "00");
    // A confirmation naming another fingerprint is refused.
    assert!(
        registry::confirm(&app.state, &preview, "00:11", None, true)
            .await
            .is_err()
    );
    let peer = registry::confirm(
        &app.state,
        &preview,
        &preview.certificate.fingerprint_sha256(),
        None,
        true,
    )
    .await
    .unwrap();
    // Verify before the Moodle knows us: a diagnosis that names our address.
    let v = registry::verify(&app.state, &peer).await;
    assert!(!v.ok);
    assert!(
        v.diagnosis.unwrap().contains(&app.url),
        "7020 explained with our wwwroot"
    );
    sim.add_peer(&app.url).await.unwrap();
    let v = registry::verify(&app.state, &peer).await;
    assert!(v.ok, "{:?}", v.diagnosis);
    // Review: unchanged, then the Moodle re-keys and review flags it until accepted.
    assert!(
        !registry::review(&app.state, &peer)
            .await
            .unwrap()
            .key_changed
    );
    sim.rotate_key(fresh_key()).unwrap();
    let r = registry::review(&app.state, &peer).await.unwrap();
    assert!(r.key_changed);
    assert!(r.peer.pending_pem.is_some());
    let accepted =
        registry::accept_pending_key(&app.state, &r.peer, &r.published.fingerprint_sha256())
            .await
            .unwrap();
    assert_eq!(accepted.certificate_pem, sim.certificate_pem());
    assert!(accepted.pending_pem.is_none());
    // Adding the same URL twice is refused.
    assert!(matches!(
        registry::preview(
            &app.state,
            sim.wwwroot(),
            "moodle",
            schoolbridge::state::Reach::peer(true)
        )
        .await,
        Err(registry::RegistryError::AlreadyExists(_))
    ));
}

#[tokio::test]
async fn a_peer_that_rotated_its_key_is_relearned_from_the_peer_itself() {
    let app = TestApp::start().await;
    let (sim, _h) = sim().await;
    let peer = peered(&app, &sim).await;
    sim.rotate_key(fresh_key()).unwrap();
    // The Moodle signs with its new key; we fetch its key from its own URL, check it signed this
    // very request, store it, and answer sealed to it.
    let reply = sim
        .call(&app.url, "system/listServices", vec![])
        .await
        .unwrap();
    assert!(matches!(reply, SimReply::Value(_)), "{reply:?}");
    let stored = app.state.store.peer(peer.id).await.unwrap().unwrap();
    assert_eq!(stored.certificate_pem, sim.certificate_pem());
    assert!(stored.key_changed_at.is_some());
}

#[tokio::test]
async fn our_key_rotation_reaches_a_moodle_through_7025_and_no_call_is_lost() {
    let app = TestApp::start().await;
    let (sim, _h) = sim().await;
    peered(&app, &sim).await;
    app.state.keys.rotate().await.unwrap();
    sim.clear_received_calls();
    // The Moodle still holds our old certificate: it gets 7025, stores the new one and re-sends.
    let reply = sim
        .call(&app.url, "system/listServices", vec![])
        .await
        .unwrap();
    assert!(matches!(reply, SimReply::Value(_)), "{reply:?}");
    assert_eq!(
        sim.peer(&app.url).unwrap().certificate.pem(),
        app.cert().pem()
    );
}

#[tokio::test]
async fn sso_from_moodle_lands_politely_and_shows_where_from() {
    let app = TestApp::start().await;
    let (sim, _h) = sim().await;
    let peer = peered(&app, &sim).await;
    let mut browser = Api::anonymous(&app);
    let land = |token: &str| {
        format!(
            "/auth/mnet/land.php?token={token}&idp={}&wantsurl=%2Fpeople%3Fq%3Dx",
            sim.wwwroot()
        )
    };

    // First arrival: the person is created from user_authorise, without login rights.
    let token = sim
        .create_sso_token("jdoe", &app.url, &browser.user_agent)
        .unwrap();
    let resp = browser.get_raw(&land(&token)).await;
    assert_eq!(resp.status(), 403);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("do not have access to SchoolBridge yet"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"{}\"", sim.wwwroot())),
        "a link back to the Moodle"
    );
    let person = app
        .state
        .store
        .person_by_peer_username(peer.id, "jdoe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (person.firstname.as_str(), person.login_allowed),
        ("Jane", false)
    );

    // Login rights granted: the next arrival starts a session and goes to the local page asked.
    let now = app.state.clock.now();
    schoolbridge::write_tx!(app.state.store, |c| {
        schoolbridge::store::people::set_login_allowed(c, &[person.id], true, now).await
    })
    .unwrap();
    let token = sim
        .create_sso_token("jdoe", &app.url, &browser.user_agent)
        .unwrap();
    let resp = browser.get_raw(&land(&token)).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/people?q=x");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    browser.cookie = cookie
        .strip_prefix("sb_session=")
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let (status, me) = browser.get("/api/session").await;
    assert_eq!(status, 200);
    assert_eq!(me["arrived_from"]["name"], "Springfield Moodle");
    assert_eq!(me["arrived_from"]["url"], sim.wwwroot());
    assert_eq!(
        me["network_servers"][0]["url"],
        sim.wwwroot(),
        "a person from a peer links home"
    );

    // A land URL opened again (another browser, same User-Agent) is refused, although the
    // identity provider, like Moodle, confirms its token again within 30 s.
    let mut replayer = Api::anonymous(&app);
    replayer.user_agent = browser.user_agent.clone();
    let replay = replayer.get_raw(&land(&token)).await;
    assert_eq!(replay.status(), 403);
    assert!(replay.headers().get("set-cookie").is_none(), "no session");
    let token = sim
        .create_sso_token("jdoe", &app.url, &browser.user_agent)
        .unwrap();
    let mut other = Api::anonymous(&app);
    other.user_agent = "Some other browser".into();
    assert_eq!(other.get_raw(&land(&token)).await.status(), 403);
    // An open redirect is impossible.
    let token = sim
        .create_sso_token("jdoe", &app.url, &browser.user_agent)
        .unwrap();
    let evil = format!(
        "/auth/mnet/land.php?token={token}&idp={}&wantsurl=https%3A%2F%2Fevil.example%2F",
        sim.wwwroot()
    );
    let resp = Api::anonymous(&app).get_raw(&evil).await;
    assert_eq!(resp.headers()["location"], "/");

    // The Moodle ends the session (kill_child, single logout).
    let ua = schoolbridge::accounts::sessions::useragent_sha1(&browser.user_agent);
    let r = sim
        .call(
            &app.url,
            "auth/mnet/auth.php/kill_child",
            vec![Value::from("jdoe"), Value::from(ua.as_str())],
        )
        .await
        .unwrap();
    assert!(matches!(r, SimReply::Value(Value::Bool(true))), "{r:?}");
    assert_eq!(browser.get("/api/session").await.0, 401);
}

#[tokio::test]
async fn landing_from_a_deleted_or_unknown_site_is_refused() {
    let app = TestApp::start().await;
    let (sim, _h) = sim().await;
    let peer = peered(&app, &sim).await;
    let browser = Api::anonymous(&app);
    registry::set_deleted(&app.state, &peer, true)
        .await
        .unwrap();
    let token = sim
        .create_sso_token("jdoe", &app.url, &browser.user_agent)
        .unwrap();
    let resp = browser
        .get_raw(&format!(
            "/auth/mnet/land.php?token={token}&idp={}&wantsurl=/",
            sim.wwwroot()
        ))
        .await;
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("is not a site SchoolBridge is connected to")
    );
}

#[tokio::test]
async fn a_small_scenario_end_to_end_leaves_the_right_records() {
    use moodle_sim::school::generator::generate;
    use moodle_sim::{PushOptions, SchoolSpec, Story};
    let app = TestApp::start().await;
    let (sim, _h) = sim().await;
    peered(&app, &sim).await;
    // Scenario 1: a student self-enrols in five courses; the principal sees them.
    let story = Story::from_name("self-enrol-five-courses").unwrap();
    push_all(&sim, &app, &story.changes(7), &PushOptions::default()).await;
    let student = super::support::everyone(&app.state.store, 500).await;
    let with_five = {
        let mut found = None;
        for p in &student {
            if app
                .state
                .store
                .student_schedule(p.id, AS_OF_NOW)
                .await
                .unwrap()
                .len()
                == 5
            {
                found = Some(p.id);
            }
        }
        found
    };
    assert!(with_five.is_some(), "a student with five current sections");
    // A generated school: every change accepted, the records add up.
    let spec = SchoolSpec {
        students: 12,
        teachers: 2,
        sections: 3,
        sections_per_student: 2,
        assessments_per_section: 2,
        id_offset: 10_000,
        ..SchoolSpec::default()
    };
    let school = generate(&spec).unwrap();
    push_all(&sim, &app, &school.changes, &PushOptions::default()).await;
    let sections = app
        .state
        .store
        .list_sections(&Default::default())
        .await
        .unwrap();
    assert_eq!(
        sections.len(),
        5 + 3,
        "five from the story, three generated"
    );
    // Pushing the very same changes again changes nothing (idempotent by eventid).
    let before = app.newest_audit().await.id;
    let again = sim
        .push(&app.url, &school.changes, &PushOptions::default(), |_| {})
        .await;
    assert_eq!(again.accepted(), school.changes.len() as u64);
    assert_eq!(
        app.state
            .store
            .list_sections(&Default::default())
            .await
            .unwrap()
            .len(),
        8
    );
    assert!(app.newest_audit().await.id > before);
}

/// The plugin's full sync in batches (issue 19) leaves exactly the records the same school sent
/// one change per call leaves.
#[tokio::test]
async fn a_school_pushed_in_batches_is_the_school_pushed_one_by_one() {
    use moodle_sim::school::generator::generate;
    use moodle_sim::{PushOptions, SchoolSpec};
    let spec = SchoolSpec {
        students: 15,
        teachers: 3,
        sections: 4,
        sections_per_student: 2,
        assessments_per_section: 3,
        ..SchoolSpec::default()
    };
    let school = generate(&spec).unwrap();
    let mut states = Vec::new();
    for batch in [1, 40] {
        let app = TestApp::start().await;
        let (sim, _h) = sim().await;
        peered(&app, &sim).await;
        let options = PushOptions {
            batch,
            ..PushOptions::default()
        };
        let summary = push_all(&sim, &app, &school.changes, &options).await;
        if batch > 1 {
            assert!(
                summary.calls < school.changes.len() as u64 / 10,
                "{} calls for {} changes",
                summary.calls,
                school.changes.len()
            );
        }
        states.push(super::sis_harness::dump_state_of(&app.state.store).await);
    }
    assert_eq!(states[0], states[1]);
}

#[tokio::test]
async fn adding_a_peer_tells_a_refused_connection_and_a_non_moodle_apart() {
    let app = TestApp::start().await;
    let mut admin = Api::admin(&app).await;
    let mut preview = async |url: String| {
        let (status, body) = admin.preview_peer(&url).await;
        (
            status,
            body["code"].as_str().unwrap_or_default().to_owned(),
            body["message"].as_str().unwrap_or_default().to_owned(),
        )
    };
    // A port nobody listens on: the host is there, the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (status, code, message) = preview(format!("http://{closed}")).await;
    assert_eq!(
        (status, code.as_str()),
        (502, "connection_refused"),
        "{message}"
    );
    assert!(
        message.contains(&format!("port {}", closed.port())),
        "{message}"
    );
    // A web server that is not a Moodle (SchoolBridge itself, under another path).
    let (status, code, message) = preview(format!("{}/elsewhere", app.url)).await;
    assert_eq!((status, code.as_str()), (502, "not_moodle"), "{message}");
    assert!(message.contains("Networking"), "{message}");
    // A real Moodle is found as before.
    let (sim, _h) = sim().await;
    let (status, code, message) = preview(sim.wwwroot().to_owned()).await;
    assert_eq!(status, 200, "{code}: {message}");
}

/// What the console sends to add the Moodle an add-peer `preview` answered for, as
/// "Springfield Moodle" with its certificate checked.
pub fn confirm_request(preview: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "wwwroot": preview["wwwroot"],
        "application": "moodle",
        "name": "Springfield Moodle",
        "fingerprint": preview["certificate"]["fingerprint"],
        "tls_verify": true,
    })
}
