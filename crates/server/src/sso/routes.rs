//! Which single sign-on a peer speaks (`mnet-protocol.md` §7.2, §10). The peer's
//! `system/listServices` says which of `sso_idp` and `sso_sp` it has switched on with us; the
//! peer registry keeps that answer (`store::peers::RemoteServices`: on adding a peer, on Verify,
//! and in the background when a page finds it old). Asked in the same check, its
//! `system/listMethods(service)` says which plugin publishes them — Moodle's stock `auth_mnet`
//! (`auth/mnet/auth.php/…`, Moodle 4.5 and older) or a plugin that replaces it, such as our
//! `auth_schoolbridge` (`auth/schoolbridge/mnetservice.php/…`, Moodle 4.5 and 5.x, which lists
//! its methods only while it is enabled). Both keep the service names and the wire; only the
//! method paths and the land page differ. This module keeps the method lists (`settings`,
//! `sso_methods:<peer id>`) and puts the two answers together as [`SsoRoutes`]: where to call the
//! peer's `user_authorise`, `kill_children` and `keepalive_server`, and where its land page is.
//! A jump or a landing that finds them old, or not allowing it, asks the peer again at once; a
//! path the peer answers with a fault (a Moodle upgraded to 5.x no longer serves `auth/mnet`) is
//! learned again and tried once more.

use crate::mnet_host::{outbound, registry};
use crate::state::AppState;
use crate::store::PeerRow;
use crate::store::peers::RemoteServices;
use mnet::client::Reply;
use mnet::services::{SSO_IDP, SSO_SP};
use mnet::xmlrpc::Value;
use serde::{Deserialize, Serialize};

/// Where Moodle's own `auth_mnet` publishes its methods.
pub const STOCK_PREFIX: &str = "auth/mnet/auth.php";
/// Moodle's own land page.
pub const STOCK_LAND: &str = "/auth/mnet/land.php";
/// Mahara's land page.
pub const MAHARA_LAND: &str = "/auth/xmlrpc/land.php";
/// How long what the peer said is used for a jump or a landing before it is asked again (the
/// registry's own freshness, `registry::REMOTE_SERVICES_FRESH_SECS`).
pub const FRESH_SECS: i64 = registry::REMOTE_SERVICES_FRESH_SECS;
/// A jump asks again when what the peer said is older than this: nothing would tell SchoolBridge
/// that the land page it sends people to is gone (a Moodle upgraded to 5.x has no
/// `/auth/mnet/land.php`), and a jump is a person's click, worth a round trip.
pub const JUMP_FRESH_SECS: i64 = 60;

/// What a peer offers for single sign-on with us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoRoutes {
    /// The path prefix of its identity-provider methods (`<prefix>/user_authorise`,
    /// `…/kill_children`, `…/keepalive_server`), when it publishes `sso_idp` to us.
    pub idp_prefix: Option<String>,
    /// Its land page, when it publishes `sso_sp` to us (its people may come from us).
    pub land_path: Option<String>,
    /// It calls our `user_authorise` (it subscribes to our `sso_idp`): needed for a jump there.
    pub calls_our_idp: bool,
    /// It subscribes to our `sso_sp`: its jump to us needs that.
    pub calls_our_sp: bool,
    /// The peer was asked (false: the stock paths, assumed).
    pub learned: bool,
    /// When it was asked (Unix seconds).
    pub learned_at: i64,
}

impl SsoRoutes {
    /// Moodle's stock paths, assumed for a peer that could not be asked: both directions as
    /// SchoolBridge did before it learned routes.
    pub fn assumed() -> Self {
        SsoRoutes {
            idp_prefix: Some(STOCK_PREFIX.to_owned()),
            land_path: Some(STOCK_LAND.to_owned()),
            calls_our_idp: true,
            calls_our_sp: true,
            learned: false,
            learned_at: 0,
        }
    }

