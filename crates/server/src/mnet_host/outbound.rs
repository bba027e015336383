//! Calls SchoolBridge makes to peers (`mnet-protocol.md` §5.1, §5.6): keyswap, and signed +
//! encrypted calls that handle 7025 by storing the peer's new certificate and re-sending once,
//! time out, and are all recorded in the audit log. Errors come with a plain-language diagnosis
//! for the console ("Verify now").

use crate::mnet_host::peer_keys::NewKey;
use crate::mnet_host::previews::internal_target;
use crate::state::{AppState, Reach};
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::client::{self, KeyswapError, Reply, ReplyError, Timing};
use mnet::envelope::{Cipher, PublicKeyPath};
use mnet::keys::PeerCertificate;
use mnet::xmlrpc::Value;
use std::time::Instant;

/// Why an outbound call failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// No HTTP exchange (DNS, refused, TLS, timeout) or a non-200 status.
    #[error("could not reach {url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The peer answered with an HTTP redirect. MNet calls are never redirected (Moodle's curl
    /// client does not follow them either, and a POST turned into a GET would only hide why).
    #[error("{url} redirects to {location}")]
    Redirected {
        /// The URL we posted to.
        url: String,
        /// Where the peer sends us (`Location`), or empty.
        location: String,
    },
    /// The reply was not acceptable (a plain fault, bad signature, clock, …).
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// Keyswap failed.
    #[error(transparent)]
    Keyswap(#[from] KeyswapError),
    /// The peer could not decrypt our message (7023) and now publishes another certificate than
    /// the one we encrypt to: its key was replaced without being kept for old messages (Moodle's
    /// "Delete this key", a reinstall). Not accepted silently: the admin reviews it.
    #[error("the peer's key was replaced (it now publishes {fingerprint})")]
    PeerKeyReplaced {
        /// The new certificate's SHA-256 fingerprint.
        fingerprint: String,
    },
    /// The peer sent a new certificate (7025) we cannot use.
    #[error("the peer sent a new certificate we cannot accept: {0}")]
    BadNewKey(String),
    /// The address resolved, for a guarded connection, to an internal one (the console's
    /// add-peer preview without `allow_private_peers`); nothing was sent.
    #[error("{0}")]
    InternalAddress(String),
    /// Local failure (crypto worker, storage, our stored data).
    #[error("internal error: {0}")]
    Internal(String),
}

