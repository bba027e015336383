//! Counts of failed attempts kept in the database (`sign_in_throttle`, migration 0007), so that
//! every instance sharing it counts together. A count is a (kind, key) row — kind `name` or
//! `address` — that counts until its `until` time; the policy (how many, how long) is the
//! caller's (`http::api::sign_in_throttle`).

use super::{Store, StoreError};
use sqlx::Row;

/// What counting one attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The attempt may go ahead; it is counted (until it succeeds and is forgotten).
    Allowed,
    /// Already `allowed` attempts within the window: refused until `until` (not counted, so
    /// refused attempts do not push the end further away).
    Refused {
        /// When attempts are allowed again (seconds since the epoch).
        until: i64,
    },
}

impl Store {
    /// Counts an attempt for (`kind`, `key`) at `now`: at most `allowed` within `window`
    /// seconds of the last counted one. Read and write in one serialisable transaction, so
    /// parallel attempts — on any instance — cannot all pass before the count moves.
    pub async fn count_attempt(
        &self,
        kind: &str,
        key: &str,
        allowed: i64,
        window: i64,
        now: i64,
    ) -> Result<Counted, StoreError> {
        crate::write_tx!(self, |c| {
            let row = sqlx::query(
                "SELECT failures, until FROM sign_in_throttle WHERE kind = $1 AND key = $2",
            )
            .bind(kind)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?;
            let (failures, until) = match row {
                Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?),
                None => (0, 0),
            };
            let failures = if until > now { failures } else { 0 };
            if failures >= allowed {
                return Ok::<_, StoreError>(Counted::Refused { until });
            }
            sqlx::query(
                "INSERT INTO sign_in_throttle (kind, key, failures, until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, key) DO UPDATE SET failures = excluded.failures, until = excluded.until",
            )
            .bind(kind)
            .bind(key)
            .bind(failures + 1)
            .bind(now + window)
            .execute(&mut *c)
            .await?;
            Ok::<_, StoreError>(Counted::Allowed)
        })
    }

    /// Forgets the attempts of (`kind`, `key`) (after a success).
    pub async fn forget_attempts(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        crate::write_tx!(self, |c| {
            sqlx::query("DELETE FROM sign_in_throttle WHERE kind = $1 AND key = $2")
                .bind(kind)
                .bind(key)
                .execute(&mut *c)
                .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Deletes counts that no longer count at `now`; returns how many.
    pub async fn purge_attempts(&self, now: i64) -> Result<u64, StoreError> {
        crate::write_tx!(self, |c| {
            let done = sqlx::query("DELETE FROM sign_in_throttle WHERE until <= $1")
                .bind(now)
                .execute(&mut *c)
                .await?;
            Ok::<_, StoreError>(done.rows_affected())
        })
    }
}
