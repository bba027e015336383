//! Upgrades: a database of each schema version SchoolBridge has had (`tests/fixtures/schema/`,
//! whose README says how each was made) opens in this build, on SQLite and PostgreSQL: the
//! pending migrations apply, the schema it ends with is exactly a fresh database's (so an edited
//! old migration, or a migration that only works on an empty database, fails here), no table
//! holds fewer rows than before, and the site works: its keys open with its master key, its peers,
//! people and school records read back.

use super::scratch_pg::ScratchPg;
use super::support::{Backend, backends};
use schoolbridge::config::ConfigLayer;
use schoolbridge::store::Store;
use schoolbridge::{AppState, Clock};
use sqlx::{Connection as _, Row as _};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(i64, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema");
    let mut out: Vec<(i64, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            let v = path
                .file_name()?
                .to_str()?
                .strip_prefix('v')?
                .parse()
                .ok()?;
            Some((v, path))
        })
        .collect();
    out.sort();
    out
}

/// A fixture's SQL: the dumps are stored gzip-compressed (`tests/fixtures/schema/README.md`).
fn read_gzip(path: &Path) -> String {
    use std::io::Read as _;
    let mut sql = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut sql)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sql
}

/// A database for one test: a SQLite file in a temp dir, or a scratch PostgreSQL database.
struct Db {
    url: String,
    dir: tempfile::TempDir,
    _pg: Option<ScratchPg>,
}

async fn empty_db(backend: Backend) -> Db {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        Backend::Sqlite => Db {
            url: schoolbridge::store::sqlite_url_for(dir.path()),
            dir,
            _pg: None,
        },
        Backend::Postgres => {
            let admin = std::env::var("SCHOOLBRIDGE_TEST_DATABASE_URL").unwrap();
            let (pg, url) = ScratchPg::create(&admin, "sbupgrade").await;
            Db {
                url,
                dir,
                _pg: Some(pg),
            }
        }
    }
}

async fn connect(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.unwrap()
}

/// Every table, column, index and constraint, as text to compare.
async fn schema_of(url: &str, backend: Backend) -> Vec<String> {
    let mut c = connect(url).await;
    let queries: &[&str] = match backend {
        Backend::Sqlite => &[
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        ],
        Backend::Postgres => &[
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || \
             is_nullable || ' default=' || COALESCE(column_default, '-') || ' identity=' || is_identity \
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
            "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes \
             WHERE schemaname = 'public' ORDER BY indexname",
            "SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || \
             pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = 'public'::regnamespace ORDER BY 1",
        ],
    };
    let mut out = Vec::new();
    for q in queries {
        for row in sqlx::query(*q).fetch_all(&mut c).await.unwrap() {
            out.push(row.try_get::<String, _>(0).unwrap());
        }
    }
    out
}

/// Rows per table.
async fn row_counts(url: &str, backend: Backend) -> BTreeMap<String, i64> {
    let mut c = connect(url).await;
    let list = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(&mut c).await.unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&mut c)
            .await
            .unwrap();
        out.insert(t, n);
    }
    out
}

#[tokio::test]
async fn every_earlier_schema_upgrades_to_exactly_the_current_one_with_its_data() {
    let fixtures = fixtures();
    assert!(
        fixtures
            .iter()
            .any(|(v, _)| *v == schoolbridge::store::schema_version()),
        "tests/fixtures/schema has no fixture of the current schema {}: run scripts/schema-fixtures.sh current",
        schoolbridge::store::schema_version()
    );
    for backend in backends() {
        let fresh = empty_db(backend).await;
        Store::open(&fresh.url).await.unwrap().close().await;
        let expected_schema = schema_of(&fresh.url, backend).await;

        for (version, dir) in &fixtures {
            let what = format!("schema {version} on {backend:?}");
            let db = empty_db(backend).await;
            let file = match backend {
                Backend::Sqlite => "sqlite.sql.gz",
                Backend::Postgres => "postgres.sql.gz",
            };
            let sql = read_gzip(&dir.join(file));
            let mut c = connect(&db.url).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{what}: loading the fixture: {e}"));
            drop(c);
            let before = row_counts(&db.url, backend).await;

            // The upgrade: what `schoolbridge serve` (or `migrate`) does on start.
            let store = Store::open(&db.url)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            store.close().await;
            assert_eq!(
                schema_of(&db.url, backend).await,
                expected_schema,
                "{what}: the upgraded schema differs from a fresh database's"
            );
            let after = row_counts(&db.url, backend).await;
            for (table, n) in &before {
                // No row is lost; a migration may add some (built-in status codes, say).
                let kept = after.get(table).copied().unwrap_or(0);
                assert!(kept >= *n, "{what}: {table} had {n} rows, now {kept}");
            }
            assert_eq!(
                after["schema_migrations"],
                schoolbridge::store::schema_version(),
                "{what}: every migration recorded once"
            );

            // The site opens: its keys (made by that version, sealed with its master key).
            let master = dir.join("master.key");
            if master.exists() {
                std::fs::copy(&master, db.dir.path().join("master.key")).unwrap();
            }
            let config = ConfigLayer {
                data_dir: Some(db.dir.path().to_owned()),
                database_url: Some(db.url.clone()),
                console_dir: Some(db.dir.path().join("no-console")),
                crypto_threads: Some(1),
                ..ConfigLayer::default()
            }
            .finish()
            .unwrap();
            let state = AppState::open(config, Clock::system())
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            if master.exists() {
                let stored: Vec<String> = state
                    .store
                    .site_keys(0)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|k| k.fingerprint)
                    .collect();
                assert_eq!(
                    stored.first().map(String::as_str),
                    Some(
                        state
                            .keys
                            .ring()
                            .current()
                            .cert
                            .fingerprint_sha256()
                            .as_str()
                    ),
                    "{what}: the site key it had (not a new one) is in use"
                );
            }
            let peers = state.store.peers(true).await.unwrap();
            assert_eq!(peers.len() as i64, before["peers"], "{what}");
            let people = super::support::everyone(&state.store, 1000).await;
            assert_eq!(people.len() as i64, before["people"], "{what}");
            if let Some(sections) = before.get("sis_sections") {
                let listed = state
                    .store
                    .list_sections(&Default::default())
                    .await
                    .unwrap();
                assert_eq!(listed.len() as i64, *sections, "{what}");
            }
            state.store.close().await;
        }
    }
}