    /// From the peer's answers: `services` as (name, publish, subscribe) from its point of view,
    /// and the method paths it listed for `sso_idp` and `sso_sp` (`None`: it could not list
    /// them, as a peer without `listMethods`: the stock paths are assumed). A service published
    /// with no method in it (Moodle lists only methods that are on) is not offered.
    pub fn from_answers(
        services: &[(String, bool, bool)],
        idp_methods: Option<&[String]>,
        sp_methods: Option<&[String]>,
        now: i64,
    ) -> Self {
        let flag = |name: &str| {
            services
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, p, s)| (*p, *s))
                .unwrap_or((false, false))
        };
        let (publishes_idp, calls_our_idp) = flag(SSO_IDP);
        let (publishes_sp, calls_our_sp) = flag(SSO_SP);
        let idp_prefix = match idp_methods {
            _ if !publishes_idp => None,
            None => Some(STOCK_PREFIX.to_owned()),
            Some(paths) => preferred(paths, "/user_authorise"),
        };
        let land_path = match sp_methods {
            _ if !publishes_sp => None,
            None => Some(STOCK_LAND.to_owned()),
            Some(paths) => preferred(paths, "/kill_child")
                .map(|prefix| land_of(&prefix).unwrap_or_else(|| STOCK_LAND.to_owned())),
        };
        SsoRoutes {
            idp_prefix,
            land_path,
            calls_our_idp,
            calls_our_sp,
            learned: true,
            learned_at: now,
        }
    }

    /// The path of one of the peer's identity-provider methods (`user_authorise`, …).
    pub fn idp_method(&self, method: &str) -> String {
        format!(
            "{}/{method}",
            self.idp_prefix.as_deref().unwrap_or(STOCK_PREFIX)
        )
    }

    /// People may arrive here from the peer: it publishes `sso_idp` to us and its jump may
    /// send them (it subscribes to our `sso_sp`).
    pub fn lands_here(&self) -> bool {
        self.idp_prefix.is_some() && self.calls_our_sp
    }

    /// Our people may jump to the peer: it has a land page for us and confirms them with our
    /// `user_authorise`.
    pub fn takes_jump(&self) -> bool {
        self.land_path.is_some() && self.calls_our_idp
    }

    /// Whether to ask the peer again before using these for a person going `way`.
    pub fn is_stale(&self, now: i64, way: Way) -> bool {
        let fresh = match way {
            Way::In => FRESH_SECS,
            Way::Out => JUMP_FRESH_SECS,
        };
        !self.learned || now - self.learned_at >= fresh
    }
}

/// Among method paths ending in `suffix`, the prefix of one published by a plugin that replaces
/// `auth_mnet` if there is one, else the stock one. On Moodle 4.5 both may be listed: ours reads
/// the same `mnet_session` table, so it confirms tokens of either jump, and it is the one that
/// also works after an upgrade to Moodle 5. (An upgraded Moodle may still list `auth_mnet`'s
/// methods until our plugin has cleaned them up; they no longer work.)
fn preferred(paths: &[String], suffix: &str) -> Option<String> {
    let prefixes: Vec<&str> = paths
        .iter()
        .filter_map(|p| p.strip_suffix(suffix))
        .filter(|p| !p.is_empty() && !p.contains("..") && !p.starts_with('/'))
        .collect();
    prefixes
        .iter()
        .find(|p| **p != STOCK_PREFIX)
        .or_else(|| prefixes.first())
        .map(|p| (*p).to_owned())
}

/// The land page of an `auth/<plugin>/…` method prefix: `/auth/<plugin>/land.php`.
fn land_of(prefix: &str) -> Option<String> {
    let mut parts = prefix.split('/');
    match (parts.next(), parts.next()) {
        (Some("auth"), Some(plugin))
            if !plugin.is_empty()
                && plugin
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            Some(format!("/auth/{plugin}/land.php"))
        }
        _ => None,
    }
}

fn setting_name(peer_id: i64) -> String {
    format!("sso_methods:{peer_id}")
}

/// The method paths a peer listed for `sso_idp` and `sso_sp` (`None`: it could not list them,
/// or was not asked because it does not publish the service).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoMethods {
    /// Its `sso_idp` methods.
    pub idp: Option<Vec<String>>,
    /// Its `sso_sp` methods.
    pub sp: Option<Vec<String>>,
}

async fn stored_methods(state: &AppState, peer: &PeerRow) -> SsoMethods {
    match state.store.setting(&setting_name(peer.id)).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_default(),
        Ok(None) => SsoMethods::default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read a peer's single sign-on methods");
            SsoMethods::default()
        }
    }
}

/// Asks the peer which methods it lists for the SSO services it publishes to us (`services`:
/// its `listServices` answer, just received by the registry's verify) and keeps them.
pub async fn learn_methods(state: &AppState, peer: &PeerRow, services: &[(String, bool, bool)]) {
    let publishes = |name: &str| services.iter().any(|(n, p, _)| n == name && *p);
    let mut methods = SsoMethods::default();
    if publishes(SSO_IDP) {
        methods.idp = list_methods(state, peer, SSO_IDP).await;
    }
    if publishes(SSO_SP) {
        methods.sp = list_methods(state, peer, SSO_SP).await;
    }
    remember(state, peer, &methods).await;
}

/// The method paths the peer lists for a service; `None` when it could not say.
async fn list_methods(state: &AppState, peer: &PeerRow, service: &str) -> Option<Vec<String>> {
    match outbound::call(state, peer, "system/listMethods", &[Value::from(service)]).await {
        Ok(Reply::Value(v)) => Some(
            v.list_lenient()?
                .into_iter()
                .filter_map(Value::to_text_lenient)
                .collect(),
        ),
        _ => None,
    }
}

