//! Configuration in layers (STYLE.md habit 4, after lldap): built-in defaults, then a TOML file,
//! then `SCHOOLBRIDGE_*` environment variables, then command-line flags — each layer overriding
//! the one before — validated once at start-up with a message that says what to fix. Secrets
//! (the database URL's password) may come from files. No global statics: the result travels
//! in `AppState`.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Our public wwwroot, exactly as peers must write it (no trailing slash).
    pub wwwroot: String,
    /// Whether the wwwroot was configured (otherwise it is derived from the listen address, and
    /// the one stored in the database by the server wins, so a CLI run cannot move the site).
    pub wwwroot_configured: bool,
    /// Site name (certificate O, page titles).
    pub site_name: String,
    /// Data directory (SQLite file, master key).
    pub data_dir: PathBuf,
    /// Database URL (secret: never printed whole).
    pub database_url: String,
    /// Directory of the built console.
    pub console_dir: PathBuf,
    /// Whether `console_dir` was configured (otherwise a console carried in the binary wins).
    pub console_dir_configured: bool,
    /// Our certificates' validity, days (Moodle: 28).
    pub key_lifetime_days: u32,
    /// How many retired keys still open messages (Moodle: 3).
    pub key_generations: u32,
    /// Accepted distance between a request's `<timestamp>` and our clock, seconds.
    pub clock_skew_secs: i64,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Timeout for calls we make, seconds (Moodle: 60).
    pub outbound_timeout_secs: u64,
    /// The file holding the master key that seals private keys at rest.
    pub master_key_file: PathBuf,
    /// `text` or `json` logs.
    pub log_format: LogFormat,
    /// Audit entries older than this are purged, days (0 = keep forever).
    pub audit_retention_days: u32,
    /// Threads for RSA work (default: the number of cores).
    pub crypto_threads: usize,
    /// Certificate subject: country (two letters).
    pub cert_country: String,
    /// Certificate subject: state or province.
    pub cert_state: String,
    /// Certificate subject: locality.
    pub cert_locality: String,
    /// Certificate subject: e-mail.
    pub cert_email: String,
    /// Built-in HTTPS: the certificate chain and key files (PEM), when set.
    pub tls: Option<TlsFiles>,
    /// Proxies whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token that may read `/metrics` from anywhere (from `metrics_token_file`).
    pub metrics_token: Option<MetricsToken>,
    /// Longest wait for a request's head, seconds (also how long an idle keep-alive connection
    /// stays open).
    pub header_timeout_secs: u64,
    /// Longest time to receive a request's body in full, seconds.
    pub body_timeout_secs: u64,
    /// Connections served at once; more get 503 with `Retry-After`.
    pub max_connections: usize,
    /// Whether an admin may add a peer at a loopback, link-local or unspecified address (tests,
    /// the demo, a Moodle on the same machine). Off: such a preview is refused.
    pub allow_private_peers: bool,
    /// Failed sign-ins for one name before it waits a minute.
    pub sign_in_name_failures: u32,
    /// Failed sign-ins from one address (an IPv6 /64) before it waits fifteen minutes.
    pub sign_in_address_failures: u32,
    /// MNet calls one peer may make in a minute (a quiet peer may send a minute's worth at
    /// once); past it a call gets fault 8199. 0: no limit.
    pub mnet_calls_per_minute: u32,
    /// MNet requests from one address that fail MNet's checks (unknown sender, nothing opens,
    /// bad signature) in a minute before that address is answered 429. 0: no limit.
    pub mnet_failures_per_minute: u32,
}

