//! The simulated site's web pages: the front page (with the `<title>` Moodle reads when a peer
//! is added, `mnet-protocol.md` §1.1, and the "Network servers" block of jump links, §8.1), the
//! certificate at `/mnet/publickey.php`, a minimal login with a cookie session, and a course
//! page to land on.

use super::html::{
    current_session, error_page, esc, local_path, page, redirect, session_clear_cookie,
    session_cookie, session_set_cookie,
};
use crate::school::COURSE_PREFIX;
use crate::sim::SimMoodle;
use crate::sso::BrowserSession;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

/// `GET /`.
pub(crate) async fn front_page(State(sim): State<SimMoodle>, headers: HeaderMap) -> Response {
    let session = current_session(&sim, &headers);
    let mut content = format!(
        "<h1 data-testid=\"page-heading\">{}</h1>\n<p>A simulated Moodle 4.5 site speaking MNet at \
         <code>{}/mnet/xmlrpc/server.php</code>.</p>\n",
        esc(sim.site_name()),
        esc(sim.wwwroot())
    );
    match &session {
        None => content.push_str(
            "<p>Log in with any user of the simulated school; every user has the password given \
             to the simulator (<code>--user-password</code>).</p>\n",
        ),
        Some(s) if s.remote_host.is_none() => {
            content.push_str(&my_courses(&sim, &s.username));
            content.push_str(&network_servers(&sim));
        }
        Some(_) => content.push_str(
            "<p data-testid=\"remote-user\">You arrived from another site by single sign-on.</p>\n",
        ),
    }
    // Moodle 4.x titles every page "<page> | <site short name>"; the front page is "Home".
    let title = format!("Home | {}", sim.site_shortname());
    page(&sim, StatusCode::OK, &title, session.as_ref(), &content)
}

/// "My courses" of a local user.
fn my_courses(sim: &SimMoodle, username: &str) -> String {
    let school = sim.school();
    let Some(user) = school.user_by_username(username) else {
        return String::new();
    };
    let items: String = school
        .enrolments_of(&user.idnumber)
        .iter()
        .map(|e| {
            let name = school.section_name(&e.sectionid).unwrap_or(&e.sectionid);
            let link = match e.sectionid.strip_prefix(COURSE_PREFIX) {
                Some(id) => format!(
                    "<a href=\"/course/view.php?id={}\">{}</a>",
                    esc(id),
                    esc(name)
                ),
                None => esc(name),
            };
            format!(
                "<li data-testid=\"my-course\">{link} ({})</li>\n",
                e.role.as_str()
            )
        })
        .collect();
    format!(
        "<section data-testid=\"my-courses\"><h2>My courses</h2>\n<ul>\n{items}</ul></section>\n"
    )
}

/// The "Network servers" block (`blocks/mnet_hosts`): one jump link per peer, each
/// `{wwwroot}/auth/mnet/jump.php?hostid={id}` (§8.1).
fn network_servers(sim: &SimMoodle) -> String {
    let items: String = sim
        .peers()
        .iter()
        .map(|p| {
            format!(
                "<li><a href=\"{}/auth/mnet/jump.php?hostid={}\" title=\"{}\" data-testid=\"mnet-host-{}\">{}</a></li>\n",
                esc(sim.wwwroot()),
                p.id,
                esc(&p.name),
                p.id,
                esc(&p.name)
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p>No peers yet.</p>".to_owned()
    } else {
        format!("<ul>\n{items}</ul>")
    };
    format!(
        "<section class=\"block_mnet_hosts\" data-testid=\"mnet-hosts\"><h2>Network servers</h2>\n{list}</section>\n"
    )
}

/// `GET /mnet/publickey.php`: the certificate PEM as text/plain (§1.1).
pub(crate) async fn public_key(State(sim): State<SimMoodle>) -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        sim.certificate_pem(),
    )
        .into_response()
}

/// `POST /lib/ajax/service-nologin.php?info=tool_mobile_get_public_config`: the public site
/// configuration Moodle gives its mobile app without login (whether or not mobile services are
/// on), of which SchoolBridge reads `sitename` to name a new peer. Any other function answers
/// as Moodle does for a function that does not exist or needs a login.
pub(crate) async fn service_nologin(State(sim): State<SimMoodle>, query: Params) -> Response {
    let json = |value: serde_json::Value| {
        (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            value.to_string(),
        )
            .into_response()
    };
    if query.get("info").map(String::as_str) != Some("tool_mobile_get_public_config") {
        return json(serde_json::json!([{
            "error": true,
            "exception": {"message": "Web service is not available (it doesn't exist or might be disabled)", "errorcode": "servicenotavailable"}
        }]));
    }
    json(serde_json::json!([{
        "error": false,
        "data": {
            "wwwroot": sim.wwwroot(),
            "httpswwwroot": sim.wwwroot(),
            "sitename": sim.site_name(),
            "guestlogin": 0,
            "enablewebservices": 0,
            "enablemobilewebservice": 0,
            "typeoflogin": 1,
        }
    }]))
}

