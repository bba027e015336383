//! Server-side sessions: a random token in an HttpOnly, SameSite=Lax cookie (when the site is
//! served over HTTPS: `Secure` and named `__Host-sb_session`, which browsers accept only from
//! this very host over HTTPS, so neither a sibling subdomain nor a plain-http page can plant or
//! overwrite it), only its SHA-256 in the database (so every instance shares sessions),
//! a CSRF token the console echoes on every change, an idle timeout and an absolute one.

use crate::state::AppState;
use crate::store::StoreError;
use crate::store::sessions::{SessionRow, end_session, insert_session};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng as _;
use sha2::{Digest, Sha256};

/// The cookie's name on a plain-http site.
pub const COOKIE: &str = "sb_session";
/// The cookie's name on an https site (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain).
pub const HOST_COOKIE: &str = "__Host-sb_session";
/// Idle timeout: two hours without a request.
pub const IDLE_SECS: i64 = 2 * 3600;
/// Absolute timeout: twelve hours after sign-in.
pub const ABSOLUTE_SECS: i64 = 12 * 3600;

/// A new random token (URL-safe base64 of 32 bytes).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The stored form of a cookie token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// sha1(User-Agent) as lowercase hex: how MNet binds SSO tokens to a browser (§8.1). Moodle
/// hashes the header's raw bytes, so a User-Agent that is not ASCII must be hashed as received.
pub fn useragent_sha1(user_agent: impl AsRef<[u8]>) -> String {
    use sha1::Digest as _;
    hex::encode(sha1::Sha1::digest(user_agent.as_ref()))
}

/// A started session: the cookie header to send.
#[derive(Debug)]
pub struct Started {
    /// `Set-Cookie` value.
    pub set_cookie: String,
    /// The token's hash (the session's id).
    pub id_hash: String,
}

/// Starts a session for a person.
pub async fn start(
    state: &AppState,
    person_id: i64,
    sso_peer_id: Option<i64>,
    user_agent: Option<&str>,
) -> Result<Started, StoreError> {
    let token = random_token();
    let id_hash = token_hash(&token);
    let csrf = random_token();
    let now = state.clock.now();
    let ua = user_agent.map(useragent_sha1);
    crate::write_tx!(state.store, |c| insert_session(
        c,
        &id_hash,
        person_id,
        &csrf,
        now,
        now + ABSOLUTE_SECS,
        sso_peer_id,
        ua.as_deref()
    )
    .await)?;
    Ok(Started {
        set_cookie: cookie(state, &token, ABSOLUTE_SECS),
        id_hash,
    })
}

/// The session cookie's name for this site: `__Host-` prefixed when its wwwroot is https.
pub fn cookie_name(state: &AppState) -> &'static str {
    cookie_name_for(&state.config.wwwroot)
}

fn cookie_name_for(wwwroot: &str) -> &'static str {
    if wwwroot.starts_with("https://") {
        HOST_COOKIE
    } else {
        COOKIE
    }
}

/// The `Set-Cookie` value for a token (an empty token with max-age 0 clears it).
pub fn cookie(state: &AppState, token: &str, max_age: i64) -> String {
    set_cookie_for(&state.config.wwwroot, token, max_age)
}

fn set_cookie_for(wwwroot: &str, token: &str, max_age: i64) -> String {
    let name = cookie_name_for(wwwroot);
    let secure = if name == HOST_COOKIE { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Reads the session token from a `Cookie` header: the cookie called `name` only.
pub fn token_from_cookie_header(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .map(str::trim)
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Loads a live session for a cookie token, ending it when a timeout has passed.
pub async fn load(state: &AppState, token: &str) -> Result<Option<SessionRow>, StoreError> {
    let id_hash = token_hash(token);
    let Some(s) = state.store.live_session(&id_hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    if s.expires_at <= now || s.last_seen_at + IDLE_SECS <= now {
        crate::write_tx!(state.store, |c| end_session(c, &id_hash, now).await)?;
        return Ok(None);
    }
    state.store.touch_session(&id_hash, now).await?;
    Ok(Some(s))
}

/// Ends a session.
pub async fn end(state: &AppState, id_hash: &str) -> Result<bool, StoreError> {
    let now = state.clock.now();
    crate::write_tx!(state.store, |c| end_session(c, id_hash, now).await)
}

/// Constant-time comparison of two tokens.
pub fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_parsing_and_token_comparison() {
        assert_eq!(
            token_from_cookie_header("a=b; sb_session=tok123; c=d", COOKIE).as_deref(),
            Some("tok123")
        );
        assert_eq!(token_from_cookie_header("sb_session=", COOKIE), None);
        assert_eq!(token_from_cookie_header("other=1", COOKIE), None);
        assert_eq!(
            token_from_cookie_header("sb_session_x=1", COOKIE),
            None,
            "a longer name is another cookie"
        );
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert_ne!(random_token(), random_token());
        assert_eq!(useragent_sha1("Mozilla").len(), 40);
        // Raw bytes, not a lossy text form: what PHP's sha1($_SERVER['HTTP_USER_AGENT']) sees.
        assert_eq!(
            useragent_sha1(b"App \xe9"),
            hex::encode(<sha1::Sha1 as sha1::Digest>::digest(b"App \xe9"))
        );
        assert_ne!(useragent_sha1(b"App \xe9"), useragent_sha1(""));
    }

    #[test]
    fn an_https_site_uses_a_secure_host_only_cookie() {
        let set = set_cookie_for("https://sis.school.example", "tok", 60);
        assert_eq!(
            set,
            "__Host-sb_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert!(!set.to_ascii_lowercase().contains("domain="));
        let plain = set_cookie_for("http://127.0.0.1:8080", "tok", 60);
        assert!(plain.starts_with("sb_session=tok;") && !plain.contains("Secure"));
        // Under https the plain name is not read: a cookie planted by a sibling host or an http
        // page (which cannot use the __Host- prefix) is not a session.
        let name = cookie_name_for("https://sis.school.example");
        assert_eq!(token_from_cookie_header("sb_session=planted", name), None);
        assert_eq!(
            token_from_cookie_header("sb_session=planted; __Host-sb_session=real", name).as_deref(),
            Some("real")
        );
    }
}
