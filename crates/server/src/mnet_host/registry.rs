//! The peer registry's operations (`docs/product.md` §1), shared by the JSON API and the
//! CLI: add by URL (keyswap, then the admin confirms the certificate), review (detects a changed
//! key and flags it), verify (a `system/listServices` round trip with a diagnosis), services,
//! soft delete and restore.

use super::outbound::{self, OutboundError};
use super::peer_keys::NewKey;
use super::site_name;
use crate::config::normalise_wwwroot;
use crate::state::{AppState, Reach};
use crate::store::peers::{
    insert_or_undelete_peer, set_peer_deleted, set_peer_pending_pem, set_peer_service,
    update_peer_settings,
};
use crate::store::{NewPeer, PeerRow, PeerServiceRow, StoreError};
use mnet::client::Reply;
use mnet::keys::PeerCertificate;
use mnet::services::{SCHOOLTOOL_SIS, SSO_IDP, SSO_SP};

/// Registry failures, each with a message an administrator can act on.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The URL is not a wwwroot.
    #[error("{0}")]
    BadUrl(String),
    /// The application is neither moodle nor mahara.
    #[error("unknown application {0:?}: use moodle or mahara")]
    BadApplication(String),
    /// Talking to the peer failed.
    #[error("{diagnosis}")]
    Peer {
        /// What went wrong, in plain words.
        diagnosis: String,
        /// The underlying error.
        #[source]
        source: OutboundError,
    },
    /// The certificate cannot be used for this wwwroot.
    #[error("the certificate cannot be used for {wwwroot}: {message}")]
    Certificate {
        /// The wwwroot.
        wwwroot: String,
        /// Why.
        message: String,
    },
    /// No such peer.
    #[error("no peer {0}")]
    NotFound(String),
    /// A live peer with this wwwroot exists already.
    #[error("{0} is already a peer")]
    AlreadyExists(String),
    /// The key shown to the admin is no longer what the peer publishes.
    #[error("the peer's certificate changed since it was shown; review it again")]
    CertificateChanged,
    /// A service name we do not know.
    #[error("unknown service {0:?}")]
    UnknownService(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the admin sees before confirming a new peer.
#[derive(Debug, Clone)]
pub struct PeerPreview {
    /// The normalised wwwroot.
    pub wwwroot: String,
    /// The application.
    pub application: String,
    /// Suggested name (the site's `<title>`).
    pub name: String,
    /// The certificate the peer published.
    pub certificate: PeerCertificate,
    /// A deleted peer with the same wwwroot exists (confirming restores it).
    pub restores_deleted: Option<PeerRow>,
}

/// The result of a review.
#[derive(Debug, Clone)]
pub struct Review {
    /// The peer after the review.
    pub peer: PeerRow,
    /// The certificate the peer publishes now.
    pub published: PeerCertificate,
    /// Whether it differs from the one we hold (flagged; the admin must accept it).
    pub key_changed: bool,
}

/// The result of a verification round trip.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Whether the round trip succeeded.
    pub ok: bool,
    /// The services the peer reports: (name, publish, subscribe) from its point of view.
    pub services: Vec<(String, bool, bool)>,
    /// Plain-language diagnosis when it failed.
    pub diagnosis: Option<String>,
    /// Milliseconds taken.
    pub millis: i64,
}

impl Verification {
    /// A round trip that failed, with its plain-language diagnosis.
    fn failed(diagnosis: String, millis: i64) -> Self {
        Self {
            ok: false,
            services: Vec::new(),
            diagnosis: Some(diagnosis),
            millis,
        }
    }
}

/// The services a new peer gets: everything switched on both ways — the usual school setup,
/// where Moodle pushes `schooltool_sis` and users roam both ways. Each can be switched off on
/// the peer's page (`docs/design/006-peers-and-keys.md`).
pub const DEFAULT_SERVICES: &[(&str, bool, bool)] = &[
    (SCHOOLTOOL_SIS, true, true),
    (SSO_IDP, true, true),
    (SSO_SP, true, true),
];

