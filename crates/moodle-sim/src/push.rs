//! Pushing changes to a peer the way our Moodle plugin's queue sends them
//! (`docs/design/002-moodle-plugin.md` decision 5): in order, one call at a time — one change
//! per call, or many per `schooltool/sis/batch` call (`PushOptions::batch`, what the plugin's full
//! sync does). 8103/8104/8105/8199 are retried a few times with a short, doubling back-off; other
//! `schooltool_sis` faults are counted and the push goes on; an MNet-level refusal stops it,
//! because every later call would be refused the same way.
//!
//! Built on `client` (one call) and `sim` (the site); neither of them knows this module.

use crate::client::Reply;
use crate::school::Change;
use crate::sim::{PushOptions, SimMoodle};
use mnet::services::SisFaultCode;
use mnet::xmlrpc::{Fault, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

/// Where a push is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PushProgress {
    /// Changes done (accepted or given up).
    pub done: usize,
    /// Changes in the push.
    pub total: usize,
    /// Calls made, retries included.
    pub calls: u64,
    /// Fault answers so far.
    pub faults: u64,
    /// Time since the push began.
    pub elapsed: Duration,
}

/// Why a push stopped before the end.
#[derive(Debug, Clone, PartialEq)]
pub enum PushStop {
    /// 7020: the peer does not know this Moodle — its administrator has not added it yet.
    NotAPeer {
        /// Our wwwroot, to add on the peer.
        our_wwwroot: String,
    },
    /// 7012: the method is not published to this Moodle.
    NotPublished {
        /// The method refused.
        method: String,
        /// Our wwwroot.
        our_wwwroot: String,
    },
    /// 7021: the transport was refused.
    TransportRefused,
    /// Another MNet fault (7023 and the like).
    Fault(Fault),
    /// The call could not be made or its reply was refused.
    Error(String),
}

impl fmt::Display for PushStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushStop::NotAPeer { our_wwwroot } => write!(
                f,
                "SchoolBridge answered 7020: it does not know this Moodle yet. Its administrator must \
                 add it as a peer, while this simulator answers at {our_wwwroot}:\n    \
                 schoolbridge peer add {our_wwwroot} --yes"
            ),
            PushStop::NotPublished {
                method,
                our_wwwroot,
            } => write!(
                f,
                "SchoolBridge answered 7012 to {method}: it does not offer that method to this Moodle \
                 ({our_wwwroot}). Publish the schooltool_sis service to this peer in SchoolBridge (or \
                 use a SchoolBridge that implements it), then run the scenario again."
            ),
            PushStop::TransportRefused => write!(
                f,
                "SchoolBridge answered 7021: it refused the transport (the call was not signed and \
                 encrypted as it expects). This is a bug in the simulator or in SchoolBridge."
            ),
            PushStop::Fault(fault) => write!(
                f,
                "SchoolBridge answered MNet fault {}: {}",
                fault.code,
                fault.string.chars().take(200).collect::<String>()
            ),
            PushStop::Error(message) => write!(f, "the call failed: {message}"),
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PushSummary {
    /// Changes in the push.
    pub total: usize,
    /// Changes that were sent (accepted or given up), in order from the first.
    pub done: usize,
    /// Calls made, retries included.
    pub calls: u64,
    /// Changes accepted, by the `status` of the reply (`created`, `updated`, …).
    pub statuses: BTreeMap<String, u64>,
    /// Fault answers by code, retried ones included.
    pub faults: BTreeMap<i32, u64>,
    /// Changes given up after a fault.
    pub rejected: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Why the push stopped early, if it did.
    pub stopped: Option<PushStop>,
}

impl PushSummary {
    /// Calls per second of wall time.
    pub fn calls_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.calls as f64 / secs
        } else {
            0.0
        }
    }

    /// Changes accepted.
    pub fn accepted(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// Where the push stands, for the progress callback.
    pub fn progress(&self) -> PushProgress {
        PushProgress {
            done: self.done,
            total: self.total,
            calls: self.calls,
            faults: self.faults.values().sum(),
            elapsed: self.elapsed,
        }
    }
}

impl fmt::Display for PushSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} of {} changes sent in {:.1} s: {} calls ({:.1} calls/s)",
            self.done,
            self.total,
            self.elapsed.as_secs_f64(),
            self.calls,
            self.calls_per_second()
        )?;
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        if statuses.is_empty() {
            writeln!(f, "accepted: 0")?;
        } else {
            writeln!(f, "accepted: {} ({})", self.accepted(), statuses.join(", "))?;
        }
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(c, n)| format!("{c}×{n}"))
            .collect();
        write!(
            f,
            "faults: {} ({}); changes given up: {}",
            self.faults.values().sum::<u64>(),
            if faults.is_empty() {
                "none".to_owned()
            } else {
                faults.join(", ")
            },
            self.rejected
        )
    }
}

