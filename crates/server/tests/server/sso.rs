//! SchoolBridge as identity provider: jump tokens (40 hex, single use, bound to the browser's
//! User-Agent, 30 s) and the peer's `user_authorise`; single logout; the Network Servers list.

use super::support::{Api, FakeMoodle, TestApp, local_account};
use mnet::client::Reply;
use mnet::services::{SCHOOLTOOL_SIS, SSO_IDP, SSO_SP};
use mnet::sso::USER_AUTHORISE_KEYS;
use mnet::xmlrpc::Value;
use schoolbridge::store::PeerServiceRow;
use schoolbridge::store::peers::record_remote_services;

const SSO_BOTH_WAYS: &[(&str, bool, bool)] = &[
    (SCHOOLTOOL_SIS, true, true),
    (SSO_IDP, true, true),
    (SSO_SP, true, true),
];

/// Follows our jump page; returns the token from the redirect to the peer's land page.
async fn jump(api: &Api, peer_id: i64) -> (String, String) {
    let resp = api
        .get_raw(&format!(
            "/auth/mnet/jump.php?hostid={peer_id}&wantsurl=/course/view.php%3Fid%3D2"
        ))
        .await;
    assert_eq!(resp.status(), 303, "jump redirects");
    let to = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let token = token_of(&to);
    (to, token)
}

/// The peer calls our `user_authorise(token, useragent_sha1)`, as a Moodle's land page does.
async fn authorise(
    moodle: &FakeMoodle,
    app: &TestApp,
    token: &str,
    ua_sha1: &str,
) -> Result<Reply, mnet::client::ReplyError> {
    moodle
        .call(
            app,
            "auth/mnet/auth.php/user_authorise",
            &[Value::from(token), Value::from(ua_sha1)],
        )
        .await
}

/// The token in a redirect to a land page.
fn token_of(location: &str) -> String {
    location
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

fn sha1_hex(s: &str) -> String {
    schoolbridge::accounts::sessions::useragent_sha1(s)
}

/// A SchoolBridge peered with a Moodle for SSO both ways, and Mr Smith signed in with `roles`.
async fn smith_signed_in(
    roles: &[&str],
) -> (TestApp, FakeMoodle, schoolbridge::store::PeerRow, Api) {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    let peer = app.add_peer(&moodle, SSO_BOTH_WAYS).await;
    local_account(&app, "mrsmith", "smith-password", roles, true).await;
    let api = Api::sign_in(&app, "mrsmith", "smith-password").await;
    (app, moodle, peer, api)
}

#[tokio::test]
async fn jump_then_user_authorise_like_a_moodle_idp() {
    let (app, moodle, peer, api) = smith_signed_in(&["teacher"]).await;
    let (to, token) = jump(&api, peer.id).await;
    assert!(
        to.starts_with(&format!(
            "http://moodle.test/auth/mnet/land.php?token={token}&idp={}&wantsurl=",
            app.url
        )),
        "{to}"
    );
    assert!(
        to.ends_with("wantsurl=%2Fcourse%2Fview.php%3Fid%3D2"),
        "{to}"
    );
    assert_eq!(token.len(), 40);
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );

    let ua = sha1_hex(&api.user_agent);
    let Ok(Reply::Value(Value::Struct(user))) = authorise(&moodle, &app, &token, &ua).await else {
        panic!()
    };
    for key in USER_AUTHORISE_KEYS {
        assert!(
            user.get(key).is_some(),
            "reply lacks {key} (capture 25 has it)"
        );
    }
    assert_eq!(user.get("username"), Some(&Value::from("mrsmith")));
    for invented in ["lang", "timezone", "country", "city"] {
        assert!(
            user.get(invented).is_none(),
            "{invented}: a Moodle would overwrite the person's own value at every login"
        );
    }
    assert_eq!(user.get("wwwroot"), Some(&Value::from(app.url.as_str())));
    // Single use.
    let again = authorise(&moodle, &app, &token, &ua).await;
    assert!(matches!(again, Ok(Reply::Fault(f)) if f.code == 1));
}