impl OutboundError {
    /// A sentence an administrator can act on (§11 pain points, §14).
    pub fn diagnosis(&self, our_wwwroot: &str) -> String {
        match self {
            OutboundError::InternalAddress(message) => message.clone(),
            OutboundError::Transport { message, .. } => format!(
                "SchoolBridge could not reach the peer ({message}). Check the address, that the site is up, and firewalls; for a self-signed HTTPS certificate switch TLS verification off for this peer."
            ),
            OutboundError::Redirected { location, .. } => match redirect_origin(location) {
                Some(origin) => format!(
                    "The peer's address redirects to {location}. MNet calls are not redirected: add the peer under the address it uses for itself (its wwwroot), probably {origin}."
                ),
                None => "The peer's address answers with a redirect. MNet calls are not redirected: add the peer under the address it uses for itself (its wwwroot) — http vs https and www. must match.".to_owned(),
            },
            OutboundError::Reply(ReplyError::RemoteFault(f)) if f.code == 7020 => format!(
                "The peer does not know SchoolBridge under the address {our_wwwroot}. In Moodle, add (or fix) the peer with exactly this wwwroot — http vs https, www. and any path must match."
            ),
            OutboundError::Reply(ReplyError::RemoteFault(f)) if f.code == 7023 => "The peer could not decrypt SchoolBridge's message, although it still publishes the key SchoolBridge encrypts to. MNet encrypts with RC4, which OpenSSL 3 only offers in its legacy provider: on the Moodle server, enable it in the openssl.cnf PHP uses (keep the file's `openssl_conf = openssl_init` line; under [openssl_init] add providers = provider_sect; [provider_sect] default = default_sect, legacy = legacy_sect; [default_sect] and [legacy_sect] each activate = 1), then restart PHP (README.md, \"Adding a Moodle peer\").".to_owned(),
            OutboundError::PeerKeyReplaced { fingerprint } => format!(
                "The peer could not decrypt SchoolBridge's message because it no longer has the key SchoolBridge encrypts to: it now publishes another certificate (SHA-256 {fingerprint}) and did not keep the old key. This happens when an administrator uses \"Delete this key\" on Moodle's Networking page, or Moodle is reinstalled. If that is what happened, review this peer here and accept its new key; Moodle needs nothing more (it still holds SchoolBridge's key)."
            ),
            OutboundError::Reply(ReplyError::RemoteFault(f)) if f.code == 7021 => "The peer refused the call as not permitted: check that Networking is on in Moodle and that SchoolBridge is registered there as a peer.".to_owned(),
            OutboundError::Reply(ReplyError::RemoteFault(f)) => format!("The peer answered with fault {}: {}", f.code, f.string),
            OutboundError::Reply(ReplyError::ClockAhead { offset, threshold }) => format!(
                "The peer's clock is about {offset} seconds ahead of SchoolBridge's (at most {threshold} are tolerated). Make both servers keep time with NTP."
            ),
            OutboundError::Reply(ReplyError::BadSignature) => "The peer's reply is not signed with the key SchoolBridge holds for it: the peer has probably changed its key. Review the peer to fetch and confirm its current certificate.".to_owned(),
            OutboundError::Reply(ReplyError::NoKeyMatch) => "The peer encrypted its reply to a SchoolBridge key that no longer exists. Review SchoolBridge in Moodle so it fetches the current certificate.".to_owned(),
            OutboundError::Reply(ReplyError::NotEncrypted) => "The peer answered without encryption: it is probably not an MNet server, or Networking is off in Moodle.".to_owned(),
            OutboundError::Reply(other) => format!("The peer's reply could not be used: {other}"),
            OutboundError::Keyswap(KeyswapError::WrongHost { found, asked }) => format!(
                "The peer's certificate is made out to {found}, not {asked}. Use exactly the address the peer uses for itself (its wwwroot)."
            ),
            OutboundError::Keyswap(other) => format!("The key exchange failed: {other}. Is this a Moodle with Networking switched on?"),
            OutboundError::BadNewKey(m) => format!("The peer sent a new certificate that cannot be accepted: {m}"),
            OutboundError::Internal(m) => format!("SchoolBridge failed internally: {m}"),
        }
    }
}

/// The peer's MNet endpoint (§1.1).
pub fn endpoint(wwwroot: &str, application: &str) -> String {
    let path = if application == "mahara" {
        "/api/xmlrpc/server.php"
    } else {
        "/mnet/xmlrpc/server.php"
    };
    format!("{wwwroot}{path}")
}

async fn post(
    state: &AppState,
    url: &str,
    reach: Reach,
    body: Vec<u8>,
) -> Result<Vec<u8>, OutboundError> {
    let transport = |message: String| OutboundError::Transport {
        url: url.to_owned(),
        message,
    };
    let resp = state
        .http_for(reach)
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(body)
        .send()
        .await
        .map_err(|e| match internal_target(&e) {
            Some(t) => OutboundError::InternalAddress(t.to_string()),
            None => transport(describe_reqwest(&e)),
        })?;
    let status = resp.status();
    if status.is_redirection() {
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        return Err(OutboundError::Redirected {
            url: url.to_owned(),
            location,
        });
    }
    if !status.is_success() {
        return Err(transport(format!("HTTP status {status}")));
    }
    let limit = state.config.max_body_bytes;
    read_capped(resp, limit)
        .await
        .map_err(|e| transport(describe_reqwest(&e)))?
        .ok_or_else(|| transport(format!("the reply is larger than {limit} bytes")))
}

/// The first `limit` bytes of a reply body (or fewer, on a read error).
pub(crate) async fn read_capped_prefix(mut resp: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(limit);
    body
}

