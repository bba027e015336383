//! `moodle-sim scenario`: registers the simulated site with SchoolBridge (keyswap, storing
//! SchoolBridge's certificate) and pushes a generated school or a scripted story, one call per
//! change (or `--batch N` changes per `schooltool/sis/batch` call), in order, printing progress
//! and a summary. It stops with the command to run when SchoolBridge does not know this Moodle yet
//! (7020), and on 7012/7021. `--full-sync` sends instead what the site holds at the end of that
//! history, as the plugin's full sync does (BENCHMARKS.md: the second sync of an unchanged school).

use super::site::{SchoolArgs, SiteArgs, bind, config, until_stopped};
use anyhow::{Context, anyhow};
use clap::Args;
use moodle_sim::school::calendar::format_date_time;
use moodle_sim::{
    Change, PushOptions, PushProgress, PushStop, PushSummary, SchoolState, SimMoodle, Story,
};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Flags of `scenario`.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// SchoolBridge's wwwroot.
    #[arg(long, value_name = "URL")]
    schoolbridge: Option<String>,
    /// Push this story instead of a generated school (see `moodle-sim stories`).
    #[arg(long, value_name = "NAME")]
    story: Option<String>,
    #[command(flatten)]
    site: SiteArgs,
    #[command(flatten)]
    school: SchoolArgs,
    /// Do not serve: another `moodle-sim serve` with the same --key-file and --wwwroot
    /// answers for this site.
    #[arg(long)]
    no_listen: bool,
    /// On 7020, keep serving and retry every few seconds until SchoolBridge's administrator
    /// has added this Moodle, instead of stopping.
    #[arg(long)]
    wait_for_peer: bool,
    /// Keep serving after the push until Ctrl-C (to try SSO in a browser, for instance).
    #[arg(long)]
    keep_serving: bool,
    /// Retries of a change answered 8103/8104/8105/8199.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// First retry delay in milliseconds (doubles on each retry).
    #[arg(long, default_value_t = 250, value_name = "MS")]
    backoff_ms: u64,
    /// Print the changes instead of sending them (no network, no key needed).
    #[arg(long)]
    dry_run: bool,
    /// Changes per call: 1 sends each change on its own, as the plugin's live queue does; more
    /// sends `schooltool/sis/batch` calls of that many (at most 1000), as its full sync does.
    #[arg(long, default_value_t = 1, value_name = "N")]
    batch: usize,
    /// Send only the first N changes (a per-call baseline on part of a large school).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Instead of the school's history, send what the site holds at its end as a full sync
    /// (the plugin's `fullsync`: each record once, with the time it last changed, eventids
    /// `…-sync1`). Run after the history was sent, every change should come back "unchanged".
    #[arg(long)]
    full_sync: bool,
}

/// Prints the stories.
pub fn list_stories() {
    println!("Stories (moodle-sim scenario --story NAME), the scenarios of docs/product.md §5:");
    for story in Story::ALL {
        println!(
            "  {:<27} §5.{}  {} changes\n      {}",
            story.name(),
            story.scenario(),
            story.changes(1).len(),
            story.summary()
        );
    }
}

