//! Learning a peer's rotated key (`mnet-protocol.md` §5.2 step 2, §5.5): a Moodle rotates its key
//! every 28 days and pushes nothing, so when a request fails to verify we ask the peer itself
//! (keyswap at its own wwwroot); the receive step accepts the new certificate only if it names
//! the peer and the very request we could not verify verifies with it, and then it is stored
//! here. At most one attempt per peer a minute, so forged requests cannot make us hammer the peer.

use super::outbound;
use crate::state::{AppState, Reach};
use crate::store::peers::update_peer_certificate;
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow, StoreError};
use mnet::keys::PeerCertificate;
use sqlx::AnyConnection;

/// The certificate the peer publishes now, fetched from the peer itself after its signature did
/// not verify — at most one attempt per peer a minute. `None` when it cannot be fetched, does not
/// name the peer, or is the one held. The receive step accepts it only if the very request it
/// could not verify verifies with it (`mnet::server::PeerKeyNeeded::retry`).
pub async fn fetch_rotated_key(state: &AppState, peer: &PeerRow) -> Option<PeerCertificate> {
    let now = state.clock.now();
    {
        let mut attempts = state.rekey_attempts.lock().ok()?;
        if attempts.get(&peer.id).is_some_and(|&t| now - t < 60) {
            return None;
        }
        attempts.insert(peer.id, now);
    }
    let cert = outbound::keyswap(
        state,
        &peer.wwwroot,
        &peer.application,
        Reach::peer(peer.tls_verify),
    )
    .await
    .ok()?;
    if cert.pem() == peer.certificate_pem || cert.check_credentials(&peer.wwwroot).is_err() {
        return None;
    }
    Some(cert)
}

/// Stores the peer's new certificate that a request verified with, and records it in the audit
/// log; returns the updated peer (the unchanged one if storing failed).
pub async fn store_rotated_key(
    state: &AppState,
    peer: &PeerRow,
    cert: &PeerCertificate,
    at_ms: i64,
) -> PeerRow {
    let now = state.clock.now();
    let key = NewKey::of(cert);
    let entry = NewAuditEntry {
        at_ms,
        direction: AuditDirection::In,
        peer_id: Some(peer.id),
        peer_wwwroot: Some(peer.wwwroot.clone()),
        method: Some("system/keyswap".into()),
        outcome: AuditOutcome::Ok,
        fault_code: None,
        detail: Some(format!(
            "the peer rotated its key; new certificate {} accepted (it signed the request)",
            key.fingerprint
        )),
        duration_us: 0,
        encrypted: false,
        signed: false,
        envelope: Some(key.pem.clone().into_bytes()),
        envelope_note: None,
    };
    let stored = crate::write_tx!(state.store, |c| {
        key.store(c, peer.id, now).await?;
        crate::store::audit::insert_audit(c, &entry).await
    });
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store the peer's new certificate");
        return peer.clone();
    }
    tracing::info!(peer = %peer.wwwroot, fingerprint = %key.fingerprint, "peer key rotation learned by keyswap");
    key.applied_to(peer, now)
}

/// A peer's new certificate as it is stored: its PEM, expiry and fingerprint.
pub(super) struct NewKey {
    pub pem: String,
    pub expires: i64,
    pub fingerprint: String,
}

impl NewKey {
    pub(super) fn of(cert: &PeerCertificate) -> Self {
        Self {
            pem: cert.pem().to_owned(),
            expires: cert.not_after(),
            fingerprint: cert.fingerprint_sha256(),
        }
    }

    /// Stores it as the peer's certificate (and drops any pending one), in a transaction.
    pub(super) async fn store(
        &self,
        c: &mut AnyConnection,
        peer_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        update_peer_certificate(c, peer_id, &self.pem, self.expires, &self.fingerprint, now).await
    }

    /// The peer's row as it reads once the key is stored at `now`.
    pub(super) fn applied_to(self, peer: &PeerRow, now: i64) -> PeerRow {
        let mut updated = peer.clone();
        updated.certificate_pem = self.pem;
        updated.certificate_expires = self.expires;
        updated.fingerprint = self.fingerprint;
        updated.key_changed_at = Some(now);
        updated
    }
}