fn check_application(app: &str) -> Result<String, RegistryError> {
    match app {
        "moodle" | "mahara" => Ok(app.to_owned()),
        other => Err(RegistryError::BadApplication(other.to_owned())),
    }
}

fn peer_error(state: &AppState, source: OutboundError) -> RegistryError {
    RegistryError::Peer {
        diagnosis: source.diagnosis(&state.config.wwwroot),
        source,
    }
}

/// Step 1 of adding: keyswap and the checks Moodle makes; nothing is stored.
pub async fn preview(
    state: &AppState,
    url: &str,
    application: &str,
    reach: Reach,
) -> Result<PeerPreview, RegistryError> {
    let wwwroot = normalise_wwwroot(url).map_err(RegistryError::BadUrl)?;
    let application = check_application(application)?;
    if wwwroot == state.config.wwwroot {
        return Err(RegistryError::BadUrl(
            "that is SchoolBridge's own address".into(),
        ));
    }
    let existing = state.store.peer_by_wwwroot(&wwwroot).await?;
    if existing.as_ref().is_some_and(|p| !p.deleted) {
        return Err(RegistryError::AlreadyExists(wwwroot));
    }
    let certificate = outbound::keyswap(state, &wwwroot, &application, reach)
        .await
        .map_err(|e| peer_error(state, e))?;
    certificate
        .check_credentials(&wwwroot)
        .map_err(certificate_error(&wwwroot))?;
    let name = site_name::suggest(state, &wwwroot, &application, &certificate, reach).await;
    Ok(PeerPreview {
        wwwroot,
        application,
        name,
        certificate,
        restores_deleted: existing,
    })
}

/// Step 2 of adding: the admin confirmed the certificate with this fingerprint. The certificate
/// must still be what the peer publishes.
pub async fn confirm(
    state: &AppState,
    preview: &PeerPreview,
    confirmed_fingerprint: &str,
    name: Option<&str>,
    tls_verify: bool,
) -> Result<PeerRow, RegistryError> {
    if preview.certificate.fingerprint_sha256() != confirmed_fingerprint {
        return Err(RegistryError::CertificateChanged);
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&preview.name)
        .chars()
        .take(MAX_PEER_NAME_CHARS)
        .collect::<String>();
    let now = state.clock.now();
    let cert = &preview.certificate;
    let (pem, fp) = (cert.pem().to_owned(), cert.fingerprint_sha256());
    let new = NewPeer {
        wwwroot: &preview.wwwroot,
        name: &name,
        application: &preview.application,
        certificate_pem: &pem,
        certificate_expires: cert.not_after(),
        fingerprint: &fp,
        tls_verify,
    };
    let restoring = preview.restores_deleted.is_some();
    let id = crate::write_tx!(state.store, |c| {
        let id = insert_or_undelete_peer(c, &new, now).await?;
        if !restoring {
            for (service, publish, subscribe) in DEFAULT_SERVICES {
                set_peer_service(c, id, service, *publish, *subscribe).await?;
            }
        }
        Ok::<_, StoreError>(id)
    })?;
    tracing::info!(peer = %preview.wwwroot, fingerprint = %fp, "peer added");
    let peer = reread(state, id, &preview.wwwroot).await?;
    // What the peer switched on for us (it may already know SchoolBridge), for the Network
    // servers block; a peer that does not know us yet is asked again later.
    refresh_remote_services_soon(state, &peer, None);
    Ok(peer)
}

/// Adds in one go (CLI `--yes`, scripts): preview, then confirm what was fetched.
pub async fn add(
    state: &AppState,
    url: &str,
    application: &str,
    name: Option<&str>,
    tls_verify: bool,
) -> Result<PeerRow, RegistryError> {
    let p = preview(state, url, application, Reach::peer(tls_verify)).await?;
    let fp = p.certificate.fingerprint_sha256();
    confirm(state, &p, &fp, name, tls_verify).await
}

