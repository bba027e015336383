//! How many MNet requests from senders that have not proved who they are get an audit entry:
//! a small budget per instance (issue 18). Each entry is already short (at most 4 KiB of the
//! request, `ReceivePolicy::unauthenticated_record_bytes`), but one per request would still let
//! an anonymous flood grow the database for as long as it lasts and keep it for
//! `audit_retention_days`. Past the budget such requests are answered as always and counted in
//! `/metrics` (`mnet_calls_total`), and a warning says how many went unrecorded; authenticated
//! requests are always recorded.
//!
//! A token bucket: [`BURST`] entries at once, then one every [`REFILL_SECS`] seconds.

use super::sender_limits::{Bucket, Rate};
use std::sync::Mutex;

/// Entries that may be written at once.
pub const BURST: u32 = 20;
/// Seconds per further entry (ten a minute).
pub const REFILL_SECS: i64 = 6;

const RATE: Rate = Rate {
    capacity: BURST,
    per_minute: (60 / REFILL_SECS) as u32,
};

/// The bucket.
#[derive(Debug)]
pub struct AuditBudget {
    inner: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Filled at the first request.
    bucket: Option<Bucket>,
    /// Requests not recorded since the last warning.
    skipped: u64,
    /// When the last warning was logged (seconds).
    warned_at: i64,
}

impl Default for AuditBudget {
    fn default() -> Self {
        AuditBudget {
            inner: Mutex::new(State {
                bucket: None,
                skipped: 0,
                warned_at: 0,
            }),
        }
    }
}

impl AuditBudget {
    /// Whether an unauthenticated request received at `now` (seconds) may be recorded.
    pub fn take(&self, now: i64) -> bool {
        let Ok(mut s) = self.inner.lock() else {
            return true;
        };
        if s.bucket
            .get_or_insert_with(|| Bucket::full(RATE, now))
            .take(RATE, now)
        {
            return true;
        }
        s.skipped += 1;
        if now - s.warned_at >= 60 {
            tracing::warn!(
                unrecorded = s.skipped,
                "MNet requests from unauthenticated senders are arriving faster than the audit log records them (ten a minute); the rest are only counted in /metrics"
            );
            s.skipped = 0;
            s.warned_at = now;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_ten_a_minute() {
        let b = AuditBudget::default();
        let t0 = 1_000_000;
        assert_eq!((0..100).filter(|_| b.take(t0)).count(), BURST as usize);
        assert!(!b.take(t0 + REFILL_SECS - 1));
        assert!(b.take(t0 + REFILL_SECS));
        assert!(!b.take(t0 + REFILL_SECS));
        // Over an hour of flood: ten a minute.
        let recorded = (0..3600)
            .filter(|s| b.take(t0 + REFILL_SECS + 1 + s))
            .count();
        assert!((599..=601).contains(&recorded), "{recorded}");
        // Quiet for a while: the burst is back, no more.
        let later = t0 + 10_000;
        assert_eq!((0..100).filter(|_| b.take(later)).count(), BURST as usize);
    }
}