/// After a repeat login a Moodle reports the person's courses there and ignores the answer
/// (§8.2 step 8): acknowledged, not a 7012 fault in the activity log; nothing is stored.
#[tokio::test]
async fn update_enrolments_is_acknowledged_not_a_fault() {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    app.add_peer(&moodle, SSO_BOTH_WAYS).await;
    local_account(&app, "mrsmith", "smith-password", &[], true).await;
    let course = Value::Struct(
        mnet::xmlrpc::Struct::new()
            .with("id", "2")
            .with("shortname", "MATH9")
            .with("fullname", "Mathematics 9"),
    );
    let known = moodle
        .call(
            &app,
            "auth/mnet/auth.php/update_enrolments",
            &[Value::from("mrsmith"), Value::Array(vec![course])],
        )
        .await;
    assert!(
        matches!(known, Ok(Reply::Value(Value::String(_)))),
        "{known:?}"
    );
    let unknown = moodle
        .call(
            &app,
            "auth/mnet/auth.php/update_enrolments",
            &[Value::from("nobody"), Value::Array(vec![])],
        )
        .await;
    assert!(
        matches!(unknown, Ok(Reply::Value(Value::Bool(false)))),
        "{unknown:?}"
    );
    let rows = app
        .audit(schoolbridge::store::audit::AuditFilter {
            method: Some("update_enrolments".into()),
            limit: 10,
            ..Default::default()
        })
        .await;
    let entry = rows
        .iter()
        .map(|r| &r.entry)
        .find(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("1 course(s)"))
        })
        .unwrap_or_else(|| panic!("audited with the number of courses: {rows:?}"));
    assert!(entry.fault_code.is_none(), "{entry:?}");
}

/// A User-Agent with bytes beyond ASCII (some in-app browsers send Latin-1): the token is bound
/// to sha1 of the raw header bytes, as Moodle's land.php hashes `$_SERVER['HTTP_USER_AGENT']`.
#[tokio::test]
async fn a_non_ascii_user_agent_is_hashed_as_sent() {
    let (app, moodle, peer, api) = smith_signed_in(&[]).await;
    let raw_ua: &[u8] = b"SchoolApp/2.1 (Caf\xe9 Edition)";
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/auth/mnet/jump.php?hostid={}", app.url, peer.id))
        .header(
            "User-Agent",
            reqwest::header::HeaderValue::from_bytes(raw_ua).unwrap(),
        )
        .header(
            "Cookie",
            format!("sb_session={}", api.cookie.as_deref().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let token = token_of(resp.headers()["location"].to_str().unwrap());
    let ua = schoolbridge::accounts::sessions::useragent_sha1(raw_ua);
    let reply = authorise(&moodle, &app, &token, &ua).await;
    assert!(
        matches!(reply, Ok(Reply::Value(Value::Struct(_)))),
        "{reply:?}"
    );
}

#[tokio::test]
async fn wrong_user_agent_expired_and_foreign_tokens_fail() {
    let app = TestApp::start().await;
    let mut moodle = FakeMoodle::new("http://moodle.test");
    let other = FakeMoodle::new("http://other.test");
    let peer = app.add_peer(&moodle, SSO_BOTH_WAYS).await;
    app.add_peer(&other, SSO_BOTH_WAYS).await;
    local_account(&app, "mrsmith", "smith-password", &[], true).await;
    let api = Api::sign_in(&app, "mrsmith", "smith-password").await;
    let ua = sha1_hex(&api.user_agent);

    let (_, token) = jump(&api, peer.id).await;
    let wrong_ua = authorise(&moodle, &app, &token, &sha1_hex("curl/8")).await;
    assert!(
        matches!(wrong_ua, Ok(Reply::Fault(f)) if f.code == 1),
        "bound to the browser"
    );

    let (_, token) = jump(&api, peer.id).await;
    let foreign = authorise(&other, &app, &token, &ua).await;
    assert!(
        matches!(foreign, Ok(Reply::Fault(f)) if f.code == 1),
        "a token is only for the peer it was issued to"
    );

    let (_, token) = jump(&api, peer.id).await;
    // 31 seconds later (both clocks move).
    app.state.clock.shift(31);
    moodle.clock_offset = 31;
    let late = authorise(&moodle, &app, &token, &ua).await;
    assert!(
        matches!(&late, Ok(Reply::Fault(f)) if f.code == 2),
        "{late:?}"
    );
}

#[tokio::test]
async fn jumping_needs_a_session_and_sso_switched_on() {
    let app = TestApp::start().await;
    let moodle = FakeMoodle::new("http://moodle.test");
    let peer = app.add_peer(&moodle, &[(SCHOOLTOOL_SIS, true, true)]).await;
    local_account(&app, "mrsmith", "smith-password", &[], true).await;
    let anon = Api::anonymous(&app);
    let resp = anon
        .get_raw(&format!("/auth/mnet/jump.php?hostid={}", peer.id))
        .await;
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/signin?next=%2Fauth%2Fmnet%2Fjump.php")
    );
    let mut api = Api::sign_in(&app, "mrsmith", "smith-password").await;
    let resp = api
        .get_raw(&format!("/auth/mnet/jump.php?hostid={}", peer.id))
        .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("sso_idp and sso_sp"));
    // The Network Servers list only shows peers one can jump to.
    let (_, me) = api.get("/api/session").await;
    assert_eq!(me["network_servers"].as_array().unwrap().len(), 0);
    let moodle2 = FakeMoodle::new("http://moodle2.test");
    let peer2 = app.add_peer(&moodle2, SSO_BOTH_WAYS).await;
    // Switched on here, but the peer has not said (system/listServices) that it takes people
    // from us: no link that would only fail.
    let (_, me) = api.get("/api/session").await;
    assert_eq!(me["network_servers"].as_array().unwrap().len(), 0);
    let says = |idp_subscribe: bool| {
        vec![
            PeerServiceRow {
                service: SSO_IDP.into(),
                publish: true,
                subscribe: idp_subscribe,
            },
            PeerServiceRow {
                service: SSO_SP.into(),
                publish: true,
                subscribe: true,
            },
        ]
    };
    let now = app.state.clock.now();
    let store = app.state.store.clone();
    let rows = says(false);
    schoolbridge::write_tx!(store, |c| record_remote_services(c, peer2.id, &rows, now)
        .await)
    .unwrap();
    let (_, me) = api.get("/api/session").await;
    assert_eq!(
        me["network_servers"].as_array().unwrap().len(),
        0,
        "the peer does not subscribe to our sso_idp"
    );
    let rows = says(true);
    schoolbridge::write_tx!(store, |c| record_remote_services(c, peer2.id, &rows, now)
        .await)
    .unwrap();
    let (_, me) = api.get("/api/session").await;
    let servers = me["network_servers"].as_array().unwrap();
    assert_eq!(servers.len(), 1);
    assert_eq!(
        servers[0]["url"],
        format!("/auth/mnet/jump.php?hostid={}", peer2.id)
    );
}

