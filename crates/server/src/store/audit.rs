//! The MNet audit log (`docs/product.md` §3): every message in and out, with time, peer,
//! method, outcome, duration and the signed envelope as received, so anyone can verify it again.

use super::rows::{IntCode, IntFlag};
use super::{Store, StoreError, flag};
use sqlx::AnyConnection;

/// In or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditDirection {
    /// A message a peer sent us.
    In,
    /// A call we made.
    Out,
}

impl AuditDirection {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditDirection::In => "in",
            AuditDirection::Out => "out",
        }
    }
}

impl From<String> for AuditDirection {
    /// From stored text (anything but `out` reads as in).
    fn from(s: String) -> Self {
        if s == "out" {
            AuditDirection::Out
        } else {
            AuditDirection::In
        }
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    /// A normal reply.
    Ok,
    /// An MNet/XML-RPC fault (sent or received).
    Fault,
    /// A transport or local failure.
    Error,
}

impl AuditOutcome {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Fault => "fault",
            AuditOutcome::Error => "error",
        }
    }
}

impl From<String> for AuditOutcome {
    /// From stored text (anything unknown reads as an error).
    fn from(s: String) -> Self {
        match s.as_str() {
            "ok" => AuditOutcome::Ok,
            "fault" => AuditOutcome::Fault,
            _ => AuditOutcome::Error,
        }
    }
}

/// A new entry (and, read back, a stored one: a list query leaves out `envelope`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NewAuditEntry {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// In or out.
    #[sqlx(try_from = "String")]
    pub direction: AuditDirection,
    /// The peer, when known.
    pub peer_id: Option<i64>,
    /// The wwwroot as claimed or called.
    pub peer_wwwroot: Option<String>,
    /// The XML-RPC method, when known.
    pub method: Option<String>,
    /// Outcome.
    #[sqlx(try_from = "String")]
    pub outcome: AuditOutcome,
    /// Fault code.
    #[sqlx(try_from = "IntCode")]
    pub fault_code: Option<i32>,
    /// A short human detail (never secrets).
    pub detail: Option<String>,
    /// Time spent.
    pub duration_us: i64,
    /// Whether the message was encrypted.
    #[sqlx(try_from = "IntFlag")]
    pub encrypted: bool,
    /// Whether it was signed.
    #[sqlx(try_from = "IntFlag")]
    pub signed: bool,
    /// The signed envelope as received (or the plain body).
    #[sqlx(default)]
    pub envelope: Option<Vec<u8>>,
    /// Why there is no envelope, when there is none.
    pub envelope_note: Option<String>,
}

/// A stored entry (what the console lists).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Id.
    pub id: i64,
    /// The entry.
    #[sqlx(flatten)]
    pub entry: AuditEntry,
}

/// The stored fields.
pub type AuditEntry = NewAuditEntry;

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this peer.
    pub peer_id: Option<i64>,
    /// Method contains this text.
    pub method: Option<String>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// From (ms, inclusive).
    pub from_ms: Option<i64>,
    /// Until (ms, exclusive).
    pub until_ms: Option<i64>,
    /// Entries with an id below this (paging backwards).
    pub before_id: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// Appends an entry inside a transaction (so a service change and its audit entry commit together).
pub async fn insert_audit(c: &mut AnyConnection, e: &NewAuditEntry) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO audit_log (at_ms, direction, peer_id, peer_wwwroot, method, outcome, fault_code, detail, duration_us, encrypted, signed, envelope, envelope_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e.at_ms)
    .bind(e.direction.as_str())
    .bind(e.peer_id)
    .bind(e.peer_wwwroot.as_deref())
    .bind(e.method.as_deref())
    .bind(e.outcome.as_str())
    .bind(e.fault_code.map(i64::from))
    .bind(e.detail.as_deref())
    .bind(e.duration_us)
    .bind(flag(e.encrypted))
    .bind(flag(e.signed))
    .bind(e.envelope.as_deref())
    .bind(e.envelope_note.as_deref())
    .fetch_one(c)
    .await?;
    Ok(id)
}

impl Store {
    /// Appends an entry on its own.
    pub async fn audit(&self, e: &NewAuditEntry) -> Result<i64, StoreError> {
        let mut c = self.writer().acquire().await?;
        insert_audit(&mut c, e).await
    }

    /// Lists entries, newest first, without envelopes.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let mut sql = String::from(
            "SELECT id, at_ms, direction, peer_id, peer_wwwroot, method, outcome, fault_code, detail, duration_us, encrypted, signed, envelope_note FROM audit_log WHERE 1 = 1",
        );
        let mut next = super::placeholders();
        if f.peer_id.is_some() {
            sql.push_str(&format!(" AND peer_id = {}", next()));
        }
        if f.method.is_some() {
            // `_` and `%` are literal here (method names are full of `_`): escaped, not dropped.
            sql.push_str(&format!(" AND LOWER(method) LIKE {} ESCAPE '\\'", next()));
        }
        if f.outcome.is_some() {
            sql.push_str(&format!(" AND outcome = {}", next()));
        }
        if f.from_ms.is_some() {
            sql.push_str(&format!(" AND at_ms >= {}", next()));
        }
        if f.until_ms.is_some() {
            sql.push_str(&format!(" AND at_ms < {}", next()));
        }
        if f.before_id.is_some() {
            sql.push_str(&format!(" AND id < {}", next()));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", next()));
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(p) = f.peer_id {
            q = q.bind(p);
        }
        if let Some(m) = &f.method {
            let literal = m
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q = q.bind(format!("%{literal}%"));
        }
        if let Some(o) = &f.outcome {
            q = q.bind(o.clone());
        }
        if let Some(v) = f.from_ms {
            q = q.bind(v);
        }
        if let Some(v) = f.until_ms {
            q = q.bind(v);
        }
        if let Some(v) = f.before_id {
            q = q.bind(v);
        }
        q = q.bind(f.limit.clamp(1, 500));
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// One entry with its envelope.
    pub async fn audit_entry(&self, id: i64) -> Result<Option<AuditRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, at_ms, direction, peer_id, peer_wwwroot, method, outcome, fault_code, detail, duration_us, encrypted, signed, envelope, envelope_note FROM audit_log WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Deletes entries older than `before_ms` (retention).
    pub async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at_ms < $1")
            .bind(before_ms)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}
