//! The console's "add peer" preview, around `registry::preview`: where it may point, and keeping
//! what it fetched in the database until the admin confirms (issue 18).
//!
//! * **Where**: a signed-in console admin could otherwise make the server fetch from itself or
//!   from a cloud metadata address (`169.254.169.254`). Unless `allow_private_peers` is set, a target
//!   whose host is — or resolves to — a loopback, link-local or unspecified address is refused
//!   before anything is sent. Private ranges (10/8, 192.168/16) stay allowed: a school's Moodle
//!   is often there.
//!   The check is made again on the very addresses the preview's connections use
//!   ([`GuardedResolver`], `state::Reach::guarded`): a name that answers a public address to the
//!   check and an internal one a moment later (DNS rebinding) is refused at connection time.
//! * **Kept**: the preview lives in `peer_previews` for [`KEPT_SECONDS`], so the confirmation
//!   may reach any instance sharing the database.

use super::registry::{PeerPreview, RegistryError, certificate_error};
use crate::state::AppState;
use crate::store::peer_previews::PreviewRow;
use mnet::keys::PeerCertificate;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// How long a preview waits for its confirmation, in seconds.
pub const KEPT_SECONDS: i64 = 600;

/// Whether `ip` is an address an admin's preview may not reach without `allow_private_peers`.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local() || v4.is_unspecified(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => {
                v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xffc0) == 0xfe80
            }
        },
    }
}

/// A name that resolved, for a guarded connection, to an internal address.
#[derive(Debug, thiserror::Error)]
#[error(
    "{name} is at {ip}, an address on this machine or its local link; SchoolBridge does not add such peers unless the setting allow_private_peers is on"
)]
pub struct InternalTarget {
    /// The name looked up.
    pub name: String,
    /// The internal address it gave.
    pub ip: IpAddr,
}

type LookupResult = std::io::Result<Vec<IpAddr>>;
type Lookup =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = LookupResult> + Send>> + Send + Sync>;

/// The resolver of guarded HTTP clients: each connection resolves the name once, and is refused
/// when any address it gets is internal, so the addresses checked are the addresses connected to.
#[derive(Clone)]
pub struct GuardedResolver {
    lookup: Lookup,
}

impl std::fmt::Debug for GuardedResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedResolver").finish_non_exhaustive()
    }
}