/// A push under way: when it started, and what happened so far.
struct Run {
    started: Instant,
    summary: PushSummary,
}

/// What to do with a fault.
enum FaultAction {
    Retry,
    GiveUp,
    Stop(PushStop),
}

impl SimMoodle {
    /// Pushes changes to a peer, in order, and reports what happened: one call each, or in
    /// batches when `options.batch` > 1. `progress` is called after every change (every batch).
    pub async fn push(
        &self,
        peer_wwwroot: &str,
        changes: &[Change],
        options: &PushOptions,
        progress: impl FnMut(&PushProgress),
    ) -> PushSummary {
        let mut run = Run {
            started: Instant::now(),
            summary: PushSummary {
                total: changes.len(),
                ..PushSummary::default()
            },
        };
        if options.batch > 1 {
            self.push_batches(peer_wwwroot, changes, options, &mut run, progress)
                .await;
        } else {
            self.push_one_by_one(peer_wwwroot, changes, options, &mut run, progress)
                .await;
        }
        run.summary.elapsed = run.started.elapsed();
        run.summary
    }

    async fn push_one_by_one(
        &self,
        peer_wwwroot: &str,
        changes: &[Change],
        options: &PushOptions,
        run: &mut Run,
        mut progress: impl FnMut(&PushProgress),
    ) {
        let Run { started, summary } = run;
        'changes: for change in changes {
            let mut attempt = 0u32;
            loop {
                summary.calls += 1;
                let reply = self
                    .call(peer_wwwroot, &change.method(), change.params())
                    .await;
                let fault = match reply {
                    Ok(Reply::Value(value)) => {
                        *summary.statuses.entry(status_of(&value)).or_insert(0) += 1;
                        break;
                    }
                    Ok(Reply::Fault(f) | Reply::PlainFault(f)) => f,
                    Err(e) => {
                        summary.stopped = Some(PushStop::Error(e.to_string()));
                        break 'changes;
                    }
                };
                *summary.faults.entry(fault.code).or_insert(0) += 1;
                match self.fault_action(&fault, &change.method()) {
                    FaultAction::Retry if attempt < options.retries => {
                        let wait = options.backoff_after(attempt);
                        tracing::debug!(code = fault.code, eventid = %change.eventid, "retrying after {wait:?}");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    FaultAction::Retry | FaultAction::GiveUp => {
                        tracing::warn!(code = fault.code, method = %change.method(), eventid = %change.eventid, "change refused: {}", fault.string);
                        summary.rejected += 1;
                        break;
                    }
                    FaultAction::Stop(stop) => {
                        summary.stopped = Some(stop);
                        break 'changes;
                    }
                }
            }
            summary.done += 1;
            summary.elapsed = started.elapsed();
            progress(&summary.progress());
        }
    }

