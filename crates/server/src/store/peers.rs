//! Peers (`docs/product.md` §1, `mnet-protocol.md` §7): one row per Moodle (or Mahara)
//! site, identified by its wwwroot, soft-deleted, with per-service publish/subscribe switches.

use super::rows::IntFlag;
use super::{Store, StoreError, flag};
use sqlx::AnyConnection;

/// A stored peer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeerRow {
    /// Row id (Moodle's `mnet_host.id` equivalent; used in jump links).
    pub id: i64,
    /// The wwwroot, exactly as the peer writes it in envelopes.
    pub wwwroot: String,
    /// Display name (from the peer's `<title>` unless the admin changed it).
    pub name: String,
    /// `moodle` or `mahara`.
    pub application: String,
    /// The peer's certificate, normalised PEM.
    pub certificate_pem: String,
    /// Its `notAfter`.
    pub certificate_expires: i64,
    /// SHA-256 fingerprint.
    pub fingerprint: String,
    /// Whether TLS certificates are verified when calling it.
    #[sqlx(try_from = "IntFlag")]
    pub tls_verify: bool,
    /// Soft delete: no traffic at all.
    #[sqlx(try_from = "IntFlag")]
    pub deleted: bool,
    /// When added.
    pub created_at: i64,
    /// Last change to the row.
    pub updated_at: i64,
    /// When its key last changed (rotation or admin action).
    pub key_changed_at: Option<i64>,
    /// Last successful exchange.
    pub last_contact_at: Option<i64>,
    /// Last failure, in plain words.
    pub last_error: Option<String>,
    /// When that failure happened.
    pub last_error_at: Option<i64>,
    /// A different certificate found on review, waiting for the admin's decision.
    pub pending_pem: Option<String>,
}

/// How often a peer's last contact is written: at most once a minute, so most calls need no
/// write ([`Store::touch_peer`] applies the same rule in SQL).
const CONTACT_GRANULARITY_SECS: i64 = 60;

impl PeerRow {
    /// Whether a success now is worth writing: the last contact is older than the granularity,
    /// or a failure was recorded since it (the peer must show as working again at once). Lets a
    /// caller skip the query; [`Store::touch_peer`] decides the same in its `WHERE`.
    pub fn contact_worth_recording(&self, now: i64) -> bool {
        let failed_since = self
            .last_error_at
            .is_some_and(|failed| self.last_contact_at.is_none_or(|t| failed >= t));
        failed_since
            || self
                .last_contact_at
                .is_none_or(|t| t < now - CONTACT_GRANULARITY_SECS)
    }
}

/// A service switch row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeerServiceRow {
    /// Service name.
    pub service: String,
    /// We serve it to the peer.
    #[sqlx(try_from = "IntFlag")]
    pub publish: bool,
    /// We call it on the peer.
    #[sqlx(try_from = "IntFlag")]
    pub subscribe: bool,
}

/// What a peer said about its services towards us, at its last `system/listServices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteServices {
    /// When it said so.
    pub checked_at: i64,
    /// Per service, from the peer's side: it publishes (serves it to us) and subscribes (calls
    /// it on us).
    pub services: Vec<PeerServiceRow>,
}

impl RemoteServices {
    /// Whether the peer subscribes to `service` (calls it on us).
    pub fn subscribes(&self, service: &str) -> bool {
        self.services
            .iter()
            .any(|s| s.service == service && s.subscribe)
    }

    /// Whether the peer publishes `service` to us.
    pub fn publishes(&self, service: &str) -> bool {
        self.services
            .iter()
            .any(|s| s.service == service && s.publish)
    }
}

/// What is needed to add a peer.
#[derive(Debug, Clone)]
pub struct NewPeer<'a> {
    /// wwwroot.
    pub wwwroot: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Application.
    pub application: &'a str,
    /// Certificate PEM (normalised).
    pub certificate_pem: &'a str,
    /// Expiry.
    pub certificate_expires: i64,
    /// Fingerprint.
    pub fingerprint: &'a str,
    /// Verify TLS.
    pub tls_verify: bool,
}

const COLUMNS: &str = "id, wwwroot, name, application, certificate_pem, certificate_expires, fingerprint, tls_verify, deleted, created_at, updated_at, key_changed_at, last_contact_at, last_error, last_error_at, pending_pem";

impl Store {
    /// A live (not deleted) peer by its exact wwwroot — the lookup made before any RSA work.
    pub async fn live_peer_by_wwwroot(&self, wwwroot: &str) -> Result<Option<PeerRow>, StoreError> {
        self.peer_where("wwwroot = $1 AND deleted = 0", wwwroot)
            .await
    }

