//! Peer previews waiting for the admin's confirmation, by wwwroot, for ten minutes. The
//! confirmation must name the fingerprint the admin saw. One set per running server (held in
//! `HttpState`), not per process.

use crate::mnet_host::registry::PeerPreview;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a preview waits for its confirmation, in seconds.
const KEPT_SECONDS: i64 = 600;

/// Whether a preview fetched at `at` may still be confirmed at `now`.
fn fresh(at: i64, now: i64) -> bool {
    now - at < KEPT_SECONDS
}

/// Previews by wwwroot, with the time each was fetched.
#[derive(Clone, Debug, Default)]
pub struct PeerPreviews {
    by_wwwroot: Arc<Mutex<HashMap<String, (PeerPreview, i64)>>>,
}

impl PeerPreviews {
    /// Keeps `preview` (replacing an earlier one for the same wwwroot) and drops expired ones.
    pub fn keep(&self, preview: PeerPreview, now: i64) {
        if let Ok(mut m) = self.by_wwwroot.lock() {
            m.retain(|_, (_, at)| fresh(*at, now));
            m.insert(preview.wwwroot.clone(), (preview, now));
        }
    }

    /// The preview for `wwwroot`, if it is still fresh.
    pub fn get(&self, wwwroot: &str, now: i64) -> Option<PeerPreview> {
        let m = self.by_wwwroot.lock().ok()?;
        m.get(wwwroot)
            .filter(|(_, at)| fresh(*at, now))
            .map(|(p, _)| p.clone())
    }

    /// Forgets the preview for `wwwroot` once it has been confirmed.
    pub fn forget(&self, wwwroot: &str) {
        if let Ok(mut m) = self.by_wwwroot.lock() {
            m.remove(wwwroot);
        }
    }
}
