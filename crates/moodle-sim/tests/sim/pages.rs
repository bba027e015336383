//! The web side: front page and certificate, the login, the Network servers block, and a whole
//! SSO round between two simulated sites through their jump and land pages.
use super::support::pair;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE, USER_AGENT};
use reqwest::redirect::Policy;

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) moodle-sim-browser-test";

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .user_agent(UA)
        .build()
        .unwrap()
}

fn cookie_of(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// A GET from the browser logged in with the session `cookie`.
async fn get_logged_in(
    client: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    cookie: &str,
) -> reqwest::Response {
    client.get(url).header(COOKIE, cookie).send().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

async fn log_in(client: &reqwest::Client, wwwroot: &str, username: &str) -> String {
    let form = [
        ("username", username),
        ("password", "moodle"),
        ("return", "/"),
    ];
    let response = client
        .post(format!("{wwwroot}/login/index.php"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    cookie_of(&response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_page_certificate_and_login() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let client = browser();
    let front = client
        .get(a.wwwroot())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        front.contains("<title>Home | sim0</title>"),
        "Moodle 4.x's front page title"
    );
    assert_eq!(
        a.certificate().subject().organization.as_deref(),
        Some("Sim 0")
    );
    let cert = a.certificate();
    assert_eq!(
        (
            cert.serial_hex(),
            cert.signature_algorithm(),
            cert.key_bits()
        ),
        ("00", "sha1WithRSAEncryption", 2048),
        "Moodle-shaped (§6.1, §14)"
    );
    assert_eq!(cert.not_after() - cert.not_before(), 28 * 86_400);
    assert_eq!(
        cert.subject().subject_alt_name.as_deref(),
        Some(a.wwwroot())
    );
    assert_eq!(
        cert.subject().organizational_unit.as_deref(),
        Some("Moodle")
    );
    assert!(front.contains("You are not logged in."));
    let pem = client
        .get(format!("{}/mnet/publickey.php", a.wwwroot()))
        .send()
        .await
        .unwrap();
    assert!(
        pem.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(pem.text().await.unwrap(), a.certificate_pem());

    let wrong = [("username", "nkim"), ("password", "guess"), ("return", "/")];
    let page = client
        .post(format!("{}/login/index.php", a.wwwroot()))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Invalid login, please try again")
    );

    let cookie = log_in(&client, a.wwwroot(), "cdubois").await;
    let home = get_logged_in(&client, a.wwwroot(), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(
            "You are logged in as <span data-testid=\"user-fullname\">Claire Dubois</span>"
        )
    );
    assert!(home.contains("Network servers"));
    let b_id = a.peer(b.wwwroot()).unwrap().id;
    assert!(home.contains(&format!(
        "href=\"{}/auth/mnet/jump.php?hostid={b_id}\"",
        a.wwwroot()
    )));
    assert!(home.contains("World History (Period 4, Dubois)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jump_and_land_between_two_sites() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let client = browser();
    let b_id = a.peer(b.wwwroot()).unwrap().id;
    let jump = format!(
        "{}/auth/mnet/jump.php?hostid={b_id}&wantsurl=/course/view.php?id=830001",
        a.wwwroot()
    );

    // Not logged in: to the login page, which returns to the jump.
    let first = client.get(&jump).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 303);
    assert!(
        location(&first)
            .starts_with("/login/index.php?return=%2Fauth%2Fmnet%2Fjump.php%3Fhostid%3D")
    );

    let cookie = log_in(&client, a.wwwroot(), "nkim").await;
    let redirect = get_logged_in(&client, &jump, &cookie).await;
    assert_eq!(redirect.status().as_u16(), 302);
    let land = location(&redirect);
    let prefix = format!("{}/auth/mnet/land.php?token=", b.wwwroot());
    let suffix = format!(
        "&idp={}&wantsurl=%2Fcourse%2Fview.php%3Fid%3D830001",
        a.wwwroot()
    );
    assert!(
        land.starts_with(&prefix) && land.ends_with(&suffix),
        "{land}"
    );
    let token = &land[prefix.len()..land.len() - suffix.len()];
    assert!(token.len() == 40 && token.bytes().all(|c| c.is_ascii_hexdigit()));

    // The browser follows to B with the same user agent; B confirms with A and logs it in.
    let landed = client.get(&land).send().await.unwrap();
    assert_eq!(
        landed.status().as_u16(),
        303,
        "{}",
        landed.text().await.unwrap_or_default()
    );
    assert_eq!(
        location(&landed),
        format!("{}/course/view.php?id=830001", b.wwwroot())
    );
    let b_cookie = cookie_of(&landed);
    let remote = b.remote_users();
    assert_eq!(remote.len(), 1);
    assert_eq!(
        (remote[0].username.as_str(), remote[0].host_id),
        ("nkim", b.peer(a.wwwroot()).unwrap().id)
    );
    let course = get_logged_in(
        &client,
        format!("{}/course/view.php?id=830001", b.wwwroot()),
        &b_cookie,
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(course.contains("World History (Period 4, Dubois)"));
    assert!(
        course.contains("Noah Kim</span> from <a href"),
        "Moodle's \"logged in from\" line"
    );

    // As Moodle: the identity provider confirms the same token again within its 30 s, so the
    // service provider lands the same URL twice (SchoolBridge refuses that itself; the real
    // Moodle stage proves it). Another user agent is refused.
    let again = client.get(&land).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 303, "Moodle lands a replay");
    let redirect = get_logged_in(&client, &jump, &cookie).await;
    let other_ua = client
        .get(location(&redirect))
        .header(USER_AGENT, "curl/8")
        .send()
        .await
        .unwrap();
    assert_eq!(other_ua.status().as_u16(), 403);

    // Jump by wwwroot works too; an unknown host does not.
    let by_root = get_logged_in(
        &client,
        format!(
            "{}/auth/mnet/jump.php?hostwwwroot={}/",
            a.wwwroot(),
            b.wwwroot()
        ),
        &cookie,
    )
    .await;
    assert_eq!(by_root.status().as_u16(), 302);
    assert!(location(&by_root).ends_with("&wantsurl="));
    let unknown = get_logged_in(
        &client,
        format!("{}/auth/mnet/jump.php?hostid=99", a.wwwroot()),
        &cookie,
    )
    .await;
    assert_eq!(unknown.status().as_u16(), 404);
}
