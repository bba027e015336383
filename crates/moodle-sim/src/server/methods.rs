//! What the simulated site publishes and how it answers each method once a call has passed
//! the transport checks (`mnet-protocol.md` §2.2, §8.3–§8.4, §10; the plugin's
//! `db/mnet.php` and `mnetservice.php`). Everything is published to every peer.
//!
//! Faults follow Moodle 4.5: a name that fails the dispatcher's pattern gets 713, an unknown
//! `system/` method 17 (capture 27), any other unknown path 7012 (capture 28), and a method
//! called with unusable parameters the library's 17.

use crate::peers::PeerRecord;
use crate::sim::SimMoodle;
use crate::sso::SESSION_GC_MAXLIFETIME;
use mnet::fault::{MnetFault, method_name_is_valid};
use mnet::keys::PeerCertificate;
use mnet::services::{
    MOODLE_LIST_USER_ENROLMENTS, MOODLE_REQUEST_FULL_SYNC, MethodSpec, Param, SCHOOLTOOL_SIS,
    SSO_IDP, SSO_IDP_METHODS, SSO_SP, SSO_SP_METHODS,
};
use mnet::xmlrpc::{MethodCall, Struct, Value};

const USERNAME: &[Param] = &[Param {
    name: "username",
    kind: "string",
    description: "The username of a user of this site.",
}];
const ARRAY: &[Param] = &[Param {
    name: "array",
    kind: "array",
    description: "An array of log records.",
}];

const fn method(
    path: &'static str,
    service: &'static str,
    params: &'static [Param],
    returns: &'static str,
    returns_description: &'static str,
    help: &'static str,
) -> MethodSpec {
    MethodSpec {
        path,
        service,
        params,
        returns,
        returns_description,
        help,
    }
}

/// The sso_idp methods Moodle publishes that SchoolBridge's own list does not have.
const MORE_SSO_IDP: &[MethodSpec] = &[
    method(
        "auth/mnet/auth.php/fetch_theme_info",
        SSO_IDP,
        &[],
        "array",
        "The theme info",
        "Returns the theme information and logo url as strings.",
    ),
    method(
        "auth/mnet/auth.php/fetch_user_image",
        SSO_IDP,
        USERNAME,
        "array",
        "Array of user image data",
        "Returns the user's profile image info.",
    ),
    method(
        "auth/mnet/auth.php/refresh_log",
        SSO_IDP,
        ARRAY,
        "array",
        "A code and message",
        "Receives an array of log entries from an SP and adds them to the mnet_log table.",
    ),
];

/// The two methods of our Moodle plugin (`moodle/local/schooltool/mnetservice.php`).
const PLUGIN: &[MethodSpec] = &[
    method(
        MOODLE_LIST_USER_ENROLMENTS,
        SCHOOLTOOL_SIS,
        USERNAME,
        "array",
        "list of structs {sectionid, userid, role, status, timemodified}",
        "Lists the course enrolments of a local user: one struct per course with sectionid, userid, role (student or teacher), status (active or suspended) and timemodified.",
    ),
    method(
        MOODLE_REQUEST_FULL_SYNC,
        SCHOOLTOOL_SIS,
        &[],
        "array",
        "{status}: queued or notconfigured",
        "Asks this site to send everything it holds to the calling peer again.",
    ),
];

/// Every method the simulated site publishes, sorted by path as `system/listMethods` lists them.
pub(crate) fn published() -> Vec<&'static MethodSpec> {
    let mut all: Vec<&'static MethodSpec> = SSO_IDP_METHODS
        .iter()
        .chain(MORE_SSO_IDP)
        .chain(SSO_SP_METHODS)
        .chain(PLUGIN)
        .collect();
    all.sort_by_key(|m| m.path);
    all
}

