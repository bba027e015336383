//! The library's one error type. Every variant says what failed and with whom; none carries
//! key material, tokens or passwords.

use mnet::client::{KeyswapError, ReplyError};
use mnet::envelope::EnvelopeError;
use mnet::keys::{CredentialError, KeyError};

/// Why a simulator operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The wwwroot is not a (non-deleted) peer of the simulated site.
    #[error("{0} is not a peer of this Moodle: add it first (keyswap)")]
    UnknownPeer(String),
    /// A wwwroot that is not an `http://` or `https://` URL.
    #[error(
        "{0:?} is not a usable wwwroot: it must start with http:// or https:// and have a host"
    )]
    BadWwwroot(String),
    /// A key or certificate could not be read, made or used.
    #[error("key or certificate: {0}")]
    Key(#[from] KeyError),
    /// The certificate given does not hold the public half of the key given.
    #[error("the certificate does not belong to the private key")]
    CertificateKeyMismatch,
    /// A certificate is not for the wwwroot it should name (`mnet-protocol.md` §6.3).
    #[error("the certificate is not for {wwwroot}: {source}")]
    Credentials {
        /// The wwwroot expected.
        wwwroot: String,
        /// What did not match.
        source: CredentialError,
    },
    /// An envelope could not be built.
    #[error("building the MNet envelope failed: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The HTTP request failed (connection, timeout, reading the body).
    #[error("HTTP request to {url} failed: {message}")]
    Transport {
        /// Where to.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The peer answered with an HTTP status other than 200 (PhpXmlRpc treats that as a
    /// transport fault, `mnet-protocol.md` §1.3).
    #[error("{url} answered HTTP {status}")]
    HttpStatus {
        /// Where to.
        url: String,
        /// The status.
        status: u16,
    },
    /// The peer's keyswap answer was not usable (§5.6).
    #[error("keyswap with {wwwroot} failed: {source}")]
    Keyswap {
        /// The peer.
        wwwroot: String,
        /// Why.
        source: KeyswapError,
    },
    /// The peer's reply was refused the way Moodle's client refuses it (§5.1).
    #[error("the reply from {wwwroot} was refused: {source}")]
    Reply {
        /// The peer.
        wwwroot: String,
        /// Why, with Moodle's client error prefix.
        source: ReplyError,
    },
    /// The peer answered 7025 to the re-sent request too: Moodle's client retries only once.
    #[error("{0} answered 7025 (key changed) again after its new certificate was stored")]
    KeyChangedAgain(String),
    /// A 7025 carried something that is not a certificate.
    #[error("{wwwroot} sent a 7025 whose certificate cannot be read: {source}")]
    BadNewCertificate {
        /// The peer.
        wwwroot: String,
        /// Why.
        source: KeyError,
    },
    /// No such user at the simulated site.
    #[error("no user {0:?} at this Moodle")]
    UnknownUser(String),
    /// The school could not be generated.
    #[error("the school cannot be generated: {0}")]
    School(#[from] crate::school::SpecError),
    /// Listening or serving failed.
    #[error("serving HTTP failed: {0}")]
    Serve(String),
    /// A background (blocking) task failed to run.
    #[error("a background task failed: {0}")]
    Task(String),
}
