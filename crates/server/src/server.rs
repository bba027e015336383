//! Running the server: serve until asked to stop (over HTTPS when `tls_cert_file` is set, see
//! [`crate::listener`]), and the background duties (key rotation on schedule, following a
//! rotation made elsewhere, audit retention, reloading the TLS certificate).

use crate::state::AppState;
use crate::tls::{Tls, TlsError};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// The server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listening socket.
    #[error("cannot use the listening socket: {0}")]
    Socket(#[from] std::io::Error),
    /// Built-in HTTPS.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A running server (tests start one in-process on an ephemeral port).
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The state it serves.
    pub state: AppState,
    /// Whether it serves HTTPS itself.
    pub tls: bool,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// `http://addr`, or `https://addr` with built-in HTTPS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops serving and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves `state` on `listener` until stopped; also runs the background duties.
pub fn spawn(state: AppState, listener: TcpListener) -> Result<RunningServer, ServeError> {
    let addr = listener.local_addr()?;
    let tls = state.config.tls.as_ref().map(Tls::load).transpose()?;
    if let Some(t) = &tls {
        state.metrics.watch_tls(t.clone());
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = crate::http::router(state.clone());
    let duties = tokio::spawn(background_duties(state.clone()));
    let key_watch = tokio::spawn(follow_key_rotations(state.clone()));
    let reloads = tls.clone().map(Tls::spawn_watcher);
    let serves_tls = tls.is_some();
    let limits = crate::listener::Limits::of(&state.config);
    let task = tokio::spawn(async move {
        crate::listener::serve(listener, tls, app, limits, async move {
            let _ = rx.await;
        })
        .await;
        duties.abort();
        key_watch.abort();
        if let Some(r) = reloads {
            r.abort();
        }
    });
    Ok(RunningServer {
        addr,
        state,
        tls: serves_tls,
        shutdown: Some(tx),
        task,
    })
}

/// How often a running server looks for a site key rotated elsewhere: by `schoolbridge key
/// rotate` on the command line, or by another instance sharing the PostgreSQL database. One
/// small query; within seconds every instance signs and answers 7025 with the same key.
const KEY_WATCH_INTERVAL: Duration = Duration::from_secs(2);

async fn follow_key_rotations(state: AppState) {
    let mut tick = tokio::time::interval(KEY_WATCH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state.keys.refresh_if_rotated().await {
            Ok(true) => tracing::info!("the site key was rotated elsewhere; using the new key"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not check for a rotated site key"),
        }
    }
}

/// Every five minutes: SSO keepalive for the identity providers of active users. Hourly: rotate
/// the site key when due, reload keys rotated by another instance, purge old audit entries.
async fn background_duties(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    let mut round: u64 = 0;
    loop {
        tick.tick().await;
        crate::sso::keepalive::run_once(&state).await;
        round += 1;
        if round % 12 != 1 {
            continue;
        }
        if let Err(e) = state.keys.rotate_if_due().await {
            tracing::error!(error = %e, "scheduled key rotation failed");
        }
        match state.store.purge_attempts(state.clock.now()).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired sign-in counts"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not purge expired sign-in counts"),
        }
        if state.config.audit_retention_days > 0 {
            let cutoff =
                state.clock.now_ms() - i64::from(state.config.audit_retention_days) * 86_400_000;
            match state.store.purge_audit(cutoff).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "purged old audit entries"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "audit purge failed"),
            }
        }
    }
}
