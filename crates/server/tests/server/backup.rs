//! Backups: one taken while a Moodle pushes a school holds every change acknowledged before it
//! began, and the restored site answers that Moodle (its keys open); a restore refuses a full
//! data directory, a damaged or foreign file and a backup from a newer schema, leaving nothing
//! behind; the command line does the same for an operator; PostgreSQL is sent to pg_dump.

use super::support::{TestApp, fresh_key};
use moodle_sim::school::generator::generate;
use moodle_sim::{PushOptions, SchoolSpec, start_loopback};
use schoolbridge::backup::{self, BackupError};
use schoolbridge::config::ConfigLayer;
use schoolbridge::mnet_host::registry;
use schoolbridge::{AppState, Clock};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[tokio::test]
async fn a_backup_taken_during_a_push_restores_every_acknowledged_change() {
    let app = TestApp::start().await;
    let (sim, _serving) = start_loopback(fresh_key(), |c| {
        c.site_name = "Springfield Moodle".into();
    })
    .await
    .unwrap();
    registry::add(&app.state, sim.wwwroot(), "moodle", None, true)
        .await
        .unwrap();
    sim.add_peer(&app.url).await.unwrap();
    let school = generate(&SchoolSpec {
        students: 30,
        teachers: 3,
        sections: 4,
        sections_per_student: 3,
        assessments_per_section: 4,
        ..SchoolSpec::default()
    })
    .unwrap();
    let changes = school.changes;
    let total = changes.len();
    assert!(
        total > 150,
        "a push long enough to back up in the middle of: {total}"
    );

    // The push runs; a third of the way in, the backup.
    let done = Arc::new(AtomicUsize::new(0));
    let push = {
        let (sim, url, changes, done) =
            (sim.clone(), app.url.clone(), changes.clone(), done.clone());
        tokio::spawn(async move {
            sim.push(&url, &changes, &PushOptions::default(), |p| {
                done.store(p.done, Ordering::SeqCst)
            })
            .await
        })
    };
    while done.load(Ordering::SeqCst) < total / 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let acknowledged = done.load(Ordering::SeqCst);
    let file = app.dir.path().join("backups").join("springfield.tar.gz");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let made = backup::create(&app.state.config, &file, app.state.clock.now())
        .await
        .unwrap();
    let during = done.load(Ordering::SeqCst);
    let summary = push.await.unwrap();
    assert!(
        summary.stopped.is_none() && summary.rejected == 0,
        "{summary}"
    );
    assert!(
        during < total,
        "the push was still going when the backup ended ({during} of {total})"
    );
    assert_eq!(made.manifest.wwwroot.as_deref(), Some(app.url.as_str()));
    assert_eq!(
        made.manifest.schema_version,
        schoolbridge::store::schema_version()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the file holds the master key");
    }
    assert!(matches!(
        backup::create(&app.state.config, &file, 0).await,
        Err(BackupError::Exists(_))
    ));

    // The machine is lost; a new data directory, the same address.
    let addr = app.state.config.listen;
    let url = app.url.clone();
    let (_old_dir, _) = app.stop().await;
    let new_dir = tempfile::tempdir().unwrap();
    let config = ConfigLayer {
        listen: Some(addr.to_string()),
        wwwroot: Some(url.clone()),
        data_dir: Some(new_dir.path().to_owned()),
        console_dir: Some(new_dir.path().join("no-console")),
        crypto_threads: Some(2),
        ..ConfigLayer::default()
    }
    .finish()
    .unwrap();
    let restored = backup::restore(&config, &file).await.unwrap();
    assert_eq!(
        restored.schema_version,
        schoolbridge::store::schema_version()
    );
    assert!(matches!(
        backup::restore(&config, &file).await,
        Err(BackupError::NotEmpty(_))
    ));
    let state = AppState::open(config, Clock::system()).await.unwrap();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let server = schoolbridge::server::spawn(state.clone(), listener).unwrap();

    // Every change acknowledged before the backup began is there: sent again, each is answered
    // "replayed" (the eventid ledger has it) — signed and encrypted with the restored keys.
    let again = sim
        .push(
            &url,
            &changes[..acknowledged],
            &PushOptions::default(),
            |_| {},
        )
        .await;
    assert!(again.stopped.is_none(), "{again}");
    assert_eq!(
        again.statuses,
        BTreeMap::from([("replayed".to_owned(), acknowledged as u64)]),
        "{again}"
    );
    // And the restored copy is the one made then: the last change, sent after the backup
    // ended, is not in it.
    let last = sim
        .push(
            &url,
            &changes[total - 1..],
            &PushOptions {
                retries: 0,
                ..PushOptions::default()
            },
            |_| {},
        )
        .await;
    assert!(!last.statuses.contains_key("replayed"), "{last}");
    server.stop().await;
    state.store.close().await;
}

