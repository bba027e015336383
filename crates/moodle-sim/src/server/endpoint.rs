//! `POST /mnet/xmlrpc/server.php`: Moodle's server pipeline, run through the same receive
//! steps as SchoolBridge's endpoint (`mnet::server`, `mnet-protocol.md` §5.2) with Moodle's own
//! policy — no clock window, and Moodle 4.5's HTML 404 page for a body that is not MNet (§14).
//! This module does the simulated site's I/O for the steps: its peers, its keys, a peer's
//! re-key after a signature that does not verify (keyswap, then a `system/listServices` call
//! whose 7025 hands over the new certificate, as `mnet_server_strip_signature` does), and the
//! dispatch of verified calls.

use super::methods::dispatch;
use crate::calls::{CallOutcome, ReceivedCall, Transport};
use crate::peers::PeerRecord;
use crate::sim::{SimMoodle, blocking};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mnet::envelope::{Cipher, PublicKeyPath, Wrapping};
use mnet::fault::MnetFault;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::server::{
    Decision, FromPeer, NotMnet, Opened, ReceivePolicy, Received, ReplyBody, SiteKeyRing, Verified,
};
use mnet::xmlrpc::{MethodCall, Value, write_response};
use std::sync::Arc;

/// What the endpoint sends back.
enum Answer {
    /// An XML-RPC document or envelope, status 200.
    Xml(Vec<u8>),
    /// Moodle 4.5's HTML error page, status 404.
    NotMnet,
}

/// The handler.
pub(crate) async fn xmlrpc_server(State(sim): State<SimMoodle>, body: Bytes) -> Response {
    match process(&sim, &body).await {
        Answer::Xml(bytes) => (
            StatusCode::OK,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )],
            bytes,
        )
            .into_response(),
        Answer::NotMnet => not_mnet_page(&sim),
    }
}

/// `GET /mnet/xmlrpc/server.php` and every non-MNet body: an HTML page with status 404.
pub(crate) async fn xmlrpc_get(State(sim): State<SimMoodle>) -> Response {
    not_mnet_page(&sim)
}

fn not_mnet_page(sim: &SimMoodle) -> Response {
    super::html::error_page(
        sim,
        StatusCode::NOT_FOUND,
        None,
        "The transport method you are trying to use is not permitted.",
    )
}

/// Moodle's receive policy: no clock window (Moodle checks none), the HTML page for non-MNet.
fn policy(sim: &SimMoodle) -> ReceivePolicy {
    ReceivePolicy {
        limits: sim.inner.limits,
        clock_window: None,
        not_mnet: NotMnet::HtmlPage,
        ..ReceivePolicy::default()
    }
}

async fn process(sim: &SimMoodle, body: &[u8]) -> Answer {
    match mnet::server::receive(body, &policy(sim)) {
        Received::Answer(decision) => finish(sim, decision, None, None).await,
        Received::Keyswap(asked) => {
            // A Moodle that registers all hosts bootstraps the caller from its keyswap.
            let call = MethodCall {
                method_name: "system/keyswap".into(),
                params: asked.params().to_vec(),
            };
            let _ = dispatch(sim, None, &call).await;
            let decision = asked.answer(&sim.certificate_pem());
            finish(sim, decision, Some(&call), None).await
        }
        Received::FromPeer(from) => encrypted(sim, from).await,
    }
}

/// Step 4: an encrypted envelope.
async fn encrypted(sim: &SimMoodle, from: FromPeer) -> Answer {
    let Some(peer) = sim.peer(from.claimed_wwwroot()) else {
        return finish(sim, from.unknown_sender(), None, None).await;
    };
    let ring = sim.key_ring();
    let (keys, current_pem) = (ring.keys(), sim.certificate_pem());
    let peer_cert = peer.certificate.clone();
    let opened = blocking(move || {
        let keys: Vec<&SitePrivateKey> = keys.iter().map(AsRef::as_ref).collect();
        from.open(
            &peer_cert,
            SiteKeyRing {
                keys: &keys,
                current_certificate_pem: &current_pem,
            },
            &mut rand::rng(),
        )
    })
    .await;
    let unverified = match opened {
        Ok(Opened::Signed(u)) => u,
        Ok(Opened::Answer(decision)) => return finish(sim, decision, None, Some(&peer)).await,
        Ok(Opened::NoKeyOpens(from)) => {
            return finish(sim, from.no_key_opens(), None, Some(&peer)).await;
        }
        Err(e) => {
            tracing::error!("could not open a request: {e}");
            return Answer::Xml(MnetFault::Unknown.to_xml().into_bytes());
        }
    };
    let now = sim.now();
    let verified = match blocking(move || unverified.verify(now)).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("could not verify a request: {e}");
            return Answer::Xml(MnetFault::Unknown.to_xml().into_bytes());
        }
    };
    let verified = match verified {
        Verified::Call(call) => Ok(call),
        Verified::Answer(decision) => Err(decision),
        Verified::NeedPeerKey(needed) => {
            let refreshed = refresh_peer_key(sim, &peer).await;
            needed.retry(refreshed, now)
        }
    };
    let call = match verified {
        Ok(call) => call,
        Err(decision) => return finish(sim, decision, None, Some(&peer)).await,
    };
    sim.peers_mut().touch(&peer.wwwroot, sim.now());
    let peer = sim.peer(&peer.wwwroot).unwrap_or(peer);
    let result = dispatch(sim, Some(&peer), &call.call).await;
    let method_call = call.call.clone();
    finish(sim, call.reply(result), Some(&method_call), Some(&peer)).await
}