#[tokio::test]
async fn kill_children_is_single_logout() {
    let (app, moodle, peer, mut api) = smith_signed_in(&[]).await;
    let (_, token) = jump(&api, peer.id).await;
    let ua = sha1_hex(&api.user_agent);
    authorise(&moodle, &app, &token, &ua).await.unwrap();
    assert_eq!(api.get("/api/session").await.0, 200);
    // The person signs out at Moodle; Moodle tells its IdP.
    let r = moodle
        .call(
            &app,
            "auth/mnet/auth.php/kill_children",
            &[Value::from("mrsmith"), Value::from(ua.as_str())],
        )
        .await
        .unwrap();
    assert!(matches!(r, Reply::Value(Value::String(s)) if s.contains("Ended 1")));
    assert_eq!(api.get("/api/session").await.0, 401, "signed out here too");
    // keepalive_server answers as Moodle's does.
    let Value::Struct(k) = moodle
        .value(
            &app,
            "auth/mnet/auth.php/keepalive_server",
            &[Value::Array(vec![Value::from("mrsmith")])],
        )
        .await
    else {
        panic!()
    };
    assert_eq!(k.get("message"), Some(&Value::from("All ok")));
}

#[tokio::test]
async fn jump_tokens_are_kept_only_as_their_hash() {
    use sha2::{Digest, Sha256};
    use sqlx::Row;
    let (app, moodle, _peer, api) = smith_signed_in(&[]).await;
    let (_, token) = jump(&api, _peer.id).await;
    let stored: Vec<String> = sqlx::query("SELECT token FROM sso_tokens")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .collect();
    assert_eq!(stored, [hex::encode(Sha256::digest(token.as_bytes()))]);
    // The token itself still works for the peer, once.
    let ua = sha1_hex(&api.user_agent);
    assert!(matches!(
        authorise(&moodle, &app, &token, &ua).await.unwrap(),
        Reply::Value(_)
    ));
}