/// Keeps the method lists of a peer (tests use it for peers that have no HTTP server).
pub async fn remember(state: &AppState, peer: &PeerRow, methods: &SsoMethods) {
    let Ok(json) = serde_json::to_string(methods) else {
        return;
    };
    let name = setting_name(peer.id);
    if let Err(e) = crate::write_tx!(state.store, |c| {
        crate::store::settings::put_setting(c, &name, &json).await
    }) {
        tracing::warn!(error = %e, "could not keep a peer's single sign-on methods");
    }
}

/// The routes from what the peer last said, `None` when it was never asked.
pub async fn known(
    state: &AppState,
    peer: &PeerRow,
    remote: Option<&RemoteServices>,
) -> Option<SsoRoutes> {
    if peer.application != "moodle" {
        return Some(mahara_routes());
    }
    let remote = remote?;
    let services: Vec<(String, bool, bool)> = remote
        .services
        .iter()
        .map(|s| (s.service.clone(), s.publish, s.subscribe))
        .collect();
    let methods = stored_methods(state, peer).await;
    Some(SsoRoutes::from_answers(
        &services,
        methods.idp.as_deref(),
        methods.sp.as_deref(),
        remote.checked_at,
    ))
}

/// Whether the Network servers list may offer a jump to the peer, from what it last said
/// (`remote`, as the list already read it): it has a land page on for us and confirms our
/// people with our `user_authorise`.
pub async fn takes_jump(state: &AppState, peer: &PeerRow, remote: Option<&RemoteServices>) -> bool {
    known(state, peer, remote)
        .await
        .is_some_and(|r| r.takes_jump())
}

/// Which way a person goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// From the peer to us (we call its identity-provider methods).
    In,
    /// From us to the peer (its land page).
    Out,
}

/// The routes to use now for a jump or a landing: what the peer last said if it is fresh and
/// allows `way`, else asked again (a person is waiting: a few round trips; an administrator may
/// just have switched single sign-on on), else what it said before, else the stock paths.
/// Mahara peers keep the stock behaviour (their services have other names).
pub async fn current(state: &AppState, peer: &PeerRow, way: Way) -> SsoRoutes {
    if peer.application != "moodle" {
        return mahara_routes();
    }
    let remote = state.store.remote_services(peer.id).await.ok().flatten();
    let kept = known(state, peer, remote.as_ref()).await;
    if let Some(r) = &kept
        && !r.is_stale(state.clock.now(), way)
        && match way {
            Way::In => r.lands_here(),
            Way::Out => r.takes_jump(),
        }
    {
        return r.clone();
    }
    if registry::verify(state, peer).await.ok {
        let remote = state.store.remote_services(peer.id).await.ok().flatten();
        if let Some(r) = known(state, peer, remote.as_ref()).await {
            return r;
        }
    }
    kept.unwrap_or_else(SsoRoutes::assumed)
}

/// The peer page's view of what the peer said (`None` for Mahara, whose single sign-on is not
/// learned).
pub async fn peer_sso(state: &AppState, peer: &PeerRow) -> Option<schoolbridge_api::PeerSso> {
    if peer.application != "moodle" {
        return None;
    }
    let remote = state.store.remote_services(peer.id).await.ok().flatten();
    let r = known(state, peer, remote.as_ref())
        .await
        .unwrap_or_else(SsoRoutes::assumed);
    Some(schoolbridge_api::PeerSso {
        idp_methods: r.idp_prefix.clone(),
        land_page: r.land_path.clone(),
        lands_here: r.lands_here(),
        takes_jump: r.takes_jump(),
        learned_at: r.learned.then_some(r.learned_at),
    })
}

/// The peer's `user_authorise(token, useragent)`, at the path it publishes. A fault other than
/// its own three (1: no such token, 2: expired, 3: no such person) says the path is not served
/// any more (a Moodle upgraded to 5.x answers `auth/mnet` with 705): the peer is asked again, and
/// a path that changed is tried once. The token is still good: Moodle keeps it for 30 seconds.
pub async fn user_authorise(
    state: &AppState,
    peer: &PeerRow,
    token: &str,
    useragent_sha1: &str,
) -> Result<Reply, outbound::OutboundError> {
    let params = [Value::from(token), Value::from(useragent_sha1)];
    let method = current(state, peer, Way::In)
        .await
        .idp_method("user_authorise");
    let reply = outbound::call(state, peer, &method, &params).await;
    let gone = matches!(&reply, Ok(Reply::Fault(f)) if !(1..=3).contains(&f.code));
    if !gone || peer.application != "moodle" || !registry::verify(state, peer).await.ok {
        return reply;
    }
    let remote = state.store.remote_services(peer.id).await.ok().flatten();
    match known(state, peer, remote.as_ref()).await {
        Some(again) if again.idp_method("user_authorise") != method => {
            outbound::call(state, peer, &again.idp_method("user_authorise"), &params).await
        }
        _ => reply,
    }
}

