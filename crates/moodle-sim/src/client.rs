//! The simulated site's MNet client, behaving as Moodle 4.5's `mnet_xmlrpc_client`
//! (`mnet-protocol.md` §5.1): `User-Agent: Moodle`, a 60 s timeout, the request signed then
//! sealed to the peer's stored certificate in Moodle's envelope templates, the reply opened with
//! the current then archived keys and verified; on fault 7025 the new certificate is stored and
//! the *same signed request* is sealed again and re-sent, once (§5.4, §14). Keyswap is a plain
//! call (§5.6), as the "Add host" page makes it.
//!
//! Depends on `sim` (the site's state) and is used by `push`; never the other way round.

use crate::error::SimError;
use crate::peers::{Application, PeerRecord};
use crate::sim::{SimMoodle, blocking, normalise_wwwroot};
use mnet::client::{self as mnet_client, ReplyError, Timing};
use mnet::envelope::{Cipher, PublicKeyPath, seal_envelope, sign_envelope};
use mnet::keys::{PeerCertificate, is_normalised};
use mnet::xmlrpc::{Fault, Value, write_call};

/// What a peer answered to a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The method's value, from a reply whose signature verified.
    Value(Value),
    /// A fault, signed and encrypted by the peer.
    Fault(Fault),
    /// A plain, unsigned fault: raised before the peer could open the envelope (7020, 7023;
    /// `mnet-protocol.md` §2.4). Moodle's client reports it as "4: remote server error".
    PlainFault(Fault),
}

impl Reply {
    /// The fault code, signed or plain.
    pub fn fault_code(&self) -> Option<i32> {
        match self {
            Reply::Value(_) => None,
            Reply::Fault(f) | Reply::PlainFault(f) => Some(f.code),
        }
    }

    /// The value, or the fault.
    pub fn into_value(self) -> Result<Value, Fault> {
        match self {
            Reply::Value(v) => Ok(v),
            Reply::Fault(f) | Reply::PlainFault(f) => Err(f),
        }
    }
}

impl SimMoodle {
    /// Registers a peer as an administrator's "Add host" does (§10 item 1): fetches its front
    /// page for the name, swaps keys with a plain `system/keyswap(wwwroot, pem, "moodle")`,
    /// checks that the certificate names the wwwroot (§6.3), and stores it, replacing any
    /// certificate held before.
    pub async fn add_peer(&self, wwwroot: &str) -> Result<PeerRecord, SimError> {
        self.add_peer_as(wwwroot, Application::Moodle).await
    }

    /// [`SimMoodle::add_peer`] for a peer of another application type.
    pub async fn add_peer_as(
        &self,
        wwwroot: &str,
        application: Application,
    ) -> Result<PeerRecord, SimError> {
        let wwwroot = normalise_wwwroot(wwwroot)?;
        let name = self
            .fetch_title(&wwwroot)
            .await
            .unwrap_or_else(|| wwwroot.clone());
        let certificate = self
            .fetch_peer_certificate_as(&wwwroot, application)
            .await?;
        certificate
            .check_credentials(&wwwroot)
            .map_err(|source| SimError::Credentials {
                wwwroot: wwwroot.clone(),
                source,
            })?;
        let record = self
            .peers_mut()
            .upsert(&wwwroot, &name, application, certificate);
        tracing::info!(peer = %record.wwwroot, id = record.id, "peer added");
        Ok(record)
    }

    /// Asks a peer for its certificate with a plain keyswap, without storing it (the "Review
    /// host" comparison, §10 item 2).
    pub async fn fetch_peer_certificate(&self, wwwroot: &str) -> Result<PeerCertificate, SimError> {
        let application = self
            .peer(wwwroot)
            .map_or(Application::Moodle, |p| p.application);
        self.fetch_peer_certificate_as(wwwroot, application).await
    }

    async fn fetch_peer_certificate_as(
        &self,
        wwwroot: &str,
        application: Application,
    ) -> Result<PeerCertificate, SimError> {
        let body = mnet_client::keyswap_request(self.wwwroot(), &self.certificate_pem(), "moodle");
        let url = format!("{wwwroot}{}", application.xmlrpc_path());
        let reply = self.post(&url, body.into_bytes()).await?;
        mnet_client::read_keyswap_reply(&reply, wwwroot, &self.inner.limits).map_err(|source| {
            SimError::Keyswap {
                wwwroot: wwwroot.to_owned(),
                source,
            }
        })
    }

