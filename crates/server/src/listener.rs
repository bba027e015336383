//! Accepting connections: plain HTTP, or HTTPS through [`crate::tls`], each connection served by
//! hyper with the router, and all of them drained on shutdown (requests in flight finish, idle
//! keep-alive connections close; at most [`DRAIN`]).
//!
//! Every request carries how its connection arrived ([`Connection`], and axum's
//! `ConnectInfo<SocketAddr>`), from which `http::client_info` works out the client's address and
//! scheme when a trusted proxy stands in front.
//!
//! Limits (issue 18, `docs/threat-model.md`), all from the configuration as [`Limits`]:
//! * a request's head must arrive within `header_timeout_secs` of the connection being ready for
//!   it — which also closes a keep-alive connection left idle that long (hyper's
//!   `header_read_timeout`, measured from when it starts waiting for the next request);
//! * a request's body must arrive in full within `body_timeout_secs` of its head ([`DeadlineBody`]:
//!   a total deadline, so a trickle of one byte now and then does not keep it alive);
//! * at most `max_connections` connections are served at once (a permit taken before a
//!   connection's task is spawned, released when it ends). Past the cap, a small fixed pool
//!   ([`OVERLOAD_SLOTS`]) answers each extra connection's request with 503 and `Retry-After`
//!   and closes it; past that pool too, the connection is closed at once. Memory stays bounded.

use crate::tls::Tls;
use axum::Router;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// Longest TLS handshake: a client that opens a connection and says nothing must not hold it.
pub const HANDSHAKE: Duration = Duration::from_secs(10);
/// Longest wait for requests in flight at shutdown.
pub const DRAIN: Duration = Duration::from_secs(30);

/// Connections past the cap that still get a 503 answer (the rest are closed at once): small and
/// fixed, so a flood costs a bounded amount of memory.
pub const OVERLOAD_SLOTS: usize = 64;
/// How long an over-cap connection has to send its request head before it is closed.
const OVERLOAD_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The `Retry-After` of an overload answer, seconds.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The listener's limits (settings `header_timeout_secs`, `body_timeout_secs`,
/// `max_connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for a request's head (also the keep-alive idle limit).
    pub header_timeout: Duration,
    /// Longest time to receive a request's body, from its head.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Limits {
    /// The limits of a configuration.
    pub fn of(config: &crate::config::Config) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            body_timeout: Duration::from_secs(config.body_timeout_secs),
            max_connections: config.max_connections,
        }
    }
}

/// How a request's connection arrived (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    /// The other end of the TCP connection (a proxy, when there is one).
    pub peer: SocketAddr,
    /// Whether the connection is TLS (built-in HTTPS).
    pub tls: bool,
}

/// Serves `router` on `listener` (through `tls` when given) until `stop` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Tls>,
    router: Router,
    limits: Limits,
    stop: impl std::future::Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let overload = Arc::new(Semaphore::new(OVERLOAD_SLOTS));
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let (permit, mode) = match Arc::clone(&connections).try_acquire_owned() {
            Ok(p) => (p, Mode::Serve(router.clone())),
            Err(_) => match Arc::clone(&overload).try_acquire_owned() {
                Ok(p) => (p, Mode::Overloaded),
                Err(_) => {
                    tracing::debug!(%peer, "connection refused: over the connection cap");
                    drop(tcp);
                    continue;
                }
            },
        };
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _ = tcp.set_nodelay(true);
            match tls {
                None => serve_connection(tcp, peer, false, mode, limits, watcher).await,
                Some(tls) => {
                    match tokio::time::timeout(HANDSHAKE, tls.acceptor().accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            serve_connection(stream, peer, true, mode, limits, watcher).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running {} s after shutdown began were cut off",
            DRAIN.as_secs()
        );
    }
}

/// What a connection gets: the application, or (past the cap) a 503.
enum Mode {
    Serve(Router),
    Overloaded,
}

async fn serve_connection<IO>(
    io: IO,
    peer: SocketAddr,
    tls: bool,
    mode: Mode,
    limits: Limits,
    watcher: Watcher,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    let result = match mode {
        Mode::Serve(router) => {
            let connection = Connection { peer, tls };
            let body_timeout = limits.body_timeout;
            let service = router.map_request(move |req: hyper::Request<Incoming>| {
                let mut req = req.map(|body| DeadlineBody::new(body, body_timeout));
                req.extensions_mut().insert(connection);
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
            builder.header_read_timeout(limits.header_timeout);
            watcher
                .watch(
                    builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service)),
                )
                .await
        }
        Mode::Overloaded => {
            builder
                .header_read_timeout(OVERLOAD_HEADER_TIMEOUT.min(limits.header_timeout))
                .keep_alive(false);
            let service = hyper::service::service_fn(|_req: hyper::Request<Incoming>| {
                std::future::ready(Ok::<_, std::convert::Infallible>(overloaded()))
            });
            watcher
                .watch(builder.serve_connection(TokioIo::new(io), service))
                .await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

/// The answer to a connection past the cap: come back in a few seconds.
fn overloaded() -> hyper::Response<String> {
    let mut resp =
        hyper::Response::new("SchoolBridge is busy; try again in a few seconds.\n".to_owned());
    *resp.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
    let h = resp.headers_mut();
    h.insert(
        hyper::header::RETRY_AFTER,
        hyper::header::HeaderValue::from(RETRY_AFTER_SECS),
    );
    h.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    resp
}

/// The request body has not arrived in full within `body_timeout_secs` of its head.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

/// A request body with a total deadline (tower-http's `RequestBodyTimeout` restarts its clock at
/// every frame, which a trickling sender keeps alive forever).
pub struct DeadlineBody {
    body: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(body: Incoming, timeout: Duration) -> DeadlineBody {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.body.is_end_stream() {
            return Poll::Ready(None);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
        }
        Pin::new(&mut self.body)
            .poll_frame(cx)
            .map(|f| f.map(|r| r.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// After a failed accept: errors of one connection are passed over; anything else (out of file
/// descriptors) is logged and waited out, as axum's own `serve` does.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections; trying again in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