/// The certificate chain and private key of built-in HTTPS (PEM files, re-read on SIGHUP and
/// when they change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The `/metrics` bearer token; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("wwwroot", &self.wwwroot)
            .field("site_name", &self.site_name)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &crate::store::redact_url(&self.database_url),
            )
            .field("console_dir", &self.console_dir)
            .field("key_lifetime_days", &self.key_lifetime_days)
            .field("key_generations", &self.key_generations)
            .field("clock_skew_secs", &self.clock_skew_secs)
            .field("tls", &self.tls)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token)
            .finish_non_exhaustive()
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// One layer: every setting optional. The TOML file has exactly these keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub listen: Option<String>,
    pub wwwroot: Option<String>,
    pub site_name: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_url_file: Option<PathBuf>,
    pub console_dir: Option<PathBuf>,
    pub key_lifetime_days: Option<u32>,
    pub key_generations: Option<u32>,
    pub clock_skew_secs: Option<i64>,
    pub max_body_bytes: Option<usize>,
    pub outbound_timeout_secs: Option<u64>,
    pub master_key_file: Option<PathBuf>,
    pub log_format: Option<String>,
    pub audit_retention_days: Option<u32>,
    pub crypto_threads: Option<usize>,
    pub cert_country: Option<String>,
    pub cert_state: Option<String>,
    pub cert_locality: Option<String>,
    pub cert_email: Option<String>,
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    pub trusted_proxies: Option<Vec<String>>,
    pub metrics_token_file: Option<PathBuf>,
    pub header_timeout_secs: Option<u64>,
    pub body_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub allow_private_peers: Option<bool>,
    pub sign_in_name_failures: Option<u32>,
    pub sign_in_address_failures: Option<u32>,
    pub mnet_calls_per_minute: Option<u32>,
    pub mnet_failures_per_minute: Option<u32>,
}

/// A configuration that cannot be used, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML file is not valid.
    #[error("the configuration file {path} is not valid: {message}")]
    Toml {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A value is not acceptable.
    #[error("invalid setting {setting} (from {source_layer}): {message}")]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// Which layer it came from.
        source_layer: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
}

macro_rules! merge {
    ($into:ident, $from:ident, $($f:ident),*) => { $( if $from.$f.is_some() { $into.$f = $from.$f.clone(); } )* };
}

