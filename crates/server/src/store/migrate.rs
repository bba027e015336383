//! A small, explicit migration runner: each engine has its own numbered SQL files, embedded in
//! the binary and applied in order, each in its own transaction, recorded in
//! `schema_migrations`. Several instances starting at once on PostgreSQL serialise on an
//! advisory lock; on SQLite `BEGIN IMMEDIATE` does the same.

use super::{Dialect, Store, StoreError};
use sqlx::{Executor, Row};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($v:literal, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_core"),
    migration!(2, "0002_people"),
    migration!(3, "0003_sis"),
    migration!(4, "0004_accounts"),
    migration!(5, "0005_live_moodle"),
    migration!(6, "0006_transcript_note"),
    migration!(7, "0007_shared_limits"),
    migration!(8, "0008_item_kind"),
    migration!(9, "0009_school_settings"),
    migration!(10, "0010_rescale"),
];

/// The schema version this build brings: its newest migration.
pub(super) fn schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Applies every pending migration.
pub(super) async fn run(store: &Store) -> Result<(), StoreError> {
    let mut conn = store.writer().acquire().await?;
    if store.dialect() == Dialect::Postgres {
        conn.execute("SELECT pg_advisory_lock(7471001)").await?;
    }
    let result = apply_all(store, &mut conn).await;
    if store.dialect() == Dialect::Postgres {
        let _ = conn.execute("SELECT pg_advisory_unlock(7471001)").await;
    }
    result
}

async fn apply_all(store: &Store, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let rows = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let applied: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    let known = schema_version();
    if let Some(&found) = applied.iter().max()
        && found > known
    {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match store.dialect() {
            Dialect::Sqlite => m.sqlite,
            Dialect::Postgres => m.postgres,
        };
        let begin = match store.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        let wrap = |source| StoreError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        conn.execute(begin).await.map_err(wrap)?;
        // Another SQLite process may have applied it while we waited for the write lock.
        let done = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| r.try_get::<i64, _>(0))
            .map_err(wrap)?;
        if done > 0 {
            conn.execute("COMMIT").await.map_err(wrap)?;
            continue;
        }
        let applied = async {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::clock::unix_now())
            .execute(&mut *conn)
            .await?;
            Ok::<(), sqlx::Error>(())
        }
        .await;
        match applied {
            Ok(()) => conn.execute("COMMIT").await.map(|_| ()).map_err(wrap)?,
            Err(e) => {
                let _ = conn.execute("ROLLBACK").await;
                return Err(wrap(e));
            }
        }
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied database migration"
        );
    }
    Ok(())
}