/// Answers one call. `caller` is the verified peer, or `None` for a plain keyswap.
pub(crate) async fn dispatch(
    sim: &SimMoodle,
    caller: Option<&PeerRecord>,
    call: &MethodCall,
) -> Result<Value, MnetFault> {
    let name = call.method_name.as_str();
    if !method_name_is_valid(name) {
        return Err(MnetFault::BadMethodName);
    }
    let p = &call.params;
    if let Some(system) = name.strip_prefix("system/") {
        return match system {
            "keyswap" => Ok(keyswap(sim, p).await),
            "listServices" => Ok(list_services()),
            "listMethods" => Ok(list_methods(text(p, 0).as_deref())),
            "methodSignature" => Ok(method_signature(&text(p, 0).unwrap_or_default())),
            "methodHelp" => Ok(method_help(&text(p, 0).unwrap_or_default())),
            _ => Err(MnetFault::InternalServerError),
        };
    }
    // Past this point the call is signed and encrypted by a known peer (§5.2 step 4).
    let caller = caller.ok_or(MnetFault::ForbiddenTransport)?;
    match name {
        "auth/mnet/auth.php/user_authorise" => user_authorise(sim, caller, p),
        "auth/mnet/auth.php/keepalive_server" => Ok(keepalive_server(sim, caller, p)),
        "auth/mnet/auth.php/kill_children" => {
            let (user, ua) = (required(p, 0)?, required(p, 1)?);
            let killed = sim.sso().kill(&user, &ua);
            Ok(Value::from(if killed == 0 {
                "Could find no remote sessions\n"
            } else {
                ""
            }))
        }
        "auth/mnet/auth.php/kill_child" => {
            let user = required(p, 0)?;
            sim.sso().kill_remote(caller.id, &user);
            Ok(Value::Bool(true))
        }
        "auth/mnet/auth.php/keepalive_client" => Ok(Value::Bool(true)),
        "auth/mnet/auth.php/refresh_log" => Ok(Value::Struct(
            Struct::new().with("code", 0).with("message", "All ok"),
        )),
        "auth/mnet/auth.php/fetch_user_image" => {
            let user = required(p, 0)?;
            // No pictures here: an empty array for a known user, false otherwise (§8.4).
            Ok(match sim.user(&user) {
                Some(_) => Value::Array(Vec::new()),
                None => Value::Bool(false),
            })
        }
        "auth/mnet/auth.php/fetch_theme_info" => Ok(Value::Struct(
            Struct::new().with("themename", "boost").with(
                "logourl",
                format!("{}/theme/boost/images/logo.jpg", sim.wwwroot()),
            ),
        )),
        // PHP null through PhpXmlRpc: an empty string (§2.3).
        "auth/mnet/auth.php/update_enrolments" => Ok(Value::from("")),
        MOODLE_LIST_USER_ENROLMENTS => {
            let username = required(p, 0)?;
            let school = sim.school();
            let list = match school.user_by_username(username.trim()) {
                Some(user) => school
                    .enrolments_of(&user.idnumber)
                    .iter()
                    .map(|e| e.to_value())
                    .collect(),
                None => Vec::new(),
            };
            Ok(Value::Array(list))
        }
        MOODLE_REQUEST_FULL_SYNC => {
            drop(sim.spawn_full_sync(&caller.wwwroot));
            Ok(Value::Struct(Struct::new().with("status", "queued")))
        }
        _ => Err(MnetFault::NoSuchFunction),
    }
}

/// `mnet_keyswap` (§5.6): with "register all hosts" on, an unknown caller is added from its
/// own (wwwroot, certificate, application); an existing record is left as it is. The answer is
/// always our current certificate PEM.
async fn keyswap(sim: &SimMoodle, p: &[Value]) -> Value {
    if sim.register_all_hosts()
        && let (Some(wwwroot), Some(pem)) = (text(p, 0), text(p, 1))
        && let Ok(wwwroot) = crate::sim::normalise_wwwroot(&wwwroot)
        && let Ok(cert) = PeerCertificate::from_pem(&pem)
        && cert.check_credentials(&wwwroot).is_ok()
        && sim.peer(&wwwroot).is_none()
    {
        let application = crate::peers::Application::from_name(&text(p, 2).unwrap_or_default());
        let added = sim
            .peers_mut()
            .insert_if_absent(&wwwroot, &wwwroot, application, cert);
        if added {
            tracing::info!(peer = %wwwroot, "registered a new peer from its keyswap (register all hosts)");
        }
    }
    Value::from(sim.certificate_pem())
}

/// `system/listServices` (§10 item 3), shaped as capture 20: every value a string.
fn list_services() -> Value {
    let services = [SCHOOLTOOL_SIS, SSO_IDP, SSO_SP]
        .into_iter()
        .map(|name| {
            Value::Struct(
                Struct::new()
                    .with("name", name)
                    .with("apiversion", "1")
                    .with("publish", "1")
                    .with("subscribe", "1"),
            )
        })
        .collect();
    Value::Array(services)
}