/// `GET /login/index.php`.
pub(crate) async fn login_form(
    State(sim): State<SimMoodle>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let session = current_session(&sim, &headers);
    let back = local_path(q.get("return").map_or("/", String::as_str), sim.wwwroot());
    login_page(&sim, session.as_ref(), &back, None)
}

fn login_page(
    sim: &SimMoodle,
    session: Option<&BrowserSession>,
    back: &str,
    error: Option<&str>,
) -> Response {
    let error = error.map_or_else(String::new, |e| {
        format!(
            "<div class=\"alert\" role=\"alert\" data-testid=\"login-error\">{}</div>\n",
            esc(e)
        )
    });
    let content = format!(
        "<h1>Log in to {}</h1>\n{error}<form method=\"post\" action=\"/login/index.php\" data-testid=\"login-form\">\n\
         <input type=\"hidden\" name=\"return\" value=\"{}\">\n\
         <p><label for=\"username\">Username</label> <input id=\"username\" name=\"username\" autocomplete=\"username\" data-testid=\"username\"></p>\n\
         <p><label for=\"password\">Password</label> <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" data-testid=\"password\"></p>\n\
         <p><button id=\"loginbtn\" type=\"submit\" data-testid=\"login-button\">Log in</button></p>\n</form>\n",
        esc(sim.site_name()),
        esc(back)
    );
    page(
        sim,
        StatusCode::OK,
        &format!("Log in to the site | {}", sim.site_name()),
        session,
        &content,
    )
}

/// `POST /login/index.php`: checks the user and the demo password, starts a session and
/// redirects (303) to where the user was going.
pub(crate) async fn login_submit(
    State(sim): State<SimMoodle>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let username = field("username").trim().to_lowercase();
    let back = local_path(field("return"), sim.wwwroot());
    if sim.user(&username).is_none() || !sim.check_password(field("password")) {
        let session = current_session(&sim, &headers);
        return login_page(
            &sim,
            session.as_ref(),
            &back,
            Some("Invalid login, please try again"),
        );
    }
    if let Some(old) = session_cookie(&sim, &headers) {
        sim.sso().log_out(&old);
    }
    let cookie = sim.sso().log_in(BrowserSession {
        username: username.clone(),
        remote_host: None,
    });
    tracing::info!("user logged in to the simulator");
    redirect(
        StatusCode::SEE_OTHER,
        &back,
        Some(session_set_cookie(&sim, &cookie)),
    )
}

/// `GET /login/logout.php`.
pub(crate) async fn logout(State(sim): State<SimMoodle>, headers: HeaderMap) -> Response {
    if let Some(cookie) = session_cookie(&sim, &headers) {
        sim.sso().log_out(&cookie);
    }
    redirect(StatusCode::SEE_OTHER, "/", Some(session_clear_cookie(&sim)))
}

/// What Moodle's `require_login()` answers someone not logged in: the login page, which comes
/// back to `back` (a local path) afterwards.
pub(crate) fn to_login(back: &str) -> Response {
    redirect(
        StatusCode::SEE_OTHER,
        &format!(
            "/login/index.php?return={}",
            crate::sso::php_urlencode(back)
        ),
        None,
    )
}

/// `GET /course/view.php?id=N`: the course name and the viewer's role in it.
pub(crate) async fn course_view(
    State(sim): State<SimMoodle>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let Some(session) = current_session(&sim, &headers) else {
        let back = format!(
            "/course/view.php?id={}",
            q.get("id").map_or("", String::as_str)
        );
        return to_login(&back);
    };
    let sectionid = format!("{COURSE_PREFIX}{}", q.get("id").map_or("", |s| s.trim()));
    let name = sim.school().section_name(&sectionid).map(str::to_owned);
    match name {
        Some(name) => {
            let content = format!(
                "<h1 data-testid=\"course-name\">{}</h1>\n<p>Course id number <code>{}</code>.</p>\n",
                esc(&name),
                esc(&sectionid)
            );
            page(
                &sim,
                StatusCode::OK,
                &format!("Course: {name}"),
                Some(&session),
                &content,
            )
        }
        None => error_page(
            &sim,
            StatusCode::NOT_FOUND,
            Some(&session),
            "Can not find data record in database table course.",
        ),
    }
}

/// Every other path.
pub(crate) async fn not_found(State(sim): State<SimMoodle>, headers: HeaderMap) -> Response {
    let session = current_session(&sim, &headers);
    error_page(
        &sim,
        StatusCode::NOT_FOUND,
        session.as_ref(),
        "This page does not exist in the simulator.",
    )
}
