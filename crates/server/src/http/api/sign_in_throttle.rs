//! The sign-in throttle: after five failed sign-ins for a name, that name waits a minute.
//!
//! One throttle per running server (held in `HttpState`), not per process: two servers in one
//! process — as the test harness runs them — keep their own counts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Failures allowed for a name before it must wait.
const FAILURES_ALLOWED: u32 = 5;
/// How long a name waits after its last counted attempt, in seconds.
const WAIT_SECONDS: i64 = 60;
/// Names remembered at most; beyond it, entries whose minute is over go.
const NAMES_REMEMBERED: usize = 10_000;

/// Whether attempts counted until `until` still count at `now`.
fn counting(until: i64, now: i64) -> bool {
    until > now
}

/// Attempts per sign-in name: (attempts counted, time until which they count).
#[derive(Clone, Debug, Default)]
pub struct SignInThrottle {
    names: Arc<Mutex<HashMap<String, (u32, i64)>>>,
}

impl SignInThrottle {
    /// Counts a sign-in attempt for `name` before its password is checked (so that parallel
    /// guesses cannot all pass before the count moves); true when the name must wait.
    pub fn attempt(&self, name: &str, now: i64) -> bool {
        let Ok(mut names) = self.names.lock() else {
            return false;
        };
        if names.len() >= NAMES_REMEMBERED {
            names.retain(|_, (_, until)| counting(*until, now));
        }
        let e = names.entry(name.to_owned()).or_insert((0, 0));
        if !counting(e.1, now) {
            *e = (0, 0);
        }
        if e.0 >= FAILURES_ALLOWED {
            return true;
        }
        e.0 += 1;
        e.1 = now + WAIT_SECONDS;
        false
    }

    /// Forgets `name`'s attempts after a successful sign-in.
    pub fn succeeded(&self, name: &str) {
        if let Ok(mut names) = self.names.lock() {
            names.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_then_a_minute_wait() {
        let t = SignInThrottle::default();
        for _ in 0..5 {
            assert!(!t.attempt("ann", 1000));
        }
        assert!(t.attempt("ann", 1000));
        assert!(t.attempt("ann", 1059));
        assert!(!t.attempt("bob", 1000), "another name is not held back");
        assert!(!t.attempt("ann", 1060), "the minute is over");
    }

    #[test]
    fn success_forgets_the_count_and_throttles_are_separate() {
        let t = SignInThrottle::default();
        for _ in 0..5 {
            t.attempt("ann", 0);
        }
        t.succeeded("ann");
        assert!(!t.attempt("ann", 0));
        let other = SignInThrottle::default();
        for _ in 0..5 {
            t.attempt("cat", 0);
        }
        assert!(t.attempt("cat", 0));
        assert!(
            !other.attempt("cat", 0),
            "a second server keeps its own count"
        );
    }
}
