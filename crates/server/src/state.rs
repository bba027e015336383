//! `AppState`: everything a request needs, built once at start-up and passed to handlers (no
//! global statics, STYLE.md habit 4).

use crate::at_rest::MasterKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto_pool::CryptoPool;
use crate::mnet_host::keyring::SiteKeys;
use crate::mnet_host::previews::GuardedResolver;
use crate::mnet_host::sender_limits::{Rate, Senders};
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
    /// HTTP clients by [`Reach`]: verifying TLS or not (a peer whose admin switched it off for
    /// self-signed TLS), and connecting anywhere or only to addresses that are not internal.
    http: [reqwest::Client; 4],
    /// Parser limits for everything peers send.
    pub limits: Limits,
    /// What `/metrics` reports.
    pub metrics: crate::metrics::Metrics,
    /// How many unauthenticated MNet requests still get an audit entry.
    pub unauthenticated_audit: crate::mnet_host::audit_budget::AuditBudget,
    /// Authenticated MNet calls per peer (peer id), `mnet_calls_per_minute`.
    pub mnet_peer_calls: Senders<i64>,
    /// MNet requests that failed MNet's checks, per client address, `mnet_failures_per_minute`.
    pub mnet_failures: Senders<String>,
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

/// How SchoolBridge may reach a site it calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Verify the site's TLS certificate (off for a peer whose admin allowed self-signed TLS).
    pub tls_verify: bool,
    /// Connect only to addresses that are not loopback, link-local or unspecified, checked on
    /// the very addresses the connection uses (`mnet_host::previews::GuardedResolver`): the
    /// console's add-peer preview unless `allow_private_peers`.
    pub guarded: bool,
}

impl Reach {
    const ALL: [Reach; 4] = [
        Reach::peer(true),
        Reach::peer(false),
        Reach {
            tls_verify: true,
            guarded: true,
        },
        Reach {
            tls_verify: false,
            guarded: true,
        },
    ];

    /// A registered peer (or the operator's own command): anywhere, TLS as its setting says.
    pub const fn peer(tls_verify: bool) -> Reach {
        Reach {
            tls_verify,
            guarded: false,
        }
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
        let client = |reach: Reach| {
            let b = reqwest::Client::builder()
                .user_agent(&agent)
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .danger_accept_invalid_certs(!reach.tls_verify);
            if reach.guarded {
                b.dns_resolver(Arc::new(GuardedResolver::system())).build()
            } else {
                b.build()
            }
        };
        let http = [
            client(Reach::ALL[0])?,
            client(Reach::ALL[1])?,
            client(Reach::ALL[2])?,
            client(Reach::ALL[3])?,
        ];
        let limits = Limits {
            max_bytes: config.max_body_bytes,
            ..Limits::default()
        };
        let mnet_peer_calls = Senders::new(Rate::per_minute(config.mnet_calls_per_minute));
        let mnet_failures = Senders::new(Rate::per_minute(config.mnet_failures_per_minute));
        Ok(AppState(Arc::new(Inner {
            config,
            store,
            keys,
            crypto,
            clock,
            http,
            limits,
            metrics: crate::metrics::Metrics::new(),
            unauthenticated_audit: Default::default(),
            mnet_peer_calls,
            mnet_failures,
            rekey_attempts: Mutex::new(HashMap::new()),
            services_asked: Mutex::new(HashMap::new()),
        })))
    }

    /// The HTTP client for `reach`.
    pub fn http_for(&self, reach: Reach) -> &reqwest::Client {
        let i = Reach::ALL.iter().position(|r| *r == reach).unwrap_or(0);
        &self.http[i]
    }
}
