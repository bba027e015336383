//! `schoolbridge backup FILE` and `schoolbridge restore FILE` for the SQLite engine
//! (`docs/operations.md`, "Backups"; PostgreSQL is backed up with `pg_dump`).
//!
//! A backup is one gzip-compressed tar file holding a manifest, a consistent copy of the
//! database and the master key that seals the private keys in it — without the key, the copy
//! could not answer a single MNet call. The copy is made with SQLite's `VACUUM INTO`, a read
//! transaction: the server keeps serving, and every change committed (acknowledged to a peer or
//! a person) before the backup began is in it. The file is written beside its destination and
//! renamed into place, mode 0600, so a backup file is either whole or absent.
//!
//! A restore writes into an empty data directory only, and checks everything before it puts a
//! file in place: the manifest, each file's SHA-256, the database's integrity, its schema
//! (upgraded to this build's; one newer than this build is refused) and that the master key
//! opens the site keys. Nothing is half-restored: on any failure the directory is left as it
//! was.

use crate::at_rest::MasterKey;
use crate::config::Config;
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

/// What the archive's manifest calls itself.
const FORMAT: &str = "schoolbridge-backup";
/// The archive layout this build writes and reads.
const FORMAT_VERSION: u32 = 1;
/// The directory inside the archive.
const ROOT: &str = "schoolbridge-backup";
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "schoolbridge.db";
const MASTER_KEY: &str = "master.key";

/// A backup or restore that cannot be done, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL.
    #[error(
        "this SchoolBridge keeps its data in PostgreSQL: back it up with pg_dump and keep a copy of the master key file {master_key} (docs/operations.md, \"Backups\")"
    )]
    Postgres {
        /// The master key file to keep.
        master_key: String,
    },
    /// A file could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The destination exists.
    #[error("{0} already exists: choose a new file name (a backup never overwrites one)")]
    Exists(String),
    /// The data directory is not empty.
    #[error(
        "{0} already exists: restore only into an empty data directory (move the current one away first, or point --data-dir at a new one)"
    )]
    NotEmpty(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] StoreError),
    /// The master key file is missing or unusable.
    #[error(transparent)]
    MasterKey(#[from] crate::at_rest::AtRestError),
    /// The file is not a SchoolBridge backup, or is damaged.
    #[error("{path} is not a usable SchoolBridge backup: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The backup comes from a newer SchoolBridge.
    #[error(
        "the backup holds database schema {found}, newer than this SchoolBridge ({known}): restore it with SchoolBridge {version} or later"
    )]
    TooNew {
        /// The backup's schema.
        found: i64,
        /// This build's.
        known: i64,
        /// The version that made it.
        version: String,
    },
}

/// What the archive says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout's version.
    pub format_version: u32,
    /// The SchoolBridge that made it.
    pub schoolbridge_version: String,
    /// The database schema in it.
    pub schema_version: i64,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// The site it belongs to.
    pub wwwroot: Option<String>,
    /// SHA-256 (hex) and size of each file.
    pub files: Vec<FileEntry>,
}

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Name inside the archive's directory.
    pub name: String,
    /// Bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The SQLite file behind a `sqlite:` URL, or why there is none.
fn sqlite_path(config: &Config) -> Result<PathBuf, BackupError> {
    if !config.database_url.starts_with("sqlite:") {
        return Err(BackupError::Postgres {
            master_key: config.master_key_file.display().to_string(),
        });
    }
    let options = SqliteConnectOptions::from_str(&config.database_url).map_err(StoreError::from)?;
    Ok(options.get_filename().to_owned())
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.display().to_string();
    move |source| BackupError::Io { what, path, source }
}

