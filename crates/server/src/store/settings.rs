//! Small named settings kept in the database (shared by every instance).

use super::{Store, StoreError};
use sqlx::AnyConnection;

impl Store {
    /// Reads a setting.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// Writes a setting inside a transaction.
pub async fn put_setting(c: &mut AnyConnection, name: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        .bind(name)
        .bind(value)
        .execute(c)
        .await?;
    Ok(())
}