/// A reply body, read only up to `limit` bytes: `None` when it is longer (a peer, or an address
/// an administrator previews, cannot make the server hold an unbounded reply).
async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// The wwwroot a redirect points to, when it is an absolute URL: the target without the MNet
/// endpoint's path (`/mnet/xmlrpc/server.php`, Mahara's `/api/xmlrpc/server.php`) when it ends
/// with it, so a Moodle under a path keeps its path; else the target's scheme, host and port.
fn redirect_origin(location: &str) -> Option<String> {
    let u = url::Url::parse(location).ok()?;
    let origin = u.origin();
    if !origin.is_tuple() {
        return None;
    }
    let path = u.path();
    for endpoint in ["/mnet/xmlrpc/server.php", "/api/xmlrpc/server.php"] {
        if let Some(prefix) = path.strip_suffix(endpoint) {
            return Some(format!("{}{prefix}", origin.ascii_serialization()));
        }
    }
    Some(origin.ascii_serialization())
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!(
            "connection failed ({})",
            std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default()
        )
    } else {
        e.to_string()
    }
}

fn audit_out(
    state: &AppState,
    peer: Option<&PeerRow>,
    wwwroot: &str,
    method: &str,
    started: Instant,
) -> NewAuditEntry {
    NewAuditEntry {
        at_ms: state.clock.now_ms() - started.elapsed().as_millis() as i64,
        direction: AuditDirection::Out,
        peer_id: peer.map(|p| p.id),
        peer_wwwroot: Some(wwwroot.to_owned()),
        method: Some(method.to_owned()),
        outcome: AuditOutcome::Ok,
        fault_code: None,
        detail: None,
        duration_us: started.elapsed().as_micros() as i64,
        encrypted: false,
        signed: false,
        envelope: None,
        envelope_note: None,
    }
}

async fn record(
    state: &AppState,
    mut e: NewAuditEntry,
    result: Result<(), &OutboundError>,
    fault: Option<i32>,
) {
    match (result, fault) {
        (Ok(()), None) => {}
        (Ok(()), Some(code)) => {
            e.outcome = AuditOutcome::Fault;
            e.fault_code = Some(code);
        }
        (Err(err), _) => {
            e.outcome = AuditOutcome::Error;
            e.detail = Some(err.to_string().chars().take(300).collect());
            if let OutboundError::Reply(ReplyError::RemoteFault(f)) = err {
                e.outcome = AuditOutcome::Fault;
                e.fault_code = Some(f.code);
            }
        }
    }
    state.metrics.mnet_call(
        crate::metrics::Direction::Out,
        e.method.as_deref(),
        e.outcome,
        e.fault_code,
        std::time::Duration::from_micros(u64::try_from(e.duration_us).unwrap_or(0)),
    );
    if let Err(err) = state.store.audit(&e).await {
        tracing::error!(error = %err, "could not write the audit log entry");
    }
}

/// `system/keyswap` (§5.6): sends our certificate, returns the peer's — checked to belong to the
/// URL asked, as Moodle's `mnet_get_public_key` does.
pub async fn keyswap(
    state: &AppState,
    wwwroot: &str,
    application: &str,
    reach: Reach,
) -> Result<PeerCertificate, OutboundError> {
    let started = Instant::now();
    let ours = state.keys.ring().current().cert.pem().to_owned();
    let body = client::keyswap_request(&state.config.wwwroot, &ours, "moodle");
    let peer = state.store.peer_by_wwwroot(wwwroot).await.ok().flatten();
    let result = async {
        let reply = post(
            state,
            &endpoint(wwwroot, application),
            reach,
            body.clone().into_bytes(),
        )
        .await?;
        Ok::<_, OutboundError>((
            client::read_keyswap_reply(&reply, wwwroot, &state.limits)?,
            reply,
        ))
    }
    .await;
    let mut entry = audit_out(state, peer.as_ref(), wwwroot, "system/keyswap", started);
    match &result {
        Ok((_, reply)) => {
            entry.envelope = Some(reply.clone());
            record(state, entry, Ok(()), None).await;
        }
        Err(e) => {
            entry.envelope = Some(body.into_bytes());
            record(state, entry, Err(e), None).await;
        }
    }
    result.map(|(cert, _)| cert)
}