    /// Makes a signed and encrypted MNet call to a peer and returns its verified reply,
    /// handling 7025 as Moodle's client does. Faults are replies, not errors; errors are what
    /// Moodle's client would report as failures (transport, "Invalid signature", clock ahead…).
    pub async fn call(
        &self,
        peer_wwwroot: &str,
        method: &str,
        params: Vec<Value>,
    ) -> Result<Reply, SimError> {
        let peer = self
            .peer(peer_wwwroot)
            .ok_or_else(|| SimError::UnknownPeer(peer_wwwroot.to_owned()))?;
        let ring = self.key_ring();
        let sent = self.now();
        let xmlrpc = write_call(method, &params);
        let (key, our_wwwroot) = (ring.current.shared_key(), self.wwwroot().to_owned());
        // §14: after a 7025 Moodle re-sends the identical signed request, so sign once.
        let signed = blocking(move || {
            sign_envelope(
                xmlrpc.as_bytes(),
                &key,
                &our_wwwroot,
                sent,
                PublicKeyPath::Moodle,
                &mut rand::rng(),
            )
        })
        .await??;
        let mut certificate = peer.certificate.clone();
        for attempt in 0..2 {
            let (signed_bytes, cert, from) = (
                signed.clone().into_bytes(),
                certificate.clone(),
                self.wwwroot().to_owned(),
            );
            let body = blocking(move || {
                seal_envelope(&signed_bytes, &cert, &from, Cipher::Rc4, &mut rand::rng())
            })
            .await??;
            let response = self.post(&peer.xmlrpc_url(), body.into_bytes()).await?;
            let received = self.now();
            self.peers_mut().touch(&peer.wwwroot, received);
            let (keys, cert, limits) = (ring.keys(), certificate.clone(), self.inner.limits);
            let timing = Timing {
                sent,
                received,
                drift_threshold: mnet_client::DEFAULT_DRIFT_THRESHOLD,
            };
            let read = blocking(move || {
                let keys: Vec<&mnet::keys::SitePrivateKey> =
                    keys.iter().map(AsRef::as_ref).collect();
                mnet_client::read_reply(&response, &keys, &cert, timing, &limits, &mut rand::rng())
                    .map(|read| read.reply)
            })
            .await?;
            match read {
                Ok(mnet_client::Reply::Value(v)) => return Ok(Reply::Value(v)),
                Ok(mnet_client::Reply::Fault(f)) => return Ok(Reply::Fault(f)),
                Err(ReplyError::RemoteFault(f)) => return Ok(Reply::PlainFault(f)),
                Ok(mnet_client::Reply::KeyChanged(pem)) if attempt == 0 => {
                    certificate = self.store_new_certificate(&peer.wwwroot, &pem)?;
                }
                Ok(mnet_client::Reply::KeyChanged(_)) => {
                    return Err(SimError::KeyChangedAgain(peer.wwwroot.clone()));
                }
                Err(source) => {
                    return Err(SimError::Reply {
                        wwwroot: peer.wwwroot.clone(),
                        source,
                    });
                }
            }
        }
        Err(SimError::KeyChangedAgain(peer.wwwroot))
    }

    /// 7025 (§5.4): store the PEM as the peer's certificate. Moodle flags a PEM that is not in
    /// `PARAM_PEM` form as an error but stores it anyway; so does the simulator (with a
    /// warning).
    fn store_new_certificate(&self, wwwroot: &str, pem: &str) -> Result<PeerCertificate, SimError> {
        let certificate =
            PeerCertificate::from_pem(pem).map_err(|source| SimError::BadNewCertificate {
                wwwroot: wwwroot.to_owned(),
                source,
            })?;
        if !is_normalised(pem) {
            tracing::warn!(peer = %wwwroot, "7025 carried a certificate PEM that is not normalised (PARAM_PEM)");
        }
        self.peers_mut()
            .set_certificate(wwwroot, certificate.clone());
        tracing::info!(peer = %wwwroot, "peer sent 7025: stored its new certificate, re-sending once");
        Ok(certificate)
    }

    /// POSTs a body and returns the reply body, trimmed as Moodle's client trims it (§1.3).
    async fn post(&self, url: &str, body: Vec<u8>) -> Result<Vec<u8>, SimError> {
        let transport = |e: reqwest::Error| SimError::Transport {
            url: url.to_owned(),
            message: e.to_string(),
        };
        let response = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "text/xml")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(SimError::HttpStatus {
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(transport)?;
        Ok(bytes.trim_ascii().to_vec())
    }

    /// The `<title>` of a peer's front page (`mnet_peer::bootstrap`), if it has one.
    async fn fetch_title(&self, wwwroot: &str) -> Option<String> {
        let response = self.inner.http.get(wwwroot).send().await.ok()?;
        let html = response.text().await.ok()?;
        title_of(&html)
    }
}

/// `preg_match("@<title>(.*)</title>@siU")`, with tags and surrounding space removed.
fn title_of(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title>")? + open_end;
    let title = html[open_end..end].trim();
    (!title.is_empty()).then(|| title.chars().take(80).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_found_like_moodle_finds_them() {
        assert_eq!(
            title_of("<html><head><TITLE>\n SchoolBridge </TITLE></head>").as_deref(),
            Some("SchoolBridge")
        );
        assert_eq!(title_of("<title></title>"), None);
        assert_eq!(title_of("no title here"), None);
        assert_eq!(
            Reply::PlainFault(Fault {
                code: 7020,
                string: String::new()
            })
            .fault_code(),
            Some(7020)
        );
    }
}
