//! Time, passed in rather than read everywhere: the real clock in production, a shiftable one in
//! tests (clock-skew and expiry tests move it).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds now, from the system clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Unix milliseconds now, from the system clock.
pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The server's clock: the system clock plus an offset (zero outside tests).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        unix_now() + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        unix_now_ms() + self.offset_secs.load(Ordering::Relaxed) * 1000
    }

    /// Moves this clock (tests).
    pub fn shift(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