impl GuardedResolver {
    /// With the system's resolver.
    pub fn system() -> Self {
        Self::with_lookup(|name| async move {
            Ok(tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }

    /// With another lookup (tests: a name whose answer changes).
    pub fn with_lookup<F, Fut>(lookup: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = LookupResult> + Send + 'static,
    {
        GuardedResolver {
            lookup: Arc::new(move |name| Box::pin(lookup(name))),
        }
    }

    /// The addresses a connection to `name` may use (port 0: the URL's).
    pub async fn addresses(
        &self,
        name: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let ips = (self.lookup)(name.to_owned()).await?;
        if let Some(ip) = ips.iter().copied().find(|ip| is_internal(*ip)) {
            return Err(Box::new(InternalTarget {
                name: name.to_owned(),
                ip,
            }));
        }
        Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = this.addresses(&name).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The guarded resolver's refusal somewhere in `error`'s sources.
pub fn internal_target<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a InternalTarget> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<InternalTarget>() {
            return Some(t);
        }
        next = e.source();
    }
    None
}

/// The internal address written as `url`'s host, if it is one (names are the resolver's).
pub fn literal_internal(url: &url::Url) -> Option<IpAddr> {
    let ip = match url.host()? {
        url::Host::Ipv4(ip) => IpAddr::V4(ip),
        url::Host::Ipv6(ip) => IpAddr::V6(ip),
        url::Host::Domain(_) => return None,
    };
    is_internal(ip).then_some(ip)
}

/// Refuses a `wwwroot` whose host is, or resolves to, an internal address (unless allowed).
pub async fn check_target(state: &AppState, wwwroot: &str) -> Result<(), RegistryError> {
    if state.config.allow_private_peers {
        return Ok(());
    }
    let url = url::Url::parse(wwwroot).map_err(|e| RegistryError::BadUrl(e.to_string()))?;
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            // Not resolvable: the keyswap will say so in its own words.
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    };
    if let Some(ip) = addrs.into_iter().find(|ip| is_internal(*ip)) {
        return Err(RegistryError::BadUrl(format!(
            "{wwwroot} is at {ip}, an address on this machine or its local link; SchoolBridge does not add such peers unless the setting allow_private_peers is on"
        )));
    }
    Ok(())
}

/// Keeps `preview` for its confirmation (on any instance).
pub async fn keep(state: &AppState, preview: &PeerPreview) -> Result<(), RegistryError> {
    let now = state.clock.now();
    let row = PreviewRow {
        wwwroot: preview.wwwroot.clone(),
        application: preview.application.clone(),
        name: preview.name.clone(),
        certificate_pem: preview.certificate.pem().to_owned(),
        fetched_at: now,
    };
    state
        .store
        .keep_peer_preview(&row, now - KEPT_SECONDS)
        .await?;
    Ok(())
}

/// The preview of `wwwroot` still waiting for its confirmation.
pub async fn waiting(
    state: &AppState,
    wwwroot: &str,
) -> Result<Option<PeerPreview>, RegistryError> {
    let now = state.clock.now();
    let Some(row) = state
        .store
        .peer_preview(wwwroot, now - KEPT_SECONDS + 1)
        .await?
    else {
        return Ok(None);
    };
    let certificate =
        PeerCertificate::from_pem(&row.certificate_pem).map_err(certificate_error(&row.wwwroot))?;
    let restores_deleted = state
        .store
        .peer_by_wwwroot(&row.wwwroot)
        .await?
        .filter(|p| p.deleted);
    Ok(Some(PeerPreview {
        wwwroot: row.wwwroot,
        application: row.application,
        name: row.name,
        certificate,
        restores_deleted,
    }))
}

/// Forgets the preview of `wwwroot` once confirmed.
pub async fn forget(state: &AppState, wwwroot: &str) -> Result<(), RegistryError> {
    state.store.forget_peer_preview(wwwroot).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A name that answers a public address the first time and loopback afterwards (DNS
    /// rebinding): every resolution is checked, so the second is refused.
    #[tokio::test]
    async fn every_resolution_is_checked() {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let r = GuardedResolver::with_lookup(move |_name| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(vec![if n == 0 {
                    IpAddr::from([203, 0, 113, 7])
                } else {
                    IpAddr::from([127, 0, 0, 1])
                }])
            }
        });
        let first = r
            .addresses("moodle.example")
            .await
            .map_err(|e| e.to_string());
        assert_eq!(
            first,
            Ok(vec![
                "203.0.113.7:0"
                    .parse()
                    .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))
            ])
        );
        let second = r
            .addresses("moodle.example")
            .await
            .map_err(|e| e.to_string());
        assert!(
            second
                .as_ref()
                .is_err_and(|e| e.contains("allow_private_peers")),
            "{second:?}"
        );
        // A name with an internal address among public ones is refused too.
        let mixed = GuardedResolver::with_lookup(|_| async {
            Ok(vec![
                IpAddr::from([10, 0, 0, 5]),
                IpAddr::from([169, 254, 169, 254]),
            ])
        });
        assert!(mixed.addresses("m").await.is_err());
    }

    /// A guarded client never connects to an internal address, whatever the name resolves to at
    /// the moment of connecting: the server on loopback receives nothing, and the refusal is
    /// found in the error.
    #[tokio::test]
    async fn a_guarded_client_does_not_connect_to_an_internal_address() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = tokio::spawn(async move {
            tokio::time::timeout(std::time::Duration::from_secs(2), listener.accept())
                .await
                .is_ok()
        });
        let r = GuardedResolver::with_lookup(|_| async { Ok(vec![IpAddr::from([127, 0, 0, 1])]) });
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(r))
            .build()
            .unwrap();
        let err = client
            .get(format!("http://moodle.example:{port}/"))
            .send()
            .await
            .unwrap_err();
        let found = internal_target(&err).map(|t| t.ip);
        assert_eq!(found, Some(IpAddr::from([127, 0, 0, 1])), "{err:?}");
        assert!(!accepted.await.unwrap(), "nothing may connect");
    }

    #[test]
    fn internal_addresses() {
        let internal = [
            "127.0.0.1",
            "127.8.9.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "::ffff:127.0.0.1",
        ];
        for a in internal {
            let ip: IpAddr = a.parse().unwrap_or(IpAddr::V4(0.into()));
            assert!(is_internal(ip), "{a}");
        }
        for a in [
            "10.0.0.5",
            "192.168.1.10",
            "203.0.113.7",
            "2001:db8::1",
            "fec0::1",
        ] {
            let ip: IpAddr = a.parse().unwrap_or(IpAddr::V4(0.into()));
            assert!(!is_internal(ip), "{a}");
        }
    }
}