impl ConfigLayer {
    /// Reads a TOML layer.
    pub fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Toml {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Reads the `SCHOOLBRIDGE_*` variables from an iterator of (name, value).
    pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut l = ConfigLayer::default();
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("SCHOOLBRIDGE_") else {
                continue;
            };
            match key {
                "LISTEN" => l.listen = Some(value),
                "WWWROOT" => l.wwwroot = Some(value),
                "SITE_NAME" => l.site_name = Some(value),
                "DATA_DIR" => l.data_dir = Some(value.into()),
                "DATABASE_URL" => l.database_url = Some(value),
                "DATABASE_URL_FILE" => l.database_url_file = Some(value.into()),
                "CONSOLE_DIR" => l.console_dir = Some(value.into()),
                "KEY_LIFETIME_DAYS" => {
                    l.key_lifetime_days = Some(number(&value, "key_lifetime_days")?)
                }
                "KEY_GENERATIONS" => l.key_generations = Some(number(&value, "key_generations")?),
                "CLOCK_SKEW_SECS" => l.clock_skew_secs = Some(number(&value, "clock_skew_secs")?),
                "MAX_BODY_BYTES" => l.max_body_bytes = Some(number(&value, "max_body_bytes")?),
                "OUTBOUND_TIMEOUT_SECS" => {
                    l.outbound_timeout_secs = Some(number(&value, "outbound_timeout_secs")?)
                }
                "MASTER_KEY_FILE" => l.master_key_file = Some(value.into()),
                "LOG_FORMAT" => l.log_format = Some(value),
                "AUDIT_RETENTION_DAYS" => {
                    l.audit_retention_days = Some(number(&value, "audit_retention_days")?)
                }
                "CRYPTO_THREADS" => l.crypto_threads = Some(number(&value, "crypto_threads")?),
                "CERT_COUNTRY" => l.cert_country = Some(value),
                "CERT_STATE" => l.cert_state = Some(value),
                "CERT_LOCALITY" => l.cert_locality = Some(value),
                "CERT_EMAIL" => l.cert_email = Some(value),
                "TLS_CERT_FILE" => l.tls_cert_file = Some(value.into()),
                "TLS_KEY_FILE" => l.tls_key_file = Some(value.into()),
                "TRUSTED_PROXIES" => {
                    l.trusted_proxies = Some(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    )
                }
                "METRICS_TOKEN_FILE" => l.metrics_token_file = Some(value.into()),
                "HEADER_TIMEOUT_SECS" => {
                    l.header_timeout_secs = Some(number(&value, "header_timeout_secs")?)
                }
                "BODY_TIMEOUT_SECS" => {
                    l.body_timeout_secs = Some(number(&value, "body_timeout_secs")?)
                }
                "MAX_CONNECTIONS" => l.max_connections = Some(number(&value, "max_connections")?),
                "SIGN_IN_NAME_FAILURES" => {
                    l.sign_in_name_failures = Some(number(&value, "sign_in_name_failures")?)
                }
                "SIGN_IN_ADDRESS_FAILURES" => {
                    l.sign_in_address_failures = Some(number(&value, "sign_in_address_failures")?)
                }
                "MNET_CALLS_PER_MINUTE" => {
                    l.mnet_calls_per_minute = Some(number(&value, "mnet_calls_per_minute")?)
                }
                "MNET_FAILURES_PER_MINUTE" => {
                    l.mnet_failures_per_minute = Some(number(&value, "mnet_failures_per_minute")?)
                }
                "ALLOW_PRIVATE_PEERS" => {
                    l.allow_private_peers = Some(match value.trim() {
                        "1" | "true" | "yes" => true,
                        "0" | "false" | "no" | "" => false,
                        _ => {
                            return Err(ConfigError::Invalid {
                                setting: "allow_private_peers",
                                source_layer: "environment",
                                message: format!("{value:?}: use true or false"),
                            });
                        }
                    })
                }
                _ => {}
            }
        }
        Ok(l)
    }

    /// Overrides `self` with every setting present in `top`.
    pub fn overlay(mut self, top: &ConfigLayer) -> Self {
        merge!(
            self,
            top,
            listen,
            wwwroot,
            site_name,
            data_dir,
            database_url,
            database_url_file,
            console_dir,
            key_lifetime_days,
            key_generations,
            clock_skew_secs,
            max_body_bytes,
            outbound_timeout_secs,
            master_key_file,
            log_format,
            audit_retention_days,
            crypto_threads,
            cert_country,
            cert_state,
            cert_locality,
            cert_email,
            tls_cert_file,
            tls_key_file,
            trusted_proxies,
            metrics_token_file,
            header_timeout_secs,
            body_timeout_secs,
            max_connections,
            allow_private_peers,
            sign_in_name_failures,
            sign_in_address_failures,
            mnet_calls_per_minute,
            mnet_failures_per_minute
        );
        self
    }

    /// Validates and fills defaults.
    pub fn finish(self) -> Result<Config, ConfigError> {
        let listen_text = self.listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            invalid(
                "listen",
                format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let tls = match (self.tls_cert_file, self.tls_key_file) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(invalid(
                    "tls_cert_file",
                    "built-in HTTPS needs both tls_cert_file and tls_key_file (or neither, behind a proxy)".into(),
                ));
            }
        };
        let wwwroot_configured = self.wwwroot.is_some();
        let wwwroot = match self.wwwroot {
            Some(w) => {
                let w = normalise_wwwroot(&w).map_err(|m| invalid("wwwroot", m))?;
                own_wwwroot_at_host_root(&w).map_err(|m| invalid("wwwroot", m))?;
                w
            }
            None if tls.is_some() => format!("https://{listen}"),
            None => format!("http://{listen}"),
        };
        if tls.is_some() && !wwwroot.starts_with("https://") {
            return Err(invalid(
                "wwwroot",
                format!(
                    "{wwwroot:?} is http:// but built-in HTTPS is on (tls_cert_file): write the https:// address peers use"
                ),
            ));
        }
        let trusted_proxies = self
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|p| parse_proxy(p).map_err(|m| invalid("trusted_proxies", m)))
            .collect::<Result<Vec<_>, _>>()?;
        let metrics_token = match self.metrics_token_file {
            None => None,
            Some(file) => {
                let token = std::fs::read_to_string(&file)
                    .map_err(|e| {
                        invalid(
                            "metrics_token_file",
                            format!("cannot read {}: {e}", file.display()),
                        )
                    })?
                    .trim()
                    .to_owned();
                if token.len() < 16 {
                    return Err(invalid(
                        "metrics_token_file",
                        format!(
                            "{} must hold a token of at least 16 characters",
                            file.display()
                        ),
                    ));
                }
                Some(MetricsToken(token))
            }
        };
        let data_dir = self.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match (self.database_url, self.database_url_file) {
            (Some(u), _) => u,
            (None, Some(file)) => std::fs::read_to_string(&file)
                .map_err(|e| {
                    invalid(
                        "database_url_file",
                        format!("cannot read {}: {e}", file.display()),
                    )
                })?
                .trim()
                .to_owned(),
            (None, None) => crate::store::sqlite_url_for(&absolute(&data_dir)),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(invalid(
                "database_url",
                "use sqlite://path or postgres://user:password@host/db".into(),
            ));
        }
        let key_lifetime_days = bounded(
            "key_lifetime_days",
            self.key_lifetime_days,
            28,
            2..=3650,
            "must be between 2 and 3650",
        )?;
        let key_generations = bounded(
            "key_generations",
            self.key_generations,
            3,
            1..=50,
            "must be between 1 and 50",
        )?;
        let clock_skew_secs = bounded(
            "clock_skew_secs",
            self.clock_skew_secs,
            300,
            5..=86_400,
            "must be between 5 and 86400 seconds",
        )?;
        let max_body_bytes = bounded(
            "max_body_bytes",
            self.max_body_bytes,
            8 * 1024 * 1024,
            16 * 1024..=256 * 1024 * 1024,
            "must be between 16 KiB and 256 MiB",
        )?;
        let header_timeout_secs = bounded(
            "header_timeout_secs",
            self.header_timeout_secs,
            30,
            1..=600,
            "must be between 1 and 600 seconds",
        )?;
        let body_timeout_secs = bounded(
            "body_timeout_secs",
            self.body_timeout_secs,
            120,
            1..=3600,
            "must be between 1 and 3600 seconds",
        )?;
        let max_connections = bounded(
            "max_connections",
            self.max_connections,
            512,
            1..=100_000,
            "must be between 1 and 100000",
        )?;
        let sign_in_name_failures = bounded(
            "sign_in_name_failures",
            self.sign_in_name_failures,
            5,
            1..=1000,
            "must be between 1 and 1000",
        )?;
        let sign_in_address_failures = bounded(
            "sign_in_address_failures",
            self.sign_in_address_failures,
            30,
            1..=100_000,
            "must be between 1 and 100000",
        )?;
        let mnet_calls_per_minute = self.mnet_calls_per_minute.unwrap_or(1200);
        let mnet_failures_per_minute = self.mnet_failures_per_minute.unwrap_or(60);
        for (name, value) in [
            ("mnet_calls_per_minute", mnet_calls_per_minute),
            ("mnet_failures_per_minute", mnet_failures_per_minute),
        ] {
            if value > 1_000_000 {
                return Err(invalid(
                    name,
                    "must be between 0 (no limit) and 1000000".into(),
                ));
            }
        }
        let log_format = match self.log_format.as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log_format",
                    format!("{other:?}: use \"text\" or \"json\""),
                ));
            }
        };
        let cert_country = self.cert_country.unwrap_or_else(|| "NZ".to_owned());
        if cert_country.len() != 2 || !cert_country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "cert_country",
                "must be two capital letters, e.g. NZ or US".into(),
            ));
        }
        let host = url::Url::parse(&wwwroot)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Ok(Config {
            listen,
            site_name: self.site_name.unwrap_or_else(|| "SchoolBridge".to_owned()),
            master_key_file: self
                .master_key_file
                .unwrap_or_else(|| data_dir.join("master.key")),
            data_dir,
            database_url,
            console_dir_configured: self.console_dir.is_some(),
            console_dir: self.console_dir.unwrap_or_else(|| PathBuf::from("dist")),
            key_lifetime_days,
            key_generations,
            clock_skew_secs,
            max_body_bytes,
            outbound_timeout_secs: self.outbound_timeout_secs.unwrap_or(60).clamp(1, 600),
            log_format,
            audit_retention_days: self.audit_retention_days.unwrap_or(400),
            crypto_threads: self.crypto_threads.unwrap_or(cores).clamp(1, 64),
            cert_country,
            cert_state: self.cert_state.unwrap_or_else(|| "Wellington".to_owned()),
            cert_locality: self
                .cert_locality
                .unwrap_or_else(|| "Wellington".to_owned()),
            cert_email: self.cert_email.unwrap_or_else(|| {
                format!(
                    "noreply@{}",
                    if host.is_empty() { "localhost" } else { &host }
                )
            }),
            wwwroot,
            wwwroot_configured,
            tls,
            trusted_proxies,
            metrics_token,
            header_timeout_secs,
            body_timeout_secs,
            max_connections,
            allow_private_peers: self.allow_private_peers.unwrap_or(false),
            sign_in_name_failures,
            sign_in_address_failures,
            mnet_calls_per_minute,
            mnet_failures_per_minute,
        })
    }
}

