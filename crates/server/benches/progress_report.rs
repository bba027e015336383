//! Criterion benchmark for issue 7 (results in BENCHMARKS.md §4): "a progress report as of a past
//! date for a student with 8 sections and 300 grade events is served in ≤ 50 ms on SQLite".
//!
//! The school is the one the test
//! `a_progress_report_of_8_sections_and_300_grades_shows_what_was_known_then` builds: 40
//! students, 12 sections of 25 items, student u0 in 8 of them with 300 grade events (effective
//! at 1000..=1299, regrades included), a few grades for the others. It is written straight into a
//! fresh store; requests go through the real router (`tower::ServiceExt::oneshot`, no socket)
//! with an admin's session cookie, as the console sends them. Measured, per backend:
//!
//! * `served_as_of_past` — `GET /api/sis/students/{u0}/progress?as_of={AS_OF}`: the requirement
//!   (session lookup and touch, role check, the report, JSON).
//! * `served_session` — `GET /api/session` with the same cookie: the baseline, everything an
//!   authenticated console request pays before any SIS work.
//! * `served_as_of_now` — the same report without `as_of` (every event counts).
//! * `store_as_of_past` — `Store::progress_report(u0, AS_OF)`, the call the handler makes.
//! * `select_grade_events` — a plain `SELECT` of u0's 300 grade-event rows: the floor under any
//!   report of them.
//!
//! SQLite always; PostgreSQL too when `SCHOOLBRIDGE_TEST_DATABASE_URL` is set (a fresh database,
//! dropped afterwards, as the integration tests do).
//!
//! ```sh
//! cargo bench -p schoolbridge --bench progress_report
//! ```

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt as _;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use schoolbridge::store::peers::insert_or_undelete_peer;
use schoolbridge::store::people::{NewLocalPerson, insert_local_person, set_roles};
use schoolbridge::store::{NewPeer, StoreError};
use schoolbridge::{AppState, Clock, ConfigLayer};
use sqlx::Row as _;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tower::ServiceExt as _;

#[path = "../tests/server/moodle_certificate.rs"]
mod moodle_certificate;
#[path = "../tests/server/progress_school.rs"]
mod progress_school;
#[path = "../tests/server/scratch_pg.rs"]
mod scratch_pg;
use moodle_certificate::moodle_certificate;
use progress_school::AS_OF;
use scratch_pg::ScratchPg;

/// A store with the school in it, its router, and an admin's session.
struct School {
    state: AppState,
    router: Router,
    cookie: String,
    student: i64,
    _dir: tempfile::TempDir,
    pg: Option<ScratchPg>,
}

/// A Moodle-shaped certificate for the peer the school's rows come from.
fn peer_certificate(wwwroot: &str) -> PeerCertificate {
    let key = SitePrivateKey::generate(&mut rand::rng(), 2048).unwrap();
    let now = Clock::system().now() - 60;
    moodle_certificate(&key, wwwroot, "Springfield Moodle", now)
}

/// Opens a fresh store on SQLite (`pg_admin_url` None) or PostgreSQL and builds the school.
async fn school(pg_admin_url: Option<&str>) -> School {
    let dir = tempfile::tempdir().unwrap();
    let (pg, database_url) = match pg_admin_url {
        None => (None, None),
        Some(admin) => {
            let (db, url) = ScratchPg::create(admin, "sbbench").await;
            (Some(db), Some(url))
        }
    };
    let config = ConfigLayer {
        listen: Some("127.0.0.1:0".into()),
        wwwroot: Some("http://sis.bench".into()),
        data_dir: Some(dir.path().to_owned()),
        database_url,
        console_dir: Some(dir.path().join("no-console")),
        site_name: Some("Springfield High SIS".into()),
        crypto_threads: Some(2),
        ..ConfigLayer::default()
    }
    .finish()
    .unwrap();
    let state = AppState::open(config, Clock::system()).await.unwrap();
    let store = &state.store;

    let moodle = "https://moodle.example/school";
    let cert = peer_certificate(moodle);
    let (pem, fp) = (cert.pem().to_owned(), cert.fingerprint_sha256());
    let new_peer = NewPeer {
        wwwroot: moodle,
        name: "Springfield Moodle",
        application: "moodle",
        certificate_pem: &pem,
        certificate_expires: cert.not_after(),
        fingerprint: &fp,
        tls_verify: true,
    };
    let now = state.clock.now();
    let peer = schoolbridge::write_tx!(store, |c| insert_or_undelete_peer(c, &new_peer, now).await)
        .unwrap();

    // The school of the test, row for row (one file, shared with the test).
    schoolbridge::write_tx!(store, |c| progress_school::build(c, peer).await).unwrap();
    let student: i64 = sqlx::query("SELECT id FROM people WHERE peer_id = $1 AND idnumber = $2")
        .bind(peer)
        .bind("u0")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();

    // An admin signed in (the session is made directly; sign-in is not what is measured).
    let admin = schoolbridge::write_tx!(store, |c| {
        let p = NewLocalPerson {
            username: "admin",
            firstname: "Ada",
            lastname: "Admin",
            email: None,
            password_hash: None,
            login_allowed: true,
        };
        let id = insert_local_person(c, &p, now).await?;
        set_roles(c, id, &["admin".to_owned()]).await?;
        Ok::<_, StoreError>(id)
    })
    .unwrap();
    let started = schoolbridge::accounts::sessions::start(&state, admin, None, None)
        .await
        .unwrap();
    let cookie = started.set_cookie.split(';').next().unwrap().to_owned();
    let router = schoolbridge::http::router(state.clone());
    School {
        state,
        router,
        cookie,
        student,
        _dir: dir,
        pg,
    }
}

