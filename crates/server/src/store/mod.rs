//! Storage: one interface (the methods of [`Store`]), two engines behind it — SQLite, the
//! embedded default, and PostgreSQL for districts that outgrow one machine — each with its own
//! migrations, and one conformance suite run against both (`tests/server/store_*`).
//!
//! Both engines are reached through sqlx's `Any` driver with runtime-checked, portable SQL
//! (`$1` placeholders, `ON CONFLICT`, `RETURNING`, integers for booleans), because sqlx's
//! compile-time macros cannot serve two databases (sqlx issue #1458). Write transactions are
//! serialisable on both engines (`BEGIN IMMEDIATE` on SQLite, `SERIALIZABLE` on PostgreSQL) and
//! retried on a serialisation conflict, so several server instances can share one PostgreSQL.

pub mod audit;
mod migrate;
pub mod peer_previews;
pub mod peers;
pub mod people;
pub mod rows;
pub mod school;
pub mod sessions;
pub mod settings;
pub mod sis;
pub mod sis_assessments;
pub mod sis_enrolments;
pub mod sis_grade_import;
pub mod sis_grades;
pub mod sis_ledger;
pub mod sis_people;
pub mod sis_reports;
pub mod sis_rescale;
pub mod sis_sections;
pub mod site_keys;
pub mod throttle;

pub use audit::{AuditDirection, AuditEntry, AuditFilter, AuditOutcome, AuditRow, NewAuditEntry};
pub use peers::{NewPeer, PeerRow, PeerServiceRow};
pub use site_keys::SiteKeyRow;

use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (a file in the data directory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A storage failure. Internal details stay in logs; callers show a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database URL is not one we support.
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// A migration failed.
    #[error("database migration {version} ({name}) failed: {source}")]
    Migration {
        /// Migration number.
        version: i64,
        /// Migration file name.
        name: &'static str,
        /// The cause.
        source: sqlx::Error,
    },
    /// The database holds a schema newer than this program knows.
    #[error(
        "the database schema is at version {found}, newer than this SchoolBridge ({known}); upgrade SchoolBridge"
    )]
    SchemaTooNew {
        /// Highest version in the database.
        found: i64,
        /// Highest version this build knows.
        known: i64,
    },
    /// A row that must exist does not.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stored value cannot be used (corrupt or from an incompatible version).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether retrying the whole transaction may succeed (serialisation conflict, busy file).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                // PostgreSQL: serialization_failure, deadlock_detected; SQLite: BUSY, LOCKED.
                matches!(
                    code.as_str(),
                    "40001" | "40P01" | "5" | "6" | "517" | "261" | "262"
                ) || db.message().contains("database is locked")
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }
}

/// The storage handle shared by the whole server (cheap to clone).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where writes go. On SQLite, one connection: there is only ever one writer, and queueing
    /// for it here is an async wait, where a second connection would sleep in SQLite's busy
    /// handler (1, 2, 5, 10 … ms). On PostgreSQL, the same pool as reads.
    writer: AnyPool,
    dialect: Dialect,
}

/// The database schema version this build brings (its newest migration); a database at a lower
/// version is upgraded at start, one at a higher version is refused.
pub fn schema_version() -> i64 {
    migrate::schema_version()
}

/// The SQLite URL of a database file (created when missing).
pub fn sqlite_url_for_file(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

/// The default SQLite URL for a data directory.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    sqlite_url_for_file(&data_dir.join("schoolbridge.db"))
}