impl Config {
    /// Settings that work but put the site at risk, in words for the start-up log: a plain-http
    /// wwwroot that is not on this machine lets anyone on the way read session cookies and
    /// replace a peer's key during a key swap.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.wwwroot.starts_with("http://") {
            let host_is_loopback = url::Url::parse(&self.wwwroot)
                .ok()
                .and_then(|u| u.host().map(|h| h.to_owned()))
                .is_some_and(|h| match h {
                    url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                    url::Host::Ipv4(ip) => ip.is_loopback(),
                    url::Host::Ipv6(ip) => ip.is_loopback(),
                });
            if !host_is_loopback || !self.listen.ip().is_loopback() {
                out.push(format!(
                    "the wwwroot {} is plain http and reachable beyond this machine: sign-ins and session cookies travel in clear and a key swap can be spoofed. Use https: tls_cert_file/tls_key_file, or a reverse proxy (docs/operations.md)",
                    self.wwwroot
                ));
            }
        }
        if self.wwwroot.starts_with("https://")
            && self.tls.is_none()
            && self.trusted_proxies.is_empty()
            && !self.listen.ip().is_loopback()
        {
            out.push(format!(
                "the wwwroot is https but this server speaks plain http on {} and trusts no proxy: put it behind a TLS proxy on this machine (listen on 127.0.0.1) or set tls_cert_file/tls_key_file",
                self.listen
            ));
        }
        out
    }
}

