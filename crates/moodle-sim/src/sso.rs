//! Single sign-on state (`mnet-protocol.md` §8): the `mnet_session` rows a jump creates on the
//! identity-provider side — a 40-hex token from the OS generator, bound to sha1(User-Agent),
//! confirmable for 30 s (`rpc_negotiation_timeout`) — and the browser sessions of the minimal
//! login (a cookie naming a user). Tokens and cookies never appear in `Debug` output or logs.

use mnet::fault::MnetFault;
use rand::Rng as _;
use sha1::{Digest, Sha1};
use std::collections::HashMap;

/// `auth_mnet`'s `rpc_negotiation_timeout` default: how long a jump token may be confirmed.
pub const RPC_NEGOTIATION_TIMEOUT: i64 = 30;
/// PHP's `session.gc_maxlifetime` default, which Moodle reports in `user_authorise`.
pub const SESSION_GC_MAXLIFETIME: i64 = 1440;

/// One `mnet_session` row.
struct MnetSession {
    token: String,
    username: String,
    peer_id: u32,
    useragent_hash: String,
    confirm_timeout: i64,
    expires: i64,
}

/// A logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrowserSession {
    /// The user's username.
    pub(crate) username: String,
    /// For a user who arrived by SSO: the id of the peer that vouched for them.
    pub(crate) remote_host: Option<u32>,
}

#[derive(Default)]
pub(crate) struct SsoStore {
    mnet: Vec<MnetSession>,
    browsers: HashMap<String, BrowserSession>,
}

impl std::fmt::Debug for SsoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoStore")
            .field("mnet_sessions", &self.mnet.len())
            .field("browser_sessions", &self.browsers.len())
            .finish()
    }
}

impl SsoStore {
    /// `start_jump_session` (§8.1): upserts the row for (user, peer, user agent) with a new
    /// token and a fresh confirmation window, and returns the token.
    pub(crate) fn start_jump(
        &mut self,
        username: &str,
        peer_id: u32,
        useragent_hash: &str,
        now: i64,
    ) -> String {
        let token = random_hex(20);
        self.mnet.retain(|s| {
            !(s.username == username && s.peer_id == peer_id && s.useragent_hash == useragent_hash)
        });
        // Old rows are dropped a day after they expire, as the SP cron does.
        self.mnet.retain(|s| s.expires + 86_400 > now);
        self.mnet.push(MnetSession {
            token: token.clone(),
            username: username.to_owned(),
            peer_id,
            useragent_hash: useragent_hash.to_owned(),
            confirm_timeout: now + RPC_NEGOTIATION_TIMEOUT,
            expires: now + SESSION_GC_MAXLIFETIME,
        });
        token
    }

    /// `user_authorise` (§8.3) as `auth_mnet` answers it: the row with this token and user-agent
    /// hash; fault 1 when there is none, 2 when its 30 s have passed. Like Moodle, a token is
    /// **not** spent by confirming it, nor bound to the peer asking: it confirms as often as
    /// asked within its window (`auth/mnet/auth.php` looks the row up by token and user agent
    /// only), which is why a service provider must refuse a token it has used itself.
    pub(crate) fn authorise(
        &mut self,
        token: &str,
        useragent_hash: &str,
        now: i64,
    ) -> Result<String, MnetFault> {
        let session = self
            .mnet
            .iter_mut()
            .find(|s| {
                s.token == token.trim()
                    && s.useragent_hash.eq_ignore_ascii_case(useragent_hash.trim())
            })
            .ok_or(MnetFault::NoSessionExists)?;
        if session.confirm_timeout < now {
            return Err(MnetFault::SessionTimedOut);
        }
        session.expires = now + SESSION_GC_MAXLIFETIME;
        Ok(session.username.clone())
    }

    /// Whether the user has an SSO session with that peer (for `keepalive_server`).
    pub(crate) fn has_session(&self, username: &str, peer_id: u32) -> bool {
        self.mnet
            .iter()
            .any(|s| s.username == username && s.peer_id == peer_id)
    }

    /// `kill_children` (§8.4): drops the user's SSO sessions for that user agent and logs the
    /// user out everywhere here. Returns how many SSO sessions there were.
    pub(crate) fn kill(&mut self, username: &str, useragent_hash: &str) -> usize {
        let before = self.mnet.len();
        self.mnet.retain(|s| {
            !(s.username == username && s.useragent_hash.eq_ignore_ascii_case(useragent_hash))
        });
        self.browsers
            .retain(|_, b| !(b.username == username && b.remote_host.is_none()));
        before - self.mnet.len()
    }

    /// `kill_child` (§8.4, service-provider side): logs out the remote user `username` who came
    /// from peer `host`. Returns how many browser sessions ended.
    pub(crate) fn kill_remote(&mut self, host: u32, username: &str) -> usize {
        let before = self.browsers.len();
        self.browsers
            .retain(|_, b| !(b.username == username && b.remote_host == Some(host)));
        before - self.browsers.len()
    }

    /// Logs a browser in; returns the cookie value.
    pub(crate) fn log_in(&mut self, session: BrowserSession) -> String {
        let id = random_hex(16);
        self.browsers.insert(id.clone(), session);
        id
    }

    /// The browser session of a cookie value.
    pub(crate) fn browser(&self, cookie: &str) -> Option<BrowserSession> {
        self.browsers.get(cookie).cloned()
    }

    /// Logs a browser out.
    pub(crate) fn log_out(&mut self, cookie: &str) {
        self.browsers.remove(cookie);
    }
}

/// Lowercase hex SHA-1, as PHP's `sha1()`.
pub fn sha1_hex(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))
}

/// `n` random bytes from the OS-seeded generator, as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// PHP's `urlencode()`: letters, digits and `-_.` stay, a space becomes `+`, every other
/// byte becomes `%XX` (upper-case hex). The land URL's `wantsurl` is encoded this way (§8.1).
pub fn php_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_40_hex_reusable_for_30_seconds_as_in_moodle() {
        let mut store = SsoStore::default();
        let ua = sha1_hex("Mozilla/5.0");
        let token = store.start_jump("maya", 3, &ua, 1000);
        assert_eq!(token.len(), 40);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            store.authorise(&token, &sha1_hex("curl"), 1001),
            Err(MnetFault::NoSessionExists)
        );
        assert_eq!(store.authorise(&token, &ua, 1001).as_deref(), Ok("maya"));
        // As auth_mnet: asked again within the window, the same answer.
        assert_eq!(store.authorise(&token, &ua, 1029).as_deref(), Ok("maya"));
        assert_eq!(
            store.authorise(&token, &ua, 1031),
            Err(MnetFault::SessionTimedOut)
        );
        let late = store.start_jump("maya", 3, &ua, 2000);
        assert_eq!(
            store.authorise(&late, &ua, 2031),
            Err(MnetFault::SessionTimedOut)
        );
        assert!(store.has_session("maya", 3));
        assert_eq!(store.kill("maya", &ua), 1);
        assert!(!store.has_session("maya", 3));
        assert!(!format!("{store:?}").contains(&late));
    }

    #[test]
    fn urlencode_is_phps() {
        assert_eq!(
            php_urlencode("/course/view.php?id=2"),
            "%2Fcourse%2Fview.php%3Fid%3D2"
        );
        assert_eq!(php_urlencode("a b~é"), "a+b%7E%C3%A9");
        assert_eq!(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }
}