    /// Batches of up to `options.batch` changes, one call each, in order. A change the batch's
    /// reply reports with a retryable fault (8103–8105) is sent again, after a back-off, in a
    /// later batch of its own; a whole call answered 8199 is sent again as it is.
    async fn push_batches(
        &self,
        peer_wwwroot: &str,
        changes: &[Change],
        options: &PushOptions,
        run: &mut Run,
        mut progress: impl FnMut(&PushProgress),
    ) {
        let Run { started, summary } = run;
        let size = options.batch.clamp(1, mnet::sis::limits::MAX_BATCH_CHANGES);
        'batches: for part in changes.chunks(size) {
            let mut pending: Vec<&Change> = part.iter().collect();
            let mut attempt = 0u32;
            while !pending.is_empty() {
                summary.calls += 1;
                let batch = mnet::sis::Batch {
                    changes: pending.iter().map(|c| c.to_wire()).collect(),
                };
                let reply = self
                    .call(peer_wwwroot, mnet::sis::BATCH_PATH, batch.to_params())
                    .await;
                let results = match reply {
                    Ok(Reply::Value(value)) => batch_results(&value),
                    Ok(Reply::Fault(f) | Reply::PlainFault(f)) => {
                        *summary.faults.entry(f.code).or_insert(0) += 1;
                        match self.fault_action(&f, mnet::sis::BATCH_PATH) {
                            FaultAction::Retry if attempt < options.retries => {
                                tokio::time::sleep(options.backoff_after(attempt)).await;
                                attempt += 1;
                                continue;
                            }
                            FaultAction::Retry | FaultAction::GiveUp => {
                                summary.rejected += pending.len() as u64;
                                summary.done += pending.len();
                                break;
                            }
                            FaultAction::Stop(stop) => {
                                summary.stopped = Some(stop);
                                break 'batches;
                            }
                        }
                    }
                    Err(e) => {
                        summary.stopped = Some(PushStop::Error(e.to_string()));
                        break 'batches;
                    }
                };
                let mut again = Vec::new();
                for (change, result) in pending.iter().zip(results) {
                    match result {
                        Ok(status) => {
                            *summary.statuses.entry(status).or_insert(0) += 1;
                            summary.done += 1;
                        }
                        Err(code) => {
                            *summary.faults.entry(code).or_insert(0) += 1;
                            let retryable = matches!(code, 8103..=8105);
                            if retryable && attempt < options.retries {
                                again.push(*change);
                            } else {
                                tracing::warn!(code, method = %change.method(), eventid = %change.eventid, "change refused");
                                summary.rejected += 1;
                                summary.done += 1;
                            }
                        }
                    }
                }
                if !again.is_empty() {
                    tokio::time::sleep(options.backoff_after(attempt)).await;
                    attempt += 1;
                }
                pending = again;
            }
            summary.elapsed = started.elapsed();
            progress(&summary.progress());
        }
    }

    fn fault_action(&self, fault: &Fault, method: &str) -> FaultAction {
        let retryable = [
            SisFaultCode::UnknownSection,
            SisFaultCode::UnknownPerson,
            SisFaultCode::UnknownAssessment,
            SisFaultCode::StorageUnavailable,
        ];
        match fault.code {
            c if retryable.iter().any(|r| r.code() == c) => FaultAction::Retry,
            8100..=8199 => FaultAction::GiveUp,
            7020 => FaultAction::Stop(PushStop::NotAPeer {
                our_wwwroot: self.wwwroot().to_owned(),
            }),
            7012 => FaultAction::Stop(PushStop::NotPublished {
                method: method.to_owned(),
                our_wwwroot: self.wwwroot().to_owned(),
            }),
            7021 => FaultAction::Stop(PushStop::TransportRefused),
            _ => FaultAction::Stop(PushStop::Fault(fault.clone())),
        }
    }

    /// Pushes a full sync of everything the site holds to a peer in the background, as the
    /// plugin's adhoc task does after `request_full_sync`.
    pub fn spawn_full_sync(&self, peer_wwwroot: &str) -> tokio::task::JoinHandle<PushSummary> {
        let (sim, peer) = (self.clone(), peer_wwwroot.to_owned());
        tokio::spawn(async move {
            let changes = sim.full_sync_changes();
            let options = sim.inner.push_options;
            tracing::info!(peer = %peer, changes = changes.len(), "full sync queued");
            let summary = sim.push(&peer, &changes, &options, |_| {}).await;
            match &summary.stopped {
                None => tracing::info!(peer = %peer, "full sync done: {}", summary.done),
                Some(stop) => tracing::warn!(peer = %peer, "full sync stopped: {stop}"),
            }
            summary
        })
    }
}

/// A batch reply's results: each change's status (as [`status_of`] reads it) or fault code.
fn batch_results(value: &Value) -> Vec<Result<String, i32>> {
    let items = value
        .as_struct()
        .and_then(|s| s.get("results"))
        .and_then(Value::list_lenient)
        .unwrap_or_default();
    items
        .iter()
        .map(|item| {
            match item
                .as_struct()
                .and_then(|s| s.get("faultCode"))
                .and_then(Value::as_i64_lenient)
            {
                Some(code) => Err(i32::try_from(code).unwrap_or(i32::MAX)),
                None => Ok(status_of(item)),
            }
        })
        .collect()
}

/// The `status` member of a `schooltool_sis` reply (`docs/schooltool-sis.md` "Reply"), or
/// "ok" for a reply without one; "replayed" when the change had been applied before.
fn status_of(value: &Value) -> String {
    let Some(s) = value.as_struct() else {
        return "ok".to_owned();
    };
    if s.get("replayed").and_then(Value::as_bool_lenient) == Some(true) {
        return "replayed".to_owned();
    }
    s.get("status")
        .and_then(Value::to_text_lenient)
        .filter(|t| !t.is_empty() && t.len() <= 32)
        .unwrap_or_else(|| "ok".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnet::xmlrpc::Struct;

    #[test]
    fn statuses_are_read_leniently() {
        let reply = |s: Struct| Value::Struct(s);
        assert_eq!(
            status_of(&reply(Struct::new().with("status", "created"))),
            "created"
        );
        assert_eq!(
            status_of(&reply(
                Struct::new()
                    .with("status", "created")
                    .with("replayed", true)
            )),
            "replayed"
        );
        assert_eq!(status_of(&Value::Bool(true)), "ok");
    }

    #[test]
    fn stop_messages_say_what_to_do() {
        let stop = PushStop::NotAPeer {
            our_wwwroot: "http://127.0.0.1:8081".into(),
        };
        assert!(
            stop.to_string()
                .contains("schoolbridge peer add http://127.0.0.1:8081 --yes")
        );
        let summary = PushSummary {
            total: 3,
            done: 2,
            calls: 4,
            elapsed: Duration::from_secs(2),
            ..PushSummary::default()
        };
        assert!((summary.calls_per_second() - 2.0).abs() < 1e-9);
        assert!(summary.to_string().starts_with("2 of 3 changes"));
    }
}
