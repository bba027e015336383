//! `moodle-sim load`: load on a SchoolBridge from N concurrent clients sending signed and
//! encrypted `schooltool_sis` calls (new grades, or a mix), measured the way issue "moodle-sim"
//! asks for on a 2-core machine where client and server share the cores:
//!
//! 1. set-up (not measured): peer with SchoolBridge, push a small school (sections, students,
//!    grade items) so the calls apply;
//! 2. baseline: the pure crypto round (open + verify + sign + seal) single-threaded, × cores —
//!    measured by this same run;
//! 3. every request is sealed **before** the window (each unique: its own eventid);
//! 4. the window: only HTTP; latencies recorded; the server's resident memory sampled;
//!    optionally the server is killed with SIGKILL after K acknowledged calls and restarted;
//! 5. after the window every reply is opened and verified; then every acknowledged call is sent
//!    again with its eventid: SchoolBridge must answer `replayed: true` — anything else means an
//!    acknowledged change was lost.

use super::site::{SiteArgs, bind, config};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use mnet::client::{self, Caller, Reply, Timing};
use mnet::envelope::{Cipher, EncryptedEnvelope, PublicKeyPath, Wrapping};
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{Limits, Struct, Value, parse_call, write_response};
use moodle_sim::school::{
    FetchUser, ItemKind, NewAssessment, NewEnrolment, NewGrade, NewSection, Points,
};
use moodle_sim::{Change, ChangeBody, Clock as _, PushOptions, Role, SchoolState, SimMoodle};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Flags of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// SchoolBridge's wwwroot.
    #[arg(long, value_name = "URL")]
    schoolbridge: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 2)]
    clients: usize,
    /// Changes to send in the window (one call each, or in batches with --batch).
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// `grades` (only new_grade) or `mixed` (grades with user, enrolment and item updates).
    #[arg(long, default_value = "grades", value_parser = ["grades", "mixed"])]
    mix: String,
    /// Students in the set-up school.
    #[arg(long, default_value_t = 60)]
    students: u32,
    /// Sections (and grade items per section) in the set-up school.
    #[arg(long, default_value_t = 4)]
    sections: u32,
    /// Grade items per section.
    #[arg(long, default_value_t = 20)]
    items: u32,
    /// The server's process id, to sample its resident memory (Linux /proc).
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Start the server with this shell command (and watch its memory); needed for --kill-at.
    #[arg(long, value_name = "COMMAND")]
    server_cmd: Option<String>,
    /// Kill the server with SIGKILL after this many acknowledged calls, restart it with
    /// --server-cmd, and carry on.
    #[arg(long, value_name = "N")]
    kill_at: Option<usize>,
    /// A name that makes this run's eventids unique (default: the current time).
    #[arg(long)]
    run_id: Option<String>,
    /// Changes per call: 1 (the plugin's live queue) or a `schooltool/sis/batch` of that many
    /// (its full sync; at most 1000).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub batch: usize,
    /// After the window, send this many anonymous hostile requests and report what they cost
    /// the server (issue 18; `commands::hostile`).
    #[arg(long, value_name = "N")]
    hostile: Option<usize>,
    /// The server's data directory, whose size the hostile run reports before and after.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Print the results as one JSON object too.
    #[arg(long)]
    json: bool,
    /// When SchoolBridge does not know this Moodle yet (7020), wait (up to 5 minutes) for its
    /// administrator to add it instead of stopping.
    #[arg(long)]
    wait_for_peer: bool,
    #[command(flatten)]
    site: SiteArgs,
}

struct Prepared {
    params: Vec<Value>,
    method: String,
    body: Vec<u8>,
    /// Changes in the call (1, or the batch's size).
    changes: usize,
}

