//! Peer previews waiting for the admin's confirmation (`peer_previews`, migration 0007): the
//! certificate fetched by `POST /api/peers/preview`, by wwwroot, kept in the database so that
//! the confirmation may reach any instance sharing it.

use super::{Store, StoreError};

/// A stored preview.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PreviewRow {
    /// The normalised wwwroot.
    pub wwwroot: String,
    /// The application (`moodle`, `mahara`).
    pub application: String,
    /// The suggested name.
    pub name: String,
    /// The certificate the peer published, PEM.
    pub certificate_pem: String,
    /// When it was fetched (seconds since the epoch).
    pub fetched_at: i64,
}

impl Store {
    /// Keeps `row` (replacing an earlier preview of the same wwwroot) and deletes previews
    /// fetched before `expired_before`.
    pub async fn keep_peer_preview(
        &self,
        row: &PreviewRow,
        expired_before: i64,
    ) -> Result<(), StoreError> {
        crate::write_tx!(self, |c| {
            sqlx::query("DELETE FROM peer_previews WHERE fetched_at < $1")
                .bind(expired_before)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO peer_previews (wwwroot, application, name, certificate_pem, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wwwroot) DO UPDATE SET \
                 application = excluded.application, name = excluded.name, \
                 certificate_pem = excluded.certificate_pem, fetched_at = excluded.fetched_at",
            )
            .bind(&row.wwwroot)
            .bind(&row.application)
            .bind(&row.name)
            .bind(&row.certificate_pem)
            .bind(row.fetched_at)
            .execute(&mut *c)
            .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// The preview of `wwwroot` fetched at or after `fresh_since`.
    pub async fn peer_preview(
        &self,
        wwwroot: &str,
        fresh_since: i64,
    ) -> Result<Option<PreviewRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT wwwroot, application, name, certificate_pem, fetched_at FROM peer_previews \
             WHERE wwwroot = $1 AND fetched_at >= $2",
        )
        .bind(wwwroot)
        .bind(fresh_since)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Forgets the preview of `wwwroot` once it has been confirmed.
    pub async fn forget_peer_preview(&self, wwwroot: &str) -> Result<(), StoreError> {
        crate::write_tx!(self, |c| {
            sqlx::query("DELETE FROM peer_previews WHERE wwwroot = $1")
                .bind(wwwroot)
                .execute(&mut *c)
                .await?;
            Ok::<_, StoreError>(())
        })
    }
}
