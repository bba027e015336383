//! Our site keys in memory (`mnet-protocol.md` §5.5, §6): the current key pair and the archived
//! ones that still open messages sealed to an old certificate (answered with 7025). Created on
//! first start, rotated on a schedule and on demand; every instance reloads the ring when the
//! database says another instance rotated. Private keys live sealed in the database.

use crate::at_rest::{AtRestError, MasterKey};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto_pool::CryptoPool;
use crate::store::{Store, StoreError, site_keys};
use mnet::keys::{
    CertSignature, CertificateRequest, CertificateSubject, KeyError, PeerCertificate,
    SitePrivateKey, self_signed_certificate,
};
use std::sync::{Arc, RwLock};

/// One loaded key pair.
#[derive(Debug)]
pub struct LoadedKey {
    /// Row id.
    pub id: i64,
    /// The private key.
    pub key: SitePrivateKey,
    /// Our certificate, parsed.
    pub cert: PeerCertificate,
    /// When it was replaced (archived keys only).
    pub retired_at: Option<i64>,
}

/// The current key and the archive, newest first.
#[derive(Debug)]
pub struct KeyRing {
    /// Index 0 is the current key.
    pub keys: Vec<Arc<LoadedKey>>,
}

impl KeyRing {
    /// The current key.
    pub fn current(&self) -> &Arc<LoadedKey> {
        // The ring is never built empty (see `load`).
        &self.keys[0]
    }
}

/// Key-management failures.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sealed key could not be opened.
    #[error(transparent)]
    AtRest(#[from] AtRestError),
    /// A key or certificate operation failed.
    #[error("site key: {0}")]
    Key(#[from] KeyError),
    /// The worker failed.
    #[error("the key generation worker failed")]
    Worker,
}

/// The site's keys, shared by all requests.
pub struct SiteKeys {
    store: Store,
    master: Arc<MasterKey>,
    pool: CryptoPool,
    clock: Clock,
    generations: u32,
    lifetime_days: u32,
    wwwroot: String,
    subject: CertificateSubject,
    ring: RwLock<Arc<KeyRing>>,
}

impl std::fmt::Debug for SiteKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteKeys(***)")
    }
}

impl SiteKeys {
    /// Loads the keys, creating the first one when the database has none.
    pub async fn open(
        store: Store,
        master: Arc<MasterKey>,
        pool: CryptoPool,
        clock: Clock,
        config: &Config,
    ) -> Result<Self, KeyringError> {
        let subject = CertificateSubject {
            country: config.cert_country.clone(),
            state: config.cert_state.clone(),
            locality: config.cert_locality.clone(),
            organization: config.site_name.clone(),
            organizational_unit: "SchoolBridge".to_owned(),
            email: config.cert_email.clone(),
        };
        let keys = SiteKeys {
            store,
            master,
            pool,
            clock,
            generations: config.key_generations,
            lifetime_days: config.key_lifetime_days,
            wwwroot: config.wwwroot.clone(),
            subject,
            ring: RwLock::new(Arc::new(KeyRing { keys: Vec::new() })),
        };
        if keys.store.current_site_key_id().await?.is_none() {
            keys.rotate_from(None).await?;
        }
        keys.reload().await?;
        // A new wwwroot (the admin moved the site) needs a certificate that names it.
        let cn_matches = keys
            .ring()
            .current()
            .cert
            .check_credentials(&keys.wwwroot)
            .is_ok();
        if !cn_matches {
            tracing::warn!(wwwroot = %keys.wwwroot, "the current certificate names another wwwroot; making a new key");
            keys.rotate().await?;
        }
        Ok(keys)
    }

