//! Why an address given as a new peer leads to no Moodle, told apart for the person who typed
//! it (issue 16): a host name nobody answers to, a host that refuses the connection, a host that
//! does not answer at all, or something that answers but is not a Moodle with Networking on.
//! Only the add-peer preview uses this: when its key exchange fails before reaching an MNet
//! server, [`explain`] looks at the facts (does the name resolve, does the port accept a
//! connection) and [`classify`] decides. Everything else keeps the outbound diagnosis.

use std::time::Duration;

use crate::http::error::ApiError;
use crate::mnet_host::outbound::OutboundError;
use crate::state::Reach;
use axum::http::StatusCode;
use mnet::client::{KeyswapError, ReplyError};

/// How long each probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the failed key exchange was about, as far as the probes can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No HTTP exchange took place, or it ended in a non-200 status or a TLS failure.
    Transport,
    /// An HTTP 200 answer that is not an MNet reply (an HTML page, a plain fault, no key).
    NotMnet,
    /// Something the outbound diagnosis already says precisely (a redirect, a certificate
    /// made out to another host, a clock, …).
    Other,
}

/// What the network said about the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connect {
    /// The host name does not resolve.
    NoSuchHost,
    /// The host refused the connection (nothing listens on the port).
    Refused,
    /// No answer within the probe's time.
    NoAnswer,
    /// A TCP connection was made.
    Accepted,
}

/// The problem, for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// `no_such_host`.
    NoSuchHost,
    /// `connection_refused`.
    Refused,
    /// `no_answer`.
    NoAnswer,
    /// `not_moodle`.
    NotMoodle,
}

/// Decides what to tell: a network fact outranks what the exchange said, and an HTTP answer
/// that is not MNet means "not a Moodle". `None`: keep the outbound diagnosis.
pub fn classify(failure: Failure, connect: Connect, https: bool) -> Option<Problem> {
    match (failure, connect) {
        (Failure::Other, _) => None,
        (_, Connect::NoSuchHost) => Some(Problem::NoSuchHost),
        (_, Connect::Refused) => Some(Problem::Refused),
        (_, Connect::NoAnswer) => Some(Problem::NoAnswer),
        (Failure::NotMnet, Connect::Accepted) => Some(Problem::NotMoodle),
        // The host answered but the exchange failed below MNet: over http that is an HTTP
        // status (the path is not Moodle's MNet endpoint); over https it may be the TLS
        // certificate, which the outbound diagnosis explains.
        (Failure::Transport, Connect::Accepted) => (!https).then_some(Problem::NotMoodle),
    }
}

/// What kind of failure `error` is.
pub fn failure_of(error: &OutboundError) -> Failure {
    match error {
        OutboundError::Transport { .. } => Failure::Transport,
        // Something answered, but not with a key: an HTML page, an empty body, a stray value.
        OutboundError::Keyswap(KeyswapError::Parse(_) | KeyswapError::Certificate(_))
        | OutboundError::Reply(ReplyError::NotEncrypted) => Failure::NotMnet,
        _ => Failure::Other,
    }
}

/// Resolves the host and tries a TCP connection to it (for a guarded preview, never to an
/// internal address: a probe must not tell which ports are open there).
async fn probe(host: &str, port: u16, reach: Reach) -> Connect {
    let resolved = tokio::time::timeout(PROBE_TIMEOUT, tokio::net::lookup_host((host, port))).await;
    let Ok(Ok(addresses)) = resolved else {
        return match resolved {
            Ok(Err(_)) => Connect::NoSuchHost,
            _ => Connect::NoAnswer,
        };
    };
    let addresses: Vec<_> = addresses
        .filter(|a| !(reach.guarded && crate::mnet_host::previews::is_internal(a.ip())))
        .collect();
    if addresses.is_empty() {
        return Connect::NoSuchHost;
    }
    let mut outcome = Connect::NoAnswer;
    for address in addresses {
        match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(_)) => return Connect::Accepted,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                outcome = Connect::Refused;
            }
            _ => {}
        }
    }
    outcome
}

/// The error to send for a preview of `wwwroot` that failed with `error` (worded `diagnosis`).
pub async fn explain(
    wwwroot: &str,
    error: &OutboundError,
    diagnosis: String,
    reach: Reach,
) -> ApiError {
    let unreachable = || {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "peer_unreachable",
            diagnosis.clone(),
        )
    };
    let failure = failure_of(error);
    let Ok(url) = url::Url::parse(wwwroot) else {
        return unreachable();
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return unreachable();
    };
    let connect = if failure == Failure::Other {
        Connect::Accepted
    } else {
        probe(host, port, reach).await
    };
    let (code, message) = match classify(failure, connect, url.scheme() == "https") {
        None => return unreachable(),
        Some(Problem::NoSuchHost) => (
            "no_such_host",
            format!(
                "No computer answers to the name {host}. Check the spelling of the address: it is \
                 the Moodle's own address, as its administrator sees it in the browser."
            ),
        ),
        Some(Problem::Refused) => (
            "connection_refused",
            format!(
                "{host} exists, but nothing accepts connections on port {port}: the web server may \
                 be stopped, or the address has the wrong port."
            ),
        ),
        Some(Problem::NoAnswer) => (
            "no_answer",
            format!(
                "{host} did not answer on port {port} within {} seconds: a firewall may be in the \
                 way, or the server is down.",
                PROBE_TIMEOUT.as_secs()
            ),
        ),
        Some(Problem::NotMoodle) => (
            "not_moodle",
            format!(
                "{wwwroot} answers, but not as a Moodle with Networking. Check that this is the \
                 Moodle's own address (with any path, such as /moodle) and that Networking is on \
                 in Moodle: Site administration → Advanced features."
            ),
        ),
    };
    ApiError::new(StatusCode::BAD_GATEWAY, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_facts_come_first_then_what_answered() {
        use Connect::*;
        for failure in [Failure::Transport, Failure::NotMnet] {
            assert_eq!(
                classify(failure, NoSuchHost, false),
                Some(Problem::NoSuchHost)
            );
            assert_eq!(classify(failure, Refused, true), Some(Problem::Refused));
            assert_eq!(classify(failure, NoAnswer, false), Some(Problem::NoAnswer));
        }
        assert_eq!(
            classify(Failure::NotMnet, Accepted, true),
            Some(Problem::NotMoodle)
        );
        assert_eq!(
            classify(Failure::Transport, Accepted, false),
            Some(Problem::NotMoodle)
        );
        // Over https the failure may be the certificate: the outbound diagnosis says so.
        assert_eq!(classify(Failure::Transport, Accepted, true), None);
        // A redirect, a certificate for another host, a clock: already precise.
        assert_eq!(classify(Failure::Other, NoSuchHost, false), None);
    }
}
