//! Per-sender limits on the MNet endpoint (issue 18; `docs/threat-model.md` "Limits"):
//!
//! * **by peer** — a registered peer's authenticated calls, `mnet_calls_per_minute` (1,200) a
//!   minute, of which a quiet peer may send a minute's worth at once. Past it a call is answered
//!   with fault 8199 ("not now, retry", `docs/schooltool-sis.md` "Faults"): our plugin keeps the
//!   change queued and backs off the whole peer, Moodle's own callers show the fault. A full
//!   sync sends one batch at a time and stays far below it.
//! * **by address** — requests that fail MNet's checks (unknown sender, nothing opens, a bad
//!   signature, not MNet at all): `mnet_failures_per_minute` (60) from one client address (an
//!   IPv6 client by its /64) a minute; past it the address is answered `429` with `Retry-After`
//!   before anything of its request is read, so garbage sent under a registered wwwroot stops
//!   costing private-key work. A loopback address that no trusted proxy vouched for is not
//!   counted (a Moodle or a proxy on this machine; as the sign-in throttle does).
//!
//! Both are token buckets kept by each instance, not in the database: they bound what one sender
//! costs *this* process, and a count shared through the database would cost a write per call.
//! The same bucket paces the audit entries of unauthenticated requests (`audit_budget`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Most senders tracked at once; past it, senders whose bucket is full again are forgotten (they
/// are the same as new ones), and while none is, new senders are not limited — a flood from
/// that many addresses is the connection cap's to bound, not this map's to grow.
pub const MAX_SENDERS: usize = 10_000;

/// A bucket's shape: how many at once, and how many more a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Tokens a full bucket holds.
    pub capacity: u32,
    /// Tokens added a minute.
    pub per_minute: u32,
}

impl Rate {
    /// A minute's worth at once, then `per_minute` a minute; `None` (no limit) for 0.
    pub fn per_minute(per_minute: u32) -> Option<Rate> {
        (per_minute > 0).then_some(Rate {
            capacity: per_minute,
            per_minute,
        })
    }
}

/// One token bucket, counted in sixtieths of a token so that a rate per minute adds a whole
/// number of them each second.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    /// Sixtieths of a token.
    credit: u64,
    /// When `credit` was last brought up to date (Unix seconds).
    at: i64,
}

/// Sixtieths in a token.
const TOKEN: u64 = 60;

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(rate: Rate, now: i64) -> Bucket {
        Bucket {
            credit: u64::from(rate.capacity) * TOKEN,
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: i64) {
        let elapsed = u64::try_from(now - self.at).unwrap_or(0);
        self.credit = self
            .credit
            .saturating_add(elapsed.saturating_mul(u64::from(rate.per_minute)))
            .min(u64::from(rate.capacity) * TOKEN);
        self.at = self.at.max(now);
    }

    /// Takes a token at `now`; `false` when there is none.
    pub fn take(&mut self, rate: Rate, now: i64) -> bool {
        self.refill(rate, now);
        if self.credit >= TOKEN {
            self.credit -= TOKEN;
            true
        } else {
            false
        }
    }

    /// Seconds until a token is there at `now` (0: one is there now).
    pub fn wait(&mut self, rate: Rate, now: i64) -> u64 {
        self.refill(rate, now);
        if self.credit >= TOKEN || rate.per_minute == 0 {
            return 0;
        }
        (TOKEN - self.credit).div_ceil(u64::from(rate.per_minute))
    }

    fn is_full(&mut self, rate: Rate, now: i64) -> bool {
        self.refill(rate, now);
        self.credit >= u64::from(rate.capacity) * TOKEN
    }
}

/// A bucket per sender.
#[derive(Debug)]
pub struct Senders<K> {
    rate: Option<Rate>,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash + Clone> Senders<K> {
    /// Buckets of `rate`; `None`: no limit.
    pub fn new(rate: Option<Rate>) -> Self {
        Senders {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token from `key`'s bucket at `now`; `false` when it has none left.
    pub fn take(&self, key: &K, now: i64) -> bool {
        let Some(rate) = self.rate else {
            return true;
        };
        let Ok(mut map) = self.buckets.lock() else {
            return true;
        };
        if let Some(b) = map.get_mut(key) {
            return b.take(rate, now);
        }
        if map.len() >= MAX_SENDERS {
            map.retain(|_, b| !b.is_full(rate, now));
            if map.len() >= MAX_SENDERS {
                return true;
            }
        }
        let mut b = Bucket::full(rate, now);
        let took = b.take(rate, now);
        map.insert(key.clone(), b);
        took
    }

    /// Seconds until `key` may send again (0: now), without taking anything.
    pub fn wait(&self, key: &K, now: i64) -> u64 {
        let Some(rate) = self.rate else {
            return 0;
        };
        let Ok(mut map) = self.buckets.lock() else {
            return 0;
        };
        map.get_mut(key).map_or(0, |b| b.wait(rate, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minutes_worth_at_once_then_the_rate() {
        let s = Senders::new(Rate::per_minute(60));
        let t0 = 1_000_000;
        assert_eq!((0..100).filter(|_| s.take(&"a", t0)).count(), 60);
        assert_eq!(s.wait(&"a", t0), 1);
        // Another sender is not held back by the first.
        assert!(s.take(&"b", t0));
        assert_eq!(s.wait(&"b", t0), 0);
        assert!(s.take(&"a", t0 + 1));
        assert!(!s.take(&"a", t0 + 1));
        // Over ten minutes of trying every second: one a second.
        let sent = (2..602).filter(|d| s.take(&"a", t0 + d)).count();
        assert_eq!(sent, 600);
        // Quiet for a minute: a minute's worth again, no more.
        let later = t0 + 2_000;
        assert_eq!((0..100).filter(|_| s.take(&"a", later)).count(), 60);
    }

    #[test]
    fn zero_means_no_limit() {
        let s = Senders::new(Rate::per_minute(0));
        assert!((0..10_000).all(|_| s.take(&1, 0)));
        assert_eq!(s.wait(&1, 0), 0);
    }

    #[test]
    fn the_map_stays_bounded() {
        let s = Senders::new(Rate::per_minute(2));
        for k in 0..MAX_SENDERS {
            assert!(s.take(&k, 0));
        }
        // Full: a new sender is not limited, and not remembered.
        assert!(s.take(&usize::MAX, 0));
        assert!(s.take(&usize::MAX, 0));
        assert!(s.take(&usize::MAX, 0));
        // A minute later every bucket is full again: they are forgotten and new ones counted.
        assert!(s.take(&usize::MAX, 60));
        assert!(s.take(&usize::MAX, 60));
        assert!(!s.take(&usize::MAX, 60));
        assert!(s.buckets.lock().map(|m| m.len()).unwrap_or(0) < MAX_SENDERS);
    }
}