    /// The ring as it is now.
    pub fn ring(&self) -> Arc<KeyRing> {
        match self.ring.read() {
            Ok(r) => Arc::clone(&r),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reloads from the database. Returns whether the current key changed.
    pub async fn reload(&self) -> Result<bool, KeyringError> {
        let rows = self.store.site_keys(self.generations).await?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let der = self.master.unseal(&row.private_key_sealed)?;
            let key = SitePrivateKey::from_pkcs8_der(&der)?;
            let cert = PeerCertificate::from_pem(&row.certificate_pem)?;
            keys.push(Arc::new(LoadedKey {
                id: row.id,
                key,
                cert,
                retired_at: row.retired_at,
            }));
        }
        if keys.is_empty() {
            return Err(KeyringError::Store(StoreError::NotFound("site key")));
        }
        let changed = self.ring().keys.first().map(|k| k.id) != keys.first().map(|k| k.id);
        let ring = Arc::new(KeyRing { keys });
        match self.ring.write() {
            Ok(mut w) => *w = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
        Ok(changed)
    }

    /// Reloads when another instance has rotated (cheap query). Returns whether it changed.
    pub async fn refresh_if_rotated(&self) -> Result<bool, KeyringError> {
        let db_current = self.store.current_site_key_id().await?;
        if db_current != Some(self.ring().current().id) {
            self.reload().await
        } else {
            Ok(false)
        }
    }

    /// Rotates now (admin's "rotate" or the schedule): a new key becomes current, the old one is
    /// archived and keeps opening messages for `generations` rotations.
    pub async fn rotate(&self) -> Result<(), KeyringError> {
        let current = self.ring().keys.first().map(|k| k.id);
        self.rotate_from(current).await?;
        self.reload().await?;
        Ok(())
    }

    /// Rotates when the current certificate is within two days of expiring (or past it).
    pub async fn rotate_if_due(&self) -> Result<bool, KeyringError> {
        self.refresh_if_rotated().await?;
        let ring = self.ring();
        let current = ring.current();
        let margin = if self.lifetime_days > 4 {
            2 * 86_400
        } else {
            3_600
        };
        if current.cert.not_after() - margin <= self.clock.now() {
            tracing::info!(
                expires = current.cert.not_after(),
                "the site certificate is about to expire: rotating the key"
            );
            self.rotate_from(Some(current.id)).await?;
            self.reload().await?;
            return Ok(true);
        }
        Ok(false)
    }

    async fn rotate_from(&self, expected_current: Option<i64>) -> Result<(), KeyringError> {
        let now = self.clock.now();
        let wwwroot = self.wwwroot.clone();
        let subject = self.subject.clone();
        let days = self.lifetime_days;
        let made = self
            .pool
            .run(move || -> Result<(SitePrivateKey, String), KeyError> {
                let mut rng = rand::rng();
                let key = SitePrivateKey::generate(&mut rng, 2048)?;
                // Back-date by a minute so a peer whose clock is slightly behind accepts it.
                let req = CertificateRequest {
                    wwwroot: &wwwroot,
                    subject: &subject,
                    not_before: now - 60,
                    days,
                    serial: u64::try_from(now).unwrap_or(1),
                    signature: CertSignature::Sha256,
                };
                let pem = self_signed_certificate(&key, &req, &mut rng)?;
                Ok((key, pem))
            })
            .await
            .map_err(|_| KeyringError::Worker)??;
        let (key, pem) = made;
        let cert = PeerCertificate::from_pem(&pem)?;
        let sealed = self.master.seal(&key.to_pkcs8_der()?)?;
        let fingerprint = cert.fingerprint_sha256();
        let not_after = cert.not_after();
        let created = crate::write_tx!(self.store, |c| {
            site_keys::rotate_site_key(
                c,
                expected_current,
                &pem,
                &sealed,
                &fingerprint,
                now,
                not_after,
            )
            .await
        })?;
        match created {
            Some(id) => {
                tracing::info!(key_id = id, fingerprint = %fingerprint, "new site key is current")
            }
            None => tracing::info!("another instance rotated the site key first; using theirs"),
        }
        Ok(())
    }
}
