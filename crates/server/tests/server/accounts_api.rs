//! Console accounts and the JSON API's guards: sign-in, roles on every route, CSRF, session
//! timeouts, sign-out, the first administrator's set-up token, login rights.

use super::support::{Api, FakeMoodle, TestApp, local_account};
use reqwest::Method;
use serde_json::json;

/// Every admin-only route, with a body where one is needed.
fn admin_routes(peer: i64) -> Vec<(Method, String, Option<serde_json::Value>)> {
    vec![
        (Method::GET, "/api/peers".into(), None),
        (
            Method::POST,
            "/api/peers/preview".into(),
            Some(json!({"url": "http://127.0.0.1:9"})),
        ),
        (
            Method::POST,
            "/api/peers".into(),
            Some(
                json!({"wwwroot": "http://x", "application": "moodle", "name": "x", "fingerprint": "x", "tls_verify": true}),
            ),
        ),
        (Method::GET, format!("/api/peers/{peer}"), None),
        (
            Method::PUT,
            format!("/api/peers/{peer}"),
            Some(json!({"name": "n", "tls_verify": true})),
        ),
        (
            Method::PUT,
            format!("/api/peers/{peer}/services"),
            Some(json!([])),
        ),
        (Method::POST, format!("/api/peers/{peer}/verify"), None),
        (Method::POST, format!("/api/peers/{peer}/review"), None),
        (
            Method::POST,
            format!("/api/peers/{peer}/accept-key"),
            Some(json!({"fingerprint": "x"})),
        ),
        (Method::DELETE, format!("/api/peers/{peer}"), None),
        (Method::POST, format!("/api/peers/{peer}/restore"), None),
        (
            Method::POST,
            format!("/api/peers/{peer}/call"),
            Some(json!({"method": "system/listServices", "params": []})),
        ),
        (Method::GET, "/api/site-key".into(), None),
        (Method::POST, "/api/site-key/rotate".into(), None),
        (
            Method::POST,
            "/api/people".into(),
            Some(
                json!({"username": "u", "firstname": "f", "lastname": "l", "password": "0123456789", "roles": []}),
            ),
        ),
        (
            Method::PUT,
            "/api/people/login".into(),
            Some(json!({"person_ids": [], "allowed": true})),
        ),
        (
            Method::PUT,
            "/api/people/1/roles".into(),
            Some(json!({"roles": []})),
        ),
        (Method::GET, "/api/audit".into(), None),
        (Method::GET, "/api/audit/1".into(), None),
    ]
}

#[tokio::test]
async fn every_api_route_checks_the_session_and_the_role() {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    let peer = app.add_peer(&moodle, &[]).await;
    local_account(&app, "teacher1", "teacher-password", &["teacher"], true).await;
    local_account(&app, "couns1", "counsellor-password", &["counsellor"], true).await;
    let mut anon = Api::anonymous(&app);
    let mut teacher = Api::sign_in(&app, "teacher1", "teacher-password").await;
    let mut counsellor = Api::sign_in(&app, "couns1", "counsellor-password").await;
    for (method, path, body) in admin_routes(peer.id) {
        let (status, err) = anon.send(method.clone(), &path, body.clone()).await;
        assert_eq!(status, 401, "{method} {path} without a session");
        assert_eq!(err["code"], "unauthenticated");
        let (status, _) = teacher.send(method.clone(), &path, body.clone()).await;
        assert_eq!(status, 403, "{method} {path} as a teacher");
        let (status, _) = counsellor.send(method.clone(), &path, body).await;
        assert_eq!(status, 403, "{method} {path} as a counsellor");
    }
    // Counsellors may read people; teachers may not.
    assert_eq!(counsellor.get("/api/people").await.0, 200);
    assert_eq!(teacher.get("/api/people").await.0, 403);
    // Everyone signed in may read their own session; nobody else.
    assert_eq!(teacher.get("/api/session").await.0, 200);
    assert_eq!(anon.get("/api/session").await.0, 401);
}