impl Store {
    /// Connects, applies the engine's pragmas, and runs pending migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let options = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn: &mut AnyConnection, _meta| {
                    Box::pin(async move {
                        if dialect == Dialect::Sqlite {
                            // WAL for concurrent readers; FULL so every acknowledged commit
                            // survives a power cut; foreign keys on; wait for a busy writer
                            // (another process) instead of failing.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                        }
                        Ok(())
                    })
                })
        };
        let (pool, writer) = match dialect {
            Dialect::Sqlite => {
                let writer = options(1).connect(url).await?;
                (options(8).connect(url).await?, writer)
            }
            Dialect::Postgres => {
                let pool = options(16).connect(url).await?;
                (pool.clone(), pool)
            }
        };
        let store = Store {
            pool,
            writer,
            dialect,
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The engine.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The connection pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Every row of `sql` (a statement without parameters), each as the type its record turns
    /// into.
    pub(crate) async fn read_all<R, T>(&self, sql: &'static str) -> Result<Vec<T>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
        T: From<R>,
    {
        let rows: Vec<R> = sqlx::query_as(sql).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(T::from).collect())
    }

    /// The connection pool for a single write statement outside a transaction.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Begins a serialisable write transaction.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => {
                self.writer
                    .begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    .await?
            }
        })
    }

    /// Commits a write transaction. On PostgreSQL, a COMMIT the server refuses (a serialisation
    /// conflict found at commit time) ends the transaction there, yet sqlx would still send a
    /// ROLLBACK for it when the transaction is dropped, which PostgreSQL answers — and logs — with
    /// "there is no transaction in progress". So the COMMIT is sent by hand, and sqlx's own
    /// bookkeeping then closes an empty transaction begun after it.
    pub async fn commit(&self, mut tx: Tx) -> Result<(), StoreError> {
        match self.dialect {
            Dialect::Sqlite => Ok(tx.commit().await?),
            Dialect::Postgres => {
                let committed = (&mut *tx).execute("COMMIT").await;
                (&mut *tx).execute("BEGIN").await?;
                tx.commit().await?;
                committed?;
                Ok(())
            }
        }
    }

    /// Closes the pool (tests, shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Runs a block in a serialisable write transaction and commits it, retrying the whole block a
/// few times on a serialisation conflict; an error rolls everything back, so nothing is
/// half-applied. The block sees the connection as `$c` and evaluates to
/// `Result<T, StoreError>`; it may `.await`, use `?` (which rolls back) and `return Ok(…)`
/// (which commits what was done so far).
///
/// (A macro rather than a method taking an async closure: the futures of higher-ranked async
/// closures cannot yet be proven `Send` for axum's handlers.)
#[macro_export]
macro_rules! write_tx {
    ($store:expr, |$c:ident| $body:expr) => {{
        let store: &$crate::store::Store = &$store;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result: ::std::result::Result<_, $crate::store::StoreError> = async {
                let mut tx = store.begin_write().await?;
                // The body runs in its own async block, so a `return` in it still commits.
                let value = async {
                    let $c: &mut ::sqlx::AnyConnection = &mut *tx;
                    $body
                }
                .await?;
                store.commit(tx).await?;
                Ok(value)
            }
            .await;
            match result {
                Err(e) if e.is_retryable() && attempt < 8 => {
                    ::tokio::time::sleep(::std::time::Duration::from_millis(
                        5 * u64::from(attempt * attempt),
                    ))
                    .await;
                }
                other => break other,
            }
        }
    }};
}

/// A database URL with any password replaced by `***`, for messages and logs: the one in the
/// user-info part and any `password=` query parameter (PostgreSQL accepts both). A URL that
/// cannot be read is shown as it is unless it has user-info (`…@`), which is then withheld.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return if url.contains('@') {
            "(a database URL that cannot be read)".to_owned()
        } else {
            url.to_owned()
        };
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"))
    {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Integer columns hold booleans on both engines.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Numbers the placeholders of a statement built clause by clause: each call gives the next
/// one (`$1`, `$2`, …; `Any` takes this form on both engines).
pub(crate) fn placeholders() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("${n}")
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn database_passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://sb:s3cret@db.school/sb"),
            "postgres://sb:***@db.school/sb"
        );
        let q = redact_url("postgres://db.school/sb?user=sb&password=s3cret&sslmode=require");
        assert!(
            !q.contains("s3cret") && q.contains("sslmode=require"),
            "{q}"
        );
        assert_eq!(
            redact_url("sqlite://data/schoolbridge.db"),
            "sqlite://data/schoolbridge.db"
        );
        assert!(!redact_url("not a url but:s3cret@host").contains("s3cret"));
    }
}
