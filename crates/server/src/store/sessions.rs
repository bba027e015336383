//! Console sessions (server-side, shared by every instance), SSO jump tokens (SchoolBridge as
//! identity provider, `mnet-protocol.md` §8.1), and the one-time set-up token.

use super::{Store, StoreError};
use sqlx::AnyConnection;

/// A live session (a row of `sessions`).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the cookie token.
    pub id_hash: String,
    /// Who.
    pub person_id: i64,
    /// The CSRF token the console sends back on every change.
    pub csrf_token: String,
    /// Started.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// The IdP peer, for SSO arrivals.
    pub sso_peer_id: Option<i64>,
    /// sha1(User-Agent) for SSO arrivals.
    pub useragent_sha1: Option<String>,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("person_id", &self.person_id)
            .field("sso_peer_id", &self.sso_peer_id)
            .finish_non_exhaustive()
    }
}

/// An SSO jump token (a row of `sso_tokens`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SsoTokenRow {
    /// The person who jumped.
    pub person_id: i64,
    /// The peer they jumped to.
    pub peer_id: i64,
    /// sha1(User-Agent) when jumping.
    pub useragent_sha1: String,
    /// Deadline for `user_authorise`.
    pub confirm_timeout: i64,
    /// When first used, if it was.
    pub used_at: Option<i64>,
}

impl Store {
    /// Whether a set-up token exists, unused and unexpired (read only; [`take_setup_token`]
    /// consumes it in the transaction that creates the administrator).
    pub async fn setup_token_is_live(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    /// A session that has not ended, by cookie-token hash.
    pub async fn live_session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id_hash, person_id, csrf_token, created_at, last_seen_at, expires_at, sso_peer_id, useragent_sha1 FROM sessions WHERE id_hash = $1 AND ended_at IS NULL",
        )
        .bind(id_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records activity (at most once a minute per session).
    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $3",
        )
        .bind(now)
        .bind(id_hash)
        .bind(now - 60)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// People with SSO sessions from this peer active since `since` (for keepalive_server).
    pub async fn active_sso_usernames(
        &self,
        peer_id: i64,
        since: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT p.mnet_username FROM sessions s JOIN people p ON p.id = s.person_id
             WHERE s.sso_peer_id = $1 AND s.ended_at IS NULL AND s.last_seen_at >= $2 AND p.mnet_username IS NOT NULL",
        )
        .bind(peer_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    /// Peers with SSO sessions active since `since`.
    pub async fn peers_with_active_sso(&self, since: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT DISTINCT sso_peer_id FROM sessions WHERE sso_peer_id IS NOT NULL AND ended_at IS NULL AND last_seen_at >= $1")
            .bind(since)
            .fetch_all(self.pool())
            .await?)
    }
}

/// Starts a session.
#[allow(clippy::too_many_arguments)]
pub async fn insert_session(
    c: &mut AnyConnection,
    id_hash: &str,
    person_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
    sso_peer_id: Option<i64>,
    useragent_sha1: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, person_id, csrf_token, created_at, last_seen_at, expires_at, sso_peer_id, useragent_sha1) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(id_hash)
    .bind(person_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .bind(sso_peer_id)
    .bind(useragent_sha1)
    .execute(c)
    .await?;
    Ok(())
}