#[tokio::test]
async fn sign_in_csrf_timeouts_and_sign_out() {
    let app = TestApp::start().await;
    local_account(&app, "admin", "admin-password", &["admin"], true).await;
    local_account(&app, "blocked", "blocked-password", &["admin"], false).await;
    let mut anon = Api::anonymous(&app);
    let (s, body) = anon.try_sign_in("admin", "wrong-password").await;
    assert_eq!((s, body["code"].as_str()), (401, Some("bad_credentials")));
    let (s, body) = anon.try_sign_in("blocked", "blocked-password").await;
    assert_eq!((s, body["code"].as_str()), (403, Some("no_login_rights")));
    let (s, _) = anon.try_sign_in("nobody", "whatever-password").await;
    assert_eq!(s, 401);

    let mut admin = Api::sign_in(&app, "ADMIN", "admin-password").await;
    let (s, me) = admin.get("/api/session").await;
    assert_eq!(s, 200);
    assert_eq!(me["roles"], json!(["admin"]));
    assert!(me["arrived_from"].is_null());
    // The cookie is HttpOnly and SameSite; not Secure on plain http.
    // CSRF: a change without the token is refused, with it accepted.
    let token = admin.csrf.take();
    let (s, err) = admin.send(Method::POST, "/api/site-key/rotate", None).await;
    assert_eq!((s, err["code"].as_str()), (403, Some("csrf")));
    admin.csrf = Some("forged".into());
    assert_eq!(
        admin
            .send(Method::POST, "/api/site-key/rotate", None)
            .await
            .0,
        403
    );
    admin.csrf = token;
    assert_eq!(
        admin
            .send(Method::POST, "/api/site-key/rotate", None)
            .await
            .0,
        200
    );

    // Idle timeout: two hours without a request.
    app.state.clock.shift(2 * 3600 + 5);
    assert_eq!(admin.get("/api/session").await.0, 401);
    let mut admin = Api::sign_in(&app, "admin", "admin-password").await;
    // Absolute timeout: twelve hours even when active.
    for _ in 0..13 {
        app.state.clock.shift(3600);
        let _ = admin.get("/api/session").await;
    }
    assert_eq!(admin.get("/api/session").await.0, 401);

    // Sign out ends the session server-side: the old cookie no longer works.
    let mut admin = Api::sign_in(&app, "admin", "admin-password").await;
    let cookie = admin.cookie.clone();
    assert_eq!(admin.delete("/api/session").await.0, 204);
    admin.cookie = cookie;
    assert_eq!(admin.get("/api/session").await.0, 401);
}

#[tokio::test]
async fn repeated_failures_are_throttled() {
    let app = TestApp::start().await;
    local_account(&app, "victim", "victim-password", &[], true).await;
    let mut anon = Api::anonymous(&app);
    for _ in 0..5 {
        anon.try_sign_in("victim", "guess-guess").await;
    }
    let (s, body) = anon.try_sign_in("victim", "victim-password").await;
    assert_eq!((s, body["code"].as_str()), (429, Some("throttled")));
    // After the minute the count starts again: one more failure is not a sixth, and the right
    // password signs in.
    app.state.clock.shift(61);
    let (s, _) = anon.try_sign_in("victim", "guess-guess").await;
    assert_eq!(s, 401);
    let (s, _) = anon.try_sign_in("victim", "victim-password").await;
    assert_eq!(s, 200);
}

/// Ten guesses at once: the attempt is counted before the password is checked, so only five
/// reach the check and the rest wait, as they would one after another.
#[tokio::test]
async fn parallel_guesses_are_throttled_too() {
    let app = TestApp::start().await;
    local_account(&app, "victim", "victim-password", &[], true).await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let mut anon = Api::anonymous(&app);
        guesses.spawn(async move { anon.try_sign_in("victim", "guess-guess").await.0 });
    }
    let mut statuses = guesses.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    // A name longer than any account is refused without being remembered.
    let mut anon = Api::anonymous(&app);
    let long = "x".repeat(5000);
    let (s, _) = anon.try_sign_in(&long, "p").await;
    assert_eq!(s, 401);
}

/// HSTS only when the site's address is https (a plain-http test site must not get it).
#[tokio::test]
async fn hsts_is_sent_for_an_https_site_only() {
    let http = TestApp::start().await;
    let resp = Api::anonymous(&http).get_raw("/api/setup").await;
    assert!(resp.headers().get("strict-transport-security").is_none());
    let https = TestApp::start_with(
        super::support::Backend::Sqlite,
        schoolbridge::config::ConfigLayer {
            wwwroot: Some("https://sis.school.example".into()),
            ..Default::default()
        },
    )
    .await;
    let resp = Api::anonymous(&https).get_raw("/api/setup").await;
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn the_first_administrator_is_created_with_the_one_time_token() {
    let app = TestApp::start().await;
    let mut anon = Api::anonymous(&app);
    assert_eq!(anon.get("/api/setup").await.1["needs_admin"], true);
    let token = schoolbridge::accounts::setup::token_if_needed(&app.state)
        .await
        .unwrap()
        .unwrap();
    // A second start before anyone set up prints a second link.
    let earlier_link = schoolbridge::accounts::setup::token_if_needed(&app.state)
        .await
        .unwrap()
        .unwrap();
    let req = |t: &str| json!({"token": t, "username": "head", "password": "a-long-password", "firstname": "Ada", "lastname": "Head"});
    assert_eq!(anon.post("/api/setup", req("wrong")).await.0, 403);
    assert_eq!(anon.post("/api/setup", req(&token)).await.0, 201);
    let again = json!({"token": token, "username": "head2", "password": "a-long-password", "firstname": "A", "lastname": "B"});
    assert_eq!(
        anon.post("/api/setup", again).await.0,
        403,
        "the token is single use"
    );
    // The other link, still unused, makes no second administrator.
    let (s, body) = anon.post("/api/setup", req(&earlier_link)).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (403, Some("already_set_up")),
        "{body}"
    );
    assert_eq!(anon.get("/api/setup").await.1["needs_admin"], false);
    assert!(
        schoolbridge::accounts::setup::token_if_needed(&app.state)
            .await
            .unwrap()
            .is_none()
    );
    let mut admin = Api::sign_in(&app, "head", "a-long-password").await;
    assert_eq!(admin.get("/api/peers").await.0, 200);
}