/// Records the call and wraps the decision's reply as it says.
async fn finish(
    sim: &SimMoodle,
    decision: Decision,
    call: Option<&MethodCall>,
    peer: Option<&PeerRecord>,
) -> Answer {
    let transport = match (decision.facts.encrypted, decision.facts.signed) {
        (true, _) => Transport::Encrypted,
        (false, true) => Transport::SignedOnly,
        (false, false) => Transport::Plain,
    };
    let outcome = match (&decision.reply, decision.fault_code()) {
        (ReplyBody::NotMnet, _) => CallOutcome::NotMnet,
        (_, Some(code)) => CallOutcome::Fault(code),
        _ => CallOutcome::Answered,
    };
    let from = decision
        .facts
        .claimed_wwwroot
        .clone()
        .or_else(|| peer.map(|p| p.wwwroot.clone()));
    record(
        sim,
        from,
        call,
        decision.facts.method.clone(),
        transport,
        outcome,
    );
    let xml = match decision.reply {
        ReplyBody::NotMnet => return Answer::NotMnet,
        ReplyBody::Xml(result) => document(&result),
    };
    let ring = sim.key_ring();
    let keys = ring.keys();
    let sign_with = decision.sign_with.and_then(|i| keys.get(i).cloned());
    wrap(sim, xml, sign_with, decision.encrypt_to.map(|c| *c)).await
}

/// The peer's key may have changed: ask it (keyswap); if its answer differs from what we hold,
/// call it (`refresh_key()` sends `system/listServices`) so that its 7025 hands us the new
/// certificate through the channel we trust. Returns the certificate held afterwards, when it
/// changed (the receive step then accepts it only if the request verifies with it).
async fn refresh_peer_key(sim: &SimMoodle, peer: &PeerRecord) -> Option<PeerCertificate> {
    let held = peer.certificate.pem().to_owned();
    match sim.fetch_peer_certificate(&peer.wwwroot).await {
        Ok(current) if current.pem() != held => {}
        _ => return None,
    }
    tracing::info!(peer = %peer.wwwroot, "signature did not verify and the peer's key changed: refreshing it");
    let _ = sim
        .call(&peer.wwwroot, "system/listServices", Vec::new())
        .await;
    sim.peer(&peer.wwwroot)
        .map(|p| p.certificate)
        .filter(|c| c.pem() != held)
}

/// Signs (if `sign_with`) and encrypts (if `encrypt_to`) a reply (§5.2 step 6).
async fn wrap(
    sim: &SimMoodle,
    xml: String,
    sign_with: Option<Arc<SitePrivateKey>>,
    encrypt_to: Option<PeerCertificate>,
) -> Answer {
    let (wwwroot, timestamp) = (sim.wwwroot().to_owned(), sim.now());
    let wrapped = blocking(move || {
        Wrapping {
            sign_with: sign_with.as_deref(),
            encrypt_to: encrypt_to.as_ref(),
            wwwroot: &wwwroot,
            timestamp,
            cipher: Cipher::Rc4,
            publickey_path: PublicKeyPath::Moodle,
        }
        .wrap(xml.as_bytes(), &mut rand::rng())
    })
    .await;
    match wrapped {
        Ok(Ok(body)) => Answer::Xml(body),
        Ok(Err(e)) => {
            tracing::error!("could not wrap a reply: {e}");
            Answer::Xml(MnetFault::Unknown.to_xml().into_bytes())
        }
        Err(e) => {
            tracing::error!("could not wrap a reply: {e}");
            Answer::Xml(MnetFault::Unknown.to_xml().into_bytes())
        }
    }
}

fn document(result: &Result<Value, MnetFault>) -> String {
    match result {
        Ok(value) => write_response(value),
        Err(fault) => fault.to_xml(),
    }
}

fn record(
    sim: &SimMoodle,
    from: Option<String>,
    call: Option<&MethodCall>,
    claimed_method: Option<String>,
    transport: Transport,
    outcome: CallOutcome,
) {
    let method = call.map(|c| c.method_name.clone()).or(claimed_method);
    match outcome {
        CallOutcome::Fault(code) => tracing::info!(
            from = from.as_deref().unwrap_or("-"),
            method = method.as_deref().unwrap_or("-"),
            ?transport,
            code,
            "MNet call answered with a fault"
        ),
        _ => tracing::debug!(
            from = from.as_deref().unwrap_or("-"),
            method = method.as_deref().unwrap_or("-"),
            ?transport,
            ?outcome,
            "MNet call"
        ),
    }
    sim.record_call(ReceivedCall {
        at: sim.now(),
        from,
        method,
        params: call.map(|c| c.params.clone()).unwrap_or_default(),
        transport,
        outcome,
    });
}
