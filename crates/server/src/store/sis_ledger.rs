//! The eventid ledger (`schooltool-services.md` §2 "Every call also carries"): one row per change
//! a peer's call applied, keyed by (peer, eventid), holding the method and the reply it got. A
//! repeated eventid is answered from here and changes nothing; the same eventid for a different
//! method is refused (fault 8107). Refused calls leave no row, so the sender can fix and resend
//! under the same eventid.

use super::StoreError;
use super::sis::Applied;
use sqlx::{AnyConnection, Row};

/// A ledger row: what an eventid was used for and what it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The method path it came with.
    pub method: String,
    /// The reply's status.
    pub status: String,
    /// The reply's idnumber.
    pub idnumber: String,
    /// The change's effective time.
    pub timemodified: i64,
    /// When it was applied.
    pub recorded_at: i64,
}

/// The ledger row of (peer, eventid), if that eventid was applied before.
pub async fn find_event(
    c: &mut AnyConnection,
    peer_id: i64,
    eventid: &str,
) -> Result<Option<LedgerEntry>, StoreError> {
    let row = sqlx::query(
        "SELECT method, status, idnumber, timemodified, recorded_at FROM sis_events WHERE peer_id = $1 AND eventid = $2",
    )
    .bind(peer_id)
    .bind(eventid)
    .fetch_optional(&mut *c)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(LedgerEntry {
        method: r.try_get("method")?,
        status: r.try_get("status")?,
        idnumber: r.try_get("idnumber")?,
        timemodified: r.try_get("timemodified")?,
        recorded_at: r.try_get("recorded_at")?,
    }))
}

/// Records an applied change under its eventid (in the change's own transaction).
pub async fn record_event(
    c: &mut AnyConnection,
    peer_id: i64,
    eventid: &str,
    method: &str,
    applied: &Applied,
    timemodified: i64,
    recorded_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sis_events (peer_id, eventid, method, status, idnumber, timemodified, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(peer_id)
    .bind(eventid)
    .bind(method)
    .bind(applied.status.as_str())
    .bind(applied.idnumber.as_str())
    .bind(timemodified)
    .bind(recorded_at)
    .execute(&mut *c)
    .await?;
    Ok(())
}