#[tokio::test]
async fn login_rights_and_roles_from_the_console() {
    let app = TestApp::start().await;
    let mut admin = Api::admin(&app).await;
    let (s, created) = admin
        .post("/api/people", json!({"username": "Sam", "firstname": "Sam", "lastname": "Teacher", "password": "sam-password-1", "roles": ["teacher"]}))
        .await;
    assert_eq!(s, 201, "{created}");
    let sam = created["id"].as_i64().unwrap();
    assert_eq!(created["username"], "sam");
    // A name Moodle could not create when the person roams there is refused, with the rule.
    let (s, refused) = admin
        .post("/api/people", json!({"username": "o'brien", "firstname": "Pat", "lastname": "O'Brien", "password": "pat-password-1", "roles": []}))
        .await;
    assert_eq!(s, 400, "{refused}");
    assert_eq!(refused["code"], "bad_username");
    assert!(
        refused["message"].as_str().unwrap().contains("Moodle"),
        "{refused}"
    );
    let mut sam_api = Api::sign_in(&app, "sam", "sam-password-1").await;
    assert_eq!(sam_api.get("/api/session").await.0, 200);
    // Withdrawing login rights ends the session at once.
    let (s, changed) = admin.set_login(&[sam], false).await;
    assert_eq!((s, changed["changed"].as_u64()), (200, Some(1)));
    assert_eq!(sam_api.get("/api/session").await.0, 401);
    // Roles are validated; an admin cannot lock themself out.
    let (s, _) = admin
        .put(
            &format!("/api/people/{sam}/roles"),
            json!({"roles": ["wizard"]}),
        )
        .await;
    assert_eq!(s, 400);
    let me = admin.get("/api/session").await.1["person"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        admin
            .put(&format!("/api/people/{me}/roles"), json!({"roles": []}))
            .await
            .0,
        400
    );
    assert_eq!(admin.set_login(&[me], false).await.0, 400);
    // Search.
    let (_, found) = admin.get("/api/people?q=teach").await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    // Passwords never appear in API answers.
    let (_, all) = admin.get("/api/people").await;
    assert!(!all.to_string().contains("argon2"));
}

/// The accounts use cases the CLI calls are the ones behind the API: a password set by the
/// operator ends the person's sessions; the operator is not held by the console's
/// lock-out rules; a bulk change by peer reaches everyone from it.
#[tokio::test]
async fn the_operator_uses_the_same_accounts_service() {
    use schoolbridge::accounts::people::{self as accounts, AccountError, Actor, Selection};
    let app = TestApp::start().await;
    let admin = local_account(&app, "admin", "admin-password", &["admin"], true).await;
    let mut session = Api::sign_in(&app, "admin", "admin-password").await;
    assert_eq!(session.get("/api/session").await.0, 200);
    accounts::set_password(&app.state, admin, "another-password")
        .await
        .unwrap();
    assert_eq!(session.get("/api/session").await.0, 401, "sessions ended");
    let (s, _) = Api::anonymous(&app)
        .try_sign_in("admin", "admin-password")
        .await;
    assert_eq!(s, 401);
    let mut session = Api::sign_in(&app, "Admin ", "another-password").await;
    // The console keeps a person from removing their own admin role; the operator may.
    assert!(matches!(
        accounts::set_roles(&app.state, Actor::Person(admin), admin, &[]).await,
        Err(AccountError::OwnAdminRole)
    ));
    accounts::set_roles(&app.state, Actor::Operator, admin, &["counsellor".into()])
        .await
        .unwrap();
    let (_, me) = session.get("/api/session").await;
    assert_eq!(me["roles"], json!(["counsellor"]));
    let only_me = Selection {
        person_ids: vec![admin],
        ..Selection::default()
    };
    assert!(matches!(
        accounts::set_login_rights(&app.state, Actor::Person(admin), &only_me, false).await,
        Err(AccountError::OwnLoginRights)
    ));
    let changed = accounts::set_login_rights(&app.state, Actor::Operator, &only_me, false)
        .await
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(session.get("/api/session").await.0, 401);
    // An unknown name is an error, not an empty change.
    assert!(matches!(
        accounts::find(&app.state, "nobody").await,
        Err(AccountError::NotFound)
    ));
}
