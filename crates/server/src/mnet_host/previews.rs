//! The console's "add peer" preview, around `registry::preview`: where it may point, and keeping
//! what it fetched in the database until the admin confirms (issue 18).
//!
//! * **Where**: a signed-in console admin could otherwise make the server fetch from itself or
//!   from a cloud metadata address (`169.254.169.254`). Unless `allow_private_peers` is set, a target
//!   whose host is — or resolves to — a loopback, link-local or unspecified address is refused
//!   before anything is sent. Private ranges (10/8, 192.168/16) stay allowed: a school's Moodle
//!   is often there.
//! * **Kept**: the preview lives in `peer_previews` for [`KEPT_SECONDS`], so the confirmation
//!   may reach any instance sharing the database.

use super::registry::{PeerPreview, RegistryError};
use crate::state::AppState;
use crate::store::peer_previews::PreviewRow;
use mnet::keys::PeerCertificate;
use std::net::IpAddr;

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
    let certificate = PeerCertificate::from_pem(&row.certificate_pem).map_err(|e| {
        RegistryError::Certificate {
            wwwroot: row.wwwroot.clone(),
            message: e.to_string(),
        }
    })?;
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
