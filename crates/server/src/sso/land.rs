//! Landing from a Moodle (SchoolBridge as service provider, `mnet-protocol.md` §8.2):
//! `GET /auth/mnet/land.php?token=…&idp=…&wantsurl=…[&remoteurl=1]`.

use super::pages::{Refusal, text};
use super::{local_path, outbound};
use crate::accounts::sessions;
use crate::state::AppState;
use crate::store::people::upsert_sso_person;
use axum::http::StatusCode;
use mnet::client::Reply;
use mnet::xmlrpc::Value;

/// What the land page does.
#[derive(Debug)]
pub enum Landed {
    /// Signed in: set the cookie and go there.
    Redirect {
        /// Where.
        location: String,
        /// The session cookie.
        set_cookie: String,
    },
    /// Refused, with a page that says why.
    Refused(Refusal),
}

/// The query of the land page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LandQuery {
    /// The IdP's token.
    pub token: Option<String>,
    /// The IdP's wwwroot.
    pub idp: Option<String>,
    /// Where to go here.
    pub wantsurl: Option<String>,
    /// Go to the IdP's page instead.
    pub remoteurl: Option<String>,
}

/// A refusal titled "not confirmed": the sign-in could not be confirmed.
fn not_confirmed(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal::new(status, text::NOT_CONFIRMED, message)
}