/// Removes a file when dropped, unless kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut s = p.clone().into_os_string();
                s.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(s));
            }
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn sha256_file(path: &Path) -> Result<(u64, String), BackupError> {
    let mut f = std::fs::File::open(path).map_err(io("cannot read", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io("cannot read", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// What `backup` did.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// The archive's manifest.
    pub manifest: Manifest,
    /// The archive's size.
    pub bytes: u64,
}

/// Writes a backup of the running (or stopped) site to `dest`.
pub async fn create(config: &Config, dest: &Path, now: i64) -> Result<BackupSummary, BackupError> {
    let db = sqlite_path(config)?;
    if dest.exists() {
        return Err(BackupError::Exists(dest.display().to_string()));
    }
    if !db.is_file() {
        return Err(BackupError::Io {
            what: "no database at",
            path: db.display().to_string(),
            source: std::io::ErrorKind::NotFound.into(),
        });
    }
    if !config.master_key_file.is_file() {
        return Err(BackupError::Io {
            what: "no master key at",
            path: config.master_key_file.display().to_string(),
            source: std::io::ErrorKind::NotFound.into(),
        });
    }
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    let copy = TempFile(Some(dir.join(format!(".{stem}.db.tmp"))));
    let _ = std::fs::remove_file(copy.path());

    // The consistent copy: one read transaction on the live database.
    let mut conn = open_file(
        &db,
        SqliteConnectOptions::new().busy_timeout(std::time::Duration::from_secs(30)),
    )
    .await?;
    let target = copy.path().to_string_lossy().replace('\'', "''");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
        .execute(&mut conn)
        .await
        .map_err(StoreError::from)?;
    drop(conn);

    // What the copy holds, and that the master key opens its keys.
    let master_text = std::fs::read_to_string(&config.master_key_file)
        .map_err(io("cannot read", &config.master_key_file))?;
    let master = MasterKey::load_or_create(&config.master_key_file)?;
    let (schema_version, wwwroot) = check_copy(copy.path(), &master).await?;

    let (db_bytes, db_sha) = sha256_file(copy.path())?;
    let key_bytes = master_text.as_bytes();
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schoolbridge_version: crate::build_info::VERSION.into(),
        schema_version,
        created_at: now,
        wwwroot,
        files: vec![
            FileEntry {
                name: DATABASE.into(),
                bytes: db_bytes,
                sha256: db_sha,
            },
            FileEntry {
                name: MASTER_KEY.into(),
                bytes: key_bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(key_bytes)),
            },
        ],
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Invalid {
        path: dest.display().to_string(),
        message: e.to_string(),
    })?;

    let partial = TempFile(Some(dir.join(format!(".{stem}.partial"))));
    let _ = std::fs::remove_file(partial.path());
    {
        let file = create_private(partial.path())?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let add_bytes = |tar: &mut tar::Builder<_>, name: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(u64::try_from(now).unwrap_or(0));
            header.set_cksum();
            tar.append_data(&mut header, format!("{ROOT}/{name}"), bytes)
        };
        let write_err = io("cannot write", partial.path());
        let written = (|| {
            add_bytes(&mut tar, MANIFEST, &manifest_json)?;
            let mut db_file = std::fs::File::open(copy.path())?;
            let mut header = tar::Header::new_gnu();
            header.set_size(db_bytes);
            header.set_mode(0o600);
            header.set_mtime(u64::try_from(now).unwrap_or(0));
            header.set_cksum();
            tar.append_data(&mut header, format!("{ROOT}/{DATABASE}"), &mut db_file)?;
            add_bytes(&mut tar, MASTER_KEY, key_bytes)?;
            let gz = tar.into_inner()?;
            let file = gz.finish()?;
            file.sync_all()
        })();
        written.map_err(write_err)?;
    }
    std::fs::rename(partial.path(), dest).map_err(io("cannot write", dest))?;
    partial.keep();
    sync_dir(dir);
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary { manifest, bytes })
}

/// Reads a database copy without changing it: its schema version and wwwroot, after checking
/// that `master` opens every stored private key.
async fn check_copy(path: &Path, master: &MasterKey) -> Result<(i64, Option<String>), BackupError> {
    let mut conn = open_file(path, SqliteConnectOptions::new().read_only(true)).await?;
    let result = async {
        let schema: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut conn)
            .await?;
        let wwwroot: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(crate::state::WWWROOT_SETTING)
                .fetch_optional(&mut conn)
                .await?;
        let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT private_key_sealed FROM site_keys")
            .fetch_all(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>((schema.unwrap_or(0), wwwroot, sealed))
    }
    .await;
    drop(conn);
    let (schema, wwwroot, sealed) = result.map_err(StoreError::from)?;
    for key in sealed {
        master.unseal(&key)?;
    }
    Ok((schema, wwwroot))
}

/// Upgrades a restored copy to this build's schema, and leaves it as one file (no `-wal`), so
/// that renaming it puts all of it in place.
async fn upgrade_copy(path: &Path) -> Result<(), BackupError> {
    let store = Store::open(&crate::store::sqlite_url_for_file(path)).await?;
    store.close().await;
    let mut conn = open_file(path, SqliteConnectOptions::new()).await?;
    sqlx::raw_sql("PRAGMA journal_mode = DELETE")
        .execute(&mut conn)
        .await
        .map_err(StoreError::from)?;
    drop(conn);
    Ok(())
}

#[cfg(unix)]
fn create_private(path: &Path) -> Result<std::fs::File, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io("cannot create", path))
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> Result<std::fs::File, BackupError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io("cannot create", path))
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    /// The archive's manifest.
    pub manifest: Manifest,
    /// The database file written.
    pub database: PathBuf,
    /// The master key file written.
    pub master_key: PathBuf,
    /// The schema the database now has (upgraded when the backup was older).
    pub schema_version: i64,
}