    /// Any peer (deleted or not) by wwwroot.
    pub async fn peer_by_wwwroot(&self, wwwroot: &str) -> Result<Option<PeerRow>, StoreError> {
        self.peer_where("wwwroot = $1", wwwroot).await
    }

    /// A peer by id.
    pub async fn peer(&self, id: i64) -> Result<Option<PeerRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM peers WHERE id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The peer `filter` (a condition with one text parameter, `$1`) selects.
    async fn peer_where(&self, filter: &str, text: &str) -> Result<Option<PeerRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM peers WHERE {filter}");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(text)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Every peer, live first, by name.
    pub async fn peers(&self, include_deleted: bool) -> Result<Vec<PeerRow>, StoreError> {
        let filter = if include_deleted {
            ""
        } else {
            "WHERE deleted = 0"
        };
        let sql = format!("SELECT {COLUMNS} FROM peers {filter} ORDER BY deleted, LOWER(name), id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?)
    }

    /// A peer's service switches.
    pub async fn peer_services(&self, peer_id: i64) -> Result<Vec<PeerServiceRow>, StoreError> {
        Ok(sqlx::query_as("SELECT service, publish, subscribe FROM peer_services WHERE peer_id = $1 ORDER BY service")
            .bind(peer_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Whether we publish `service` to the peer.
    pub async fn publishes_to(&self, peer_id: i64, service: &str) -> Result<bool, StoreError> {
        self.service_switch("publish", peer_id, service).await
    }

    /// Whether we subscribe to `service` on the peer.
    pub async fn subscribes_to(&self, peer_id: i64, service: &str) -> Result<bool, StoreError> {
        self.service_switch("subscribe", peer_id, service).await
    }

    /// One switch (`column`: `publish` or `subscribe`) of a peer's service; off when the
    /// service has no row.
    async fn service_switch(
        &self,
        column: &'static str,
        peer_id: i64,
        service: &str,
    ) -> Result<bool, StoreError> {
        let sql = format!("SELECT {column} FROM peer_services WHERE peer_id = $1 AND service = $2");
        let on: Option<IntFlag> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(peer_id)
            .bind(service)
            .fetch_optional(self.pool())
            .await?;
        Ok(on.is_some_and(bool::from))
    }

    /// The peer's own word on its services, if it was ever asked.
    pub async fn remote_services(
        &self,
        peer_id: i64,
    ) -> Result<Option<RemoteServices>, StoreError> {
        let checked: Option<i64> =
            sqlx::query_scalar("SELECT remote_services_checked_at FROM peers WHERE id = $1")
                .bind(peer_id)
                .fetch_optional(self.pool())
                .await?
                .flatten();
        let Some(checked_at) = checked else {
            return Ok(None);
        };
        let services = sqlx::query_as(
            "SELECT service, publish, subscribe FROM peer_remote_services WHERE peer_id = $1 ORDER BY service",
        )
        .bind(peer_id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(RemoteServices {
            checked_at,
            services,
        }))
    }

    /// Records a successful exchange (Moodle's `touch()`).
    pub async fn touch_peer(&self, peer_id: i64, now: i64) -> Result<(), StoreError> {
        // Cheap and frequent: skip the write when it was touched this minute, unless a failure
        // was recorded since (the peer's page must show it working again at once).
        sqlx::query("UPDATE peers SET last_contact_at = $1 WHERE id = $2 AND (last_contact_at IS NULL OR last_contact_at < $3 OR last_error_at >= last_contact_at)")
            .bind(now)
            .bind(peer_id)
            .bind(now - CONTACT_GRANULARITY_SECS)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records a failure in plain words, shown on the peer's page.
    pub async fn record_peer_error(
        &self,
        peer_id: i64,
        now: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE peers SET last_error = $1, last_error_at = $2 WHERE id = $3")
            .bind(error)
            .bind(now)
            .bind(peer_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Replaces what the peer said about its services (its `system/listServices` answer).
pub async fn record_remote_services(
    c: &mut AnyConnection,
    peer_id: i64,
    services: &[PeerServiceRow],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM peer_remote_services WHERE peer_id = $1")
        .bind(peer_id)
        .execute(&mut *c)
        .await?;
    for s in services {
        sqlx::query(
            "INSERT INTO peer_remote_services (peer_id, service, publish, subscribe) VALUES ($1, $2, $3, $4)
             ON CONFLICT (peer_id, service) DO UPDATE SET publish = excluded.publish, subscribe = excluded.subscribe",
        )
        .bind(peer_id)
        .bind(s.service.as_str())
        .bind(i64::from(s.publish))
        .bind(i64::from(s.subscribe))
        .execute(&mut *c)
        .await?;
    }
    sqlx::query("UPDATE peers SET remote_services_checked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(peer_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Adds a peer, or brings a deleted one with the same wwwroot back (Moodle offers undelete in the
/// same situation, §7.2). Returns its id.
pub async fn insert_or_undelete_peer(
    c: &mut AnyConnection,
    p: &NewPeer<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO peers (wwwroot, name, application, certificate_pem, certificate_expires, fingerprint, tls_verify, deleted, created_at, updated_at, key_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $8)
         ON CONFLICT (wwwroot) DO UPDATE SET name = excluded.name, application = excluded.application,
             certificate_pem = excluded.certificate_pem, certificate_expires = excluded.certificate_expires,
             fingerprint = excluded.fingerprint, tls_verify = excluded.tls_verify, deleted = 0,
             updated_at = excluded.updated_at, key_changed_at = excluded.key_changed_at, pending_pem = NULL,
             last_error = NULL, last_error_at = NULL
         RETURNING id",
    )
    .bind(p.wwwroot)
    .bind(p.name)
    .bind(p.application)
    .bind(p.certificate_pem)
    .bind(p.certificate_expires)
    .bind(p.fingerprint)
    .bind(flag(p.tls_verify))
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

/// Sets one service switch.
pub async fn set_peer_service(
    c: &mut AnyConnection,
    peer_id: i64,
    service: &str,
    publish: bool,
    subscribe: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO peer_services (peer_id, service, publish, subscribe) VALUES ($1, $2, $3, $4)
         ON CONFLICT (peer_id, service) DO UPDATE SET publish = excluded.publish, subscribe = excluded.subscribe",
    )
    .bind(peer_id)
    .bind(service)
    .bind(flag(publish))
    .bind(flag(subscribe))
    .execute(c)
    .await?;
    Ok(())
}

/// Replaces a peer's certificate (rotation accepted, 7025 received, admin accepted a review).
pub async fn update_peer_certificate(
    c: &mut AnyConnection,
    peer_id: i64,
    pem: &str,
    expires: i64,
    fingerprint: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE peers SET certificate_pem = $1, certificate_expires = $2, fingerprint = $3, key_changed_at = $4, updated_at = $4, pending_pem = NULL WHERE id = $5",
    )
    .bind(pem)
    .bind(expires)
    .bind(fingerprint)
    .bind(now)
    .bind(peer_id)
    .execute(c)
    .await?;
    Ok(())
}

/// Remembers a different certificate found on review, for the admin to accept.
pub async fn set_peer_pending_pem(
    c: &mut AnyConnection,
    peer_id: i64,
    pem: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE peers SET pending_pem = $1, updated_at = $2 WHERE id = $3")
        .bind(pem)
        .bind(now)
        .bind(peer_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Edits name and TLS verification.
pub async fn update_peer_settings(
    c: &mut AnyConnection,
    peer_id: i64,
    name: &str,
    tls_verify: bool,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE peers SET name = $1, tls_verify = $2, updated_at = $3 WHERE id = $4")
        .bind(name)
        .bind(flag(tls_verify))
        .bind(now)
        .bind(peer_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Soft-deletes (or restores) a peer: a deleted peer's traffic is refused at once (7020); its data
/// stays.
pub async fn set_peer_deleted(
    c: &mut AnyConnection,
    peer_id: i64,
    deleted: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE peers SET deleted = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(deleted))
        .bind(now)
        .bind(peer_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::PeerRow;

    fn peer(last_contact_at: Option<i64>, last_error_at: Option<i64>) -> PeerRow {
        PeerRow {
            id: 1,
            wwwroot: "https://moodle.example".into(),
            name: "Moodle".into(),
            application: "moodle".into(),
            certificate_pem: String::new(),
            certificate_expires: 0,
            fingerprint: String::new(),
            tls_verify: true,
            deleted: false,
            created_at: 0,
            updated_at: 0,
            key_changed_at: None,
            last_contact_at,
            last_error: last_error_at.map(|_| "7023".into()),
            last_error_at,
            pending_pem: None,
        }
    }

    #[test]
    fn a_contact_is_written_once_a_minute_or_after_a_failure() {
        assert!(peer(None, None).contact_worth_recording(1_000));
        assert!(!peer(Some(1_000), None).contact_worth_recording(1_010));
        assert!(peer(Some(1_000), None).contact_worth_recording(1_061));
        // A failure since the last contact (or in the same second) is cleared at once.
        assert!(peer(Some(1_000), Some(1_020)).contact_worth_recording(1_030));
        assert!(peer(Some(1_030), Some(1_030)).contact_worth_recording(1_031));
        // An older failure does not force a write.
        assert!(!peer(Some(1_030), Some(1_020)).contact_worth_recording(1_040));
        assert!(peer(None, Some(1_020)).contact_worth_recording(1_040));
    }
}