/// The peer's row as it is now stored, after a change to it.
async fn reread(state: &AppState, id: i64, wwwroot: &str) -> Result<PeerRow, RegistryError> {
    state
        .store
        .peer(id)
        .await?
        .ok_or_else(|| RegistryError::NotFound(wwwroot.to_owned()))
}

/// Maps a certificate that cannot be read or does not name `wwwroot` to the registry's error.
pub(super) fn certificate_error<E: std::fmt::Display>(
    wwwroot: &str,
) -> impl FnOnce(E) -> RegistryError + '_ {
    move |e| RegistryError::Certificate {
        wwwroot: wwwroot.to_owned(),
        message: e.to_string(),
    }
}

/// Finds a peer by id or wwwroot.
pub async fn find(state: &AppState, id_or_url: &str) -> Result<PeerRow, RegistryError> {
    let found = match id_or_url.trim().parse::<i64>() {
        Ok(id) => state.store.peer(id).await?,
        Err(_) => match normalise_wwwroot(id_or_url) {
            Ok(w) => state.store.peer_by_wwwroot(&w).await?,
            Err(_) => None,
        },
    };
    found.ok_or_else(|| RegistryError::NotFound(id_or_url.to_owned()))
}

/// Re-runs keyswap and compares (Moodle's review, §10 item 2). A different key is kept aside and
/// flagged; it is used only after the admin accepts it.
pub async fn review(state: &AppState, peer: &PeerRow) -> Result<Review, RegistryError> {
    let published = outbound::keyswap(
        state,
        &peer.wwwroot,
        &peer.application,
        Reach::peer(peer.tls_verify),
    )
    .await
    .map_err(|e| peer_error(state, e))?;
    let key_changed = published.pem() != peer.certificate_pem;
    let now = state.clock.now();
    let pending = key_changed.then(|| published.pem().to_owned());
    if key_changed {
        tracing::warn!(peer = %peer.wwwroot, "review: the peer publishes a different key than the one held");
    }
    crate::write_tx!(state.store, |c| set_peer_pending_pem(
        c,
        peer.id,
        pending.as_deref(),
        now
    )
    .await)?;
    let peer = reread(state, peer.id, &peer.wwwroot).await?;
    Ok(Review {
        peer,
        published,
        key_changed,
    })
}

/// Accepts the key found on review (it must still be pending, and name the peer).
pub async fn accept_pending_key(
    state: &AppState,
    peer: &PeerRow,
    confirmed_fingerprint: &str,
) -> Result<PeerRow, RegistryError> {
    let pem = peer
        .pending_pem
        .clone()
        .ok_or(RegistryError::CertificateChanged)?;
    let cert = PeerCertificate::from_pem(&pem).map_err(certificate_error(&peer.wwwroot))?;
    if cert.fingerprint_sha256() != confirmed_fingerprint {
        return Err(RegistryError::CertificateChanged);
    }
    cert.check_credentials(&peer.wwwroot)
        .map_err(certificate_error(&peer.wwwroot))?;
    let now = state.clock.now();
    let key = NewKey::of(&cert);
    crate::write_tx!(state.store, |c| key.store(c, peer.id, now).await)?;
    reread(state, peer.id, &peer.wwwroot).await
}

/// A `system/listServices` round trip.
pub async fn verify(state: &AppState, peer: &PeerRow) -> Verification {
    let started = std::time::Instant::now();
    let result = outbound::call(state, peer, "system/listServices", &[]).await;
    let millis = started.elapsed().as_millis() as i64;
    match result {
        Ok(Reply::Value(v)) => {
            let services: Vec<(String, bool, bool)> = mnet::services::listed_services(&v)
                .into_iter()
                .map(|s| (s.name, s.publish, s.subscribe))
                .collect();
            remember_remote_services(state, peer.id, &services).await;
            if peer.application == "moodle" {
                // Which plugin serves its single sign-on, while we are asking (`sso::routes`).
                crate::sso::routes::learn_methods(state, peer, &services).await;
            }
            Verification {
                ok: true,
                services,
                diagnosis: None,
                millis,
            }
        }
        Ok(Reply::Fault(f)) => Verification::failed(
            format!(
                "The peer answered listServices with fault {}: {}",
                f.code, f.string
            ),
            millis,
        ),
        Ok(Reply::KeyChanged(_)) => Verification::failed(
            "The peer changed its key twice in a row; review it.".into(),
            millis,
        ),
        Err(e) => Verification::failed(e.diagnosis(&state.config.wwwroot), millis),
    }
}