impl School {
    /// A GET through the router as the console sends it; the status and the body's bytes.
    async fn get(&self, path: &str) -> (StatusCode, bytes::Bytes) {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::USER_AGENT, "Mozilla/5.0 (SchoolBridge bench)")
            .body(Body::empty())
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        (status, resp.into_body().collect().await.unwrap().to_bytes())
    }

    /// Checks once that every measured path answers what the test expects.
    async fn check(&self, past: &str, now: &str) {
        for path in [past, now, "/api/session"] {
            let (st, body) = self.get(path).await;
            assert_eq!(
                st,
                StatusCode::OK,
                "{path}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let report = self
            .state
            .store
            .progress_report(self.student, AS_OF)
            .await
            .unwrap()
            .unwrap();
        progress_school::check_report_as_of(&report);
        assert_eq!(self.grade_events().await, 300);
    }

    /// u0's grade-event rows, read plainly (the floor).
    async fn grade_events(&self) -> usize {
        sqlx::query(
            "SELECT id, assessment_id, person_id, points, excepted, attempt, effective_at, \
             recorded_at, source, peer_id, eventid, actor_id, note, stale \
             FROM sis_grade_events WHERE person_id = $1",
        )
        .bind(self.student)
        .fetch_all(self.state.store.pool())
        .await
        .unwrap()
        .len()
    }
}

/// Times `iters` sequential runs of `f` inside one `block_on` (no per-iteration runtime entry).
fn timed<F, Fut, T>(rt: &Runtime, iters: u64, f: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(f().await);
        }
        start.elapsed()
    })
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, backend: &str, pg_admin_url: Option<&str>) {
    let school = rt.block_on(school(pg_admin_url));
    let student = school.student;
    let past = format!("/api/sis/students/{student}/progress?as_of={AS_OF}");
    let now = format!("/api/sis/students/{student}/progress");
    rt.block_on(school.check(&past, &now));

    let mut g = c.benchmark_group(format!("progress_report/{backend}"));
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let s = &school;
    g.bench_function("served_as_of_past", |b| {
        b.iter_custom(|n| timed(rt, n, || s.get(&past)));
    });
    g.bench_function("served_session", |b| {
        b.iter_custom(|n| timed(rt, n, || s.get("/api/session")));
    });
    g.bench_function("served_as_of_now", |b| {
        b.iter_custom(|n| timed(rt, n, || s.get(&now)));
    });
    g.bench_function("store_as_of_past", |b| {
        b.iter_custom(|n| timed(rt, n, || s.state.store.progress_report(student, AS_OF)));
    });
    g.bench_function("select_grade_events", |b| {
        b.iter_custom(|n| timed(rt, n, || s.grade_events()));
    });
    g.finish();

    rt.block_on(school.state.store.close());
    drop(school.pg);
}

fn bench_progress_report(c: &mut Criterion) {
    // Two workers, as the server runs on this two-core machine.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    bench_backend(c, &rt, "sqlite", None);
    match std::env::var("SCHOOLBRIDGE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => bench_backend(c, &rt, "postgres", Some(&url)),
        _ => eprintln!("note: PostgreSQL skipped (SCHOOLBRIDGE_TEST_DATABASE_URL not set)"),
    }
}

criterion_group!(benches, bench_progress_report);
criterion_main!(benches);