/// `system/listMethods([service])`: the published paths, sorted (captures 21, 22).
fn list_methods(service: Option<&str>) -> Value {
    Value::Array(
        published()
            .into_iter()
            .filter(|m| service.is_none_or(|s| s.is_empty() || m.service == s))
            .map(|m| Value::from(m.path))
            .collect(),
    )
}

/// `system/methodSignature(path)`: capture 23's struct; an empty array for an unknown path.
fn method_signature(path: &str) -> Value {
    published()
        .into_iter()
        .find(|m| m.path == path.trim())
        .map_or(Value::Array(Vec::new()), MethodSpec::signature_value)
}

/// `system/methodHelp(path)`.
fn method_help(path: &str) -> Value {
    Value::from(
        published()
            .into_iter()
            .find(|m| m.path == path.trim())
            .map_or("", |m| m.help),
    )
}

/// `user_authorise(token, useragent)` on the identity-provider side (§8.3), answered as
/// capture 25: `auth, username, firstname, lastname, email, wwwroot, session.gc_maxlifetime,
/// myhosts`.
fn user_authorise(sim: &SimMoodle, caller: &PeerRecord, p: &[Value]) -> Result<Value, MnetFault> {
    let (token, useragent) = (required(p, 0)?, required(p, 1)?);
    let now = sim.now();
    let username = sim.sso().authorise(&token, &useragent, now)?;
    let user = sim.user(&username).ok_or(MnetFault::UserMismatch)?;
    let courses = sim.school().enrolments_of(&user.idnumber).len();
    let mut myhosts = Vec::new();
    if courses > 0 {
        myhosts.push(Value::Struct(
            Struct::new()
                .with("name", sim.inner.site_shortname.as_str())
                .with("url", sim.wwwroot())
                .with("count", courses as i64),
        ));
    }
    tracing::info!(peer = %caller.wwwroot, "user_authorise confirmed a jump");
    Ok(Value::Struct(
        Struct::new()
            .with("auth", "mnet")
            .with("username", user.username.as_str())
            .with("firstname", user.firstname.as_str())
            .with("lastname", user.lastname.as_str())
            .with("email", user.email.as_str())
            .with("wwwroot", sim.wwwroot())
            .with("session.gc_maxlifetime", SESSION_GC_MAXLIFETIME.to_string())
            .with("myhosts", Value::Array(myhosts)),
    ))
}

/// `keepalive_server(usernames)` (§8.4): `{code, message, "last log id"}`.
fn keepalive_server(sim: &SimMoodle, caller: &PeerRecord, p: &[Value]) -> Value {
    let usernames = mnet::sso::keepalive_usernames(p);
    let sso = sim.sso();
    let missing: Vec<&String> = usernames
        .iter()
        .filter(|u| !sso.has_session(u, caller.id))
        .collect();
    let (code, message) = if missing.is_empty() {
        (0, "All ok".to_owned())
    } else {
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        (
            1,
            format!(
                "We failed to refresh the session for the following usernames: \n{}\n\n",
                names.join("\n")
            ),
        )
    };
    Value::Struct(
        Struct::new()
            .with("code", code)
            .with("message", message)
            .with("last log id", "0"),
    )
}

fn text(p: &[Value], i: usize) -> Option<String> {
    p.get(i).and_then(Value::to_text_lenient)
}

/// A required scalar parameter; PHP would throw on a missing one, which the library reports
/// as its "Internal server error" (17).
fn required(p: &[Value], i: usize) -> Result<String, MnetFault> {
    text(p, i).ok_or(MnetFault::InternalServerError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_list_is_moodles_plus_the_plugin() {
        let paths: Vec<&str> = published().into_iter().map(|m| m.path).collect();
        assert_eq!(paths.len(), 11);
        assert!(paths.windows(2).all(|w| w[0] < w[1]));
        assert!(paths.contains(&"auth/mnet/auth.php/user_authorise"));
        assert!(paths.contains(&MOODLE_REQUEST_FULL_SYNC));
        let Value::Array(idp) = list_methods(Some(SSO_IDP)) else {
            panic!("an array")
        };
        assert_eq!(idp.len(), 7, "capture 22 lists seven sso_idp methods");
        assert!(!method_name_is_valid("system.keyswap"));
        assert_eq!(method_signature("nope"), Value::Array(Vec::new()));
    }
}
