//! Who is asking: the client's address and whether its request came over HTTPS. Taken from the
//! connection itself — unless the connection comes from a proxy named in `trusted_proxies`, in
//! which case from the `X-Forwarded-For` and `X-Forwarded-Proto` headers that proxy sets
//! (`docs/operations.md`, "Behind a reverse proxy"). Headers from anyone else are ignored: a
//! client could write them itself.
//!
//! The middleware puts a [`ClientInfo`] on every request; sign-in failures are logged with it,
//! and `/metrics` uses it to tell a scraper on this machine from a visitor coming through a
//! proxy on this machine.

use crate::listener::Connection;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What is known of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's address (unknown for requests that did not come over a socket, as in
    /// in-process tests).
    pub addr: Option<IpAddr>,
    /// Whether the client's request travelled over HTTPS (to us, or to the trusted proxy).
    pub https: bool,
    /// Whether a trusted proxy passed the request on.
    pub via_proxy: bool,
}

impl ClientInfo {
    /// The address for a log line.
    pub fn addr_text(&self) -> String {
        self.addr
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into())
    }
}

/// Works out the client from the connection and, when the connection comes from a trusted
/// proxy, from its headers: the client is the right-most `X-Forwarded-For` address that is not
/// itself a trusted proxy (each proxy appends the address it saw; only the part our proxies
/// wrote can be believed).
pub fn resolve(
    connection: Option<&Connection>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> ClientInfo {
    let Some(conn) = connection else {
        return ClientInfo {
            addr: None,
            https: false,
            via_proxy: false,
        };
    };
    let peer = conn.peer.ip().to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return ClientInfo {
            addr: Some(peer),
            https: conn.tls,
            via_proxy: false,
        };
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => {
                client = ip;
                break;
            }
            // Garbage where an address should be: stop at the last hop we can vouch for.
            None => break,
        }
    }
    // The proxy that met the client sets the scheme; with one proxy (the usual case) the header
    // has one value.
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    ClientInfo {
        addr: Some(client),
        https: match proto.as_deref() {
            Some("https") => true,
            Some(_) => false,
            None => conn.tls,
        },
        via_proxy: !forwarded.is_empty() || proto.is_some(),
    }
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:4711`,
/// `203.0.113.7:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

/// State of the middleware.
#[derive(Clone, Debug)]
pub struct ClientInfoLayer {
    trusted: Arc<Vec<IpNet>>,
    site_is_https: bool,
    warned: Arc<AtomicBool>,
}

impl ClientInfoLayer {
    /// For a site with this configuration.
    pub fn new(trusted: Vec<IpNet>, site_is_https: bool) -> Self {
        ClientInfoLayer {
            trusted: Arc::new(trusted),
            site_is_https,
            warned: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Puts a [`ClientInfo`] on the request. The first time a request to an https site arrives
/// over plain http with no trusted proxy vouching for https, the log says so once: a proxy
/// that is not in `trusted_proxies`, or that does not send `X-Forwarded-Proto`.
pub async fn middleware(
    State(layer): State<ClientInfoLayer>,
    mut req: Request,
    next: Next,
) -> Response {
    let info = resolve(
        req.extensions().get::<Connection>(),
        req.headers(),
        &layer.trusted,
    );
    if layer.site_is_https
        && info.addr.is_some()
        && !info.https
        && !layer.warned.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            client = %info.addr_text(),
            "a request reached this https site over plain http and no trusted proxy said it was https: check trusted_proxies and that the proxy sends X-Forwarded-Proto (docs/operations.md)"
        );
    }
    req.extensions_mut().insert(info);
    next.run(req).await
}

/// The key an address is counted under: an IPv4 address as it is, an IPv6 address by its /64
/// (one subscriber's network, which a sender can fill with addresses at will).
pub fn address_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The address a sign-in (or a failed MNet request) is counted under: the client's, except a loopback address that no
/// trusted proxy vouched for — that is a reverse proxy on this machine that `trusted_proxies`
/// does not name (or a local tool), and counting it would let one sender hold back every client
/// behind it. Such attempts are counted by name only.
pub fn counted_address(client: Option<&ClientInfo>) -> Option<IpAddr> {
    let c = client?;
    let addr = c.addr?;
    let loopback = match addr {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    };
    (c.via_proxy || !loopback).then_some(addr)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::HeaderValue;

    fn conn(peer: &str, tls: bool) -> Connection {
        Connection {
            peer: peer.parse().unwrap(),
            tls,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|n| {
                n.parse::<IpNet>()
                    .unwrap_or_else(|_| IpNet::from(n.parse::<IpAddr>().unwrap()))
            })
            .collect()
    }

    #[test]
    fn headers_from_anyone_but_a_trusted_proxy_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "10.9.9.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let info = resolve(
            Some(&conn("203.0.113.7:5000", false)),
            &h,
            &nets(&["127.0.0.1"]),
        );
        assert_eq!(info.addr, Some("203.0.113.7".parse().unwrap()));
        assert!(!info.https && !info.via_proxy);
        let info = resolve(Some(&conn("203.0.113.7:5000", true)), &h, &[]);
        assert!(info.https, "built-in TLS");
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_the_scheme() {
        let trusted = nets(&["127.0.0.1", "10.0.0.0/24"]);
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.4, 203.0.113.7"),
            ("x-forwarded-proto", "https"),
        ]);
        let info = resolve(Some(&conn("127.0.0.1:5000", false)), &h, &trusted);
        assert_eq!(
            info.addr,
            Some("203.0.113.7".parse().unwrap()),
            "the right-most untrusted hop: the left part is the client's own claim"
        );
        assert!(info.https && info.via_proxy);
        // Two trusted proxies in a row.
        let h = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.3")]);
        let info = resolve(Some(&conn("127.0.0.1:5000", false)), &h, &trusted);
        assert_eq!(info.addr, Some("203.0.113.7".parse().unwrap()));
        assert!(!info.https);
        // Several header lines, IPv6 with a port, an IPv4-mapped peer.
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.4"),
            ("x-forwarded-for", "[2001:db8::7]:4711"),
        ]);
        let info = resolve(Some(&conn("[::ffff:127.0.0.1]:5000", false)), &h, &trusted);
        assert_eq!(info.addr, Some("2001:db8::7".parse().unwrap()));
        // Garbage: stop at the proxy.
        let h = headers(&[("x-forwarded-for", "203.0.113.7, unknown")]);
        let info = resolve(Some(&conn("127.0.0.1:5000", false)), &h, &trusted);
        assert_eq!(info.addr, Some("127.0.0.1".parse().unwrap()));
        // A trusted proxy that forwards nothing is the client (a scraper on this machine).
        let info = resolve(
            Some(&conn("127.0.0.1:5000", false)),
            &HeaderMap::new(),
            &trusted,
        );
        assert_eq!(info.addr, Some("127.0.0.1".parse().unwrap()));
        assert!(!info.via_proxy);
    }
}
