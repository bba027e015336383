//! The eventid ledger (`docs/product.md` §2 "Every call also carries"): one row per change
//! a peer's call applied, keyed by (peer, eventid), holding the method and the reply it got. A
//! repeated eventid is answered from here and changes nothing; the same eventid for a different
//! method is refused (fault 8107). Refused calls leave no row, so the sender can fix and resend
//! under the same eventid.

use super::StoreError;
use super::sis::Applied;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};

/// A ledger row: what an eventid was used for and what it was answered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
    Ok(sqlx::query_as(
        "SELECT method, status, idnumber, timemodified, recorded_at FROM sis_events WHERE peer_id = $1 AND eventid = $2",
    )
    .bind(peer_id)
    .bind(eventid)
    .fetch_optional(&mut *c)
    .await?)
}

/// A ledger row with its eventid.
#[derive(sqlx::FromRow)]
struct KeyedEntry {
    eventid: String,
    #[sqlx(flatten)]
    entry: LedgerEntry,
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

/// Ledger rows per statement in [`find_events`] and [`record_events`]: few enough bind
/// parameters for either engine (7 × 400 = 2,800, SQLite allows 32,766).
const ROWS_PER_STATEMENT: usize = 400;

/// The ledger rows of many eventids at once, by eventid (a batch reads its ledger in a few
/// statements instead of one per change).
pub async fn find_events(
    c: &mut AnyConnection,
    peer_id: i64,
    eventids: &[&str],
) -> Result<std::collections::HashMap<String, LedgerEntry>, StoreError> {
    let mut found = std::collections::HashMap::new();
    let rows = select_by_keys(
        c,
        "eventid, method, status, idnumber, timemodified, recorded_at",
        "sis_events",
        "eventid",
        peer_id,
        eventids,
    )
    .await?;
    for r in rows {
        let row = KeyedEntry::from_row(&r)?;
        found.insert(row.eventid, row.entry);
    }
    Ok(found)
}

/// `SELECT {columns} FROM {table} WHERE peer_id = $1 AND {key} IN (…)` for many keys, in a few
/// statements of at most [`ROWS_PER_STATEMENT`] keys. Only fixed names and generated
/// placeholders are spliced in; every value is bound. Not kept as a prepared statement:
/// PostgreSQL's generic plan for a long `IN` list, chosen while the table was small, scans the
/// whole table; planned with its values it uses the index.
pub(super) async fn select_by_keys(
    c: &mut AnyConnection,
    columns: &'static str,
    table: &'static str,
    key: &'static str,
    peer_id: i64,
    keys: &[&str],
) -> Result<Vec<AnyRow>, StoreError> {
    let mut rows = Vec::new();
    for part in keys.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (0..part.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE peer_id = $1 AND {key} IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .persistent(false)
            .bind(peer_id);
        for k in part {
            q = q.bind(*k);
        }
        rows.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(rows)
}

/// Writes many ledger rows (eventid, entry) in a few statements.
pub async fn record_events(
    c: &mut AnyConnection,
    peer_id: i64,
    rows: &[(String, LedgerEntry)],
) -> Result<(), StoreError> {
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..part.len())
            .map(|i| {
                let b = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                )
            })
            .collect();
        // Only generated placeholders are spliced in; every value is bound.
        let sql = format!(
            "INSERT INTO sis_events (peer_id, eventid, method, status, idnumber, timemodified, recorded_at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (eventid, e) in part {
            q = q
                .bind(peer_id)
                .bind(eventid.as_str())
                .bind(e.method.as_str())
                .bind(e.status.as_str())
                .bind(e.idnumber.as_str())
                .bind(e.timemodified)
                .bind(e.recorded_at);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}