/// A number from a `SCHOOLBRIDGE_*` variable.
fn number<T: std::str::FromStr>(value: &str, setting: &'static str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        setting,
        source_layer: "environment",
        message: format!("{value:?} is not a number"),
    })
}

/// A setting's value refused, with what to fix.
fn invalid(setting: &'static str, message: String) -> ConfigError {
    ConfigError::Invalid {
        setting,
        source_layer: "configuration",
        message,
    }
}

/// A number setting: `default` when unset, refused with `message` outside `range`.
fn bounded<T: PartialOrd>(
    setting: &'static str,
    value: Option<T>,
    default: T,
    range: std::ops::RangeInclusive<T>,
    message: &str,
) -> Result<T, ConfigError> {
    let value = value.unwrap_or(default);
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(invalid(setting, message.to_owned()))
    }
}

/// A trusted proxy: an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/24`).
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or network like 127.0.0.1 or 10.0.0.0/24"))
}

/// SchoolBridge serves its MNet endpoint, SSO pages and console at the root of its host: a
/// path in its own wwwroot (allowed for peers, §1.1) would make Moodle post to
/// `{wwwroot}/mnet/xmlrpc/server.php`, which nothing here answers. Refused at start-up instead.
fn own_wwwroot_at_host_root(wwwroot: &str) -> Result<(), String> {
    let path = url::Url::parse(wwwroot)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    if path.is_empty() || path == "/" {
        Ok(())
    } else {
        Err(format!(
            "{wwwroot:?} has the path {path:?}; SchoolBridge must be at the root of its host. Give it a host name of its own (e.g. https://sis.school.example) or serve it at the host's root behind your proxy"
        ))
    }
}