/// A call's outcome with the envelopes exchanged (for the console's test client).
#[derive(Debug)]
pub struct Traced {
    /// The outcome.
    pub result: Result<Reply, OutboundError>,
    /// Our last signed envelope (before encryption).
    pub request_envelope: Option<String>,
    /// The peer's last signed envelope (after decryption).
    pub reply_envelope: Option<Vec<u8>>,
}

/// A signed and encrypted call to a live peer. A 7025 reply stores the peer's new certificate
/// and re-sends once, like Moodle's client (§5.4).
pub async fn call(
    state: &AppState,
    peer: &PeerRow,
    method: &str,
    params: &[Value],
) -> Result<Reply, OutboundError> {
    call_traced(state, peer, method, params).await.result
}

/// Like [`call`], keeping the envelopes.
pub async fn call_traced(
    state: &AppState,
    peer: &PeerRow,
    method: &str,
    params: &[Value],
) -> Traced {
    let mut peer = peer.clone();
    let mut traced = Traced {
        result: Err(OutboundError::Internal("no attempt".into())),
        request_envelope: None,
        reply_envelope: None,
    };
    for attempt in 0..2 {
        let once = call_once(state, &peer, method, params).await;
        traced.request_envelope = once.request_envelope;
        traced.reply_envelope = once.reply_envelope;
        match once.result {
            Ok(Reply::KeyChanged(pem)) if attempt == 0 => {
                match accept_new_key(state, &peer, &pem).await {
                    Ok(updated) => peer = updated,
                    Err(e) => {
                        traced.result = Err(e);
                        return traced;
                    }
                }
            }
            Ok(Reply::KeyChanged(_)) => {
                traced.result = Err(OutboundError::BadNewKey(
                    "a second 7025 after re-keying".into(),
                ));
                return traced;
            }
            other => {
                traced.result = other;
                return traced;
            }
        }
    }
    traced
}

async fn call_once(state: &AppState, peer: &PeerRow, method: &str, params: &[Value]) -> Traced {
    let mut traced = Traced {
        result: Err(OutboundError::Internal("not sent".into())),
        request_envelope: None,
        reply_envelope: None,
    };
    let started = Instant::now();
    let cert = match PeerCertificate::from_pem(&peer.certificate_pem) {
        Ok(c) => c,
        Err(e) => {
            traced.result = Err(OutboundError::Internal(e.to_string()));
            return traced;
        }
    };
    let ring = state.keys.ring();
    let wwwroot = state.config.wwwroot.clone();
    let timestamp = state.clock.now();
    let (m, p, c, r) = (
        method.to_owned(),
        params.to_vec(),
        cert.clone(),
        ring.clone(),
    );
    let built = state
        .crypto
        .run(
            move || -> Result<(String, Vec<u8>), mnet::envelope::EnvelopeError> {
                let xmlrpc = mnet::xmlrpc::write_call(&m, &p);
                let signed = mnet::envelope::sign_envelope(
                    xmlrpc.as_bytes(),
                    &r.current().key,
                    &wwwroot,
                    timestamp,
                    PublicKeyPath::Moodle,
                    &mut rand::rng(),
                )?;
                let sealed = mnet::envelope::seal_envelope(
                    signed.as_bytes(),
                    &c,
                    &wwwroot,
                    Cipher::Rc4,
                    &mut rand::rng(),
                )?;
                Ok((signed, sealed.into_bytes()))
            },
        )
        .await;
    let (signed, body) = match built {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            traced.result = Err(OutboundError::Internal(e.to_string()));
            return traced;
        }
        Err(e) => {
            traced.result = Err(OutboundError::Internal(e.to_string()));
            return traced;
        }
    };
    traced.request_envelope = Some(signed);
    let sent = state.clock.now();
    let mut entry = audit_out(state, Some(peer), &peer.wwwroot, method, started);
    entry.encrypted = true;
    entry.signed = true;
    let reply_body = match post(
        state,
        &endpoint(&peer.wwwroot, &peer.application),
        Reach::peer(peer.tls_verify),
        body,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => {
            entry.duration_us = started.elapsed().as_micros() as i64;
            entry.envelope_note = Some("no reply".into());
            record(state, entry, Err(&e), None).await;
            let _ = state
                .store
                .record_peer_error(peer.id, sent, &e.diagnosis(&state.config.wwwroot))
                .await;
            traced.result = Err(e);
            return traced;
        }
    };
    let timing = Timing {
        sent,
        received: state.clock.now(),
        drift_threshold: client::DEFAULT_DRIFT_THRESHOLD,
    };
    let limits = state.limits;
    let keys = ring.keys.clone();
    let reply_copy = reply_body.clone();
    let read = state
        .crypto
        .run(move || {
            let refs: Vec<_> = keys.iter().map(|k| &k.key).collect();
            client::read_reply(&reply_copy, &refs, &cert, timing, &limits, &mut rand::rng())
        })
        .await;
    entry.duration_us = started.elapsed().as_micros() as i64;
    match read {
        Ok(Ok(r)) => {
            entry.envelope = Some(r.signed_envelope.clone());
            traced.reply_envelope = Some(r.signed_envelope);
            let fault = match &r.reply {
                Reply::Fault(f) => Some(f.code),
                Reply::KeyChanged(_) => Some(7025),
                Reply::Value(_) => None,
            };
            record(state, entry, Ok(()), fault).await;
            let _ = state.store.touch_peer(peer.id, state.clock.now()).await;
            traced.result = Ok(r.reply);
        }
        Ok(Err(e)) => {
            entry.envelope = Some(reply_body[..reply_body.len().min(64 * 1024)].to_vec());
            let err = OutboundError::Reply(e);
            record(state, entry, Err(&err), None).await;
            let err = explain_undecryptable(state, peer, err).await;
            let _ = state
                .store
                .record_peer_error(peer.id, sent, &err.diagnosis(&state.config.wwwroot))
                .await;
            traced.result = Err(err);
        }
        Err(e) => traced.result = Err(OutboundError::Internal(e.to_string())),
    }
    traced
}

