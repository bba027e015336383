//! Learning a peer's rotated key (`mnet-protocol.md` §5.2 step 2, §5.5): a Moodle rotates its key
//! every 28 days and pushes nothing, so when a request fails to verify we ask the peer itself
//! (keyswap at its own wwwroot); the receive step accepts the new certificate only if it names
//! the peer and the very request we could not verify verifies with it, and then it is stored
//! here. At most one attempt per peer a minute, so forged requests cannot make us hammer the peer.

use super::outbound;
use crate::state::{AppState, Reach};
use crate::store::peers::update_peer_certificate;
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::keys::PeerCertificate;

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
    let (pem, expires, fp) = (
        cert.pem().to_owned(),
        cert.not_after(),
        cert.fingerprint_sha256(),
    );
    let entry = NewAuditEntry {
        at_ms,
        direction: AuditDirection::In,
        peer_id: Some(peer.id),
        peer_wwwroot: Some(peer.wwwroot.clone()),
        method: Some("system/keyswap".into()),
        outcome: AuditOutcome::Ok,
        fault_code: None,
        detail: Some(format!(
            "the peer rotated its key; new certificate {fp} accepted (it signed the request)"
        )),
        duration_us: 0,
        encrypted: false,
        signed: false,
        envelope: Some(pem.clone().into_bytes()),
        envelope_note: None,
    };
    let stored = crate::write_tx!(state.store, |c| {
        update_peer_certificate(c, peer.id, &pem, expires, &fp, now).await?;
        crate::store::audit::insert_audit(c, &entry).await
    });
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store the peer's new certificate");
        return peer.clone();
    }
    tracing::info!(peer = %peer.wwwroot, fingerprint = %fp, "peer key rotation learned by keyswap");
    let mut updated = peer.clone();
    updated.certificate_pem = pem;
    updated.certificate_expires = expires;
    updated.fingerprint = fp;
    updated.key_changed_at = Some(now);
    updated
}
