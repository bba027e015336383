//! [`SimMoodle`]: one simulated Moodle site — its identity and key ring, its peers, its school,
//! its SSO sessions and the calls it received — shared by the HTTP server, the MNet client and
//! the test accessors. State lives in memory behind short-held locks; RSA work runs on
//! blocking threads (STYLE §10).
//!
//! The modules that make the site act point one way: `push` → `client` → `sim`. This file
//! imports neither of the other two; they extend [`SimMoodle`] with `impl` blocks of their own.
//! That is why the push's retry settings, [`PushOptions`], are defined here: [`SimConfig`]
//! carries them.

use crate::calls::{CallLog, ReceivedCall};
use crate::clock::{Clock, SystemClock};
use crate::error::SimError;
use crate::identity::{KeyRing, SiteIdentity};
use crate::peers::{PeerRecord, PeerRegistry};
use crate::school::{Change, ChangeBody, FetchUser, SchoolState, UserRow};
use crate::sso::{BrowserSession, SsoStore, sha1_hex};
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::Limits;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Moodle's RPC and keyswap timeout (`mnet-protocol.md` §1.2).
pub const MOODLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushOptions {
    /// Retries of a change answered 8103/8104/8105/8199.
    pub retries: u32,
    /// Wait before the first retry; doubles each time.
    pub backoff: Duration,
    /// Changes per call: 1 sends each change on its own; more sends `schooltool/sis/batch`
    /// calls of up to this many (at most the contract's 1000).
    pub batch: usize,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self {
            retries: 3,
            backoff: Duration::from_millis(250),
            batch: 1,
        }
    }
}

impl PushOptions {
    /// The wait before retry `attempt + 1`: the back-off, doubled for each earlier retry.
    pub(crate) fn backoff_after(&self, attempt: u32) -> Duration {
        self.backoff.saturating_mul(1 << attempt.min(16))
    }
}

/// The site name of [`SimConfig::springfield`].
pub const SPRINGFIELD: &str = "Springfield Moodle";

/// How to build a simulated site.
pub struct SimConfig {
    /// Its wwwroot (no trailing slash), e.g. `http://127.0.0.1:8081`.
    pub wwwroot: String,
    /// The site's full name: the `<title>` of its front page and O of its certificate.
    pub site_name: String,
    /// The site's short name (reported in `user_authorise`'s `myhosts`).
    pub site_shortname: String,
    /// Its key and certificate (the certificate must name the wwwroot).
    pub identity: SiteIdentity,
    /// Moodle's "Register all hosts": an unknown caller's keyswap adds it as a peer (§5.6).
    pub register_all_hosts: bool,
    /// What the site holds: its people (who can log in), enrolments and grades.
    pub school: SchoolState,
    /// Prefix of the eventids of full syncs the site sends.
    pub eventid_prefix: String,
    /// The password every user of the demo logs in with.
    pub user_password: String,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Outbound HTTP timeout (Moodle: 60 s).
    pub http_timeout: Duration,
    /// Retries and back-off of pushes the site makes on its own (after `request_full_sync`).
    pub push: PushOptions,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("wwwroot", &self.wwwroot)
            .field("site_name", &self.site_name)
            .field("identity", &self.identity)
            .field("register_all_hosts", &self.register_all_hosts)
            .field("school", &self.school.counts())
            .field("user_password", &"***")
            .finish_non_exhaustive()
    }
}

impl SimConfig {
    /// Defaults for everything but the wwwroot and the identity: site "Moodle Sim School",
    /// register all hosts on, an empty school, password "moodle", the system clock.
    pub fn new(wwwroot: impl Into<String>, identity: SiteIdentity) -> Self {
        Self {
            wwwroot: wwwroot.into(),
            site_name: "Moodle Sim School".to_owned(),
            site_shortname: "simschool".to_owned(),
            identity,
            register_all_hosts: true,
            school: SchoolState::default(),
            eventid_prefix: "sim".to_owned(),
            user_password: "moodle".to_owned(),
            clock: Arc::new(SystemClock),
            http_timeout: MOODLE_TIMEOUT,
            push: PushOptions::default(),
        }
    }