#[tokio::test]
async fn a_restore_checks_everything_before_it_writes_anything() {
    let app = TestApp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.tar.gz");
    backup::create(&app.state.config, &file, 1_800_000_000)
        .await
        .unwrap();
    let target = tempfile::tempdir().unwrap();
    let config = ConfigLayer {
        data_dir: Some(target.path().join("data")),
        ..ConfigLayer::default()
    }
    .finish()
    .unwrap();
    let nothing_written = || {
        let dir = target.path().join("data");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(
            left.is_empty(),
            "left behind in {}: {left:?}",
            dir.display()
        );
    };

    // Damaged: one byte changed in the middle.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let damaged = dir.path().join("damaged.tar.gz");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = backup::restore(&config, &damaged).await.unwrap_err();
    assert!(matches!(err, BackupError::Invalid { .. }), "{err}");
    nothing_written();

    // Not a backup at all.
    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "minutes of the staff meeting").unwrap();
    let err = backup::restore(&config, &foreign).await.unwrap_err();
    assert!(
        err.to_string().contains("not a usable SchoolBridge backup"),
        "{err}"
    );
    nothing_written();

    // From a newer SchoolBridge: the manifest says so; refused before anything is written.
    let newer = dir.path().join("newer.tar.gz");
    rewrite_manifest(&file, &newer, |m| {
        m["schema_version"] = serde_json::json!(schoolbridge::store::schema_version() + 1);
        m["schoolbridge_version"] = serde_json::json!("9.9.9");
    });
    let err = backup::restore(&config, &newer).await.unwrap_err();
    assert!(matches!(err, BackupError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("9.9.9"), "{err}");
    nothing_written();

    // A master key that is not the one that sealed the keys (its checksum updated to match).
    let wrong_key = dir.path().join("wrong-key.tar.gz");
    swap_master_key(&file, &wrong_key, &format!("{}\n", "ab".repeat(32)));
    let err = backup::restore(&config, &wrong_key).await.unwrap_err();
    assert!(err.to_string().contains("master key"), "{err}");
    nothing_written();

    backup::restore(&config, &file).await.unwrap();
}

/// Copies a backup, changing its manifest.
fn rewrite_manifest(
    src: &std::path::Path,
    dest: &std::path::Path,
    edit: impl Fn(&mut serde_json::Value),
) {
    rewrite(src, dest, |name, data| {
        if name.ends_with("manifest.json") {
            let mut m: serde_json::Value = serde_json::from_slice(data).unwrap();
            edit(&mut m);
            *data = serde_json::to_vec(&m).unwrap();
        }
    });
}

/// Copies a backup with another master key, its checksum in the manifest made to match.
fn swap_master_key(src: &std::path::Path, dest: &std::path::Path, key: &str) {
    use sha2::Digest as _;
    let sha = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    rewrite(src, dest, |name, data| {
        if name.ends_with("master.key") {
            *data = key.as_bytes().to_vec();
        } else if name.ends_with("manifest.json") {
            let mut m: serde_json::Value = serde_json::from_slice(data).unwrap();
            for f in m["files"].as_array_mut().unwrap() {
                if f["name"] == "master.key" {
                    f["sha256"] = serde_json::json!(sha);
                }
            }
            *data = serde_json::to_vec(&m).unwrap();
        }
    });
}

fn rewrite(src: &std::path::Path, dest: &std::path::Path, edit: impl Fn(&str, &mut Vec<u8>)) {
    use std::io::Read as _;
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(src).unwrap(),
    ));
    let out = flate2::write::GzEncoder::new(
        std::fs::File::create(dest).unwrap(),
        flate2::Compression::fast(),
    );
    let mut output = tar::Builder::new(out);
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        edit(&name, &mut data);
        let mut header = entry.header().clone();
        header.set_size(data.len() as u64);
        header.set_cksum();
        output
            .append_data(&mut header, &name, data.as_slice())
            .unwrap();
    }
    output.into_inner().unwrap().finish().unwrap();
}

#[tokio::test]
async fn postgres_is_backed_up_with_pg_dump() {
    let config = ConfigLayer {
        database_url: Some("postgres://sb:secret@db.school.example/sb".into()),
        ..ConfigLayer::default()
    }
    .finish()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = backup::create(&config, &dir.path().join("b.tar.gz"), 0)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pg_dump"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

/// As an operator runs them: back up a site, restore it elsewhere, the same site key.
#[test]
fn the_command_line_backs_up_and_restores() {
    // `schoolbridge --data-dir <data> <args…>`.
    let run = |data: &std::path::Path, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
            .args(["--data-dir", data.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let (site, copy) = (dir.path().join("site"), dir.path().join("copy"));
    let key_show = |data: &std::path::Path| {
        let out = run(data, &["key", "show", "--pem"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let original = key_show(&site);
    let file = dir.path().join("site.tar.gz");
    let out = run(&site, &["backup", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Backup written to") && text.contains("master key"),
        "{text}"
    );
    let out = run(&copy, &["restore", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(key_show(&copy), original);
    // Again into the same directory: refused, exit status non-zero, a sentence saying why.
    let out = run(&copy, &["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty data directory"));
}