/// Runs `load`.
pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    if args.kill_at.is_some() && args.server_cmd.is_none() {
        bail!("--kill-at needs --server-cmd (the tool must be able to restart the server)");
    }
    let sb = args.schoolbridge.trim_end_matches('/').to_owned();
    let mut server = match &args.server_cmd {
        Some(cmd) => Some(Server::start(cmd, &sb).await?),
        None => None,
    };
    let run_id = args
        .run_id
        .clone()
        .unwrap_or_else(|| format!("{}", moodle_sim::SystemClock.now()));
    let cfg = config(
        &args.site,
        SchoolState::default(),
        &format!("load-{run_id}"),
    )
    .await?;
    let key = cfg.identity.key().clone();
    let sim = SimMoodle::new(cfg)?;
    let _serving = sim.serve(bind(args.site.listen).await?)?;
    let peer = sim
        .add_peer(&sb)
        .await
        .with_context(|| format!("keyswap with {sb}"))?;
    let mut waited = 0;
    loop {
        let probe = sim.call(&sb, "system/listServices", vec![]).await?;
        if probe.fault_code() != Some(7020) {
            break;
        }
        if !args.wait_for_peer || waited >= 150 {
            eprintln!(
                "SchoolBridge does not know this Moodle yet. Run on the SchoolBridge host:\n  schoolbridge peer add {} --yes",
                sim.wwwroot()
            );
            return Ok(ExitCode::from(3));
        }
        if waited == 0 {
            eprintln!(
                "waiting for SchoolBridge's administrator: schoolbridge peer add {} --yes",
                sim.wwwroot()
            );
        }
        waited += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    // 1. Set-up.
    let setup = setup_changes(&run_id, args.students, args.sections, args.items);
    let summary = sim
        .push(&peer.wwwroot, &setup, &PushOptions::default(), |_| {})
        .await;
    if let Some(stop) = summary.stopped {
        bail!("set-up push stopped: {stop:?}");
    }
    eprintln!("set-up: {} changes pushed", setup.len());
    // 2. Baseline.
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let round_rate = tokio::task::spawn_blocking(crypto_round_rate).await??;
    // 3. Seal everything before the window.
    let sb_cert = peer.certificate.clone();
    let prepared = prepare(&run_id, &args, &sim, &key, &sb_cert)?;
    eprintln!("sealed {} requests before the window", prepared.len());
    // 4. The window.
    let endpoint = format!("{sb}/mnet/xmlrpc/server.php");
    let http = reqwest::Client::builder()
        .user_agent("Moodle")
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(prepared.iter().map(|p| p.body.clone()).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let peak_kb = Arc::new(AtomicU64::new(0));
    let server_pid = server.as_ref().map(|s| s.pid()).or(args.server_pid);
    let sampler = spawn_memory_sampler(server_pid, Arc::clone(&peak_kb));
    let cpu_before = (
        server_pid.and_then(cpu_seconds),
        cpu_seconds(std::process::id()),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients.max(1) {
        let (http, bodies, next, acked, endpoint) = (
            http.clone(),
            Arc::clone(&bodies),
            Arc::clone(&next),
            Arc::clone(&acked),
            endpoint.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut results: Vec<(usize, Duration, Option<Vec<u8>>)> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t0 = Instant::now();
                // A connection error (the server being restarted) is retried for up to 30 s, as
                // the Moodle plugin's queue would; the latency then includes the wait.
                let mut reply = None;
                while t0.elapsed() < Duration::from_secs(30) {
                    match http
                        .post(&endpoint)
                        .header("Content-Type", "text/xml")
                        .body(body.clone())
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            reply = r.bytes().await.ok().map(|b| b.to_vec());
                            break;
                        }
                        Ok(_) => break,
                        Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
                if reply.is_some() {
                    acked.fetch_add(1, Ordering::Relaxed);
                }
                results.push((i, t0.elapsed(), reply));
            }
            results
        }));
    }
    // The killer, when asked: SIGKILL after K responses, restart, carry on.
    if let (Some(k), Some(s)) = (args.kill_at, server.as_mut()) {
        while acked.load(Ordering::Relaxed) < k && next.load(Ordering::Relaxed) < bodies.len() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        eprintln!(
            "killing the server (SIGKILL) after {} acknowledged calls",
            acked.load(Ordering::Relaxed)
        );
        s.kill_and_restart(&sb).await?;
        eprintln!("server restarted");
    }
    let mut results = Vec::new();
    for t in tasks {
        results.extend(t.await?);
    }
    let window = started.elapsed();
    // CPU used during the window (the server's: only when it was not restarted in between).
    let server_cpu = match (cpu_before.0, server_pid.and_then(cpu_seconds), args.kill_at) {
        (Some(a), Some(b), None) => Some(b - a),
        _ => None,
    };
    let client_cpu = match (cpu_before.1, cpu_seconds(std::process::id())) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    sampler.abort();
    // 5. Check every reply, then that nothing acknowledged was lost.
    let limits = Limits::default();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut acknowledged = Vec::new();
    let (mut transport_errors, mut faults) =
        (0usize, std::collections::BTreeMap::<i32, usize>::new());
    for (i, took, reply) in &results {
        let Some(body) = reply else {
            transport_errors += 1;
            continue;
        };
        latencies.push(*took);
        let now = sim.now();
        let timing = Timing {
            sent: now,
            received: now,
            drift_threshold: 3600,
        };
        match client::read_reply(body, &[&key], &sb_cert, timing, &limits, &mut rand::rng()) {
            Ok(r) => match r.reply {
                Reply::Value(_) => acknowledged.push(*i),
                Reply::Fault(f) => *faults.entry(f.code).or_default() += 1,
                Reply::KeyChanged(_) => *faults.entry(7025).or_default() += 1,
            },
            Err(e) => {
                transport_errors += 1;
                eprintln!("reply {i} rejected: {e}");
            }
        }
    }
    let lost = check_nothing_lost(&sim, &peer.wwwroot, &prepared, &acknowledged).await?;
    let mut report = Report::new(
        &args,
        window,
        &mut latencies,
        acknowledged.len(),
        transport_errors,
        faults,
        lost,
        peak_kb.load(Ordering::Relaxed),
        round_rate,
        cores,
    );
    report.server_cpu = server_cpu;
    report.client_cpu = client_cpu;
    report.print(args.json);
    if let Some(n) = args.hostile {
        let accepted_per_call = server_cpu.map(|c| c / acknowledged.len().max(1) as f64);
        let figures = super::hostile::run(
            &sb,
            sim.wwwroot(),
            &sb_cert,
            sim.now(),
            server_pid,
            args.data_dir.as_deref(),
            n,
        )
        .await?;
        figures.print(accepted_per_call);
    }
    if let Some(s) = server.take() {
        s.stop().await;
    }
    Ok(if lost == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The set-up school: one teacher, `sections` sections with `items` grade items each, every
/// student enrolled in every section.
fn setup_changes(run_id: &str, students: u32, sections: u32, items: u32) -> Vec<Change> {
    let mut out = Vec::new();
    let t0 = moodle_sim::SystemClock.now() - 86_400;
    let mut n = 0u64;
    let mut push = |body: ChangeBody| {
        n += 1;
        out.push(Change {
            eventid: format!("load-{run_id}-setup-{n}"),
            timemodified: t0,
            body,
        });
    };
    push(ChangeBody::FetchUser(FetchUser {
        idnumber: format!("load-{run_id}-t"),
        username: format!("load{run_id}t"),
        firstname: "Load".into(),
        lastname: "Teacher".into(),
        email: "teacher@load.example".into(),
    }));
    for s in 0..students {
        push(ChangeBody::FetchUser(FetchUser {
            idnumber: format!("load-{run_id}-s{s}"),
            username: format!("load{run_id}s{s}"),
            firstname: format!("Student{s}"),
            lastname: "Load".into(),
            email: format!("s{s}@load.example"),
        }));
    }
    for c in 0..sections {
        let sectionid = format!("load-{run_id}-c{c}");
        push(ChangeBody::NewSection(NewSection {
            idnumber: sectionid.clone(),
            name: format!("Load section {c}"),
            teacheridnumber: Some(format!("load-{run_id}-t")),
            segment: 1,
        }));
        for s in 0..students {
            push(ChangeBody::NewEnrolment(NewEnrolment {
                sectionid: sectionid.clone(),
                userid: format!("load-{run_id}-s{s}"),
                role: Role::Student,
            }));
        }
        for a in 0..items {
            push(ChangeBody::NewAssessment(NewAssessment {
                idnumber: format!("load-{run_id}-c{c}-a{a}"),
                sectionid: sectionid.clone(),
                name: format!("Item {a}"),
                chapternum: a % 10,
                honors_required: false,
                nonhonors_required: true,
                extra_credit: false,
                pointval: Points::whole(100),
                kind: ItemKind::Item,
            }));
        }
    }
    out
}

/// Seals every request of the window.
fn prepare(
    run_id: &str,
    args: &LoadArgs,
    sim: &SimMoodle,
    key: &SitePrivateKey,
    sb: &PeerCertificate,
) -> anyhow::Result<Vec<Prepared>> {
    let caller = Caller {
        wwwroot: sim.wwwroot(),
        key,
        publickey_path: PublicKeyPath::Moodle,
    };
    let (students, sections, items) = (
        args.students.max(1) as usize,
        args.sections.max(1) as usize,
        args.items.max(1) as usize,
    );
    let now = sim.now();
    let mut rng = rand::rng();
    let mut out = Vec::new();
    let mut changes = Vec::with_capacity(args.count);
    for i in 0..args.count {
        let (c, a, s) = (
            i % sections,
            (i / sections) % items,
            (i / (sections * items)) % students,
        );
        let body = if args.mix == "mixed" && i % 10 == 9 {
            // One call in ten updates a person (a typical profile edit).
            ChangeBody::FetchUser(FetchUser {
                idnumber: format!("load-{run_id}-s{s}"),
                username: format!("load{run_id}s{s}"),
                firstname: format!("Student{s}"),
                lastname: format!("Load{}", i % 7),
                email: format!("s{s}@load.example"),
            })
        } else {
            ChangeBody::NewGrade(NewGrade {
                assessmentid: format!("load-{run_id}-c{c}-a{a}"),
                userid: format!("load-{run_id}-s{s}"),
                points_earned: Some(Points::hundredths(((i * 37) % 10_000) as u32)),
                excepted: false,
                attempt_num: 1 + (i / (sections * items * students)) as u32,
            })
        };
        changes.push(Change {
            eventid: format!("load-{run_id}-{i}"),
            timemodified: now - 60 + (i as i64 % 60),
            body,
        });
    }
    let per_call = args.batch.clamp(1, mnet::sis::limits::MAX_BATCH_CHANGES);
    for part in changes.chunks(per_call) {
        let (method, params) = if per_call == 1 {
            (part[0].method(), part[0].params())
        } else {
            let batch = mnet::sis::Batch {
                changes: part.iter().map(Change::to_wire).collect(),
            };
            (mnet::sis::BATCH_PATH.to_owned(), batch.to_params())
        };
        let built =
            client::build_request(&caller, sb, &method, &params, now, Cipher::Rc4, &mut rng)?;
        out.push(Prepared {
            params,
            method,
            body: built.body,
            changes: part.len(),
        });
    }
    Ok(out)
}

/// Sends every acknowledged call again (same eventid, new envelope): each must come back as a
/// replay. Returns how many did not (lost).
async fn check_nothing_lost(
    sim: &SimMoodle,
    peer: &str,
    prepared: &[Prepared],
    acknowledged: &[usize],
) -> anyhow::Result<usize> {
    let mut lost = 0;
    for &i in acknowledged {
        let p = &prepared[i];
        let reply = sim.call(peer, &p.method, p.params.clone()).await?;
        let replayed = |s: &mnet::xmlrpc::Struct| {
            s.get("replayed")
                .and_then(Value::as_bool_lenient)
                .unwrap_or(false)
        };
        // A single change is replayed; a batch's changes each are.
        let missing = match reply.into_value() {
            Ok(Value::Struct(s)) => match s.get("results").and_then(Value::list_lenient) {
                Some(items) => {
                    items
                        .iter()
                        .filter(|r| !r.as_struct().is_some_and(replayed))
                        .count()
                        + p.changes.saturating_sub(items.len())
                }
                None => usize::from(!replayed(&s)),
            },
            _ => p.changes,
        };
        if missing > 0 {
            lost += missing;
            eprintln!(
                "LOST: call {i} ({}) was acknowledged but SchoolBridge lacks {missing} of its changes",
                p.method
            );
        }
    }
    Ok(lost)
}

/// The pure crypto of one server round, single-threaded: open + verify + sign + seal.
fn crypto_round_rate() -> anyhow::Result<f64> {
    let mut rng = rand::rng();
    let server = SitePrivateKey::generate(&mut rng, 2048)?;
    let client_key = SitePrivateKey::generate(&mut rng, 2048)?;
    let cert = |key: &SitePrivateKey, www: &str| -> anyhow::Result<PeerCertificate> {
        let identity =
            moodle_sim::SiteIdentity::moodle_shaped(key.clone(), www, "Baseline", 1_800_000_000)?;
        Ok(identity.certificate().clone())
    };
    let (server_cert, client_cert) = (
        cert(&server, "http://s.example")?,
        cert(&client_key, "http://c.example")?,
    );
    let params = vec![Value::Struct(
        Struct::new()
            .with("assessmentid", "moodle-gradeitem-1")
            .with("userid", "moodle-user-1")
            .with("points_earned", "7.5")
            .with("eventid", "e")
            .with("timemodified", 1),
    )];
    let caller = Caller {
        wwwroot: "http://c.example",
        key: &client_key,
        publickey_path: PublicKeyPath::Moodle,
    };
    let request = client::build_request(
        &caller,
        &server_cert,
        "schooltool/sis/new_grade",
        &params,
        1_800_000_000,
        Cipher::Rc4,
        &mut rng,
    )?;
    let limits = Limits::default();
    let reply = write_response(&Value::Struct(Struct::new().with("status", "created")));
    let rounds = 40;
    let t0 = Instant::now();
    for _ in 0..rounds {
        let env = EncryptedEnvelope::parse(&request.body, &limits)?;
        let opened = env.open(&[&server], &mut rng).map_err(|e| anyhow!("{e}"))?;
        let verified = opened
            .signed_envelope(&limits)?
            .verify(&client_cert)
            .map_err(|e| anyhow!("{e}"))?;
        std::hint::black_box(parse_call(&verified.payload, &limits)?);
        let w = Wrapping {
            sign_with: Some(&server),
            encrypt_to: Some(&client_cert),
            wwwroot: "http://s.example",
            timestamp: 1,
            cipher: Cipher::Rc4,
            publickey_path: PublicKeyPath::Moodle,
        };
        std::hint::black_box(w.wrap(reply.as_bytes(), &mut rng)?);
    }
    Ok(f64::from(rounds) / t0.elapsed().as_secs_f64())
}

/// Samples VmRSS of the process every 50 ms; keeps the peak (kB).
fn spawn_memory_sampler(pid: Option<u32>, peak: Arc<AtomicU64>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(pid) = pid else { return };
        loop {
            if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                for line in text.lines() {
                    if let Some(v) = line
                        .strip_prefix("VmRSS:")
                        .or_else(|| line.strip_prefix("VmHWM:"))
                    {
                        let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                        peak.fetch_max(kb, Ordering::Relaxed);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

/// User + system CPU seconds of a process so far (Linux `/proc/PID/stat`).
pub(super) fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The server started by the tool.
struct Server {
    cmd: String,
    child: tokio::process::Child,
}

impl Server {
    async fn start(cmd: &str, url: &str) -> anyhow::Result<Server> {
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec {cmd}"))
            .kill_on_drop(true)
            .spawn()
            .context("starting --server-cmd")?;
        let s = Server {
            cmd: cmd.to_owned(),
            child,
        };
        wait_healthy(url).await?;
        Ok(s)
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    async fn kill_and_restart(&mut self, url: &str) -> anyhow::Result<()> {
        self.child.start_kill()?;
        let _ = self.child.wait().await;
        *self = Server::start(&self.cmd.clone(), url).await?;
        Ok(())
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

async fn wait_healthy(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{url}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become healthy at {url}/healthz within 60 s")
}

struct Report {
    calls: usize,
    /// Changes per call (1, or the batch size).
    batch: usize,
    clients: usize,
    window: Duration,
    acknowledged: usize,
    transport_errors: usize,
    faults: std::collections::BTreeMap<i32, usize>,
    lost: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    peak_mb: f64,
    round_rate: f64,
    cores: usize,
    server_cpu: Option<f64>,
    client_cpu: Option<f64>,
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    fn new(
        args: &LoadArgs,
        window: Duration,
        latencies: &mut [Duration],
        acknowledged: usize,
        transport_errors: usize,
        faults: std::collections::BTreeMap<i32, usize>,
        lost: usize,
        peak_kb: u64,
        round_rate: f64,
        cores: usize,
    ) -> Report {
        latencies.sort();
        let pct = |p: f64| -> f64 {
            if latencies.is_empty() {
                return 0.0;
            }
            let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
            latencies[i].as_secs_f64() * 1000.0
        };
        Report {
            calls: args.count.div_ceil(args.batch.max(1)),
            batch: args.batch.max(1),
            clients: args.clients,
            window,
            acknowledged,
            transport_errors,
            faults,
            lost,
            p50: pct(0.50),
            p90: pct(0.90),
            p99: pct(0.99),
            peak_mb: peak_kb as f64 / 1024.0,
            round_rate,
            cores,
            server_cpu: None,
            client_cpu: None,
        }
    }

    fn print(&self, json: bool) {
        let rps = self.acknowledged as f64 / self.window.as_secs_f64();
        let crypto = self.round_rate * self.cores as f64;
        println!("calls sent           {}", self.calls);
        println!("clients              {}", self.clients);
        println!("window               {:.2} s", self.window.as_secs_f64());
        println!("acknowledged         {}", self.acknowledged);
        println!("throughput           {rps:.1} calls/s");
        if self.batch > 1 {
            println!(
                "changes per call     {} (throughput {:.1} changes/s)",
                self.batch,
                rps * self.batch as f64
            );
        }
        println!(
            "latency p50/p90/p99  {:.1} / {:.1} / {:.1} ms",
            self.p50, self.p90, self.p99
        );
        println!("transport errors     {}", self.transport_errors);
        println!("faults               {:?}", self.faults);
        println!(
            "server peak RSS      {}",
            if self.peak_mb > 0.0 {
                format!("{:.1} MB", self.peak_mb)
            } else {
                "not measured (use --server-pid or --server-cmd)".into()
            }
        );
        println!(
            "crypto round rate    {:.1} /s single-threaded × {} cores = {:.1} /s",
            self.round_rate, self.cores, crypto
        );
        println!("throughput / crypto  {:.1} %", rps / crypto * 100.0);
        let per_call = |cpu: Option<f64>| {
            cpu.filter(|_| self.acknowledged > 0)
                .map(|c| c * 1000.0 / self.acknowledged as f64)
        };
        if let Some(ms) = per_call(self.server_cpu) {
            println!(
                "server CPU per call  {ms:.2} ms (the crypto round alone: {:.2} ms)",
                1000.0 / self.round_rate
            );
        }
        if let Some(ms) = per_call(self.client_cpu) {
            println!("client CPU per call  {ms:.2} ms (this tool, same machine)");
        }
        println!("lost (acknowledged but not stored): {}", self.lost);
        if json {
            println!(
                "{{\"calls\":{},\"batch\":{},\"clients\":{},\"window_s\":{:.3},\"acknowledged\":{},\"rps\":{:.2},\"p50_ms\":{:.2},\"p90_ms\":{:.2},\"p99_ms\":{:.2},\"transport_errors\":{},\"faults\":{},\"peak_rss_mb\":{:.1},\"crypto_round_rate\":{:.2},\"cores\":{},\"ratio\":{:.4},\"lost\":{}}}",
                self.calls,
                self.batch,
                self.clients,
                self.window.as_secs_f64(),
                self.acknowledged,
                rps,
                self.p50,
                self.p90,
                self.p99,
                self.transport_errors,
                self.faults.values().sum::<usize>(),
                self.peak_mb,
                self.round_rate,
                self.cores,
                rps / crypto,
                self.lost
            );
        }
    }
}
