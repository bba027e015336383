//! `AppState`: everything a request needs, built once at start-up and passed to handlers (no
//! global statics, STYLE.md habit 4).

use crate::at_rest::MasterKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto_pool::CryptoPool;
use crate::mnet_host::keyring::SiteKeys;
use crate::store::Store;
use mnet::xmlrpc::Limits;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The settings row holding the site's wwwroot.
pub const WWWROOT_SETTING: &str = "site.wwwroot";

/// Shared state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The parts.
#[derive(Debug)]
pub struct Inner {
    /// Validated configuration.
    pub config: Config,
    /// Storage.
    pub store: Store,
    /// Our keys.
    pub keys: SiteKeys,
    /// RSA workers.
    pub crypto: CryptoPool,
    /// The clock.
    pub clock: Clock,
    /// HTTP client that verifies TLS certificates.
    pub http: reqwest::Client,
    /// HTTP client for peers whose admin switched TLS verification off (self-signed TLS).
    pub http_no_verify: reqwest::Client,
    /// Parser limits for everything peers send.
    pub limits: Limits,
    /// What `/metrics` reports.
    pub metrics: crate::metrics::Metrics,
    /// How many unauthenticated MNet requests still get an audit entry.
    pub unauthenticated_audit: crate::mnet_host::audit_budget::AuditBudget,
    /// When we last tried to fetch a peer's new key after a bad signature (peer id → time), so a
    /// stream of forged requests cannot make us hammer the peer.
    pub rekey_attempts: Mutex<HashMap<i64, i64>>,
    /// When we last asked a peer for its services in the background (peer id → time), so that
    /// pages that want a fresh answer ask at most once a minute.
    pub services_asked: Mutex<HashMap<i64, i64>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Start-up failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage.
    #[error("cannot open the database: {0}")]
    Store(#[from] crate::store::StoreError),
    /// Master key.
    #[error(transparent)]
    AtRest(#[from] crate::at_rest::AtRestError),
    /// Keys.
    #[error("cannot prepare the site key: {0}")]
    Keys(#[from] crate::mnet_host::keyring::KeyringError),
    /// HTTP client.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    /// Data directory.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl AppState {
    /// Opens storage and keys (creating them on first start).
    pub async fn open(mut config: Config, clock: Clock) -> Result<AppState, StartError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&config.database_url).await?;
        // The site's address lives in the database too: a command run without it configured uses
        // the stored one (and so cannot "move" the site and replace its key by accident).
        match store.setting(WWWROOT_SETTING).await? {
            Some(stored) if !config.wwwroot_configured => config.wwwroot = stored,
            Some(stored) if stored == config.wwwroot => {}
            _ => {
                let w = config.wwwroot.clone();
                crate::write_tx!(store, |c| crate::store::settings::put_setting(
                    c,
                    WWWROOT_SETTING,
                    &w
                )
                .await)?;
            }
        }
        let master = Arc::new(MasterKey::load_or_create(&config.master_key_file)?);
        let crypto = CryptoPool::new(config.crypto_threads);
        let keys = SiteKeys::open(
            store.clone(),
            master,
            crypto.clone(),
            clock.clone(),
            &config,
        )
        .await?;
        let timeout = std::time::Duration::from_secs(config.outbound_timeout_secs);
        let agent = format!("SchoolBridge/{}", env!("CARGO_PKG_VERSION"));
        // No redirects: an MNet POST that a peer redirects is a wrong wwwroot, and is diagnosed
        // as one (`OutboundError::Redirected`) instead of being turned into a GET.
        let http = reqwest::Client::builder()
            .user_agent(&agent)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let http_no_verify = reqwest::Client::builder()
            .user_agent(&agent)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(true)
            .build()?;
        let limits = Limits {
            max_bytes: config.max_body_bytes,
            ..Limits::default()
        };
        Ok(AppState(Arc::new(Inner {
            config,
            store,
            keys,
            crypto,
            clock,
            http,
            http_no_verify,
            limits,
            metrics: crate::metrics::Metrics::new(),
            unauthenticated_audit: Default::default(),
            rekey_attempts: Mutex::new(HashMap::new()),
            services_asked: Mutex::new(HashMap::new()),
        })))
    }

    /// The HTTP client for a peer, honouring its TLS-verification switch.
    pub fn http_for(&self, tls_verify: bool) -> &reqwest::Client {
        if tls_verify {
            &self.http
        } else {
            &self.http_no_verify
        }
    }
}