/// A 7023 ("could not decrypt") has two causes that look alike to Moodle's own client: RC4 missing
/// from the peer's OpenSSL, or a peer that no longer holds the key we encrypt to. Asking the peer
/// for its certificate (unencrypted `system/keyswap`) tells them apart.
async fn explain_undecryptable(
    state: &AppState,
    peer: &PeerRow,
    err: OutboundError,
) -> OutboundError {
    let undecryptable =
        matches!(&err, OutboundError::Reply(ReplyError::RemoteFault(f)) if f.code == 7023);
    if !undecryptable {
        return err;
    }
    match keyswap(
        state,
        &peer.wwwroot,
        &peer.application,
        Reach::peer(peer.tls_verify),
    )
    .await
    {
        Ok(cert) if cert.fingerprint_sha256() != peer.fingerprint => {
            OutboundError::PeerKeyReplaced {
                fingerprint: cert.fingerprint_sha256(),
            }
        }
        _ => err,
    }
}

/// Stores the certificate a peer sent with 7025, after checking it names the peer.
async fn accept_new_key(
    state: &AppState,
    peer: &PeerRow,
    pem: &str,
) -> Result<PeerRow, OutboundError> {
    let cert =
        PeerCertificate::from_pem(pem).map_err(|e| OutboundError::BadNewKey(e.to_string()))?;
    cert.check_credentials(&peer.wwwroot)
        .map_err(|e| OutboundError::BadNewKey(e.to_string()))?;
    let now = state.clock.now();
    let key = NewKey::of(&cert);
    crate::write_tx!(state.store, |c| key.store(c, peer.id, now).await)
        .map_err(|e| OutboundError::Internal(e.to_string()))?;
    tracing::info!(peer = %peer.wwwroot, fingerprint = %key.fingerprint, "peer sent a new certificate (7025); stored it");
    Ok(key.applied_to(peer, now))
}

#[cfg(test)]
mod tests {
    use super::redirect_origin;

    #[test]
    fn a_redirect_names_the_wwwroot_it_points_to() {
        assert_eq!(
            redirect_origin("https://school.example/moodle/mnet/xmlrpc/server.php").as_deref(),
            Some("https://school.example/moodle")
        );
        assert_eq!(
            redirect_origin("https://moodle.school.example/login/index.php").as_deref(),
            Some("https://moodle.school.example")
        );
        assert_eq!(redirect_origin("/relative").as_deref(), None);
    }
}
