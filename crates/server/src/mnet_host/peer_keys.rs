//! Learning a peer's rotated key (`mnet-protocol.md` §5.2 step 2, §5.5): a Moodle rotates its key
//! every 28 days and pushes nothing, so when a request fails to verify we ask the peer itself
//! (keyswap at its own wwwroot) and accept the new certificate only if it names the peer and the
//! very request we could not verify verifies with it. At most one attempt per peer a minute, so
//! forged requests cannot make us hammer the peer.

use super::outbound;
use crate::state::AppState;
use crate::store::peers::update_peer_certificate;
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::envelope::{SignedEnvelope, VerifiedEnvelope};
use mnet::keys::PeerCertificate;

/// Tries to learn the peer's new key; on success returns the verified envelope and the updated
/// peer.
pub async fn learn_rotated_key(
    state: &AppState,
    peer: &PeerRow,
    signed: &SignedEnvelope,
) -> Option<(VerifiedEnvelope, PeerRow, PeerCertificate)> {
    let now = state.clock.now();
    {
        let mut attempts = state.rekey_attempts.lock().ok()?;
        if attempts.get(&peer.id).is_some_and(|&t| now - t < 60) {
            return None;
        }
        attempts.insert(peer.id, now);
    }
    let cert = outbound::keyswap(state, &peer.wwwroot, &peer.application, peer.tls_verify)
        .await
        .ok()?;
    if cert.pem() == peer.certificate_pem || cert.check_credentials(&peer.wwwroot).is_err() {
        return None;
    }
    let verified = signed.clone().verify(&cert).ok()?;
    let (pem, expires, fp) = (
        cert.pem().to_owned(),
        cert.not_after(),
        cert.fingerprint_sha256(),
    );
    let entry = NewAuditEntry {
        at_ms: state.clock.now_ms(),
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
        return None;
    }
    tracing::info!(peer = %peer.wwwroot, fingerprint = %fp, "peer key rotation learned by keyswap");
    let mut updated = peer.clone();
    updated.certificate_pem = pem;
    updated.certificate_expires = expires;
    updated.fingerprint = fp;
    updated.key_changed_at = Some(now);
    Some((verified, updated, cert))
}
