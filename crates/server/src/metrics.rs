//! What Prometheus reads at `/metrics` (`docs/operations.md`, "Monitoring"): MNet calls and
//! faults by method and code, their latency and size, sign-in failures, CSV batch sizes —
//! counted as they happen — and, read from the database at each scrape, every peer's last
//! contact and the days left on every key (peers', ours, and the HTTPS certificate).
//!
//! Labels stay bounded whatever peers send: a method we do not know is counted as `other`, a
//! fault code outside Moodle's range as `other`, so a stream of made-up method names cannot
//! grow the registry without end.
//!
//! Who may read it is decided in `http::metrics_endpoint`.

use crate::state::AppState;
use crate::store::AuditOutcome;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Direction of an MNet call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A peer called us.
    In,
    /// We called a peer.
    Out,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    direction: String,
    method: String,
    outcome: String,
    code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    direction: String,
    method: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PeerLabels {
    peer: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FileLabels {
    file: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    schema: String,
    console: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The registry and its metrics (cheap to clone).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    calls: Family<CallLabels, Counter>,
    duration: Family<MethodLabels, Histogram>,
    request_bytes: Family<MethodLabels, Histogram>,
    sign_in_failures: Family<ReasonLabels, Counter>,
    mnet_throttled: Family<ReasonLabels, Counter>,
    csv_batch_lines: Histogram,
    peer_last_contact: Family<PeerLabels, FloatGauge>,
    peer_key_days: Family<PeerLabels, FloatGauge>,
    site_key_days: FloatGauge,
    tls_days: Family<FileLabels, FloatGauge>,
    tls: Arc<Mutex<Option<crate::tls::Tls>>>,
    /// One scrape at a time: the per-peer gauges are cleared and filled for each.
    scrape: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn size_histogram() -> Histogram {
    // 256 B … 16 MiB.
    Histogram::new(exponential_buckets(256.0, 4.0, 9))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("schoolbridge");
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: crate::build_info::VERSION.to_owned(),
                schema: crate::store::schema_version().to_string(),
                console: crate::http::console::files::ConsoleFiles::embedded()
                    .and_then(|f| f.build_id())
                    .unwrap_or_else(|| "not embedded".into()),
            })
            .set(1);
        registry.register(
            "build_info",
            "This binary: its version, database schema and embedded console build",
            build,
        );
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "mnet_calls",
            "MNet calls by direction (in: peers called us; out: we called a peer), method, outcome (ok, fault, error) and fault code",
            calls.clone(),
        );
        let duration =
            Family::<MethodLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register_with_unit(
            "mnet_call_duration",
            "Time to handle an MNet call (in) or to make one (out)",
            Unit::Seconds,
            duration.clone(),
        );
        let request_bytes =
            Family::<MethodLabels, Histogram>::new_with_constructor(size_histogram as fn() -> _);
        registry.register_with_unit(
            "mnet_request_size",
            "Size of MNet requests peers sent us, as received (signed and encrypted)",
            Unit::Bytes,
            request_bytes.clone(),
        );
        let sign_in_failures = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "sign_in_failures",
            "Refused console sign-ins by reason (bad_credentials, throttled, no_login_rights)",
            sign_in_failures.clone(),
        );
        let mnet_throttled = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "mnet_throttled",
            "MNet requests held back by a per-sender limit: address (its requests kept failing MNet's checks; answered 429) or peer (over mnet_calls_per_minute; fault 8199)",
            mnet_throttled.clone(),
        );
        let csv_batch_lines = Histogram::new(exponential_buckets(1.0, 4.0, 7));
        registry.register(
            "csv_batch_lines",
            "Lines in the grade-item CSV batches applied from the console",
            csv_batch_lines.clone(),
        );
        let peer_last_contact = Family::<PeerLabels, FloatGauge>::default();
        registry.register(
            "peer_last_contact_timestamp_seconds",
            "When each live peer last made a verified call to us (Unix time; 0 = never)",
            peer_last_contact.clone(),
        );
        let peer_key_days = Family::<PeerLabels, FloatGauge>::default();
        registry.register(
            "peer_certificate_expiry_days",
            "Days until the certificate we hold for each live peer expires (negative: expired)",
            peer_key_days.clone(),
        );
        let site_key_days = FloatGauge::default();
        registry.register(
            "site_key_expiry_days",
            "Days until our current MNet certificate expires (a new key is made two days before)",
            site_key_days.clone(),
        );
        let tls_days = Family::<FileLabels, FloatGauge>::default();
        registry.register(
            "tls_certificate_expiry_days",
            "Days until the built-in HTTPS certificate expires, by file (absent without built-in HTTPS)",
            tls_days.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            calls,
            duration,
            request_bytes,
            sign_in_failures,
            mnet_throttled,
            csv_batch_lines,
            peer_last_contact,
            peer_key_days,
            site_key_days,
            tls_days,
            tls: Arc::new(Mutex::new(None)),
            scrape: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Counts one MNet call: in or out, its method, how it ended, and how long it took.
    pub fn mnet_call(
        &self,
        direction: Direction,
        method: Option<&str>,
        outcome: AuditOutcome,
        fault_code: Option<i32>,
        elapsed: Duration,
    ) {
        let direction = match direction {
            Direction::In => "in",
            Direction::Out => "out",
        }
        .to_owned();
        let method = method_label(method);
        self.calls
            .get_or_create(&CallLabels {
                direction: direction.clone(),
                method: method.clone(),
                outcome: outcome.as_str().to_owned(),
                code: fault_code.map(code_label).unwrap_or_default(),
            })
            .inc();
        self.duration
            .get_or_create(&MethodLabels { direction, method })
            .observe(elapsed.as_secs_f64());
    }

    /// The size of a request a peer sent.
    pub fn mnet_request_size(&self, method: Option<&str>, bytes: usize) {
        self.request_bytes
            .get_or_create(&MethodLabels {
                direction: "in".into(),
                method: method_label(method),
            })
            .observe(bytes as f64);
    }

    /// A refused sign-in.
    pub fn sign_in_failed(&self, reason: &'static str) {
        self.sign_in_failures
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// An MNet request held back by a per-sender limit (`"address"` or `"peer"`).
    pub fn mnet_throttled(&self, by: &'static str) {
        self.mnet_throttled
            .get_or_create(&ReasonLabels {
                reason: by.to_owned(),
            })
            .inc();
    }

    /// A CSV batch applied.
    pub fn csv_batch(&self, lines: usize) {
        self.csv_batch_lines.observe(lines as f64);
    }

    /// The built-in HTTPS certificate to report on.
    pub fn watch_tls(&self, tls: crate::tls::Tls) {
        if let Ok(mut t) = self.tls.lock() {
            *t = Some(tls);
        }
    }

    /// The text Prometheus reads (OpenMetrics), with the per-peer and per-key gauges read from
    /// the database now.
    pub async fn render(&self, state: &AppState) -> Result<String, crate::store::StoreError> {
        let _one_at_a_time = self.scrape.lock().await;
        let now = state.clock.now();
        let days = |t: i64| (t - now) as f64 / 86_400.0;
        let peers = state.store.peers(false).await?;
        self.peer_last_contact.clear();
        self.peer_key_days.clear();
        for p in peers {
            let labels = PeerLabels {
                peer: p.wwwroot.clone(),
            };
            self.peer_last_contact
                .get_or_create(&labels)
                .set(p.last_contact_at.unwrap_or(0) as f64);
            self.peer_key_days
                .get_or_create(&labels)
                .set(days(p.certificate_expires));
        }
        self.site_key_days
            .set(days(state.keys.ring().current().cert.not_after()));
        let tls = self.tls.lock().ok().and_then(|t| t.clone());
        if let Some(tls) = tls
            && let Some(t) = tls.not_after()
        {
            self.tls_days
                .get_or_create(&FileLabels {
                    file: tls.cert_file().display().to_string(),
                })
                .set(days(t));
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        Ok(out)
    }
}

/// A method as a label: ours and Moodle's known methods by name, anything else `other`.
fn method_label(method: Option<&str>) -> String {
    let Some(m) = method else {
        return "none".into();
    };
    let m = m.replace('.', "/");
    const SYSTEM: &[&str] = &[
        "system/keyswap",
        "system/listServices",
        "system/listMethods",
        "system/methodSignature",
        "system/methodHelp",
    ];
    let known = SYSTEM.contains(&m.as_str())
        || mnet::services::find_method(&m).is_some()
        || m == mnet::services::MOODLE_LIST_USER_ENROLMENTS
        || m == mnet::services::MOODLE_REQUEST_FULL_SYNC;
    if known { m } else { "other".into() }
}

/// A fault code as a label: MNet's and XML-RPC's codes are below 10 000.
fn code_label(code: i32) -> String {
    if (-32_768..10_000).contains(&code) {
        code.to_string()
    } else {
        "other".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_bounded() {
        assert_eq!(
            method_label(Some("schooltool/sis/new_grade")),
            "schooltool/sis/new_grade"
        );
        assert_eq!(method_label(Some("system.keyswap")), "system/keyswap");
        assert_eq!(method_label(Some("made/up/method-12345")), "other");
        assert_eq!(method_label(None), "none");
        assert_eq!(code_label(7025), "7025");
        assert_eq!(code_label(123_456_789), "other");
    }
}