    /// The smallest school a quick test signs in from: the site [`SPRINGFIELD`] with one
    /// person, Jane Doe (id number `S-1001`, username `jdoe`).
    pub fn springfield(&mut self) {
        self.site_name = SPRINGFIELD.into();
        self.school.apply(&Change {
            eventid: "e1".into(),
            timemodified: 1_800_000_000,
            body: ChangeBody::FetchUser(FetchUser {
                idnumber: "S-1001".into(),
                username: "jdoe".into(),
                firstname: "Jane".into(),
                lastname: "Doe".into(),
                email: "jane@school.example".into(),
            }),
        });
    }
}

/// A user who arrived by SSO from a peer (`mnet_host` id, username): a remote Moodle user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUser {
    /// Username at the identity provider.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// Email address.
    pub email: String,
    /// The identity provider's peer id.
    pub host_id: u32,
}

pub(crate) struct Inner {
    pub(crate) wwwroot: String,
    pub(crate) site_name: String,
    pub(crate) site_shortname: String,
    pub(crate) register_all_hosts: AtomicBool,
    pub(crate) user_password: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) keys: RwLock<KeyRing>,
    pub(crate) peers: RwLock<PeerRegistry>,
    pub(crate) sso: Mutex<SsoStore>,
    pub(crate) school: RwLock<SchoolState>,
    pub(crate) remote_users: Mutex<BTreeMap<(u32, String), RemoteUser>>,
    pub(crate) calls: Mutex<CallLog>,
    pub(crate) http: reqwest::Client,
    pub(crate) push_options: PushOptions,
    pub(crate) eventid_prefix: String,
    pub(crate) full_syncs: AtomicU64,
    pub(crate) limits: Limits,
}

/// A simulated Moodle 4.5 site. Cheap to clone: clones share one site.
#[derive(Clone)]
pub struct SimMoodle {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SimMoodle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMoodle")
            .field("wwwroot", &self.inner.wwwroot)
            .finish_non_exhaustive()
    }
}