/// A wwwroot as peers must write it: `http(s)://host[:port][/path]`, ASCII, no trailing slash,
/// no query or fragment (`mnet-protocol.md` §1.1, §3.3).
pub fn normalise_wwwroot(input: &str) -> Result<String, String> {
    let trimmed = input.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|_| format!("{input:?} is not a URL like https://sis.school.example"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("{input:?} must start with http:// or https://"));
    }
    if url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(format!(
            "{input:?} must be just scheme, host, optional port and path"
        ));
    }
    if !trimmed.is_ascii() {
        return Err(format!(
            "{input:?} must be ASCII (use the punycode form of the host name)"
        ));
    }
    Ok(trimmed.to_owned())
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Why finishing the layer fails.
    fn refused(layer: ConfigLayer) -> String {
        layer.finish().unwrap_err().to_string()
    }

    #[test]
    fn layers_override_in_order() {
        let file: ConfigLayer = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nsite_name = \"From file\"\nkey_lifetime_days = 30",
        )
        .unwrap();
        let env = ConfigLayer::from_env([
            ("SCHOOLBRIDGE_SITE_NAME".to_owned(), "From env".to_owned()),
            (
                "SCHOOLBRIDGE_WWWROOT".to_owned(),
                "https://sis.example/".to_owned(),
            ),
            ("OTHER".to_owned(), "ignored".to_owned()),
        ])
        .unwrap();
        let cli = ConfigLayer {
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        };
        let c = ConfigLayer::default()
            .overlay(&file)
            .overlay(&env)
            .overlay(&cli)
            .finish()
            .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(c.site_name, "From env");
        assert_eq!(c.wwwroot, "https://sis.example");
        assert_eq!(c.key_lifetime_days, 30);
        assert_eq!(c.clock_skew_secs, 300);
        assert!(c.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn bad_values_say_what_to_fix() {
        let err = refused(ConfigLayer {
            listen: Some("nowhere".into()),
            ..Default::default()
        });
        assert!(err.contains("listen"), "{err}");
        let err = refused(ConfigLayer {
            wwwroot: Some("ftp://x".into()),
            ..Default::default()
        });
        assert!(err.contains("http"), "{err}");
        // Peers may live under a path; SchoolBridge itself may not (its routes are at the root).
        let err = refused(ConfigLayer {
            wwwroot: Some("https://school.example/sis".into()),
            ..Default::default()
        });
        assert!(err.contains("root of its host"), "{err}");
        assert_eq!(
            normalise_wwwroot("https://school.example/moodle/").unwrap(),
            "https://school.example/moodle"
        );
        let err =
            ConfigLayer::from_env([("SCHOOLBRIDGE_CLOCK_SKEW_SECS".to_owned(), "soon".to_owned())])
                .unwrap_err();
        assert!(err.to_string().contains("clock_skew_secs"), "{err}");
        let err = refused(ConfigLayer {
            max_connections: Some(0),
            ..Default::default()
        });
        assert!(err.contains("max_connections"), "{err}");
        let err = ConfigLayer::from_env([(
            "SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS".to_owned(),
            "perhaps".to_owned(),
        )])
        .unwrap_err();
        assert!(err.to_string().contains("allow_private_peers"), "{err}");
        let env = ConfigLayer::from_env([
            (
                "SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS".to_owned(),
                "true".to_owned(),
            ),
            (
                "SCHOOLBRIDGE_HEADER_TIMEOUT_SECS".to_owned(),
                "7".to_owned(),
            ),
        ])
        .unwrap();
        let c = ConfigLayer::default().overlay(&env).finish().unwrap();
        assert!(c.allow_private_peers);
        assert_eq!(c.header_timeout_secs, 7);
        assert_eq!(c.max_connections, 512);
        assert!(
            toml::from_str::<ConfigLayer>("lisen = \"x\"").is_err(),
            "unknown keys are refused"
        );
        let err = refused(ConfigLayer {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        });
        assert!(err.contains("database_url"));
    }

    #[test]
    fn https_settings_are_checked() {
        let c = ConfigLayer {
            trusted_proxies: Some(vec!["127.0.0.1".into(), "10.0.0.0/24".into(), "::1".into()]),
            ..Default::default()
        }
        .finish()
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains(&"10.0.0.7".parse::<std::net::IpAddr>().unwrap()));
        let err = refused(ConfigLayer {
            trusted_proxies: Some(vec!["the proxy".into()]),
            ..Default::default()
        });
        assert!(err.contains("trusted_proxies"), "{err}");
        let env = ConfigLayer::from_env([(
            "SCHOOLBRIDGE_TRUSTED_PROXIES".to_owned(),
            "127.0.0.1, 192.168.1.0/24".to_owned(),
        )])
        .unwrap();
        assert_eq!(env.trusted_proxies.unwrap().len(), 2);
        let err = refused(ConfigLayer {
            tls_cert_file: Some("cert.pem".into()),
            ..Default::default()
        });
        assert!(err.contains("tls_key_file"), "{err}");
        let err = refused(ConfigLayer {
            tls_cert_file: Some("cert.pem".into()),
            tls_key_file: Some("key.pem".into()),
            wwwroot: Some("http://sis.school.example".into()),
            ..Default::default()
        });
        assert!(err.contains("https"), "{err}");
        let c = ConfigLayer {
            tls_cert_file: Some("cert.pem".into()),
            tls_key_file: Some("key.pem".into()),
            listen: Some("127.0.0.1:8443".into()),
            ..Default::default()
        }
        .finish()
        .unwrap();
        assert_eq!(c.wwwroot, "https://127.0.0.1:8443");
    }

    #[test]
    fn plain_http_beyond_this_machine_is_warned_about() {
        let warnings = |listen: &str, wwwroot: &str| {
            ConfigLayer {
                listen: Some(listen.into()),
                wwwroot: Some(wwwroot.into()),
                ..Default::default()
            }
            .finish()
            .unwrap()
            .warnings()
        };
        assert!(warnings("127.0.0.1:8080", "http://127.0.0.1:8080").is_empty());
        assert!(warnings("127.0.0.1:8080", "http://localhost:8080").is_empty());
        assert_eq!(
            warnings("0.0.0.0:8080", "http://sis.school.example").len(),
            1
        );
        assert_eq!(
            warnings("127.0.0.1:8080", "http://sis.school.example").len(),
            1
        );
        assert!(warnings("127.0.0.1:8080", "https://sis.school.example").is_empty());
        assert!(warnings("0.0.0.0:8080", "https://sis.school.example")[0].contains("proxy"));
    }

    #[test]
    fn the_metrics_token_comes_from_a_file_and_never_prints() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "short\n").unwrap();
        let layer = ConfigLayer {
            metrics_token_file: Some(file.clone()),
            ..Default::default()
        };
        assert!(layer.clone().finish().is_err(), "too short");
        std::fs::write(&file, "0123456789abcdef-metrics\n").unwrap();
        let c = layer.finish().unwrap();
        assert_eq!(
            c.metrics_token,
            Some(MetricsToken("0123456789abcdef-metrics".into()))
        );
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn secrets_do_not_print() {
        let c = ConfigLayer {
            database_url: Some("postgres://sb:hunter2@db/sb".into()),
            ..Default::default()
        }
        .finish()
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
