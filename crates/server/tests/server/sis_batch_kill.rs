//! A batched full sync survives the server being killed (SIGKILL) in the middle of a batch
//! (issue 19): the real `schoolbridge` binary is killed while a batch is being applied,
//! restarted on the same store, and the sender resumes from the first change it has no answer
//! for. The store ends exactly as the same school pushed without a kill leaves it — the same
//! rows, history rows counted exactly: nothing lost, nothing doubled.

use super::sis_harness::dump_state_of;
use super::support::{Backend, TestApp, backends, free_port, fresh_key};
use moodle_sim::school::generator::generate;
use moodle_sim::{PushOptions, SchoolSpec, SimMoodle, start_loopback};
use schoolbridge::config::ConfigLayer;
use schoolbridge::mnet_host::registry;
use schoolbridge::{AppState, Clock};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A server process, killed if the test ends early (a failed assert must not leave it running).
struct Server(Child);

impl Server {
    /// SIGKILL, and wait for it to be gone.
    fn kill(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real server on `port`, over the data directory (and database, for PostgreSQL).
fn serve(data: &Path, port: u16, database_url: Option<&str>) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schoolbridge"));
    cmd.arg("serve")
        .env("SCHOOLBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("SCHOOLBRIDGE_WWWROOT", format!("http://127.0.0.1:{port}"))
        .env("SCHOOLBRIDGE_DATA_DIR", data)
        .env("SCHOOLBRIDGE_CONSOLE_DIR", data.join("no-console"))
        .env("SCHOOLBRIDGE_CRYPTO_THREADS", "1")
        .env("SCHOOLBRIDGE_LOG", "warn")
        .env_remove("SCHOOLBRIDGE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = database_url {
        cmd.env("SCHOOLBRIDGE_DATABASE_URL", url);
    }
    Server(cmd.spawn().unwrap())
}

async fn wait_ready(port: u16) {
    for _ in 0..600 {
        if reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

/// The store behind a stopped server, opened in-process.
async fn open_store(data: &Path, port: u16, database_url: Option<&str>) -> AppState {
    let config = ConfigLayer {
        listen: Some(format!("127.0.0.1:{port}")),
        wwwroot: Some(format!("http://127.0.0.1:{port}")),
        data_dir: Some(data.to_owned()),
        database_url: database_url.map(str::to_owned),
        console_dir: Some(data.join("no-console")),
        ..ConfigLayer::default()
    }
    .finish()
    .unwrap();
    AppState::open(config, Clock::system()).await.unwrap()
}

/// The school every run pushes: large enough that a batch takes a while to apply.
fn school() -> Vec<moodle_sim::Change> {
    let spec = SchoolSpec {
        students: 150,
        teachers: 6,
        sections: 12,
        sections_per_student: 3,
        assessments_per_section: 4,
        ..SchoolSpec::default()
    };
    generate(&spec).unwrap().changes
}

const BATCH: usize = 400;

/// The store after the school pushed in batches with nothing killed (the in-process server).
async fn reference(backend: Backend, changes: &[moodle_sim::Change]) -> String {
    let app = TestApp::start_on(backend).await;
    let (sim, _h) = start_loopback(fresh_key(), |_| {}).await.unwrap();
    registry::add(&app.state, sim.wwwroot(), "moodle", None, true)
        .await
        .unwrap();
    sim.add_peer(&app.url).await.unwrap();
    let options = PushOptions {
        batch: BATCH,
        ..PushOptions::default()
    };
    super::with_sim::push_all(&sim, &app, changes, &options).await;
    dump_state_of(&app.state.store).await
}

#[tokio::test]
async fn a_batched_full_sync_killed_mid_batch_resumes_with_nothing_lost_or_doubled() {
    let changes = school();
    assert!(changes.len() > 6 * BATCH, "{} changes", changes.len());
    for backend in backends() {
        let expected = reference(backend, &changes).await;

        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (_pg, database_url) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let admin = std::env::var("SCHOOLBRIDGE_TEST_DATABASE_URL").unwrap();
                let (db, url) = super::scratch_pg::ScratchPg::create(&admin, "sbkill").await;
                (Some(db), Some(url))
            }
        };
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let mut server = serve(&data, port, database_url.as_deref());
        wait_ready(port).await;
        let (sim, _h): (SimMoodle, _) = start_loopback(fresh_key(), |_| {}).await.unwrap();
        // The administrator adds the Moodle with the CLI, beside the running server.
        // (On a thread of its own: the simulated Moodle answers the CLI on this runtime.)
        let cli = {
            let (data, url, wwwroot, db) = (
                data.clone(),
                url.clone(),
                sim.wwwroot().to_owned(),
                database_url.clone(),
            );
            move || {
                Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
                    .args(["peer", "add", &wwwroot, "--yes"])
                    .env("SCHOOLBRIDGE_DATA_DIR", &data)
                    .env("SCHOOLBRIDGE_WWWROOT", &url)
                    .env("SCHOOLBRIDGE_LOG", "warn")
                    .envs(db.iter().map(|u| ("SCHOOLBRIDGE_DATABASE_URL", u)))
                    .output()
                    .unwrap()
            }
        };
        let added = tokio::task::spawn_blocking(cli).await.unwrap();
        assert!(added.status.success(), "{added:?}");
        sim.add_peer(&url).await.unwrap();

        // Push in batches; once two batches are acknowledged, kill the server while the third
        // is on its way or being applied.
        let options = PushOptions {
            batch: BATCH,
            retries: 0,
            ..PushOptions::default()
        };
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let seen = acknowledged.clone();
        let push = {
            let (sim, url, changes, options) = (sim.clone(), url.clone(), changes.clone(), options);
            tokio::spawn(async move {
                sim.push(&url, &changes, &options, move |p| {
                    seen.store(p.done, Ordering::SeqCst)
                })
                .await
            })
        };
        while acknowledged.load(Ordering::SeqCst) < 2 * BATCH {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Long enough for the next batch to reach the server, shorter than applying it.
        tokio::time::sleep(Duration::from_millis(25)).await;
        server.kill(); // SIGKILL
        let first = push.await.unwrap();
        assert!(
            first.stopped.is_some(),
            "the push saw the server go: {first:?}"
        );
        assert!(
            first.done < changes.len(),
            "killed before the end: {first:?}"
        );
        assert_eq!(first.done % BATCH, 0, "whole batches acknowledged");

        // Restart on the same store and resume from the first unacknowledged change: the
        // batch that was cut off is sent again whole.
        let mut server = serve(&data, port, database_url.as_deref());
        wait_ready(port).await;
        let rest = sim
            .push(&url, &changes[first.done..], &options, |_| {})
            .await;
        assert!(rest.stopped.is_none(), "{rest:?}");
        // The batch that was cut off is all or nothing: rolled back whole (sent again, applied
        // now) or committed whole before the kill (sent again, every change replayed).
        let replayed = rest.statuses.get("replayed").copied().unwrap_or(0);
        assert!(
            replayed == 0 || replayed == BATCH as u64,
            "{replayed} replayed: {rest:?}"
        );
        eprintln!(
            "{backend:?}: killed after {} acknowledged changes; the batch in flight was {}",
            first.done,
            if replayed == 0 {
                "rolled back"
            } else {
                "committed, its reply lost"
            }
        );
        assert_eq!(
            first.accepted() + rest.accepted(),
            changes.len() as u64,
            "every change acknowledged: {first:?} then {rest:?}"
        );
        server.kill();

        let state = open_store(&data, port, database_url.as_deref()).await;
        let got = dump_state_of(&state.store).await;
        // Same rows, table by table (the "== table (count)" lines count each history table).
        let counts = |dump: &str| -> Vec<String> {
            dump.lines()
                .filter(|l| l.starts_with("== "))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(counts(&got), counts(&expected), "{backend:?}: row counts");
        if backend == Backend::Sqlite {
            // Rolled-back work leaves no gap in SQLite's row ids, so every row is the same.
            assert_eq!(got, expected, "{backend:?}: the store");
        }
    }
}