/// Keeps the peer's own word on its services (the Network servers block reads it).
async fn remember_remote_services(
    state: &AppState,
    peer_id: i64,
    services: &[(String, bool, bool)],
) {
    let rows: Vec<PeerServiceRow> = services
        .iter()
        .map(|(service, publish, subscribe)| PeerServiceRow {
            service: service.clone(),
            publish: *publish,
            subscribe: *subscribe,
        })
        .collect();
    let now = state.clock.now();
    let stored = crate::write_tx!(state.store, |c| {
        crate::store::peers::record_remote_services(c, peer_id, &rows, now).await
    });
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not store the peer's services");
    }
}

/// The longest peer name (a Moodle site's full name is up to 254 characters).
pub const MAX_PEER_NAME_CHARS: usize = 255;

/// How long the peer's word on its services is taken as current before it is asked again.
pub const REMOTE_SERVICES_FRESH_SECS: i64 = 600;

/// Asks the peer for its services in the background when what we know is missing or older than
/// [`REMOTE_SERVICES_FRESH_SECS`] — at most once a minute per peer.
pub fn refresh_remote_services_soon(state: &AppState, peer: &PeerRow, checked_at: Option<i64>) {
    let now = state.clock.now();
    if checked_at.is_some_and(|t| now - t < REMOTE_SERVICES_FRESH_SECS) {
        return;
    }
    if let Ok(mut asked) = state.services_asked.lock() {
        if asked.get(&peer.id).is_some_and(|&t| now - t < 60) {
            return;
        }
        asked.insert(peer.id, now);
    }
    let (state, peer) = (state.clone(), peer.clone());
    tokio::spawn(async move {
        verify(&state, &peer).await;
    });
}

/// Sets service switches.
pub async fn set_services(
    state: &AppState,
    peer: &PeerRow,
    services: &[PeerServiceRow],
) -> Result<Vec<PeerServiceRow>, RegistryError> {
    for s in services {
        if !super::dispatch::KNOWN_SERVICES.contains(&s.service.as_str()) {
            return Err(RegistryError::UnknownService(s.service.clone()));
        }
    }
    crate::write_tx!(state.store, |c| {
        for s in services {
            set_peer_service(c, peer.id, &s.service, s.publish, s.subscribe).await?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(state.store.peer_services(peer.id).await?)
}

/// Renames and switches TLS verification.
pub async fn update_settings(
    state: &AppState,
    peer: &PeerRow,
    name: &str,
    tls_verify: bool,
) -> Result<PeerRow, RegistryError> {
    let name: String = name.trim().chars().take(MAX_PEER_NAME_CHARS).collect();
    if name.is_empty() {
        return Err(RegistryError::BadUrl("the name cannot be empty".into()));
    }
    let now = state.clock.now();
    crate::write_tx!(state.store, |c| update_peer_settings(
        c, peer.id, &name, tls_verify, now
    )
    .await)?;
    reread(state, peer.id, &peer.wwwroot).await
}

/// Soft delete: traffic stops at once (7020), data stays. `deleted = false` restores.
pub async fn set_deleted(
    state: &AppState,
    peer: &PeerRow,
    deleted: bool,
) -> Result<PeerRow, RegistryError> {
    let now = state.clock.now();
    crate::write_tx!(state.store, |c| set_peer_deleted(c, peer.id, deleted, now)
        .await)?;
    if deleted {
        crate::sso::end_sessions_from_peer(state, peer.id).await;
    }
    reread(state, peer.id, &peer.wwwroot).await
}