/// Ends one session.
pub async fn end_session(
    c: &mut AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(id_hash)
            .execute(c)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of a person (login rights withdrawn, password changed).
pub async fn end_person_sessions(
    c: &mut AnyConnection,
    person_id: i64,
    now: i64,
) -> Result<u64, StoreError> {
    end_sessions_where(c, "person_id = $2", person_id, now).await
}

/// Ends every session that arrived by SSO from a peer.
pub async fn end_peer_sessions(
    c: &mut AnyConnection,
    peer_id: i64,
    now: i64,
) -> Result<u64, StoreError> {
    end_sessions_where(c, "sso_peer_id = $2", peer_id, now).await
}

/// Ends the open sessions `filter` (a condition on `$2` = `id`) selects; how many.
async fn end_sessions_where(
    c: &mut AnyConnection,
    filter: &str,
    id: i64,
    now: i64,
) -> Result<u64, StoreError> {
    let sql = format!("UPDATE sessions SET ended_at = $1 WHERE {filter} AND ended_at IS NULL");
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(id)
        .execute(c)
        .await?;
    Ok(done.rows_affected())
}

/// Ends the SSO sessions of (peer, username[, user agent]) — `kill_child` (§8.4).
pub async fn end_sso_sessions_of(
    c: &mut AnyConnection,
    peer_id: i64,
    username: &str,
    useragent_sha1: Option<&str>,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET ended_at = $1 WHERE sso_peer_id = $2 AND ended_at IS NULL
         AND person_id IN (SELECT id FROM people WHERE peer_id = $2 AND mnet_username = $3)
         AND ($4 = '' OR useragent_sha1 = $4)",
    )
    .bind(now)
    .bind(peer_id)
    .bind(username)
    .bind(useragent_sha1.unwrap_or(""))
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

/// Stores a jump token.
#[allow(clippy::too_many_arguments)]
pub async fn insert_sso_token(
    c: &mut AnyConnection,
    token: &str,
    person_id: i64,
    peer_id: i64,
    useragent_sha1: &str,
    now: i64,
    confirm_timeout: i64,
    session_hash: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sso_tokens (token, person_id, peer_id, useragent_sha1, created_at, confirm_timeout, session_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(stored_token(token))
    .bind(person_id)
    .bind(peer_id)
    .bind(useragent_sha1)
    .bind(now)
    .bind(confirm_timeout)
    .bind(session_hash)
    .execute(c)
    .await?;
    Ok(())
}

/// How long a used land token is remembered: far beyond Moodle's 30 s token life and any clock
/// difference between the two sites.
pub const SPENT_TOKEN_MEMORY_SECS: i64 = 24 * 3600;

/// Records that the land page uses the identity provider's token `token_sha256` now. `false`
/// when it was used before (a replayed land URL, `mnet-protocol.md` §8.2): the caller refuses.
/// Forgets tokens older than [`SPENT_TOKEN_MEMORY_SECS`] on the way.
pub async fn spend_landing_token(
    c: &mut AnyConnection,
    peer_id: i64,
    token_sha256: &str,
    now: i64,
) -> Result<bool, StoreError> {
    sqlx::query("DELETE FROM sso_spent_tokens WHERE spent_at < $1")
        .bind(now - SPENT_TOKEN_MEMORY_SECS)
        .execute(&mut *c)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO sso_spent_tokens (peer_id, token_sha256, spent_at) VALUES ($1, $2, $3)
         ON CONFLICT (peer_id, token_sha256) DO NOTHING",
    )
    .bind(peer_id)
    .bind(token_sha256)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// How a jump token is kept: only its SHA-256 (hex), like session tokens, so a copy of the
/// database cannot be used to answer a peer's `user_authorise` in someone's name.
fn stored_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Reads a jump token and marks it used in the same transaction (single use).
pub async fn take_sso_token(
    c: &mut AnyConnection,
    token: &str,
    now: i64,
) -> Result<Option<SsoTokenRow>, StoreError> {
    let token = stored_token(token);
    let token = token.as_str();
    let row: Option<SsoTokenRow> = sqlx::query_as("SELECT person_id, peer_id, useragent_sha1, confirm_timeout, used_at FROM sso_tokens WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut *c)
        .await?;
    let Some(t) = row else { return Ok(None) };
    if t.used_at.is_none() {
        sqlx::query("UPDATE sso_tokens SET used_at = $1 WHERE token = $2")
            .bind(now)
            .bind(token)
            .execute(&mut *c)
            .await?;
    }
    Ok(Some(t))
}

/// People who jumped to a peer and are still signed in here (for kill_children / keepalive).
pub async fn sessions_that_jumped(
    c: &mut AnyConnection,
    peer_id: i64,
    username: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT t.session_hash FROM sso_tokens t JOIN people p ON p.id = t.person_id
         WHERE t.peer_id = $1 AND p.local_username = $2 AND t.session_hash IS NOT NULL",
    )
    .bind(peer_id)
    .bind(username)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Stores a one-time set-up token's hash.
pub async fn insert_setup_token(
    c: &mut AnyConnection,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
        .bind(token_hash)
        .bind(expires_at)
        .execute(c)
        .await?;
    Ok(())
}

/// Consumes a set-up token: true when it existed, was unused and unexpired.
pub async fn take_setup_token(
    c: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(now)
        .bind(token_hash)
        .execute(c)
        .await?;
    Ok(done.rows_affected() > 0)
}