fn mahara_routes() -> SsoRoutes {
    SsoRoutes {
        land_path: Some(MAHARA_LAND.to_owned()),
        ..SsoRoutes::assumed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(list: &[(&str, bool, bool)]) -> Vec<(String, bool, bool)> {
        list.iter()
            .map(|(n, p, s)| ((*n).to_owned(), *p, *s))
            .collect()
    }

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    /// The routes of a peer with both SSO services on both ways, listing these methods.
    fn both_services_on(
        idp_methods: Option<&[String]>,
        sp_methods: Option<&[String]>,
    ) -> SsoRoutes {
        SsoRoutes::from_answers(
            &services(&[("sso_idp", true, true), ("sso_sp", true, true)]),
            idp_methods,
            sp_methods,
            100,
        )
    }

    #[test]
    fn a_stock_moodle_45_uses_auth_mnet_both_ways() {
        let r = both_services_on(
            Some(&paths(&[
                "auth/mnet/auth.php/keepalive_server",
                "auth/mnet/auth.php/user_authorise",
            ])),
            Some(&paths(&[
                "auth/mnet/auth.php/keepalive_client",
                "auth/mnet/auth.php/kill_child",
            ])),
        );
        assert_eq!(
            r.idp_method("user_authorise"),
            "auth/mnet/auth.php/user_authorise"
        );
        assert_eq!(r.land_path.as_deref(), Some("/auth/mnet/land.php"));
        assert!(r.lands_here() && r.takes_jump());
    }

    #[test]
    fn our_plugin_is_preferred_where_both_are_listed() {
        let r = both_services_on(
            Some(&paths(&[
                "auth/mnet/auth.php/user_authorise",
                "auth/schoolbridge/mnetservice.php/user_authorise",
            ])),
            Some(&paths(&[
                "auth/mnet/auth.php/kill_child",
                "auth/schoolbridge/mnetservice.php/kill_child",
            ])),
        );
        assert_eq!(
            r.idp_method("kill_children"),
            "auth/schoolbridge/mnetservice.php/kill_children"
        );
        assert_eq!(r.land_path.as_deref(), Some("/auth/schoolbridge/land.php"));
    }

    #[test]
    fn a_moodle_5_without_sso_takes_no_jump_and_sends_nobody() {
        let r = SsoRoutes::from_answers(
            &services(&[("schooltool_sis", true, true)]),
            None,
            None,
            100,
        );
        assert!(!r.takes_jump() && !r.lands_here());
        assert_eq!(r.idp_prefix, None);
        assert!(r.is_stale(100 + FRESH_SECS, Way::In));
        assert!(SsoRoutes::assumed().is_stale(0, Way::In), "never asked");
    }

    #[test]
    fn a_peer_that_does_not_subscribe_to_our_idp_takes_no_jump() {
        // It has a land page, but would never confirm our token (issue 14: the jump failed).
        let r = SsoRoutes::from_answers(
            &services(&[("sso_idp", true, false), ("sso_sp", true, true)]),
            Some(&paths(&["auth/mnet/auth.php/user_authorise"])),
            Some(&paths(&["auth/mnet/auth.php/kill_child"])),
            100,
        );
        assert!(!r.takes_jump());
        assert!(r.lands_here());
        assert!(!r.is_stale(100 + FRESH_SECS - 1, Way::In));
        assert!(
            r.is_stale(100 + JUMP_FRESH_SECS, Way::Out),
            "a jump asks sooner"
        );
    }

    #[test]
    fn a_published_service_the_peer_cannot_list_gets_the_stock_paths() {
        let r = both_services_on(None, None);
        assert_eq!(
            r.idp_method("user_authorise"),
            "auth/mnet/auth.php/user_authorise"
        );
        assert_eq!(r.land_path.as_deref(), Some(STOCK_LAND));
        assert!(r.lands_here() && r.takes_jump());
    }

    #[test]
    fn a_service_with_no_method_on_is_not_offered() {
        // Moodle 5.1 with auth_schoolbridge installed but not enabled: the services exist and
        // are ticked, their methods are off; odd paths are never used.
        let r = both_services_on(
            Some(&[]),
            Some(&paths(&["../../etc/kill_child", "/auth/x/kill_child"])),
        );
        assert_eq!(r.idp_prefix, None);
        assert_eq!(r.land_path, None);
        assert!(!r.lands_here() && !r.takes_jump());
    }

    #[test]
    fn land_pages_come_only_from_auth_plugin_paths() {
        assert_eq!(
            land_of("auth/schoolbridge/mnetservice.php").as_deref(),
            Some("/auth/schoolbridge/land.php")
        );
        assert_eq!(land_of("local/foo/x.php"), None);
        assert_eq!(land_of("auth/a b/x.php"), None);
    }
}