impl SimMoodle {
    /// Builds a site. Fails if the wwwroot is not an http(s) URL or the certificate does not
    /// name it (`mnet-protocol.md` §6.3), or if the HTTP client cannot be built.
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        let wwwroot = normalise_wwwroot(&config.wwwroot)?;
        config
            .identity
            .certificate()
            .check_credentials(&wwwroot)
            .map_err(|source| SimError::Credentials {
                wwwroot: wwwroot.clone(),
                source,
            })?;
        let http = reqwest::Client::builder()
            .user_agent("Moodle")
            .timeout(config.http_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SimError::Transport {
                url: wwwroot.clone(),
                message: e.to_string(),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                wwwroot,
                site_name: config.site_name,
                site_shortname: config.site_shortname,
                register_all_hosts: AtomicBool::new(config.register_all_hosts),
                user_password: config.user_password,
                clock: config.clock,
                clock_offset: AtomicI64::new(0),
                keys: RwLock::new(KeyRing::new(config.identity)),
                peers: RwLock::new(PeerRegistry::default()),
                sso: Mutex::new(SsoStore::default()),
                school: RwLock::new(config.school),
                remote_users: Mutex::new(BTreeMap::new()),
                calls: Mutex::new(CallLog::default()),
                http,
                push_options: config.push,
                eventid_prefix: config.eventid_prefix,
                full_syncs: AtomicU64::new(0),
                limits: Limits::default(),
            }),
        })
    }

    /// The site's wwwroot.
    pub fn wwwroot(&self) -> &str {
        &self.inner.wwwroot
    }

    /// The site's full name.
    pub fn site_name(&self) -> &str {
        &self.inner.site_name
    }

    /// The site's short name (Moodle 4.x puts it after every page title: "Home | short").
    pub fn site_shortname(&self) -> &str {
        &self.inner.site_shortname
    }

    /// The simulator's time: the clock plus the offset.
    pub fn now(&self) -> i64 {
        self.inner.clock.now() + self.inner.clock_offset.load(Ordering::SeqCst)
    }

    /// Puts the site's clock `seconds` ahead (or behind, when negative) of its clock source:
    /// timestamps in its envelopes, token windows and new certificates follow.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.inner.clock_offset.store(seconds, Ordering::SeqCst);
    }

    /// The current certificate PEM.
    pub fn certificate_pem(&self) -> String {
        read(&self.inner.keys).current.certificate_pem().to_owned()
    }

    /// The current certificate.
    pub fn certificate(&self) -> PeerCertificate {
        read(&self.inner.keys).current.certificate().clone()
    }

    /// The archived certificates, newest first.
    pub fn archived_certificates(&self) -> Vec<PeerCertificate> {
        read(&self.inner.keys)
            .archived
            .iter()
            .map(|i| i.certificate().clone())
            .collect()
    }

    /// Rotates the site key as Moodle's lazy rotation does (§5.5): the current pair is
    /// archived (three generations are kept) and `key` becomes current with a new Moodle-shaped
    /// certificate. Peers still holding the old certificate get fault 7025 with the new one.
    pub fn rotate_key(&self, key: SitePrivateKey) -> Result<(), SimError> {
        let identity =
            SiteIdentity::moodle_shaped(key, self.wwwroot(), self.site_name(), self.now())?;
        self.rotate_identity(identity)
    }

    /// Like [`SimMoodle::rotate_key`], with a ready identity (its certificate must name the
    /// wwwroot).
    pub fn rotate_identity(&self, identity: SiteIdentity) -> Result<(), SimError> {
        identity
            .certificate()
            .check_credentials(self.wwwroot())
            .map_err(|source| SimError::Credentials {
                wwwroot: self.wwwroot().to_owned(),
                source,
            })?;
        write(&self.inner.keys).rotate(identity);
        tracing::info!(wwwroot = %self.wwwroot(), "site key rotated; the old one is archived");
        Ok(())
    }

    pub(crate) fn key_ring(&self) -> KeyRing {
        read(&self.inner.keys).clone()
    }

    /// Every live peer, by id.
    pub fn peers(&self) -> Vec<PeerRecord> {
        read(&self.inner.peers).live()
    }

    /// A live peer by exact wwwroot.
    pub fn peer(&self, wwwroot: &str) -> Option<PeerRecord> {
        read(&self.inner.peers).by_wwwroot(wwwroot).cloned()
    }

    pub(crate) fn peer_by_id(&self, id: u32) -> Option<PeerRecord> {
        read(&self.inner.peers).by_id(id).cloned()
    }

    pub(crate) fn peers_mut(&self) -> RwLockWriteGuard<'_, PeerRegistry> {
        write(&self.inner.peers)
    }

    /// Soft-deletes a peer (§7.2 "Delete peer"): no more traffic; its calls get 7020.
    pub fn delete_peer(&self, wwwroot: &str) -> bool {
        write(&self.inner.peers).delete(wwwroot)
    }

    /// Switches "Register all hosts" (§5.6).
    pub fn set_register_all_hosts(&self, on: bool) {
        self.inner.register_all_hosts.store(on, Ordering::SeqCst);
    }

    pub(crate) fn register_all_hosts(&self) -> bool {
        self.inner.register_all_hosts.load(Ordering::SeqCst)
    }

    /// Creates the SSO token a jump to `peer_wwwroot` would create for `username`, bound to
    /// `user_agent` (the browser's User-Agent header, hashed with SHA-1) and valid for 30 s
    /// (§8.1).
    pub fn create_sso_token(
        &self,
        username: &str,
        peer_wwwroot: &str,
        user_agent: &str,
    ) -> Result<String, SimError> {
        if self.user(username).is_none() {
            return Err(SimError::UnknownUser(username.to_owned()));
        }
        let peer = self
            .peer(peer_wwwroot)
            .ok_or_else(|| SimError::UnknownPeer(peer_wwwroot.to_owned()))?;
        let now = self.now();
        Ok(lock(&self.inner.sso).start_jump(username, peer.id, &sha1_hex(user_agent), now))
    }

    /// The URL a jump redirects the browser to, built exactly as Moodle builds it (§8.1):
    /// `{peer}{land path}?token=…&idp={our wwwroot}&wantsurl={urlencoded}` — `idp` is not
    /// URL-encoded.
    pub fn land_url(
        &self,
        peer_wwwroot: &str,
        token: &str,
        wantsurl: &str,
    ) -> Result<String, SimError> {
        let peer = self
            .peer(peer_wwwroot)
            .ok_or_else(|| SimError::UnknownPeer(peer_wwwroot.to_owned()))?;
        Ok(format!(
            "{}{}?token={token}&idp={}&wantsurl={}",
            peer.wwwroot,
            peer.application.land_path(),
            self.wwwroot(),
            crate::sso::php_urlencode(wantsurl)
        ))
    }

    /// A jump without a browser: the token plus the land URL.
    pub fn jump(
        &self,
        username: &str,
        peer_wwwroot: &str,
        user_agent: &str,
        wantsurl: &str,
    ) -> Result<String, SimError> {
        let token = self.create_sso_token(username, peer_wwwroot, user_agent)?;
        self.land_url(peer_wwwroot, &token, wantsurl)
    }

    pub(crate) fn sso(&self) -> MutexGuard<'_, SsoStore> {
        lock(&self.inner.sso)
    }

    pub(crate) fn browser_session(&self, cookie: &str) -> Option<BrowserSession> {
        lock(&self.inner.sso).browser(cookie)
    }

    /// A local user by username.
    pub fn user(&self, username: &str) -> Option<UserRow> {
        read(&self.inner.school).user_by_username(username).cloned()
    }

    /// Users who arrived by SSO from peers.
    pub fn remote_users(&self) -> Vec<RemoteUser> {
        lock(&self.inner.remote_users).values().cloned().collect()
    }

    pub(crate) fn remote_user(&self, host_id: u32, username: &str) -> Option<RemoteUser> {
        lock(&self.inner.remote_users)
            .get(&(host_id, username.to_owned()))
            .cloned()
    }

    pub(crate) fn upsert_remote_user(&self, user: RemoteUser) {
        lock(&self.inner.remote_users).insert((user.host_id, user.username.clone()), user);
    }

    /// Read access to what the site holds. A `std` lock guard: do not hold it across `.await`.
    pub fn school(&self) -> RwLockReadGuard<'_, SchoolState> {
        read(&self.inner.school)
    }

    /// Applies changes to what the site holds (they are not sent anywhere).
    pub fn apply_changes(&self, changes: &[Change]) {
        let mut school = write(&self.inner.school);
        for change in changes {
            school.apply(change);
        }
    }

    /// Everything the site holds as a full sync, with eventids of a new sync run.
    pub fn full_sync_changes(&self) -> Vec<Change> {
        let run = self.inner.full_syncs.fetch_add(1, Ordering::SeqCst) + 1;
        let prefix = format!("{}-sync{run}", self.inner.eventid_prefix);
        read(&self.inner.school).full_sync(&prefix)
    }

    /// The calls received so far, oldest first.
    pub fn received_calls(&self) -> Vec<ReceivedCall> {
        lock(&self.inner.calls).all()
    }

    /// Forgets the received calls.
    pub fn clear_received_calls(&self) {
        lock(&self.inner.calls).clear();
    }

    pub(crate) fn record_call(&self, call: ReceivedCall) {
        lock(&self.inner.calls).record(call);
    }

    pub(crate) fn check_password(&self, password: &str) -> bool {
        // Not constant-time: a demo password shared by every simulated user.
        password == self.inner.user_password
    }
}