/// Runs `scenario`.
pub async fn run(args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    let (label, mut changes, prefix) = match &args.story {
        Some(name) => {
            let story = Story::from_name(name).ok_or_else(|| {
                anyhow!("there is no story {name:?}; `moodle-sim stories` lists them")
            })?;
            (
                format!(
                    "story §5.{} {}: {}",
                    story.scenario(),
                    story.name(),
                    story.summary()
                ),
                story.changes(args.school.seed),
                format!("story-{}-s{}", story.name(), args.school.seed),
            )
        }
        None => {
            let school = args.school.generate()?;
            let label = format!(
                "school (seed {}): {} people, {} sections, {} grade items per section",
                args.school.seed,
                school.users.len(),
                args.school.sections,
                args.school.assessments_per_section
            );
            let prefix = school.spec.eventid_prefix();
            (label, school.changes, prefix)
        }
    };
    if let Some(limit) = args.limit {
        changes.truncate(limit);
    }
    if args.dry_run {
        // A closed pipe (`| head`) ends the listing quietly.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "# {label}");
        for change in &changes {
            if writeln!(out, "{}", describe(change)).is_err() {
                break;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let schoolbridge = args
        .schoolbridge
        .as_deref()
        .ok_or_else(|| anyhow!("--schoolbridge URL is required (unless --dry-run)"))?;

    let state = SchoolState::from_changes(&changes);
    let sim = SimMoodle::new(config(&args.site, state, &format!("{prefix}-moodle")).await?)?;
    let handle = if args.no_listen {
        None
    } else {
        Some(sim.serve(bind(args.site.listen).await?)?)
    };
    println!("Simulated Moodle {} at {}", sim.site_name(), sim.wwwroot());
    let changes = if args.full_sync {
        println!("Full sync of what the {label} holds at its end");
        sim.full_sync_changes()
    } else {
        changes
    };
    println!("Pushing {} changes of the {label}", changes.len());

    let peer = sim
        .add_peer(schoolbridge)
        .await
        .with_context(|| format!("registering with SchoolBridge at {schoolbridge} (keyswap)"))?;
    println!(
        "Swapped keys with {} ({}), certificate SHA-256 {}",
        peer.wwwroot,
        peer.name,
        peer.certificate.fingerprint_sha256()
    );

    let options = PushOptions {
        retries: args.retries,
        backoff: Duration::from_millis(args.backoff_ms),
        batch: args.batch,
    };
    let total = push_all(
        &sim,
        &peer.wwwroot,
        &changes,
        &options,
        &args,
        handle.is_some(),
    )
    .await;
    println!("{total}");
    println!("{}", changes_per_second(&total));
    let counts = sim.school().counts();
    println!(
        "Moodle holds: {} users, {} sections, {} enrolments, {} grade items, {} grades",
        counts.users, counts.sections, counts.enrolments, counts.assessments, counts.grades
    );
    let code = match &total.stopped {
        None => ExitCode::SUCCESS,
        Some(stop) => {
            eprintln!("Stopped: {stop}");
            if matches!(stop, PushStop::NotAPeer { .. }) {
                eprintln!(
                    "This run has stopped answering at {w}. For `peer add` to reach it, run the scenario \
                     again with --wait-for-peer (it keeps answering and goes on once the peer is added), \
                     or keep `moodle-sim serve --wwwroot {w} --key-file …` running while you add it and \
                     then run the scenario with the same --key-file and --no-listen.",
                    w = sim.wwwroot()
                );
            }
            ExitCode::from(3)
        }
    };
    if let Some(handle) = handle {
        if args.keep_serving {
            println!("Still serving at {} — press Ctrl-C to stop.", sim.wwwroot());
            until_stopped().await?;
        }
        handle.stop().await;
    }
    Ok(code)
}

/// Pushes `changes` to the end, waiting (when asked and serving) for the peer to be added.
async fn push_all(
    sim: &SimMoodle,
    peer: &str,
    changes: &[Change],
    options: &PushOptions,
    args: &ScenarioArgs,
    serving: bool,
) -> PushSummary {
    let mut total = PushSummary {
        total: changes.len(),
        ..PushSummary::default()
    };
    let started = Instant::now();
    // Time spent waiting for the administrator is not the push's: the summary leaves it out.
    let mut waited = Duration::ZERO;
    let mut printer = ProgressPrinter::new(changes.len());
    loop {
        let rest = &changes[total.done..];
        let offset = total.done;
        let part = sim
            .push(peer, rest, options, |p| printer.show(p, offset))
            .await;
        merge(&mut total, part);
        total.elapsed = started.elapsed().saturating_sub(waited);
        match &total.stopped {
            Some(stop @ PushStop::NotAPeer { .. }) if args.wait_for_peer && serving => {
                if !printer.waiting {
                    println!("{stop}");
                    println!("Waiting for SchoolBridge to add this Moodle (Ctrl-C to give up)…");
                    printer.waiting = true;
                }
                total.stopped = None;
                let wait = Instant::now();
                tokio::time::sleep(Duration::from_secs(3)).await;
                waited += wait.elapsed();
            }
            _ => break,
        }
    }
    total
}

/// The summary's rate in changes rather than calls (they differ with `--batch`).
fn changes_per_second(s: &PushSummary) -> String {
    let secs = s.elapsed.as_secs_f64().max(1e-3);
    format!(
        "{} changes in {:.1} s: {:.1} changes/s",
        s.done,
        secs,
        s.done as f64 / secs
    )
}

/// Adds a partial push (after a wait) to the running total.
fn merge(total: &mut PushSummary, part: PushSummary) {
    total.done += part.done;
    total.calls += part.calls;
    total.rejected += part.rejected;
    for (k, v) in part.statuses {
        *total.statuses.entry(k).or_insert(0) += v;
    }
    for (k, v) in part.faults {
        *total.faults.entry(k).or_insert(0) += v;
    }
    total.stopped = part.stopped;
}

/// Prints a progress line every two seconds, and the last one.
struct ProgressPrinter {
    total: usize,
    last: Option<Instant>,
    waiting: bool,
}

impl ProgressPrinter {
    fn new(total: usize) -> Self {
        Self {
            total,
            last: None,
            waiting: false,
        }
    }

    fn show(&mut self, p: &PushProgress, offset: usize) {
        let done = offset + p.done;
        let due = self
            .last
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        if !due && done != self.total {
            return;
        }
        self.last = Some(Instant::now());
        self.waiting = false;
        let rate = p.calls as f64 / p.elapsed.as_secs_f64().max(1e-3);
        println!(
            "  {done:>8}/{} changes  {:>3}%  {rate:>7.1} calls/s  faults {}",
            self.total,
            done * 100 / self.total.max(1),
            p.faults
        );
    }
}

/// One line per change for `--dry-run`: when, method, eventid and the fields.
fn describe(change: &Change) -> String {
    let fields: Vec<String> = change
        .body_fields()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{}  {:<17} {}  {}",
        format_date_time(change.timemodified),
        change.body.method_name(),
        change.eventid,
        fields.join(" ")
    )
}
