//! Built-in HTTPS with rustls: the certificate chain and private key come from PEM files
//! (`tls_cert_file`, `tls_key_file`) and are read again — without dropping a connection — on
//! SIGHUP and whenever either file changes (checked every [`WATCH_INTERVAL`]), which is what
//! certbot's or acme.sh's renewal hook expects. Established connections keep the key they
//! shook hands with; new handshakes get the new one. A reload that fails (a half-written file,
//! a key that does not match the certificate) keeps the old pair and says why in the log.
//!
//! The crypto provider is rustls' `ring` one, the same the outbound HTTP client already uses:
//! no OpenSSL (`docs/design/013-deployment.md`).

use crate::config::TlsFiles;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// How often the files are checked for a change.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(10);

/// Certificate files that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file cannot be read or holds no certificate.
    #[error("cannot read a certificate chain from {path}: {message}")]
    Certificate {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The key file cannot be read or holds no private key.
    #[error("cannot read a private key from {path}: {message}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// rustls refused the pair (unsupported key type, key and certificate do not match).
    #[error("the key in {key} cannot serve the certificate in {cert}: {message}")]
    Pair {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// rustls' reason.
        message: String,
    },
    /// The protocol versions could not be set up (a rustls build without TLS 1.2/1.3).
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// The current certificate and key, swapped on reload; handshakes read it.
#[derive(Debug)]
struct CurrentKey(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for CurrentKey {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.read().ok().map(|k| Arc::clone(&k))
    }
}

/// What the files looked like when last read: modification time and length of each.
type Stamp = [(Option<SystemTime>, u64); 2];

/// Built-in HTTPS: the acceptor handshakes use, and the reloading of its key.
#[derive(Clone)]
pub struct Tls {
    files: TlsFiles,
    current: Arc<CurrentKey>,
    acceptor: tokio_rustls::TlsAcceptor,
    stamp: Arc<Mutex<Stamp>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Tls {
    /// Reads the files; an error names the file and what is wrong with it.
    pub fn load(files: &TlsFiles) -> Result<Tls, TlsError> {
        let stamp = stamp_of(files);
        let key = read_pair(files)?;
        let current = Arc::new(CurrentKey(RwLock::new(Arc::new(key))));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Setup(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&current) as Arc<dyn ResolvesServerCert>);
        // HTTP/1.1 only: the server speaks nothing else (axum's `http1`).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            files: files.clone(),
            current,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            stamp: Arc::new(Mutex::new(stamp)),
        })
    }

    /// The acceptor for new connections.
    pub fn acceptor(&self) -> &tokio_rustls::TlsAcceptor {
        &self.acceptor
    }

    /// The DER of the certificate now served (leaf first).
    pub fn certificate_chain(&self) -> Vec<CertificateDer<'static>> {
        self.current
            .0
            .read()
            .map(|k| k.cert.clone())
            .unwrap_or_default()
    }

    /// The certificate file.
    pub fn cert_file(&self) -> &std::path::Path {
        &self.files.cert
    }

    /// When the certificate now served expires (Unix time), if it can be read.
    pub fn not_after(&self) -> Option<i64> {
        use x509_cert::der::Decode as _;
        let chain = self.certificate_chain();
        let leaf = x509_cert::Certificate::from_der(chain.first()?.as_ref()).ok()?;
        let t = leaf
            .tbs_certificate()
            .validity()
            .not_after
            .to_unix_duration();
        i64::try_from(t.as_secs()).ok()
    }

    /// Reads the files again and serves the new pair from the next handshake on. On failure the
    /// old pair stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let stamp = stamp_of(&self.files);
        let key = read_pair(&self.files)?;
        if let Ok(mut current) = self.current.0.write() {
            *current = Arc::new(key);
        }
        if let Ok(mut s) = self.stamp.lock() {
            *s = stamp;
        }
        Ok(())
    }

    /// Whether either file changed since it was last read.
    fn changed(&self) -> bool {
        let now = stamp_of(&self.files);
        self.stamp.lock().map(|s| *s != now).unwrap_or(false)
    }

    /// Reloads on SIGHUP and when the files change, in a task of its own (abort it to stop).
    /// The SIGHUP handler is in place when this returns, so a SIGHUP sent after start-up never
    /// falls through to the default action (which would end the process).
    pub fn spawn_watcher(self) -> tokio::task::JoinHandle<()> {
        #[cfg(unix)]
        let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|e| tracing::warn!(error = %e, "no SIGHUP reloads of the TLS certificate (file changes are still watched)"))
            .ok();
        #[cfg(not(unix))]
        let hangup: Option<()> = None;
        tokio::spawn(self.watch(hangup))
    }

    #[cfg(unix)]
    async fn watch(self, mut hangup: Option<tokio::signal::unix::Signal>) {
        let mut tick = tokio::time::interval(WATCH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let signalled = match hangup.as_mut() {
                Some(h) => tokio::select! {
                    _ = h.recv() => true,
                    _ = tick.tick() => false,
                },
                None => {
                    tick.tick().await;
                    false
                }
            };
            self.reload_if(signalled);
        }
    }

    #[cfg(not(unix))]
    async fn watch(self, _hangup: Option<()>) {
        let mut tick = tokio::time::interval(WATCH_INTERVAL);
        loop {
            tick.tick().await;
            self.reload_if(false);
        }
    }

    fn reload_if(&self, signalled: bool) {
        if !signalled && !self.changed() {
            return;
        }
        let why = if signalled {
            "SIGHUP"
        } else {
            "the files changed"
        };
        match self.reload() {
            Ok(()) => {
                tracing::info!(cert = %self.files.cert.display(), "reloaded the TLS certificate ({why})")
            }
            Err(e) => {
                tracing::error!(error = %e, "kept the TLS certificate in use: the new one cannot be used ({why})")
            }
        }
    }
}