/// Restores `src` into the configured (empty) data directory.
pub async fn restore(config: &Config, src: &Path) -> Result<RestoreSummary, BackupError> {
    let db = sqlite_path(config)?;
    for existing in [
        db.clone(),
        sibling(&db, "-wal"),
        config.master_key_file.clone(),
    ] {
        if existing.exists() {
            return Err(BackupError::NotEmpty(existing.display().to_string()));
        }
    }
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    std::fs::create_dir_all(&dir).map_err(io("cannot create", &dir))?;
    let invalid = |message: String| BackupError::Invalid {
        path: src.display().to_string(),
        message,
    };

    // Unpack: the manifest, the database (to a file beside its place), the master key.
    let staged = TempFile(Some(sibling(&db, ".restoring")));
    let _ = std::fs::remove_file(staged.path());
    let file = std::fs::File::open(src).map_err(io("cannot read", src))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let (mut manifest_json, mut master_text, mut db_sha) = (None, None, None);
    let entries = archive
        .entries()
        .map_err(|e| invalid(format!("not a gzip-compressed tar file ({e})")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| invalid(format!("damaged ({e})")))?;
        let name = entry
            .path()
            .map_err(|e| invalid(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        match name.strip_prefix(&format!("{ROOT}/")) {
            Some(MANIFEST) => {
                let mut text = String::new();
                entry
                    .take(1 << 20)
                    .read_to_string(&mut text)
                    .map_err(|e| invalid(format!("unreadable manifest ({e})")))?;
                manifest_json = Some(text);
            }
            Some(MASTER_KEY) => {
                let mut text = String::new();
                entry
                    .take(4096)
                    .read_to_string(&mut text)
                    .map_err(|e| invalid(format!("unreadable master key ({e})")))?;
                master_text = Some(zeroize::Zeroizing::new(text));
            }
            Some(DATABASE) => {
                let mut out = create_private(staged.path())?;
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; 1 << 16];
                loop {
                    let n = entry
                        .read(&mut buf)
                        .map_err(|e| invalid(format!("damaged database entry ({e})")))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    out.write_all(&buf[..n])
                        .map_err(io("cannot write", staged.path()))?;
                }
                out.sync_all().map_err(io("cannot write", staged.path()))?;
                db_sha = Some(hex::encode(hasher.finalize()));
            }
            _ => return Err(invalid(format!("unexpected file {name:?} in it"))),
        }
    }
    let manifest: Manifest =
        serde_json::from_str(&manifest_json.ok_or_else(|| invalid("it has no manifest".into()))?)
            .map_err(|e| invalid(format!("unreadable manifest ({e})")))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(invalid(format!(
            "format {} version {}; this SchoolBridge reads {FORMAT} version {FORMAT_VERSION}",
            manifest.format, manifest.format_version
        )));
    }
    if manifest.schema_version > crate::store::schema_version() {
        return Err(BackupError::TooNew {
            found: manifest.schema_version,
            known: crate::store::schema_version(),
            version: manifest.schoolbridge_version,
        });
    }
    let expected = |name: &str| {
        manifest
            .files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.sha256.clone())
            .ok_or_else(|| invalid(format!("the manifest does not list {name}")))
    };
    let db_sha = db_sha.ok_or_else(|| invalid("it holds no database".into()))?;
    if db_sha != expected(DATABASE)? {
        return Err(invalid("the database does not match its checksum".into()));
    }
    let master_text = master_text.ok_or_else(|| invalid("it holds no master key".into()))?;
    if hex::encode(Sha256::digest(master_text.as_bytes())) != expected(MASTER_KEY)? {
        return Err(invalid("the master key does not match its checksum".into()));
    }
    let master = master_from_text(&master_text)
        .ok_or_else(|| invalid("the master key is not 64 hexadecimal characters".into()))?;

    // The database: whole, upgraded to this build's schema, its keys opened by the key.
    integrity_check(staged.path()).await?;
    upgrade_copy(staged.path()).await?;
    let (schema_version, _) = check_copy(staged.path(), &master).await?;
    for suffix in ["-wal", "-shm"] {
        if sibling(staged.path(), suffix).exists() {
            return Err(invalid(format!(
                "the upgraded database left a {suffix} file behind"
            )));
        }
    }

    // In place: the master key first (create_new: never over another), then the database.
    if let Some(parent) = config
        .master_key_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
    }
    {
        let mut f = create_private(&config.master_key_file)?;
        f.write_all(master_text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io("cannot write", &config.master_key_file))?;
    }
    if let Err(e) = std::fs::rename(staged.path(), &db) {
        let _ = std::fs::remove_file(&config.master_key_file);
        return Err(io("cannot write", &db)(e));
    }
    staged.keep();
    sync_dir(&dir);
    Ok(RestoreSummary {
        manifest,
        database: db,
        master_key: config.master_key_file.clone(),
        schema_version,
    })
}

fn master_from_text(text: &str) -> Option<MasterKey> {
    let bytes = zeroize::Zeroizing::new(hex::decode(text.trim()).ok()?);
    let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(MasterKey::from_bytes(key))
}

/// One connection to an existing SQLite file (never created here), with `options`.
async fn open_file(
    path: &Path,
    options: SqliteConnectOptions,
) -> Result<sqlx::SqliteConnection, StoreError> {
    Ok(options
        .filename(path)
        .create_if_missing(false)
        .connect()
        .await?)
}

async fn integrity_check(path: &Path) -> Result<(), BackupError> {
    let mut conn = open_file(path, SqliteConnectOptions::new()).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(StoreError::from)?;
    drop(conn);
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::Invalid {
            path: path.display().to_string(),
            message: format!("the database is damaged ({verdict})"),
        })
    }
}