/// Lands a person.
pub async fn land(state: &AppState, q: &LandQuery, user_agent: &[u8]) -> Landed {
    let refused = |r: Refusal| Landed::Refused(r);
    let (Some(token), Some(idp)) = (
        q.token.as_deref().map(str::trim),
        q.idp.as_deref().map(str::trim),
    ) else {
        return refused(not_confirmed(
            StatusCode::BAD_REQUEST,
            "The sign-in link is incomplete (no token or no identity provider).",
        ));
    };
    if token.is_empty()
        || token.len() > 128
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    {
        return refused(not_confirmed(
            StatusCode::BAD_REQUEST,
            "The sign-in token is malformed.",
        ));
    }
    // 1. A live peer with exactly this wwwroot.
    let peer = match state.store.live_peer_by_wwwroot(idp).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return refused(Refusal::new(
                StatusCode::FORBIDDEN,
                text::NOT_PERMITTED_TO_LAND,
                format!("{idp} is not a site SchoolBridge is connected to."),
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "peer lookup failed");
            return refused(not_confirmed(
                StatusCode::SERVICE_UNAVAILABLE,
                "SchoolBridge could not check your sign-in just now. Try again in a moment.",
            ));
        }
    };
    let back = |r: Refusal| r.back(format!("Back to {}", peer.name), peer.wwwroot.clone());
    // 2. Configured for SSO from this peer: we call its sso_idp and serve sso_sp to it.
    if !super::switched_on(state, peer.id, super::routes::Way::In).await {
        return refused(back(Refusal::new(
            StatusCode::FORBIDDEN,
            text::NOT_CONFIGURED,
            format!(
                "An administrator must switch on single sign-on with {} in SchoolBridge (services sso_idp and sso_sp).",
                peer.name
            ),
        )));
    }
    // 3. A token this page has used before is refused, whatever the IdP would answer: Moodle
    //    answers user_authorise for the same token as often as asked within its 30 seconds, so
    //    a land URL opened twice (a shared link, a proxy log, browser history) would sign in a
    //    second browser. The token is spent before the IdP is asked, so two concurrent openings
    //    cannot both pass.
    let now = state.clock.now();
    let token_sha256 = sessions::token_hash(token);
    let fresh = crate::write_tx!(state.store, |c| {
        crate::store::sessions::spend_landing_token(c, peer.id, &token_sha256, now).await
    });
    match fresh {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(peer = %peer.wwwroot, "a land URL was opened again; refused");
            return refused(back(not_confirmed(
                StatusCode::FORBIDDEN,
                "This sign-in link was already used. Go back to your site and follow the link to SchoolBridge again.",
            )));
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record the land token");
            return refused(back(not_confirmed(
                StatusCode::SERVICE_UNAVAILABLE,
                "SchoolBridge could not check your sign-in just now. Try again in a moment.",
            )));
        }
    }
    // 4. Ask the IdP who this is: user_authorise(token, sha1(User-Agent as we see it)), where
    //    the peer publishes it (stock auth_mnet or a plugin that replaces it, `routes`).
    let ua_hash = sessions::useragent_sha1(user_agent);
    let reply = super::routes::user_authorise(state, &peer, token, &ua_hash).await;
    let user = match reply {
        Ok(Reply::Value(Value::Struct(s))) => s,
        Ok(Reply::Fault(f)) => {
            let why = match f.code {
                1 => "The sign-in link was already used, or it was opened in a different browser."
                    .to_owned(),
                2 => "The sign-in link expired. Go back and follow it again.".to_owned(),
                _ => format!("{} answered: {}", peer.name, f.string),
            };
            return refused(back(not_confirmed(StatusCode::FORBIDDEN, why)));
        }
        Ok(_) => {
            return refused(back(not_confirmed(
                StatusCode::BAD_GATEWAY,
                "The identity provider's answer could not be read.",
            )));
        }
        Err(e) => {
            // The details (addresses, connection errors) are for the administrator: in the log
            // and the audit entry of the outbound call, not on a page anyone may open.
            tracing::warn!(peer = %peer.wwwroot, diagnosis = %e.diagnosis(&state.config.wwwroot), "could not confirm an SSO arrival");
            return refused(back(not_confirmed(
                StatusCode::BAD_GATEWAY,
                "SchoolBridge could not confirm the sign-in with the site you came from. Try again in a moment; if it keeps failing, tell the school's SchoolBridge administrator.",
            )));
        }
    };
    let field = |k: &str| {
        user.get(k)
            .and_then(Value::to_text_lenient)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let (Some(username), Some(first), Some(last), Some(email)) = (
        field("username"),
        field("firstname"),
        field("lastname"),
        field("email"),
    ) else {
        // Moodle's SP refuses the same way (notenoughidpinfo).
        return refused(back(not_confirmed(
            StatusCode::FORBIDDEN,
            "Your profile at your home site lacks a name or an e-mail address. Complete it there and sign in again.",
        )));
    };
    let username: String = username.chars().take(100).collect();
    // 5. Find or create the person by (peer, username): never merged with anyone else.
    let upsert = crate::write_tx!(state.store, |c| upsert_sso_person(
        c, peer.id, &username, &first, &last, &email, now
    )
    .await);
    let (person_id, created) = match upsert {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "could not store the arriving person");
            return refused(back(not_confirmed(
                StatusCode::SERVICE_UNAVAILABLE,
                "SchoolBridge could not record your sign-in just now. Try again in a moment.",
            )));
        }
    };
    if created {
        crate::sso::land::fetch_enrolments_later(state, &peer, person_id, &username);
    }
    let Ok(Some(person)) = state.store.person(person_id).await else {
        return refused(back(not_confirmed(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again in a moment.",
        )));
    };
    // 6. Imported people have no login rights until someone grants them.
    if !person.login_allowed {
        return refused(back(Refusal::new(
            StatusCode::FORBIDDEN,
            text::NO_LOGIN_RIGHTS,
            format!(
                "SchoolBridge knows you as {} from {}, but nobody has given you access yet. Ask your school office or a SchoolBridge administrator.",
                person.full_name(),
                peer.name
            ),
        )));
    }
    // 7. A session, then the page asked for — on this site only.
    let started = match sessions::start(
        state,
        person.id,
        Some(peer.id),
        Some(&String::from_utf8_lossy(user_agent)),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "could not start a session");
            return refused(back(not_confirmed(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again in a moment.",
            )));
        }
    };
    let path = local_path(q.wantsurl.as_deref(), &state.config.wwwroot);
    let location = if q.remoteurl.as_deref() == Some("1") {
        format!("{}{}", peer.wwwroot, path)
    } else {
        path
    };
    tracing::info!(person = person.id, peer = %peer.wwwroot, "signed in by SSO");
    Landed::Redirect {
        location,
        set_cookie: started.set_cookie,
    }
}

