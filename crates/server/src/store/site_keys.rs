//! Our key pairs: the current one and the archive (`mnet-protocol.md` §5.5). Private keys are
//! stored sealed (see `crate::at_rest`); this module never sees them in clear.

use super::{Store, StoreError};
use sqlx::AnyConnection;

/// One stored key pair.
#[derive(Clone, sqlx::FromRow)]
pub struct SiteKeyRow {
    /// Row id.
    pub id: i64,
    /// Certificate PEM (normalised).
    pub certificate_pem: String,
    /// The sealed private key.
    pub private_key_sealed: Vec<u8>,
    /// SHA-256 fingerprint.
    pub fingerprint: String,
    /// When made.
    pub created_at: i64,
    /// Certificate expiry.
    pub not_after: i64,
    /// When replaced; `None` for the current key.
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for SiteKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteKeyRow")
            .field("id", &self.id)
            .field("fingerprint", &self.fingerprint)
            .field("not_after", &self.not_after)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, certificate_pem, private_key_sealed, fingerprint, created_at, not_after, retired_at";

impl Store {
    /// The current key and up to `archived` retired ones, newest first.
    pub async fn site_keys(&self, archived: u32) -> Result<Vec<SiteKeyRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM site_keys ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT $1"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(archived) + 1)
            .fetch_all(self.pool())
            .await?)
    }

    /// The id of the current key, if any (cheap: used to notice another instance's rotation).
    pub async fn current_site_key_id(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM site_keys WHERE retired_at IS NULL")
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// Makes `new` the current key, retiring `expected_current` — only if that is still the current
/// key (so two instances rotating at once produce one new key, not two). Returns the new id, or
/// `None` when another instance got there first.
pub async fn rotate_site_key(
    c: &mut AnyConnection,
    expected_current: Option<i64>,
    certificate_pem: &str,
    sealed: &[u8],
    fingerprint: &str,
    created_at: i64,
    not_after: i64,
) -> Result<Option<i64>, StoreError> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT id FROM site_keys WHERE retired_at IS NULL")
            .fetch_optional(&mut *c)
            .await?;
    if current != expected_current {
        return Ok(None);
    }
    if let Some(id) = current {
        sqlx::query("UPDATE site_keys SET retired_at = $1 WHERE id = $2")
            .bind(created_at)
            .bind(id)
            .execute(&mut *c)
            .await?;
    }
    let id = sqlx::query_scalar(
        "INSERT INTO site_keys (certificate_pem, private_key_sealed, fingerprint, created_at, not_after) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(certificate_pem)
    .bind(sealed)
    .bind(fingerprint)
    .bind(created_at)
    .bind(not_after)
    .fetch_one(&mut *c)
    .await?;
    Ok(Some(id))
}