fn stamp_of(files: &TlsFiles) -> Stamp {
    let one = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| (m.modified().ok(), m.len()))
            .unwrap_or((None, 0))
    };
    [one(&files.cert), one(&files.key)]
}

fn read_pair(files: &TlsFiles) -> Result<CertifiedKey, TlsError> {
    let cert_error = |message: String| TlsError::Certificate {
        path: files.cert.display().to_string(),
        message,
    };
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| cert_error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_error("no CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Key {
        path: files.key.display().to_string(),
        message: e.to_string(),
    })?;
    CertifiedKey::from_der(chain, key, &provider()).map_err(|e| TlsError::Pair {
        cert: files.cert.display().to_string(),
        key: files.key.display().to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mnet::keys::SitePrivateKey;

    /// A key and a self-signed certificate for it, as PEM.
    fn pair(name: &str) -> (String, String, Vec<u8>) {
        let key = SitePrivateKey::generate(&mut rand::rng(), 2048).unwrap();
        let id = moodle_sim::SiteIdentity::moodle_shaped(
            key.clone(),
            "https://127.0.0.1",
            name,
            1_800_000_000,
        )
        .unwrap();
        (
            id.certificate_pem().to_owned(),
            key.to_pkcs8_pem().unwrap().to_string(),
            id.certificate().der().to_vec(),
        )
    }

    #[test]
    fn a_failed_reload_keeps_the_pair_in_use_and_a_change_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles {
            cert: dir.path().join("site.crt"),
            key: dir.path().join("site.key"),
        };
        let (cert1, key1, der1) = pair("first");
        std::fs::write(&files.cert, &cert1).unwrap();
        std::fs::write(&files.key, &key1).unwrap();
        let tls = Tls::load(&files).unwrap();
        assert_eq!(tls.certificate_chain()[0].as_ref(), der1.as_slice());
        assert_eq!(tls.not_after(), Some(1_800_000_000 + 28 * 86_400));
        assert!(!tls.changed());

        // Half a renewal: the new certificate is there, the key is still the old one.
        let (cert2, key2, der2) = pair("second");
        std::fs::write(&files.cert, &cert2).unwrap();
        assert!(tls.changed());
        let err = tls.reload().unwrap_err();
        assert!(
            err.to_string().contains("cannot serve the certificate"),
            "{err}"
        );
        assert_eq!(tls.certificate_chain()[0].as_ref(), der1.as_slice());

        std::fs::write(&files.key, &key2).unwrap();
        tls.reload().unwrap();
        assert_eq!(tls.certificate_chain()[0].as_ref(), der2.as_slice());
        assert!(!tls.changed());

        std::fs::write(&files.key, "not a key").unwrap();
        assert!(matches!(tls.reload(), Err(TlsError::Key { .. })));
        std::fs::write(&files.cert, "").unwrap();
        assert!(matches!(
            Tls::load(&files),
            Err(TlsError::Certificate { .. })
        ));
    }
}