/// A person arriving for the first time: when the peer offers our plugin's
/// `list_user_enrolments`, fetch their enrolments at once, in the background.
pub fn fetch_enrolments_later(
    state: &AppState,
    peer: &crate::store::PeerRow,
    person_id: i64,
    username: &str,
) {
    let (state, peer, username) = (state.clone(), peer.clone(), username.to_owned());
    tokio::spawn(async move {
        if !state
            .store
            .subscribes_to(peer.id, mnet::services::SCHOOLTOOL_SIS)
            .await
            .unwrap_or(false)
        {
            return;
        }
        match outbound::call(
            &state,
            &peer,
            mnet::services::MOODLE_LIST_USER_ENROLMENTS,
            &[Value::from(username.as_str())],
        )
        .await
        {
            Ok(Reply::Value(v)) => {
                let n = apply_listed_enrolments(&state, &peer, person_id, &v).await;
                tracing::info!(
                    person = person_id,
                    applied = n,
                    "fetched a new person's enrolments"
                );
            }
            Ok(Reply::Fault(f)) => tracing::info!(
                code = f.code,
                "the peer does not offer list_user_enrolments"
            ),
            Ok(_) => {}
            Err(e) => tracing::info!(error = %e, "list_user_enrolments failed"),
        }
    });
}

/// Records the enrolments a peer listed for a person (`{sectionid, userid, role, status,
/// timemodified}` structs, our plugin's reply): the person's idnumber is linked when they had
/// none, and each enrolment in a section SchoolBridge knows is applied like a `new_enrolment`
/// (a `suspended` one as suspended). Sections not yet sent are skipped (the plugin sends them, then the
/// enrolment, on its own). Returns how many were applied.
async fn apply_listed_enrolments(
    state: &AppState,
    peer: &crate::store::PeerRow,
    person_id: i64,
    listed: &Value,
) -> usize {
    use crate::store::sis::{Provenance, Role};
    let now = state.clock.now();
    let mut applied = 0;
    for entry in listed.list_lenient().unwrap_or_default() {
        let Some(s) = entry.as_struct() else { continue };
        let text = |k: &str| {
            s.get(k)
                .and_then(Value::to_text_lenient)
                .filter(|t| !t.is_empty())
        };
        let (Some(section), Some(userid)) = (text("sectionid"), text("userid")) else {
            continue;
        };
        let moodle = crate::store::sis_enrolments::MoodleEnrolment {
            suspended: text("status").is_some_and(|st| st.eq_ignore_ascii_case("suspended")),
            dates: None,
        };
        let role = text("role")
            .and_then(|r| Role::parse(&r))
            .unwrap_or(Role::Student);
        let when = s
            .get("timemodified")
            .and_then(Value::as_i64_lenient)
            .filter(|t| *t <= now)
            .unwrap_or(now);
        let meta = Provenance::from_peer(peer.id, None, when, now);
        let result = crate::write_tx!(state.store, |c| {
            if !crate::store::people::link_idnumber(c, person_id, peer.id, &userid, now).await? {
                return Ok(false);
            }
            let outcome = crate::store::sis_enrolments::apply_new_enrolment(
                c, peer.id, &section, &userid, role, moodle, &meta,
            )
            .await?;
            Ok::<_, crate::store::StoreError>(outcome.is_ok())
        });
        match result {
            Ok(true) => applied += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not apply a listed enrolment"),
        }
    }
    applied
}