/// Runs RSA work on a blocking thread (STYLE §10).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, SimError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SimError::Task(e.to_string()))
}

/// Trims, drops a trailing `/` (as `admin/mnet/peers.php` does) and checks the scheme.
pub fn normalise_wwwroot(wwwroot: &str) -> Result<String, SimError> {
    let w = wwwroot.trim().trim_end_matches('/');
    let rest = w
        .strip_prefix("http://")
        .or_else(|| w.strip_prefix("https://"))
        .ok_or_else(|| SimError::BadWwwroot(wwwroot.to_owned()))?;
    if rest.is_empty() || rest.starts_with('/') || w.chars().any(char::is_whitespace) {
        return Err(SimError::BadWwwroot(wwwroot.to_owned()));
    }
    Ok(w.to_owned())
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::normalise_wwwroot;

    #[test]
    fn wwwroots_are_normalised_or_refused() {
        assert_eq!(
            normalise_wwwroot(" http://127.0.0.1:8081/ ")
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            normalise_wwwroot("https://m.example/sub").ok().as_deref(),
            Some("https://m.example/sub")
        );
        assert!(normalise_wwwroot("127.0.0.1:8081").is_err());
        assert!(normalise_wwwroot("http://").is_err());
        assert!(normalise_wwwroot("http://a b").is_err());
    }
}
